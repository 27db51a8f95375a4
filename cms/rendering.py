"""The responses of a fee board's public pages: board, change log, print, JSON and CSV.

Used by the board's routes (``FeeBoardPage``, Wagtail) and by the plain Django views of
board.json and board.csv (``cms/views.py``); caching is in ``cms/cache.py``.

The board renders from the live page row (its snapshot of life services is a JSON column), so
its query count does not grow with the number of services.
"""

from __future__ import annotations

from itertools import groupby
from uuid import uuid4

from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cms.board_prices import pending_count, price_rows
from cms.boards import SECTIONS, diff_charges
from cms.exports import board_csv, board_document, board_public_url, qr_png_data_uri
from marketplace.csv_export import csv_download


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


def board_context(board, request) -> dict:
    """What the board's templates (page and print) render: the board, its rows and texts."""
    # Querysets stay lazy: inside a cached fragment they are not evaluated at all.
    return {
        "page": board,
        "self": board,
        "community": board.community,
        "enterprise": board.community.enterprise,
        "fee_items": board.fee_items.all(),
        "package_offers": board.package_offers.select_related("product"),
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
        "service_grade_text": board.t("service_grade"),
        "repair_hours_text": board.t("repair_hours"),
    }


def board_response(board, request) -> TemplateResponse:
    """The board page (``cms/fee_board_page.html``).

    In Wagtail's preview (the editor's, and the workflow's "Preview" of the revision awaiting
    approval) the page is the draft, never a cached fragment of the live board, and it opens
    with the life-service prices it would publish beside the published ones
    (``cms.board_prices``); ``fragment_seconds`` 0 and a one-off ``fragment_key`` keep the
    cached live fragment out of it.
    """
    context = board_context(board, request)
    if getattr(request, "is_preview", False):
        rows = price_rows(board)
        context.update(
            preview_prices={
                "rows": rows,
                "pending": pending_count(rows),
                "never_published": not board.live,
            },
            fragment_seconds=0,
            fragment_key=f"preview-{uuid4().hex}",
        )
    else:
        context.update(fragment_seconds=900, fragment_key=board.live_revision_id)
    return TemplateResponse(request, "cms/fee_board_page.html", context)


def changes_response(board, request, publications) -> TemplateResponse:
    """The change log (``cms/fee_board_changes.html``): what each publication changed.

    ``publications`` is a lazy queryset of the community's ``BoardPublication`` rows; it is
    read only when the template's cached fragment is missing.
    """

    def entries():  # called by the template only when its cached fragment is missing
        result, previous = [], None
        for publication in publications.order_by("published_at", "pk"):
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


def json_response(board, request) -> JsonResponse:
    """board.json: the board as a JSON document (``cms.exports.board_document``)."""
    response = JsonResponse(
        board_document(board), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Type"] = "application/json; charset=utf-8"
    return response


def csv_response(board, request) -> HttpResponse:
    """board.csv: every charge of the board, one row each (``cms.exports.board_csv``), as a
    download (``Content-Disposition: attachment``)."""
    return csv_download(board_csv(board), filename=f"{board.community.slug}-board.csv")


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


def print_response(board, request) -> TemplateResponse:
    """print/: the bilingual printable board, with a QR code of its public address."""
    context = board_context(board, request)
    context["qr_data_uri"] = qr_png_data_uri(context["board_url"])
    labels = {key: _both_languages(label) for key, label in PRINT_LABELS.items()}
    labels.update({s.key: _both_languages(s.label) for s in SECTIONS})
    context["labels"] = labels
    return TemplateResponse(request, "cms/fee_board_print.html", context)
