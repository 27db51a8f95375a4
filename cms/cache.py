"""Caching of the fee boards' public responses, and the versions that key it.

In Django's cache:

* ``board.json``, ``board.csv`` and ``print/`` (no forms, no CSRF token): whole anonymous
  responses, per board, language and path (``serve_cached``), keyed by the boards version,
  which a publication or unpublication moves on (``board_cache_purge``);
* the board and its change log, for anonymous visitors: whole pages, one copy for all with an
  ETag (``cms.views.board_serve`` and ``marketplace.page_cache``), keyed by the same version;
* for everyone, their body is a template fragment cached per board, live revision and
  language (``{% cache %}`` with the ``board_fragment_*`` names); the header is rendered fresh;
* Wagtail's site of a request (``site_for``), keyed by the sites version.

The versions are moved on by the receivers in ``cms/signals.py``.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language
from wagtail.models import PageViewRestriction, Site

from marketplace.cache import bump_version, register_version_key, request_version
from marketplace.catalogue.listing_cache import catalogue_changed

CACHE_SECONDS = 15 * 60
SUBPATHS = ("board.json", "board.csv", "print/")  # whole responses cached
BOARDS_VERSION_KEY = register_version_key("cms:boards:version")
SITES_VERSION_KEY = register_version_key("cms:sites:version")


def _cache_key(board_id: int, language: str, subpath: str) -> str:
    return f"cms:board:{boards_version()}:{board_id}:{language}:{subpath}"


def boards_version() -> int:
    """The current boards version (0 before the first change): part of every board's key."""
    return cache.get(BOARDS_VERSION_KEY, 0)


def boards_changed(**kwargs) -> None:
    """Moves on the version that keys every cached board response: the anonymous pages
    (``cms.views.board_serve``) and board.json, board.csv and print/ (``serve_cached``).
    Accepts and ignores a signal's keyword arguments."""
    bump_version(BOARDS_VERSION_KEY)


def sites_changed() -> None:
    """A Wagtail site was saved or deleted: the cached sites (``site_for``) and the board
    pages (cached by host and path) are not served again."""
    bump_version(SITES_VERSION_KEY)
    boards_changed()


def board_cache_purge(board) -> None:
    """A board was published or unpublished: its cached responses and pages, and the
    catalogue (it shows the published prices), are not served again. The body fragments are
    keyed by the live revision, so a publication has new ones anyway."""
    catalogue_changed()
    boards_changed()


def site_for(request):
    """Wagtail's site for this request, from the cache (Wagtail asks the database each time).

    Handed to Wagtail on the request, so its own lookups reuse it. The key carries a version
    that any save or delete of a site moves on (``sites_changed``). None when no site matches.
    """
    key = f"cms:site:{request_version(request, SITES_VERSION_KEY)}:{request.get_host()}"
    site = cache.get(key)
    if site is None:
        site = Site.find_for_request(request)
        if site is not None:
            cache.set(key, site, 3600)
    request._wagtail_site = site
    return site


def serve_cached(board, request, serve, *args, **kwargs):
    """Serve ``board``'s sub-path, from the cache for anonymous GETs of cacheable paths.

    ``serve(request, *args, **kwargs)`` builds the response on a miss; a complete 200 response
    of one of ``SUBPATHS`` is then stored for ``CACHE_SECONDS`` (a hit carries
    ``X-Board-Cache: hit``). Anything else is served by ``serve`` untouched. Called from
    ``FeeBoardPage.serve`` only, i.e. after Wagtail's serve view has checked the board's view
    restrictions; a visitor who has passed a password restriction is never cached.
    """
    # A visitor who has passed a password restriction (their session says so) may be shown a
    # page others may not: what they are served is never stored, nor are they served a copy.
    # Every other anonymous visitor passes no restriction at all (Wagtail's restrictions need
    # that session mark, a login or a group), so what is stored from one of them is what any of
    # them may see; and Wagtail's serve checks the restrictions before a hit is served.
    cacheable = (
        request.method == "GET"
        and not request.user.is_authenticated
        and PageViewRestriction.passed_view_restrictions_session_key not in request.session
        and not getattr(request, "is_preview", False)
        and not request.GET
    )
    subpath = request.path[len(board.url or "") :] if board.url else request.path
    if not cacheable or subpath not in SUBPATHS:
        return serve(request, *args, **kwargs)
    key = _cache_key(board.pk, get_language() or "", subpath)
    hit = cache.get(key)
    if hit is not None:
        content, content_type, headers = hit
        response = HttpResponse(content, content_type=content_type)
        for name, value in headers.items():
            response[name] = value
        response["X-Board-Cache"] = "hit"
        return response
    response = serve(request, *args, **kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    if response.status_code == 200:
        headers = {k: v for k, v in response.items() if k == "Content-Disposition"}
        cache.set(key, (response.content, response["Content-Type"], headers), CACHE_SECONDS)
    return response
