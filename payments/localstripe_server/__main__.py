"""The localstripe child process: ``python -m payments.localstripe_server --port <n>``.

Serves localstripe's app on 127.0.0.1:<n> (0 = a free port) and prints ``LOCALSTRIPE_PORT=<n>``
on stdout once bound, which ``start_localstripe`` waits for. The store stays in memory.
"""

from __future__ import annotations

import argparse
import socket

from aiohttp import web
from localstripe import server


def serve(port: int) -> None:
    """Bind 127.0.0.1:``port``, announce the port on stdout and serve until killed."""
    server.store.dump_to_disk = lambda *a, **k: None  # keep state in this process only
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    print(f"LOCALSTRIPE_PORT={sock.getsockname()[1]}", flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    serve(parser.parse_args().port)
