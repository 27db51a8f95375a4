"""Linli's URLs plus the benchmark's Django "hello" view (gunicorn in the bench only)."""

from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    """A bare view: the whole middleware stack, no template, no query."""
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [
    path("__bench__/django-hello", hello),
    path("", include("marketplace.urls")),
]
