"""Run localstripe (a stateful stand-in for Stripe's API) on loopback, its state in memory only.

localstripe's own ``start()`` binds every interface and pickles its whole store to
``/tmp/localstripe.pickle`` after each write, a file shared by every instance on the machine.
This runner binds 127.0.0.1 on the port it is given (0 = a free one, printed on stdout as
``LOCALSTRIPE_PORT=<n>``) and keeps the store in memory, so parallel test sessions and the demo
never see each other's customers.

    python -m payments.localstripe_server --port 0

The server itself is in ``__main__.py``, run in the child process only: the parent (the test
session, the demo, the bench) imports this package without importing localstripe or aiohttp.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def start_localstripe(port: int = 0, timeout: float = 20.0) -> tuple[subprocess.Popen, str]:
    """Start localstripe in a child process; return it and its base URL once it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "payments.localstripe_server", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=str(Path(__file__).resolve().parents[2]),  # the project root
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
