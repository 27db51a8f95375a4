"""What the fee board says about repairs, and what repairs read from it.

- ``published_repair_items(community)``: the repair fee items of the **live** revision (what a
  quote may charge for labour), with the revision id;
- ``policy_for(enterprise)``: the enterprise's promise (the defaults when none is saved);
- ``promise_lines(policy)``: the promise as the board prints it, from the same numbers;
- ``on_time_figures(community)``: the last 90 days, how many requests were taken and reached
  on time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Revision

from cms.models import FeeBoardPage
from marketplace.models import bilingual
from repairs.models import RepairPolicy, RepairRequest
from repairs.policy import FIGURES_WINDOW


@dataclass(frozen=True)
class BoardRepairItem:
    """A repair fee item as published: labour ``amount`` in yuan per ``unit``."""

    code: str
    name: str
    name_en: str
    amount: Decimal
    unit: str
    unit_en: str

    @property
    def display_name(self) -> str:
        return bilingual(self.name, self.name_en)

    @property
    def display_unit(self) -> str:
        return bilingual(self.unit, self.unit_en)


def published_repair_items(community) -> tuple[int | None, dict[str, BoardRepairItem]]:
    """(live revision id, {code: item}) of the community's published board; (None, {}) when
    nothing is published. Read from the live revision's content, never from a draft."""
    row = (
        FeeBoardPage.objects.filter(community=community, live=True, live_revision__isnull=False)
        .values_list("live_revision_id", flat=True)
        .first()
    )
    if row is None:
        return None, {}
    content = Revision.objects.filter(pk=row).values_list("content", flat=True).first() or {}
    if isinstance(content, str):
        content = json.loads(content)
    items = {}
    for raw in content.get("repair_fee_items") or []:
        try:
            amount = Decimal(str(raw["amount"]))
        except (InvalidOperation, KeyError, TypeError):
            continue
        items[raw.get("code", "")] = BoardRepairItem(
            code=raw.get("code", ""),
            name=raw.get("name", ""),
            name_en=raw.get("name_en", ""),
            amount=amount,
            unit=raw.get("unit", ""),
            unit_en=raw.get("unit_en", ""),
        )
    return row, items


def policy_for(enterprise) -> RepairPolicy:
    """The enterprise's saved promise, or an unsaved one with the defaults."""
    return RepairPolicy.objects.filter(enterprise=enterprise).first() or RepairPolicy(
        enterprise=enterprise
    )


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def promise_lines(policy: RepairPolicy) -> list[tuple[str, str]]:
    """[(label, text)] of the promise in the active language, e.g. ("Urgent", "taken within 10
    minutes, on site within 30 minutes")."""
    rows = []
    for label, take, arrive in (
        (_("Urgent repairs"), policy.urgent_take_minutes, policy.urgent_arrive_minutes),
        (_("Other repairs"), policy.normal_take_minutes, policy.normal_arrive_minutes),
    ):
        rows.append(
            (
                label,
                _("taken within %(take)s, on site within %(arrive)s")
                % {"take": _duration(take), "arrive": _duration(arrive)},
            )
        )
    return rows


@dataclass(frozen=True)
class OnTimeFigures:
    """Last ``days`` days: requests whose clock has run out or was met, and how many on time."""

    days: int
    reported: int
    take_counted: int
    taken_on_time: int
    arrive_counted: int
    arrived_on_time: int

    @staticmethod
    def _rate(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def take_rate(self) -> int | None:
        """Percent taken on time (None when nothing counted)."""
        return self._rate(self.taken_on_time, self.take_counted)

    @property
    def arrive_rate(self) -> int | None:
        """Percent on site on time (None when nothing counted)."""
        return self._rate(self.arrived_on_time, self.arrive_counted)


def on_time_figures(community, *, now=None, since=None) -> OnTimeFigures:
    """How many requests were taken and on site on time, for requests reported in
    [``since``, ``now``) and reckoned as of ``now`` (aware; default: the last
    ``FIGURES_WINDOW``, 90 days, back from now: the board's figures).

    ``community``: one community, or a queryset of communities (an enterprise's, for its
    monthly credit grade with ``since``/``now`` the month's bounds). A step counts once its
    clock has been met or has run out by ``now`` (a request still inside its time is not
    counted yet); requests cancelled by ``now`` that never reached the step do not count.
    Only what had happened by ``now`` is read, so a past period always gives the same
    figures. One query.
    """
    now = now or timezone.now()
    since = now - FIGURES_WINDOW if since is None else since
    where = (
        Q(community__in=community) if isinstance(community, QuerySet) else Q(community=community)
    )
    rows = RepairRequest.objects.filter(where, reported_at__gte=since, reported_at__lt=now)
    not_cancelled = ~Q(status=RepairRequest.Status.CANCELLED, closed_at__lte=now)
    taken = Q(taken_at__isnull=False, taken_at__lte=now)
    arrived = Q(arrived_at__isnull=False, arrived_at__lte=now)
    agg = rows.aggregate(
        reported=Count("pk"),
        take_counted=Count("pk", filter=taken | (Q(take_due__lte=now) & not_cancelled)),
        taken_on_time=Count("pk", filter=taken & Q(taken_at__lte=F("take_due"))),
        arrive_counted=Count("pk", filter=arrived | (Q(arrive_due__lte=now) & not_cancelled)),
        arrived_on_time=Count("pk", filter=arrived & Q(arrived_at__lte=F("arrive_due"))),
    )
    return OnTimeFigures(days=(now - since).days, **agg)


def fund_uses(community, *, now=None):
    """Common-area repairs of the last 90 days paid from the maintenance fund, newest first:
    disclosed after the work (``fund_amount`` in yuan)."""
    now = now or timezone.now()
    return (
        RepairRequest.objects.filter(
            community=community,
            fund_amount__isnull=False,
            completed_at__gte=now - FIGURES_WINDOW,
        )
        .only("pk", "category", "location", "fund_amount", "completed_at")
        .order_by("-completed_at", "-pk")
    )
