"""What a fee board contains: its sections, completeness, the life-services snapshot, diffs.

Pure reads and computations on a board (live page, revision object or admin form); the writes
are in ``cms/services.py``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.models import ProductAttributeValue, split_unit
from marketplace.partner.models import StockRecord

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Section:
    """One section of a fee board, as the national notice lists them: what makes it complete."""

    key: str
    label: Promise
    fields: tuple[str, ...] = ()  # scalar fields that must all be filled in
    rows: str = ""  # an inline relation that must have at least one row
    mandatory: bool = True


SECTIONS: tuple[Section, ...] = (
    Section(
        "project",
        _("Project and enterprise information, project manager and contacts"),
        fields=("project_info", "project_manager", "project_manager_phone", "service_phone"),
    ),
    Section(
        "complaints",
        _("Complaint telephones"),
        fields=("complaint_phone_enterprise", "complaint_phone_street", "complaint_phone_hotline"),
    ),
    Section(
        "service",
        _("Service contents and standards"),
        fields=("service_grade", "service_standards"),
    ),
    Section("fees", _("Charging items and standards"), rows="fee_items"),
    Section("life_services", _("Life services and prices"), mandatory=False),
    Section("staff", _("Staff on duty"), rows="staff"),
    Section(
        "repair",
        _("How to report a repair"),
        fields=("repair_channels", "repair_hours", "repair_response"),
    ),
    Section(
        "maintenance",
        _("Maintenance units for elevators, fire safety and water supply"),
        rows="maintenance_units",
    ),
    Section("parking", _("Use of the parking garage"), fields=("parking_use",)),
    Section("facilities", _("Public facilities"), fields=("public_facilities",)),
    Section("statements", _("Income and expenditure of the common parts"), rows="statements"),
    Section("fund", _("Use of the maintenance fund"), rows="fund_uses"),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


class BoardIncomplete(ValidationError):
    """Publishing refused: ``missing`` names the empty mandatory sections; ``message`` says so.

    A non-field ``ValidationError`` (an ``error_dict`` under ``NON_FIELD_ERRORS``), so an admin
    form shows it above the fields and Wagtail's admin API (which reads ``message_dict``)
    answers 400 with it.
    """

    def __init__(self, missing: list[str]):
        self.missing = [str(m) for m in missing]
        message = gettext(
            "This fee board cannot be published until every mandatory section is filled "
            "in. Missing: %(sections)s."
        ) % {"sections": "; ".join(self.missing)}
        super().__init__({NON_FIELD_ERRORS: [ValidationError(message, code="board_incomplete")]})
        self.message = message
        self.code = "board_incomplete"
        self.params = None


def _row_count_from_formset(formset) -> int:
    if not formset.is_valid():
        return 1  # the formset shows its own errors; don't also call the section missing
    count = 0
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE"):
            continue
        if form.instance.pk or form.has_changed():
            count += 1
    return count


def missing_sections(board, *, formsets=None, cleaned_data=None) -> list[str]:
    """Labels of the mandatory sections that are empty, with the empty fields in brackets.

    ``board`` is a FeeBoardPage (live, or a revision's object). From an admin form, pass its
    ``cleaned_data`` and ``formsets``: they hold what is about to be saved.
    """
    missing = []
    for section in SECTIONS:
        if not section.mandatory:
            continue
        empty = []
        for name in section.fields:
            if cleaned_data is not None and name in cleaned_data:
                value = cleaned_data.get(name)
            else:
                value = getattr(board, name, "")
            if not str(value or "").strip():
                empty.append(str(board._meta.get_field(name).verbose_name))
        if section.rows:
            if formsets is not None and section.rows in formsets:
                rows = _row_count_from_formset(formsets[section.rows])
            else:
                rows = len(getattr(board, section.rows).all())
            if rows == 0:
                missing.append(str(section.label))
                continue
        if empty and len(empty) == len(section.fields):
            missing.append(str(section.label))
        elif empty:
            missing.append(str(format_lazy("{} ({})", section.label, ", ".join(empty))))
    return missing


def missing_sections_by_language(board) -> dict[str, list[str]]:
    """``{language code: missing_sections(board) in that language}`` for every language of
    ``settings.LANGUAGES``: what a page-history entry stores, so that each reader sees it in
    their own language whatever language the writer (a request, or the beat's worker) had."""
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = missing_sections(board)
    return labels


def missing_in_language(stored: dict[str, list[str]] | list[str]) -> list[str]:
    """The labels of a stored ``missing_sections_by_language`` in the active language (the
    first stored language if it has none; older entries stored one list)."""
    if isinstance(stored, list):
        return stored
    language = translation.get_language() or settings.LANGUAGE_CODE
    return stored.get(language) or next(iter(stored.values()), [])


# --- the life-services snapshot ----------------------------------------------------------------


def _money(value) -> str:
    return str(Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP))


def life_services_snapshot(community_id: int | None) -> list[dict]:
    """The community's public services and prices, as the board lists them (one row each).

    Keys (stable, also the ``life_services`` of ``board.json``): product_id, stockrecord_id,
    upc, title, title_en, category_slug, category, category_en, unit, unit_en,
    duration_minutes, price, cancellation_fee, currency, provider, provider_en.
    Money is a string with two decimals (CNY).
    """
    if community_id is None:
        return []
    records = (
        StockRecord.objects.filter(community_id=community_id, product__is_public=True)
        .exclude(price__isnull=True)
        .select_related("product", "product__product_class", "partner")
        .prefetch_related(
            Prefetch(
                "product__attribute_values",
                queryset=ProductAttributeValue.objects.select_related("attribute"),
            )
        )
        .order_by("product__product_class__slug", "product__upc", "product_id")
    )
    rows = []
    for record in records:
        product = record.product
        attrs = product.attribute_map()
        unit_zh, unit_en = split_unit(str(attrs.get("unit") or ""))
        pc = product.product_class
        rows.append(
            {
                "product_id": product.pk,
                "stockrecord_id": record.pk,
                "upc": product.upc or "",
                "title": product.title,
                "title_en": product.title_en or product.title,
                "category_slug": pc.slug if pc else "",
                "category": pc.name if pc else "",
                "category_en": (pc.name_en or pc.name) if pc else "",
                "unit": unit_zh,
                "unit_en": unit_en,
                "duration_minutes": int(attrs.get("duration_minutes") or 0),
                "price": _money(record.price),
                "cancellation_fee": _money(attrs.get("cancellation_fee")),
                "currency": record.price_currency or "CNY",
                "provider": record.partner.name,
                "provider_en": record.partner.name_en or record.partner.name,
            }
        )
    return rows


# --- what a publication charges, and what changed -----------------------------------------------


def board_charges(board) -> list[dict]:
    """Every charge on the board, keyed for diffs: charging items and life services."""
    charges = []
    for item in board.fee_items.all():
        charges.append(
            {
                "key": f"item:{item.kind}:{item.name}:{item.building_type}",
                "section": "charging_item",
                "name": item.name,
                "name_en": item.name_en or item.name,
                "detail": item.building_type,
                "detail_en": item.building_type_en or item.building_type,
                "unit": item.unit,
                "unit_en": item.unit_en or item.unit,
                "price": _money(item.amount),
                "cancellation_fee": None,
            }
        )
    for svc in board.life_services or []:
        charges.append(
            {
                "key": f"service:{svc['product_id']}",
                "section": "life_service",
                "name": svc["title"],
                "name_en": svc["title_en"],
                "detail": svc["category"],
                "detail_en": svc["category_en"],
                "unit": svc["unit"],
                "unit_en": svc["unit_en"],
                "price": svc["price"],
                "cancellation_fee": svc["cancellation_fee"],
            }
        )
    return charges


def _fingerprint(value) -> str:
    blob = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def section_fingerprints(board) -> dict[str, str]:
    """A short hash per section, to tell which sections a publication changed."""
    fingerprints = {}
    for section in SECTIONS:
        content = [getattr(board, name, "") for name in section.fields]
        if section.rows:
            content.append(
                [
                    {
                        f.name: getattr(row, f.name)
                        for f in row._meta.concrete_fields
                        if f.name not in ("id", "board", "sort_order")
                    }
                    for row in getattr(board, section.rows).all()
                ]
            )
        if section.key == "life_services":
            content.append(board.life_services or [])
        fingerprints[section.key] = _fingerprint(content)
    return fingerprints


@dataclass
class PriceChange:
    """One price that changed between two publications: ``field`` from ``old`` to ``new`` (yuan strings)."""

    charge: dict
    field: str  # "price" or "cancellation_fee"
    old: str
    new: str


@dataclass
class BoardDiff:
    """What one publication changed from the previous one (``first`` for the first publication)."""

    added: list[dict]
    removed: list[dict]
    changed: list[PriceChange]
    sections: list[str]  # labels of the sections whose content changed
    first: bool = False

    @property
    def is_empty(self) -> bool:
        """True when the publication changed nothing a visitor would see."""
        return not (self.added or self.removed or self.changed or self.sections)


def diff_charges(old: list[dict] | None, new: list[dict], old_sections=None, new_sections=None):
    """What changed from one publication to the next: items added, removed, old → new prices."""
    if old is None:
        return BoardDiff(added=list(new), removed=[], changed=[], sections=[], first=True)
    old_by_key = {c["key"]: c for c in old}
    new_by_key = {c["key"]: c for c in new}
    added = [c for k, c in new_by_key.items() if k not in old_by_key]
    removed = [c for k, c in old_by_key.items() if k not in new_by_key]
    changed = []
    for key, charge in new_by_key.items():
        before = old_by_key.get(key)
        if before is None:
            continue
        for field in ("price", "cancellation_fee"):
            if before.get(field) != charge.get(field):
                changed.append(PriceChange(charge, field, before.get(field), charge.get(field)))
    sections = []
    if old_sections is not None and new_sections is not None:
        for section in SECTIONS:
            if section.key in ("fees", "life_services"):
                continue  # reported item by item above
            if old_sections.get(section.key) != new_sections.get(section.key):
                sections.append(str(section.label))
    return BoardDiff(added=added, removed=removed, changed=changed, sections=sections)
