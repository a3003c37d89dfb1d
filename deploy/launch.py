"""Serve a class: N Streamlit replicas of the app on loopback ports behind Debian's nginx on one port.

    python -m deploy.launch --replicas 2 --port 8080 [--data ../shared/data/mnist.npz]
    python -m deploy.launch --upstream 10.0.0.5:8501 --upstream 10.0.0.6:8501 --port 8080 --replicas 0

One Streamlit process runs its sessions' scripts on one Python interpreter and keeps each session in its
own memory, so a class is spread over several processes and each browser must keep talking to the one
that holds its session (its websocket, its media files, its reloads). nginx does that with a route cookie
it sets itself (deploy/nginx.conf.template). Every replica gets the same cookie secret; replicas on other
machines must be started with the same one (STREAMLIT_SERVER_COOKIE_SECRET in their environment).
Ctrl-C stops nginx and every replica.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECRET_ENV_VAR = "LATENT_WALL_COOKIE_SECRET"
# The folders nginx writes request bodies and buffered answers to (nginx.conf.template names them).
TEMP_FOLDERS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
# The user nginx runs its workers as when its master is started by root (Debian's build: nobody).
WORKER_USER = "nobody"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_config(listen: str, upstreams: list[str], prefix: Path) -> str:
    """The nginx configuration for these upstreams (host:port each), with its files under prefix."""
    if not upstreams:
        raise ValueError("nginx needs at least one upstream replica.")
    lines = "\n".join(f"        server {address} max_fails=3 fail_timeout=5s;" for address in upstreams)
    return (TEMPLATE.read_text(encoding="utf-8").replace("@@UPSTREAMS@@", lines)
            .replace("@@LISTEN@@", listen).replace("@@PREFIX@@", str(prefix)))


def prepare_temp_folders(prefix: Path) -> None:
    """Make nginx's temporary folders under prefix, writable by its workers.

    Started by root (as in a container), nginx runs its workers as nobody, who could neither reach the private
    temporary folder nor write into it: every upload bigger than nginx's 16 KB memory buffer then failed with
    HTTP 500 ("Request failed with status code 500" on the digit page).
    """
    for name in TEMP_FOLDERS:
        (prefix / name).mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return
    import pwd

    worker = pwd.getpwnam(WORKER_USER)
    prefix.chmod(prefix.stat().st_mode | 0o711)
    for name in TEMP_FOLDERS:
        os.chown(prefix / name, worker.pw_uid, worker.pw_gid)


def wait_healthy(url: str, timeout: float = 90.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing answered at {url} within {timeout:.0f} s")


class ClassServer:
    """nginx on `port` in front of `replicas` local Streamlit processes (and any extra upstreams)."""

    def __init__(self, replicas: int = 2, port: int | None = None, upstreams: list[str] | None = None,
                 environment: dict[str, str] | None = None, prefix: Path | None = None, host: str = "127.0.0.1",
                 replica_args: list[str] | None = None):
        self.host = host
        self.replica_args = list(replica_args or [])  # Extra `streamlit run` options for every local replica.
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.replica_ports = [free_port() for _ in range(replicas)]
        self.upstreams = [f"127.0.0.1:{port}" for port in self.replica_ports] + list(upstreams or [])
        self.secret = os.environ.get(SECRET_ENV_VAR) or secrets.token_hex(32)
        self.environment = {**os.environ, **(environment or {})}
        self._own_prefix = prefix is None
        self.prefix = Path(prefix or tempfile.mkdtemp(prefix="latent-wall-nginx-"))
        self.replicas: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None

    def start_replica(self, port: int) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), *self.replica_args],
            cwd=PROJECT_ROOT, env={**self.environment, "STREAMLIT_SERVER_COOKIE_SECRET": self.secret},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.replicas[port] = process
        return process

    def stop_replica(self, port: int) -> None:
        process = self.replicas.pop(port)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> ClassServer:
        try:
            return self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def _start(self) -> ClassServer:
        for port in self.replica_ports:
            self.start_replica(port)
        config_file = self.prefix / "nginx.conf"
        prepare_temp_folders(self.prefix)
        config_file.write_text(nginx_config(f"{self.host}:{self.port}", self.upstreams, self.prefix), encoding="utf-8")
        self.nginx = subprocess.Popen([NGINX, "-p", str(self.prefix), "-c", str(config_file), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port, process in self.replicas.items():
            wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", process=process)
        wait_healthy(f"{self.url}/_stcore/health", process=self.nginx)
        return self

    def access_log(self) -> list[dict[str, str]]:
        """Every request nginx passed on so far: its route cookie and the replica that answered it."""
        entries = []
        log = self.prefix / "access.log"
        for line in log.read_text(encoding="utf-8").splitlines() if log.is_file() else []:
            fields = dict(part.split("=", 1) for part in line.split() if part.startswith(("route=", "upstream=")))
            fields["request"] = line.split('"')[1] if '"' in line else ""
            entries.append(fields)
        return entries

    def __exit__(self, *exc) -> None:
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)
        for port in list(self.replicas):
            self.stop_replica(port)
        if self._own_prefix:
            shutil.rmtree(self.prefix, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.launch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 2,
                        help="local replicas (default: one per core)")
    parser.add_argument("--port", type=int, default=8080, help="the port the class opens (default 8080)")
    parser.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT",
                        help="a replica on another machine (repeat); started with the same cookie secret")
    parser.add_argument("--data", help="path to mnist.npz for the pages that show real digits")
    args = parser.parse_args(argv)
    if args.replicas < 0 or (args.replicas == 0 and not args.upstream):
        parser.error("give at least one local replica or one --upstream")
    if not Path(NGINX).is_file():
        print("nginx is not installed: apt-get install nginx", file=sys.stderr)
        return 1
    environment = {"LATENT_WALL_MNIST": args.data} if args.data else {}
    with ClassServer(args.replicas, args.port, args.upstream, environment, host="0.0.0.0") as served:
        print(f"Latent Wall for a class: http://<this machine>:{served.port} "
              f"({len(served.upstreams)} replicas: {', '.join(served.upstreams)}). Ctrl-C stops it.", flush=True)
        if args.upstream:
            print(f"Start the other machines' replicas with STREAMLIT_SERVER_COOKIE_SECRET={served.secret}", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while served.nginx.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
