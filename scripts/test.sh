#!/usr/bin/env bash
# Run the whole test suite (Python 3.11): install the Debian packages and Python requirements it needs,
# find MNIST, lint, and run pytest. Extra arguments go to pytest, e.g. `bash scripts/test.sh -k browser`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser tests (never a browser downloaded by Playwright), and a CJK font so
# screenshots of Chinese pages show characters.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
# Debian's Fashion-MNIST, the anomaly lesson's second data set (never committed; latentwall/datasets.py finds it).
[ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
# Debian's nginx for the tests of serving a class through several replicas (deploy/).
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # Installing nginx must not start it as a system service (the tests start their own): a temporary
    # policy-rc.d denies service starts during the install, where none exists already.
    own_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    fi
    apt-get install -y --no-install-recommends "${missing[@]}"
    [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
  else
    echo "Installing ${missing[*]} needs root: sudo apt-get install ${missing[*]} (the browser tests skip without it)." >&2
  fi
fi
python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

# MNIST: an explicit LATENT_WALL_MNIST wins; else the shared copy beside a checkout; else the suite uses
# the Keras cache, downloading into it where a network exists.
if [ -z "${LATENT_WALL_MNIST:-}" ] && [ -f ../shared/data/mnist.npz ]; then
  LATENT_WALL_MNIST="$(cd ../shared/data && pwd)/mnist.npz"
  export LATENT_WALL_MNIST
fi
export TF_CPP_MIN_LOG_LEVEL=2

ruff check .
python3 -m pytest -q "$@"
