"""Public views of a fee board (routed by ``FeeBoardPage``): board, change log, JSON, CSV, print.

Caching, in Django's cache:

* ``board.json``, ``board.csv`` and ``print/`` (no forms, no CSRF token): whole anonymous
  responses, per board, language and path, keyed by the boards version, which a publication
  or unpublication moves on (``board_cache_purge``);
* the board and its change log, for anonymous visitors: whole pages with each visitor's CSRF
  token (``board_serve`` and ``marketplace.page_cache``), keyed by the same version;
* for everyone, their body is a template fragment cached per board, live revision and
  language (``{% cache %}`` with the ``board_fragment_*`` names); the header is rendered fresh.

The board renders from the live page row (its snapshot of life services is a JSON column), so
its query count does not grow with the number of services.
"""

from __future__ import annotations

from itertools import groupby

from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cms.boards import SECTIONS, diff_charges
from cms.exports import board_csv, board_document, board_public_url, qr_png_data_uri

CACHE_SECONDS = 15 * 60
SUBPATHS = ("board.json", "board.csv", "print/")  # whole responses cached


def _cache_key(board_id: int, language: str, subpath: str) -> str:
    return f"cms:board:{boards_version()}:{board_id}:{language}:{subpath}"


BOARDS_VERSION_KEY = "cms:boards:version"


def boards_version() -> int:
    return cache.get(BOARDS_VERSION_KEY, 0)


def boards_changed(**kwargs) -> None:
    """Moves on the version that keys every cached board response: the anonymous pages
    (``board_serve``) and board.json, board.csv and print/ (``serve_cached``)."""
    from marketplace.cache import bump_version

    bump_version(BOARDS_VERSION_KEY)


def board_cache_purge(board) -> None:
    """A board was published or unpublished: its cached responses and pages, and the
    catalogue (it shows the published prices), are not served again. The body fragments are
    keyed by the live revision, so a publication has new ones anyway."""
    from marketplace.catalogue.listing_cache import catalogue_changed

    catalogue_changed()
    boards_changed()


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
    from marketplace.page_cache import anonymous_page

    return anonymous_page(
        request, "board", (BOARDS_VERSION_KEY,), lambda: _board_route(request, slug, rest)
    )


def _board_route(request, slug, rest):
    from wagtail.models import Site
    from wagtail.views import serve

    from cms.models import FeeBoardPage

    site = _site_for(request)
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


SITES_VERSION_KEY = "cms:sites:version"


def _site_for(request):
    """Wagtail's site for this request, from the cache (Wagtail asks the database each time).

    Handed to Wagtail on the request, so its own lookups reuse it. The key carries a version
    that any save or delete of a site moves on (``cms.signals``).
    """
    from wagtail.models import Site

    key = f"cms:site:{cache.get(SITES_VERSION_KEY, 0)}:{request.get_host()}"
    site = cache.get(key)
    if site is None:
        site = Site.find_for_request(request)
        if site is not None:
            cache.set(key, site, 3600)
    request._wagtail_site = site
    return site


def serve_cached(board, request, serve, *args, **kwargs):
    """Serve ``board``'s sub-path, from the cache for anonymous GETs of cacheable paths."""
    cacheable = (
        request.method == "GET"
        and not request.user.is_authenticated
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


def _language_is_en() -> bool:
    return (get_language() or "").startswith("en")


def _services_by_category(board) -> list[tuple[str, list[dict]]]:
    en = _language_is_en()
    services = board.life_services or []
    groups = []
    for _slug, rows in groupby(services, key=lambda s: s["category_slug"]):
        rows = list(rows)
        label = rows[0]["category_en"] if en else rows[0]["category"]
        groups.append((label, rows))
    return groups


def _board_context(board, request) -> dict:
    # Querysets stay lazy: inside a cached fragment they are not evaluated at all.
    return {
        "page": board,
        "self": board,
        "community": board.community,
        "enterprise": board.community.enterprise,
        "fee_items": board.fee_items.all(),
        "staff": board.staff.select_related("photo"),
        "maintenance_units": board.maintenance_units.all(),
        "statements": board.statements.all(),
        "fund_uses": board.fund_uses.all(),
        # A callable, so a cached fragment never decodes the snapshot of life services.
        "service_groups": lambda: _services_by_category(board),
        "board_url": board_public_url(board),
        "is_en": _language_is_en(),
        "sections": {s.key: s.label for s in SECTIONS},
        "project_info_text": board.t("project_info"),
        "service_standards_text": board.t("service_standards"),
        "repair_channels_text": board.t("repair_channels"),
        "repair_response_text": board.t("repair_response"),
        "parking_text": board.t("parking_use"),
        "facilities_text": board.t("public_facilities"),
    }


def board_view(board, request):
    return TemplateResponse(request, "cms/fee_board_page.html", _board_context(board, request))


def changes_view(board, request):
    from cms.models import BoardPublication

    def entries():  # called by the template only when its cached fragment is missing
        publications = BoardPublication.objects.filter(community_id=board.community_id).order_by(
            "published_at", "pk"
        )
        result, previous = [], None
        for publication in publications:
            diff = diff_charges(
                previous.charges if previous else None,
                publication.charges,
                previous.sections if previous else None,
                publication.sections,
            )
            result.append({"publication": publication, "diff": diff})
            previous = publication
        return result[::-1]  # newest first

    return TemplateResponse(
        request,
        "cms/fee_board_changes.html",
        {
            "page": board,
            "self": board,
            "community": board.community,
            "entries": entries,
            "is_en": _language_is_en(),
        },
    )


def _live_board(slug: str):
    from cms.models import FeeBoardPage

    return get_object_or_404(
        FeeBoardPage.objects.live().select_related("community", "community__enterprise"),
        slug=slug,
    )


def board_json(request, slug: str):
    board = _live_board(slug)
    return serve_cached(board, request, lambda request: json_view(board, request))


def board_csv_view(request, slug: str):
    board = _live_board(slug)
    return serve_cached(board, request, lambda request: csv_view(board, request))


def json_view(board, request):
    response = JsonResponse(
        board_document(board), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Type"] = "application/json; charset=utf-8"
    return response


def csv_view(board, request):
    response = HttpResponse(board_csv(board), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{board.community.slug}-board.csv"'
    return response


PRINT_LABELS = {
    "title": _("Property service information board"),
    "scan": _("Scan for the live board, its change log and online booking"),
    "published": _("Published"),
    "revision": _("Revision"),
    "item": _("Item"),
    "building_type": _("Building type"),
    "amount": _("Price"),
    "unit": _("Unit"),
    "basis": _("Pricing basis"),
    "service_col": _("Service"),
    "cancellation_fee": _("Cancellation fee"),
    "name": _("Name"),
    "role": _("Role"),
    "phone": _("Telephone"),
    "period": _("Period"),
    "income": _("Income"),
    "expenditure": _("Expenditure"),
    "balance": _("Balance"),
    "manager": _("Project manager"),
    "service_desk": _("Service desk"),
    "enterprise": _("Enterprise"),
    "street_office": _("Street office"),
    "hotline": _("City service hotline"),
    "notice": _(
        "No fee may be charged other than those on this board. Complaints: the telephones above."
    ),
}


def _both_languages(label) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh, en


def print_view(board, request):
    context = _board_context(board, request)
    context["qr_data_uri"] = qr_png_data_uri(context["board_url"])
    labels = {key: _both_languages(label) for key, label in PRINT_LABELS.items()}
    labels.update({s.key: _both_languages(s.label) for s in SECTIONS})
    context["labels"] = labels
    return TemplateResponse(request, "cms/fee_board_print.html", context)
