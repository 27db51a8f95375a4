"""Machine-readable fee boards: ``board.json`` and ``board.csv``, and the print page's QR code.

``/boards/<community-slug>/board.json`` — schema ``linli.fee-board/1`` (stable; fields are only
ever added, never renamed or removed; money is a string with two decimals, in CNY)::

    {
      "schema": "linli.fee-board/1",
      "url": "https://<site>/boards/<slug>/",          # the live board
      "revision_id": 42,                                # the published Wagtail revision
      "published_at": "2026-01-05T09:30:00+08:00",      # ISO 8601, Asia/Shanghai
      "currency": "CNY",
      "community": {"slug", "name", "name_en", "city", "district", "district_en", "address"},
      "enterprise": {"name", "name_en", "credit_code", "phone", "complaint_phone", "address"},
      "project": {"info", "info_en", "manager", "manager_phone", "service_phone",
                  "office_hours"},
      "complaint_phones": {"enterprise", "street_office", "hotline"},
      "service": {"grade", "grade_en", "standards", "standards_en"},
      "charging_items": [{"kind": "property|parking|other", "name", "name_en",
                          "building_type", "building_type_en", "amount", "unit", "unit_en",
                          "basis": "government|market", "note", "note_en"}],
      "life_services": [{"product_id", "stockrecord_id", "upc", "title", "title_en",
                         "category_slug", "category", "category_en", "unit", "unit_en",
                         "duration_minutes", "price", "cancellation_fee", "currency",
                         "provider", "provider_en"}],
      "staff": [{"name", "role", "role_en", "phone"}],
      "repair": {"channels", "channels_en", "hours", "hours_en", "response", "response_en"},
      "maintenance_units": [{"system": "elevator|fire|water|other", "company", "phone"}],
      "parking": {"use", "use_en"},
      "public_facilities": {"text", "text_en"},
      "common_parts_statements": [{"period", "income", "expenditure", "balance", "note",
                                   "note_en"}],
      "maintenance_fund_uses": [{"period", "item", "item_en", "amount", "note", "note_en"}],
      "repair_fee_items": [{"code", "name", "name_en", "amount", "unit", "unit_en", "note"}]
    }

``repair_fee_items``: the labour a repair quote may charge in a home, per unit (materials at
cost; common-area repairs are free).

``/boards/<community-slug>/board.csv`` — a download (``Content-Disposition: attachment``), UTF-8
with a BOM (so spreadsheet software reads the Chinese), one row per charge, header row first,
text cells that would start a formula (``= + - @``, tab, CR) prefixed with ``'``
(``marketplace.csv_export``), columns in this order::

    section, code, name, name_en, detail, detail_en, unit, unit_en, price,
    cancellation_fee, basis, currency, revision_id, published_at

``section`` is ``charging_item`` (``code`` is the kind, ``detail`` the building type, ``basis``
``government``/``market``, ``cancellation_fee`` empty) or ``life_service`` (``code`` is the
service's UPC, ``detail`` its category, ``basis`` ``market``).
"""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from urllib.parse import urljoin

import qrcode
from django.conf import settings
from django.utils import timezone

from cms.boards import _money
from feedback.credit.public import community_figures
from marketplace.csv_export import csv_text

SCHEMA = "linli.fee-board/1"
CSV_COLUMNS = [
    "section",
    "code",
    "name",
    "name_en",
    "detail",
    "detail_en",
    "unit",
    "unit_en",
    "price",
    "cancellation_fee",
    "basis",
    "currency",
    "revision_id",
    "published_at",
]


def board_public_url(board) -> str:
    """The live board's address, as printed in the QR code (SITE_URL + /boards/<slug>/)."""
    return urljoin(settings.SITE_URL.rstrip("/") + "/", board.get_url().lstrip("/"))


def _published_at(board) -> str:
    if board.last_published_at is None:
        return ""
    return timezone.localtime(board.last_published_at).isoformat()


def board_document(board) -> dict:
    """The live board as the ``board.json`` document (schema ``SCHEMA``); money as yuan strings."""
    community = board.community
    enterprise = community.enterprise
    return {
        "schema": SCHEMA,
        "url": board_public_url(board),
        "revision_id": board.live_revision_id,
        "published_at": _published_at(board),
        "currency": "CNY",
        "community": {
            "slug": community.slug,
            "name": community.name,
            "name_en": community.name_en,
            "city": community.city,
            "district": community.district,
            "district_en": community.district_en,
            "address": community.address,
        },
        "enterprise": {
            "name": enterprise.name,
            "name_en": enterprise.name_en,
            "credit_code": enterprise.credit_code,
            "phone": enterprise.phone,
            "complaint_phone": enterprise.complaint_phone,
            "address": enterprise.address,
        },
        "project": {
            "info": board.project_info,
            "info_en": board.project_info_en,
            "manager": board.project_manager,
            "manager_phone": board.project_manager_phone,
            "service_phone": board.service_phone,
            "office_hours": board.office_hours,
        },
        "complaint_phones": {
            "enterprise": board.complaint_phone_enterprise,
            "street_office": board.complaint_phone_street,
            "hotline": board.complaint_phone_hotline,
        },
        "service": {
            "grade": board.service_grade,
            "grade_en": board.service_grade_en,
            "standards": board.service_standards,
            "standards_en": board.service_standards_en,
        },
        "charging_items": [
            {
                "kind": i.kind,
                "name": i.name,
                "name_en": i.name_en,
                "building_type": i.building_type,
                "building_type_en": i.building_type_en,
                "amount": _money(i.amount),
                "unit": i.unit,
                "unit_en": i.unit_en,
                "basis": i.basis,
                "note": i.note,
                "note_en": i.note_en,
            }
            for i in board.fee_items.all()
        ],
        "life_services": list(board.life_services or []),
        "staff": [
            {"name": s.name, "role": s.role, "role_en": s.role_en, "phone": s.phone}
            for s in board.staff.all()
        ],
        "repair": {
            "channels": board.repair_channels,
            "channels_en": board.repair_channels_en,
            "hours": board.repair_hours,
            "hours_en": board.repair_hours_en,
            "response": board.repair_response,
            "response_en": board.repair_response_en,
        },
        "maintenance_units": [
            {"system": m.system, "company": m.company, "phone": m.phone}
            for m in board.maintenance_units.all()
        ],
        "parking": {"use": board.parking_use, "use_en": board.parking_use_en},
        "public_facilities": {
            "text": board.public_facilities,
            "text_en": board.public_facilities_en,
        },
        "common_parts_statements": [
            {
                "period": s.period,
                "income": _money(s.income),
                "expenditure": _money(s.expenditure),
                "balance": _money(s.balance),
                "note": s.note,
                "note_en": s.note_en,
            }
            for s in board.statements.all()
        ],
        "maintenance_fund_uses": [
            {
                "period": f.period,
                "item": f.item,
                "item_en": f.item_en,
                "amount": _money(f.amount),
                "note": f.note,
                "note_en": f.note_en,
            }
            for f in board.fund_uses.all()
        ],
        "repair_fee_items": [
            {
                "code": r.code,
                "name": r.name,
                "name_en": r.name_en,
                "amount": _money(r.amount),
                "unit": r.unit,
                "unit_en": r.unit_en,
                "note": r.note,
            }
            for r in board.repair_fee_items.all()
        ],
        # feedback: the last 90 days' complaint figures and the enterprise's credit stars.
        "complaint_figures": community_figures(community),
    }


def board_csv(board) -> str:
    """Every charge of the board as CSV text (``CSV_COLUMNS``, UTF-8 BOM, CRLF lines).

    Written by ``marketplace.csv_export``: a text cell a spreadsheet would run as a formula (an
    item named ``=HYPERLINK(...)``) starts with ``'``; prices are Decimals, so a number."""
    common = ["CNY", board.live_revision_id or "", _published_at(board)]
    rows = []
    for i in board.fee_items.all():
        rows.append(
            [
                "charging_item",
                i.kind,
                i.name,
                i.name_en or i.name,
                i.building_type,
                i.building_type_en or i.building_type,
                i.unit,
                i.unit_en or i.unit,
                Decimal(_money(i.amount)),
                "",
                i.basis,
                *common,
            ]
        )
    for s in board.life_services or []:
        rows.append(
            [
                "life_service",
                s["upc"],
                s["title"],
                s["title_en"],
                s["category"],
                s["category_en"],
                s["unit"],
                s["unit_en"],
                _snapshot_money(s["price"]),
                _snapshot_money(s["cancellation_fee"]),
                "market",
                *common,
            ]
        )
    return csv_text(rows, header=CSV_COLUMNS)


def _snapshot_money(value):
    """A money string of the life-services snapshot (``"120.00"``, or ``""``/None) as a
    Decimal for the CSV, or ``""``."""
    return Decimal(value) if value not in (None, "") else ""


def qr_png_data_uri(text: str) -> str:
    """A QR code (PNG, inline data URI) that prints crisply and scans from a bulletin board."""
    image = qrcode.make(
        text, box_size=8, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
