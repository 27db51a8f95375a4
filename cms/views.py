"""The plain Django views of the fee boards (``cms/urls.py``), ahead of Wagtail's catch-all.

* ``board_serve``: /boards/<slug>/ and its sub-pages, found in one query and served by
  Wagtail's own serve view (the page's routes are on ``FeeBoardPage``);
* ``board_json`` and ``board_csv_view``: board.json and board.csv, which Wagtail's serve
  pattern cannot route (a dot).

The responses are built in ``cms/rendering.py``; caching is in ``cms/cache.py``.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from wagtail.models import Site
from wagtail.views import serve

from cms.cache import BOARDS_VERSION_KEY, serve_cached, site_for
from cms.models import FeeBoardPage
from cms.rendering import csv_response, json_response
from marketplace.page_cache import anonymous_page


def board_serve(request, slug, rest=""):
    """A board page, served by Wagtail's own view without walking the page tree.

    Wagtail routes a path one level at a time (site, home, board index, board: a query or two
    each). A board lives at a known ``url_path``, so one query finds it; its route result is
    handed to Wagtail's serve view, which runs the serve hooks (view restrictions and the rest)
    exactly as for any page. A board that is not live, or not there, takes Wagtail's own walk.

    An anonymous visitor's board page is served whole from the cache
    (``marketplace.page_cache``), keyed by the boards version, which a publication, an
    unpublication, any save or move of a board and any change of a view restriction move on.
    (Under a password restriction every anonymous visitor is shown the same password form;
    one who has passed it is never served from the cache.)
    """
    return anonymous_page(
        request, "board", (BOARDS_VERSION_KEY,), lambda: _board_route(request, slug, rest)
    )


def _board_route(request, slug, rest):
    site = site_for(request)
    root = next((r for r in Site.get_site_root_paths() if site and r.site_id == site.pk), None)
    if root is None:
        return serve(request, request.path_info.lstrip("/"))
    board = (
        FeeBoardPage.objects.filter(url_path=f"{root.root_path}boards/{slug}/", live=True)
        .select_related("community__enterprise")
        .defer("life_services")  # a JSON snapshot: read only when the cached body is cold
        .first()
    )
    if board is not None:
        components = [part for part in rest.split("/") if part]
        try:
            request._wagtail_route_for_request = board.route(request, components)
        except Http404:
            request._wagtail_route_for_request = None
    return serve(request, request.path_info.lstrip("/"))


def _live_board(slug: str):
    return get_object_or_404(
        FeeBoardPage.objects.live().select_related("community", "community__enterprise"),
        slug=slug,
    )


def board_json(request, slug: str):
    """/boards/<slug>/board.json: the live board as JSON (404 when there is none)."""
    board = _live_board(slug)
    return serve_cached(board, request, lambda request: json_response(board, request))


def board_csv_view(request, slug: str):
    """/boards/<slug>/board.csv: the live board's charges as CSV (404 when there is none)."""
    board = _live_board(slug)
    return serve_cached(board, request, lambda request: csv_response(board, request))
