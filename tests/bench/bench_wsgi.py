"""The benchmark's WSGI entry: a bare "hello" at /__bench__/hello, Linli everywhere else.

The hello answer goes through the same gunicorn (workers, worker class, sockets) as every page
but through none of Django: its requests/s is the ceiling of this machine for any page, and
every page is read as a ratio to it.
"""

from marketplace.wsgi import application as linli

HELLO_PATH = "/__bench__/hello"
HELLO_BODY = b"hello"


def application(environ, start_response):
    if environ.get("PATH_INFO") == HELLO_PATH:
        start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(HELLO_BODY)))],
        )
        return [HELLO_BODY]
    return linli(environ, start_response)
