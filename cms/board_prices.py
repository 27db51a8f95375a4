"""The life-service prices a board revision would publish, beside the prices now published.

What the board's editor and its approving manager read in Wagtail (the edit page's panel, the
workflow's approval modal and the preview): one row per life service, with the price on the
**live** revision and the price in the revision under review. A provider's price proposal is a
StockRecord price that differs from the live board's (``bookings.console.prices``); saving the
StockRecord drafts a board revision holding the new price (``cms.signals``), so the revision
under review carries the proposal. Reads only; no query for a board that was never published
beyond reading its live revision's stored content once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from marketplace.models import bilingual

#: ``PriceRow.status`` values, with the word the panel shows for each.
UNCHANGED, CHANGED, ADDED, REMOVED = "unchanged", "changed", "added", "removed"
STATUS_LABELS = {
    UNCHANGED: _("Unchanged"),
    CHANGED: _("Price proposal"),
    ADDED: _("New service"),
    REMOVED: _("Withdrawn"),
}


@dataclass(frozen=True)
class PriceRow:
    """One life service: ``published`` and ``proposed`` are ``{"price", "cancellation_fee"}``
    in yuan (``Decimal``), or None when the service is not on that side (a new or withdrawn
    service). Names are in the active language."""

    product_id: int
    title: str
    provider: str
    unit: str
    published: dict | None
    proposed: dict | None
    status: str

    @property
    def status_label(self) -> str:
        """The status in the active language (``STATUS_LABELS``)."""
        return str(STATUS_LABELS[self.status])

    @property
    def is_pending(self) -> bool:
        """True when publishing the revision changes this row (anything but unchanged)."""
        return self.status != UNCHANGED


def _yuan(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _money(entry: dict) -> dict:
    return {
        "price": _yuan(entry.get("price")),
        "cancellation_fee": _yuan(entry.get("cancellation_fee")),
    }


def _revision_life_services(revision_id: int | None) -> list[dict]:
    """The ``life_services`` snapshot stored in revision ``revision_id`` ([] without one)."""
    if revision_id is None:
        return []
    content = Revision.objects.filter(pk=revision_id).values_list("content", flat=True).first()
    if isinstance(content, str):
        content = json.loads(content)
    services = (content or {}).get("life_services") or []
    if isinstance(services, str):
        services = json.loads(services)
    return services if isinstance(services, list) else []


def price_rows(board) -> list[PriceRow]:
    """Rows comparing ``board``'s live revision with ``board`` itself.

    ``board`` is the FeeBoardPage being edited, previewed or approved: a revision's object (its
    ``life_services`` is that revision's snapshot) whose ``live_revision_id`` names what
    residents see now. The rows publishing would change come first (so a proposal is the first
    thing the editor reads), then the unchanged ones, each group in the board's order with
    withdrawn services last. A board never published has every service ``ADDED``.
    """
    live = getattr(board, "live_revision_id", None) if getattr(board, "live", False) else None
    published = {s.get("product_id"): s for s in _revision_life_services(live)}
    proposed = list(getattr(board, "life_services", None) or [])
    rows = []
    for entry in proposed:
        before = published.get(entry.get("product_id"))
        now = _money(entry)
        if before is None:
            status = ADDED
        elif _money(before) != now:
            status = CHANGED
        else:
            status = UNCHANGED
        rows.append(_row(entry, _money(before) if before else None, now, status))
    seen = {entry.get("product_id") for entry in proposed}
    for product_id, before in published.items():
        if product_id not in seen:
            rows.append(_row(before, _money(before), None, REMOVED))
    return sorted(rows, key=lambda row: not row.is_pending)  # stable: board order kept


def _row(entry: dict, published, proposed, status) -> PriceRow:
    return PriceRow(
        product_id=entry.get("product_id"),
        title=bilingual(entry.get("title", ""), entry.get("title_en", "")),
        provider=bilingual(entry.get("provider", ""), entry.get("provider_en", "")),
        unit=bilingual(entry.get("unit", ""), entry.get("unit_en", "")),
        published=published,
        proposed=proposed,
        status=status,
    )


def pending_count(rows: list[PriceRow]) -> int:
    """How many rows publishing would change."""
    return sum(1 for row in rows if row.is_pending)
