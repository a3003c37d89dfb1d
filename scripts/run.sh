#!/usr/bin/env bash
# Start Latent Wall (Python 3.11): install what the app needs, then serve it on http://localhost:8501.
# Extra arguments go to `streamlit run`, e.g. `bash scripts/run.sh --server.port 8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec python3 -m streamlit run serve.py "$@"
