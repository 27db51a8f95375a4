"""Run localstripe (a stateful stand-in for Stripe's API) on loopback, its state in memory only.

localstripe's own ``start()`` binds every interface and pickles its whole store to
``/tmp/localstripe.pickle`` after each write, a file shared by every instance on the machine.
This runner binds 127.0.0.1 on the port it is given (0 = a free one, printed on stdout as
``LOCALSTRIPE_PORT=<n>``) and keeps the store in memory, so parallel test sessions and the demo
never see each other's customers.

    python -m payments.localstripe_server --port 0
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def serve(port: int) -> None:
    from aiohttp import web
    from localstripe import server

    server.store.dump_to_disk = lambda *a, **k: None  # keep state in this process only
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    print(f"LOCALSTRIPE_PORT={sock.getsockname()[1]}", flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


def start_localstripe(port: int = 0, timeout: float = 20.0) -> tuple[subprocess.Popen, str]:
    """Start localstripe in a child process; return it and its base URL once it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "payments.localstripe_server", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=str(Path(__file__).resolve().parent.parent),
        env=os.environ.copy(),
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("LOCALSTRIPE_PORT="):
        proc.kill()
        raise RuntimeError("localstripe did not start (is the 'localstripe' package installed?)")
    url = f"http://127.0.0.1:{int(line.split('=', 1)[1])}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), 0.5):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"localstripe did not answer on {url}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    serve(parser.parse_args().port)
