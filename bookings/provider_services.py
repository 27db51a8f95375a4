"""The provider console's services: a worker's day (check in, complete, no-show), their time
(weekly hours, time off), a manager's prices and earnings, and who may enter the console.

Offers and manual assignment are the dispatch services (``bookings/dispatch.py``); the console
calls them. Completing a job captures its card payment (``payments.services.payment_capture``)
after the completion has committed: no lock is held across the Stripe call.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.appointments import locking
from bookings.exceptions import BookingError
from bookings.models import Appointment, AppointmentEvent, TimeOff, WeeklyHours, Worker
from marketplace.policy import CHECK_IN_EARLIEST, CONTACT_VISIBLE_AFTER_DONE, LOCAL_TZ, NOTES_MAX

Status = Appointment.Status

#: Statuses whose resident contact a worker who accepted the job may see.
CONTACT_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED, Status.NO_SHOW)
#: Statuses that end a job (after which the contact disappears once the 24 h are over).
FINISHED = (Status.COMPLETED, Status.NO_SHOW)


class ConsoleError(BookingError):
    """A console action that cannot be done; ``str()`` is the message for the worker."""


# --- who is in the console ------------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleRole:
    """A user's place in the console: the provider they act for, as worker and/or manager."""

    user: object
    provider: object
    worker: Worker | None
    is_manager: bool

    @property
    def is_worker(self) -> bool:
        return self.worker is not None


def console_role(user) -> ConsoleRole | None:
    """The user's provider role, or None (residents, enterprise staff, deactivated workers).

    A manager is a user in the provider's ``partner.users`` (Oscar); a worker has an active
    ``worker_profile``. Someone who is both acts for the worker's provider.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    worker = (
        Worker.objects.select_related("provider", "user").filter(user=user, is_active=True).first()
    )
    managed = list(user.partners.order_by("pk"))
    if worker is not None:
        return ConsoleRole(
            user=user,
            provider=worker.provider,
            worker=worker,
            is_manager=any(p.pk == worker.provider_id for p in managed),
        )
    if managed:
        return ConsoleRole(user=user, provider=managed[0], worker=None, is_manager=True)
    return None


# --- the resident's contact (the PII rule) -----------------------------------------------------


def job_finished_at(appointment: Appointment) -> datetime | None:
    """When the job was completed (or the no-show reported), from its timeline."""
    if appointment.status not in FINISHED:
        return None
    return (
        AppointmentEvent.objects.filter(appointment=appointment, to_status=appointment.status)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def job_shows_contact(appointment: Appointment, *, now: datetime | None = None) -> bool:
    """May the assigned worker see the resident's name, exact address and phone?

    Only once they have accepted the job (accepted, in progress, done), and no longer than
    24 h after it ended. Before acceptance, only the community and building are shown.
    """
    if appointment.status not in CONTACT_STATUSES:
        return False
    if appointment.status in FINISHED:
        finished = job_finished_at(appointment)
        now = now or timezone.now()
        return finished is not None and now < finished + CONTACT_VISIBLE_AFTER_DONE
    return True


@dataclass(frozen=True)
class JobContact:
    name: str
    phone: str
    address: str


def job_contact(appointment: Appointment, *, now: datetime | None = None) -> JobContact | None:
    """The resident's contact when ``job_shows_contact`` allows it, else None."""
    if not job_shows_contact(appointment, now=now):
        return None
    household = appointment.household
    return JobContact(
        name=household.contact_name or appointment.resident.get_full_name(),
        phone=household.contact_phone or appointment.resident.phone,
        address=f"{appointment.community.display_name} {household.address_line}",
    )


# --- a worker's day ---------------------------------------------------------------------------


def _lock_own_job(appointment: Appointment, worker: Worker) -> Appointment:
    # Why: check-in, completion and no-show read the status and then move it; the row lock
    # makes a double tap (or a manager reassigning meanwhile) wait and then see the new state.
    locked = locking.lock_appointment(appointment.pk, related=("order", "line"))
    if locked.worker_id != worker.pk:
        raise ConsoleError(_("This job is no longer assigned to you."))
    return locked


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, worker: Worker, now: datetime | None = None
) -> Appointment:
    """accepted → in progress: the worker has arrived."""
    now = now or timezone.now()
    locked = _lock_own_job(appointment, worker)
    if locked.status != Status.ACCEPTED:
        raise ConsoleError(
            _("Only an accepted job can be checked in; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    if now < locked.start - CHECK_IN_EARLIEST:
        raise ConsoleError(
            _("Check in when you arrive: from %(time)s.")
            % {"time": f"{timezone.localtime(locked.start - CHECK_IN_EARLIEST):%m-%d %H:%M}"}
        )
    locked.transition_to(Status.IN_PROGRESS, by=worker.user, reason=_("Worker checked in"))
    return locked


@dataclass
class PaymentOutcome:
    """What happened to the card payment of a finished job."""

    intent: object = None
    captured: Decimal = Decimal("0.00")
    error: str = ""


@dataclass
class JobResult:
    appointment: Appointment
    payment: PaymentOutcome = field(default_factory=PaymentOutcome)


def appointment_complete(*, appointment: Appointment, worker: Worker, notes: str = "") -> JobResult:
    """in progress → completed, with the worker's notes; then the card payment is captured.

    The completion commits first; the Stripe call comes after, outside any lock or
    transaction. If Stripe cannot be reached the job stays completed and the capture is left
    for ``payments_capture_finished`` (idempotent: it never captures twice).
    """
    completed = _complete(appointment=appointment, worker=worker, notes=notes)
    return JobResult(appointment=completed, payment=appointment_settle_payment(completed))


@transaction.atomic
def _complete(*, appointment: Appointment, worker: Worker, notes: str) -> Appointment:
    locked = _lock_own_job(appointment, worker)
    if locked.status != Status.IN_PROGRESS:
        raise ConsoleError(
            _("Check in before completing the job; it is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    notes = (notes or "").strip()
    reason = _("Completed: %(notes)s") % {"notes": notes} if notes else _("Completed")
    locked.transition_to(Status.COMPLETED, by=worker.user, reason=reason[:NOTES_MAX])
    return locked


def appointment_no_show(
    *, appointment: Appointment, worker: Worker, notes: str, now: datetime | None = None
) -> JobResult:
    """accepted → no-show: nobody was home. The service's late-cancellation fee becomes due
    and is what the card is charged (the rest of the authorisation is released)."""
    now = now or timezone.now()
    done = _no_show(appointment=appointment, worker=worker, notes=notes, now=now)
    return JobResult(appointment=done, payment=appointment_settle_payment(done))


@transaction.atomic
def _no_show(*, appointment: Appointment, worker: Worker, notes: str, now: datetime) -> Appointment:
    locked = _lock_own_job(appointment, worker)
    if locked.status != Status.ACCEPTED:
        raise ConsoleError(
            _("A no-show can only be reported for an accepted job; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    if now < locked.start:
        raise ConsoleError(_("A no-show can be reported from the start time on."))
    notes = (notes or "").strip()
    if not notes:
        raise ConsoleError(_("Please say what happened (for example: nobody answered the door)."))
    fee = locked.cancellation_fee
    if fee:
        locked.fees_due += fee
        locked.save(update_fields=["fees_due", "updated"])
    locked.transition_to(
        Status.NO_SHOW,
        by=worker.user,
        fee=fee,
        reason=(_("No-show: %(notes)s") % {"notes": notes})[:NOTES_MAX],
    )
    return locked


def _amount_due(order) -> Decimal | None:
    """What the order's card should be charged now, or None while a job is still to do.

    An order can hold several appointments (basket checkout) and one authorisation: it is
    captured once, when none of them is still active: the prices of the completed jobs
    plus the fees due on the others.
    """
    rows = list(order.appointments.values_list("status", "price", "fees_due"))
    if any(s in Appointment.ACTIVE for s, _p, _f in rows):
        return None
    return sum(
        ((p if s == Status.COMPLETED else Decimal(0)) + f for s, p, f in rows), Decimal("0.00")
    )


def appointment_settle_payment(appointment: Appointment) -> PaymentOutcome:
    """Capture (or void) the card payment of a finished job's order, if it has one.

    Called with no transaction open: ``payment_capture`` claims the capture under the
    intent's row lock, calls Stripe outside it, and returns the captured intent when called
    again, so a retry never charges twice.
    """
    from payments.exceptions import PaymentError
    from payments.models import PaymentIntentRecord
    from payments.services import payment_capture, payment_for_order, payment_void

    intent = payment_for_order(appointment.order)
    if intent is None:
        return PaymentOutcome()
    amount = _amount_due(appointment.order)
    if amount is None or intent.status != PaymentIntentRecord.Status.AUTHORISED:
        return PaymentOutcome(intent=intent, captured=intent.amount_captured)
    try:
        if amount <= 0:
            intent = payment_void(intent=intent)
        else:
            intent = payment_capture(intent=intent, amount=min(amount, intent.amount_authorised))
    except PaymentError as exc:
        return PaymentOutcome(intent=intent, error=str(exc))
    return PaymentOutcome(intent=intent, captured=intent.amount_captured)


def payments_capture_finished(*, limit: int = 100) -> int:
    """Capture what completion could not (Stripe was down meanwhile): for a beat task.
    Returns how many orders' payments were settled."""
    from payments.models import PaymentIntentRecord

    order_ids = list(
        PaymentIntentRecord.objects.filter(
            status=PaymentIntentRecord.Status.AUTHORISED,
            pending_action="",
            order__appointments__status__in=FINISHED,
        )
        .values_list("order_id", flat=True)
        .distinct()[:limit]
    )
    settled = 0
    for order_id in order_ids:
        appointment = Appointment.objects.filter(order_id=order_id).order_by("pk").first()
        outcome = appointment_settle_payment(appointment)
        settled += bool(outcome.intent is not None and not outcome.error)
    return settled


# --- a worker's time ---------------------------------------------------------------------------


def _lock_worker(worker: Worker) -> None:
    # Why: booking locks the candidate workers' rows before reading their hours. Taking the
    # same lock here means a booking in flight sees either the old hours or the new ones,
    # never half of an edit.
    locking.lock_workers([worker.pk])


@transaction.atomic
def weekly_hours_set(*, worker: Worker, hours: list[tuple[int, time, time]]) -> list[WeeklyHours]:
    """Replace the worker's week with ``hours`` [(weekday 0=Monday, start, end), ...].

    Resident-facing slots change at once (they are computed from these rows). Appointments
    already booked stay; the worker or manager moves them if the new week excludes them.
    """
    by_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, start, end in hours:
        if not 0 <= weekday <= 6:
            raise ConsoleError(_("Unknown weekday."))
        if end <= start:
            raise ConsoleError(
                _("On %(day)s the end (%(end)s) must be after the start (%(start)s).")
                % {
                    "day": WeeklyHours.Weekday(weekday).label,
                    "start": f"{start:%H:%M}",
                    "end": f"{end:%H:%M}",
                }
            )
        by_day[weekday].append((start, end))
    for weekday, stretches in by_day.items():
        stretches.sort()
        for (_s1, e1), (s2, _e2) in zip(stretches, stretches[1:], strict=False):
            if s2 < e1:
                raise ConsoleError(
                    _("The hours on %(day)s overlap.") % {"day": WeeklyHours.Weekday(weekday).label}
                )
    _lock_worker(worker)
    WeeklyHours.objects.filter(worker=worker).delete()
    return WeeklyHours.objects.bulk_create(
        WeeklyHours(worker=worker, weekday=d, start=s, end=e)
        for d in sorted(by_day)
        for s, e in by_day[d]
    )


@transaction.atomic
def time_off_add(*, worker: Worker, start: datetime, end: datetime, reason: str = "") -> TimeOff:
    """Block ``start``–``end`` for the worker: no slot is offered then.

    Refused while an active job falls in it: those must be reassigned first (the manager's
    dispatch board), so that no resident is left without a worker.
    """
    if end <= start:
        raise ConsoleError(_("The time off must end after it starts."))
    if end <= timezone.now():
        raise ConsoleError(_("That time off is already over."))
    _lock_worker(worker)
    clash = (
        Appointment.objects.filter(
            worker=worker, status__in=Appointment.ACTIVE, start__lt=end, end__gt=start
        )
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise ConsoleError(
            _(
                "You have a job at %(time)s in that time. Ask your manager to reassign it "
                "before taking the time off."
            )
            % {"time": f"{timezone.localtime(clash.start):%m-%d %H:%M}"}
        )
    return TimeOff.objects.create(worker=worker, start=start, end=end, reason=reason[:200])


@transaction.atomic
def time_off_delete(*, time_off: TimeOff) -> None:
    _lock_worker(time_off.worker)
    TimeOff.objects.filter(pk=time_off.pk).delete()


# --- a manager's view ---------------------------------------------------------------------------


@dataclass
class TeamDay:
    day: date
    hours: list
    jobs: list
    time_off: list


@dataclass
class TeamRow:
    worker: Worker
    days: list[TeamDay]

    @property
    def job_count(self) -> int:
        return sum(len(d.jobs) for d in self.days)


def team_week(provider, week_start: date) -> list[TeamRow]:
    """The provider's workers with their hours, jobs and time off for the week (4 queries)."""
    start = datetime.combine(week_start, time(0), tzinfo=LOCAL_TZ)
    end = start + timedelta(days=7)
    workers = list(Worker.objects.filter(provider=provider).select_related("user").order_by("pk"))
    ids = [w.pk for w in workers]
    hours = defaultdict(list)
    for h in WeeklyHours.objects.filter(worker_id__in=ids).order_by("start"):
        hours[(h.worker_id, h.weekday)].append(h)
    jobs = defaultdict(list)
    for a in (
        Appointment.objects.filter(worker_id__in=ids, start__gte=start, start__lt=end)
        .exclude(status__in=(Status.CANCELLED, Status.EXPIRED))
        .select_related("product", "community")
    ):
        jobs[(a.worker_id, timezone.localtime(a.start).date())].append(a)
    offs = defaultdict(list)
    for t in TimeOff.objects.filter(worker_id__in=ids, start__lt=end, end__gt=start):
        for i in range(7):
            day = week_start + timedelta(days=i)
            lo = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
            if t.start < lo + timedelta(days=1) and t.end > lo:
                offs[(t.worker_id, day)].append(t)
    rows = []
    for w in workers:
        days = []
        for i in range(7):
            day = week_start + timedelta(days=i)
            days.append(
                TeamDay(
                    day=day,
                    hours=hours[(w.pk, day.weekday())],
                    jobs=jobs[(w.pk, day)],
                    time_off=offs[(w.pk, day)],
                )
            )
        rows.append(TeamRow(worker=w, days=days))
    return rows


@transaction.atomic
def price_propose(*, stockrecord, price: Decimal, by=None):
    """Propose a new price for one service in one community.

    The StockRecord is saved with the new price; the fee-board signal
    (``cms.signals.stockrecord_changed``) turns it into a draft board revision awaiting the
    enterprise's publication, and until then the price gate refuses bookings at the new price.
    Returns the draft revision (None when the community has no board yet).
    """
    from cms.models import FeeBoardPage
    from marketplace.partner.models import StockRecord

    price = Decimal(price).quantize(Decimal("0.01"))
    if price <= 0:
        raise ConsoleError(_("The price must be more than ¥0."))
    # Why: two managers proposing at once queue here; each draft snapshots the latest price.
    locked = StockRecord.objects.select_for_update().get(pk=stockrecord.pk)
    if locked.price == price:
        raise ConsoleError(_("That is already the price."))
    locked.price = price
    locked.save(update_fields=["price", "date_updated"])
    board = FeeBoardPage.objects.filter(community_id=locked.community_id).first()
    return board.get_latest_revision() if board is not None else None


def price_status(stockrecords) -> dict[int, Decimal | None]:
    """For each StockRecord, the price on the community's published board (None if absent)."""
    from cms.pricing import live_board_snapshot

    published: dict[int, Decimal | None] = {}
    boards: dict[int, list] = {}
    for record in stockrecords:
        if record.community_id not in boards:
            live = live_board_snapshot(record.community_id)
            boards[record.community_id] = live[2] if live else []
        entry = next(
            (s for s in boards[record.community_id] if s.get("product_id") == record.product_id),
            None,
        )
        published[record.pk] = Decimal(str(entry["price"])) if entry else None
    return published


# --- earnings ----------------------------------------------------------------------------------

PERIODS = ("day", "week", "month")


@dataclass
class EarningsRow:
    period: date
    worker: Worker
    jobs: int = 0
    captured: Decimal = Decimal("0.00")
    refunded: Decimal = Decimal("0.00")

    @property
    def net(self) -> Decimal:
        return self.captured - self.refunded


def _period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def earnings(*, provider, start: date, end: date, period: str = "week") -> list[EarningsRow]:
    """Captured minus refunded card payments of the provider's jobs from ``start`` to ``end``
    (local dates, inclusive), per worker and per period of the job's date.

    A payment belongs to an order; an order of several jobs is shared between them in
    proportion to what each was charged (its price when completed, plus fees due).
    """
    from payments.models import PaymentIntentRecord

    if period not in PERIODS:
        raise ConsoleError(_("Unknown period."))
    lo = datetime.combine(start, time(0), tzinfo=LOCAL_TZ)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    appointments = list(
        Appointment.objects.filter(
            worker__provider=provider,
            start__gte=lo,
            start__lt=hi,
            order__stripe_intents__isnull=False,
        )
        .distinct()
        .select_related("worker__user")
    )
    order_ids = {a.order_id for a in appointments}
    weights: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for pk, order_id, status, price, fees in Appointment.objects.filter(
        order_id__in=order_ids
    ).values_list("pk", "order_id", "status", "price", "fees_due"):
        weights[order_id][pk] = (price if status == Status.COMPLETED else Decimal(0)) + fees
    money: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal(0), Decimal(0)))
    for order_id, captured, refunded in PaymentIntentRecord.objects.filter(
        order_id__in=order_ids, amount_captured__gt=0
    ).values_list("order_id", "amount_captured", "amount_refunded"):
        c, r = money[order_id]
        money[order_id] = (c + captured, r + refunded)

    rows: dict[tuple[date, int], EarningsRow] = {}
    for a in appointments:
        captured, refunded = money.get(a.order_id, (Decimal(0), Decimal(0)))
        total_weight = sum(weights[a.order_id].values())
        share = weights[a.order_id].get(a.pk, Decimal(0))
        if not captured or not total_weight or not share:
            continue
        fraction = share / total_weight
        key = (_period_start(timezone.localtime(a.start).date(), period), a.worker_id)
        row = rows.setdefault(key, EarningsRow(period=key[0], worker=a.worker))
        row.jobs += a.status == Status.COMPLETED
        row.captured += (captured * fraction).quantize(Decimal("0.01"))
        row.refunded += (refunded * fraction).quantize(Decimal("0.01"))
    return sorted(rows.values(), key=lambda r: (r.period, r.worker.pk))


def earnings_csv(rows: list[EarningsRow], *, period: str) -> str:
    """The earnings table as CSV (UTF-8 with BOM written by the view, so Excel reads Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Period starting"),
            _("Period"),
            _("Worker"),
            _("Jobs completed"),
            _("Captured (CNY)"),
            _("Refunded (CNY)"),
            _("Net (CNY)"),
        ]
    )
    labels = {"day": _("day"), "week": _("week"), "month": _("month")}
    for row in rows:
        writer.writerow(
            [
                row.period.isoformat(),
                labels[period],
                row.worker.display_name,
                row.jobs,
                f"{row.captured:.2f}",
                f"{row.refunded:.2f}",
                f"{row.net:.2f}",
            ]
        )
    return out.getvalue()


def free_qualified_workers(appointment: Appointment) -> list[Worker]:
    """The provider's workers who could take ``appointment`` by hand: qualified for the
    service in its community and free at its time (hours, time off, other jobs)."""
    from bookings.slots import qualified_workers, with_calendar, worker_is_free

    duration = appointment.end - appointment.start
    workers = with_calendar(
        qualified_workers(
            product=appointment.product,
            stockrecord=appointment.stockrecord,
            community=appointment.community,
        ).select_related("user"),
        start=appointment.start,
        end=appointment.end,
        exclude_appointment=appointment,
    )
    return [w for w in workers if worker_is_free(w, appointment.start, duration)]


# --- lists -------------------------------------------------------------------------------------


def worker_jobs(worker: Worker, *, now: datetime | None = None):
    """(today's jobs, upcoming jobs, recently finished) of a worker, in local time."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    day_start = datetime.combine(today, time(0), tzinfo=LOCAL_TZ)
    day_end = day_start + timedelta(days=1)
    base = Appointment.objects.filter(worker=worker).select_related("product", "community")
    visible = Q(status__in=(Status.CONFIRMED, Status.ACCEPTED, Status.IN_PROGRESS))
    today_jobs = list(
        base.filter(start__gte=day_start, start__lt=day_end).filter(
            visible | Q(status__in=FINISHED)
        )
    )
    upcoming = list(base.filter(visible, start__gte=day_end).order_by("start")[:30])
    # A job still in progress from an earlier day stays on the list until completed.
    stuck = list(base.filter(status=Status.IN_PROGRESS, start__lt=day_start))
    return stuck + today_jobs, upcoming
