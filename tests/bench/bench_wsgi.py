"""The benchmark's WSGI entry: two hellos, and Linli everywhere else.

* ``/__bench__/hello`` answers through the same gunicorn (workers, worker class, sockets) but
  through none of Django: the machine's raw ceiling, printed for context.
* ``/__bench__/django-hello`` is a bare Django view behind Linli's whole middleware stack
  (sessions, locale, CSRF, auth, Oscar's basket, Wagtail's redirects): the ceiling of this
  machine for any page of Linli, and the figure every page is read against as a ratio.
"""

from django.conf import settings

from marketplace.wsgi import application as linli

settings.ROOT_URLCONF = "bench_urls"

HELLO_PATH = "/__bench__/hello"
HELLO_BODY = b"hello"


def application(environ, start_response):
    """The raw hello at ``HELLO_PATH``; Linli (with the bench's URLs) for every other path."""
    if environ.get("PATH_INFO") == HELLO_PATH:
        start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(HELLO_BODY)))],
        )
        return [HELLO_BODY]
    return linli(environ, start_response)
