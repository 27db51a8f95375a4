"""The plain Django views of the fee boards (``cms/urls.py``), ahead of Wagtail's catch-all.

* ``board_serve``: /boards/<slug>/ and its sub-pages, found in one query and served by
  Wagtail's own serve view (the page's routes are on ``FeeBoardPage``);
* ``board_json`` and ``board_csv_view``: board.json and board.csv, which Wagtail's serve
  pattern cannot route (a dot): found like the page, then served by Wagtail's serve view with
  the export as the route, so Wagtail's view restrictions hold for them as for the page.

The responses are built in ``cms/rendering.py``; caching is in ``cms/cache.py``.
"""

from __future__ import annotations

from django.http import Http404
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve

from cms.cache import BOARDS_VERSION_KEY, site_for
from cms.models import FeeBoardPage
from marketplace.page_cache import anonymous_page
from marketplace.ratelimits import rate_limited


def board_serve(request, slug, rest=""):
    """A board page, served by Wagtail's own view without walking the page tree.

    Wagtail routes a path one level at a time (site, home, board index, board: a query or two
    each). A board lives at a known ``url_path``, so one query finds it; its route result is
    handed to Wagtail's serve view, which runs the serve hooks (view restrictions and the rest)
    exactly as for any page. A board that is not live, or not there, takes Wagtail's own walk.

    An anonymous visitor's board page is served whole from the cache
    (``marketplace.page_cache``), keyed by the boards version, which a publication, an
    unpublication, any save or move of a board and any change of a view restriction move on.
    Only a visitor who has passed no view restriction shares it, and a response Wagtail marks
    never-cache (a restricted page's password form, or the page itself) is never stored.
    """
    return anonymous_page(
        request, "board", (BOARDS_VERSION_KEY,), lambda: _board_route(request, slug, rest)
    )


def _board_route(request, slug, rest):
    board = _board_at(request, slug)
    if board is not None:
        components = [part for part in rest.split("/") if part]
        try:
            request._wagtail_route_for_request = board.route(request, components)
        except Http404:
            request._wagtail_route_for_request = None
    return serve(request, request.path_info.lstrip("/"))


def _board_at(request, slug):
    """The live board at /boards/<slug>/ of this request's site, in one query; None when the
    site has no root or there is no live board there (Wagtail's own walk then decides)."""
    site = site_for(request)
    root = next((r for r in Site.get_site_root_paths() if site and r.site_id == site.pk), None)
    if root is None:
        return None
    return (
        FeeBoardPage.objects.filter(url_path=f"{root.root_path}boards/{slug}/", live=True)
        .select_related("community__enterprise")
        .defer("life_services")  # a JSON snapshot: read only when the cached body is cold
        .first()
    )


def _export(request, slug: str, name: str):
    """Serve the board's export ``name`` (a ``FeeBoardPage`` method) through Wagtail's serve.

    The board is found by its address (as its page is), then handed to Wagtail's serve view
    with the export as its route: Wagtail's ``on_serve_page`` and ``before_serve_page`` hooks
    run first, so the export obeys the board's view restrictions (and its ancestors') exactly
    as the page does: the password form, or the login redirect, instead of the data.
    """
    board = _board_at(request, slug)
    if board is None:  # not at this site's /boards/: Wagtail's walk to the board page
        route = Page.route_for_request(request, f"boards/{slug}/")
        board = route[0] if route is not None else None
        if not isinstance(board, FeeBoardPage):
            raise Http404
    request._wagtail_route_for_request = RouteResult(board, args=(getattr(board, name), (), {}))
    return serve(request, request.path_info.lstrip("/"))


@rate_limited("exports")
def board_json(request, slug: str):
    """/boards/<slug>/board.json: the live board as JSON (404 when there is none); a restricted
    board answers as its page does (``_export``)."""
    return _export(request, slug, "json_export")


@rate_limited("exports")
def board_csv_view(request, slug: str):
    """/boards/<slug>/board.csv: the live board's charges as CSV (404 when there is none); a
    restricted board answers as its page does (``_export``)."""
    return _export(request, slug, "csv_export")
