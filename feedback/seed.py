"""Demo history for the feedback app: about three months of done jobs, ratings and
complaints (web and 12345) in every community, and the monthly credit stars of every
provider and enterprise. Idempotent: skipped once any complaint exists.

The jobs are booked through the ordinary one-click service for demo neighbours (one per
community, paying after the service), completed, and then moved back in time (start, end and
timeline together) the way an import of past data would be; the complaints run through the
services with explicit past times.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bookings.appointments.lifecycle import appointment_transition
from bookings.appointments.one_click import appointment_book
from bookings.availability.search import available_slots
from bookings.exceptions import BookingError
from bookings.models import Appointment, AppointmentEvent
from feedback.complaints import services as complaints
from feedback.credit.grades import grades_compute_month, previous_month
from feedback.models import Complaint, Rating
from feedback.ratings.services import rating_submit, worker_rating_recompute
from marketplace.models import Household, User
from marketplace.partner.models import StockRecord
from marketplace.seed_data import DEMO_PASSWORD

Status = Appointment.Status
NEIGHBOURS = [("静", "张"), ("强", "刘"), ("丽", "陈"), ("军", "杨"), ("敏", "黄"), ("洋", "赵")]
#: Per job: (days ago, stars or None, tags, complaint category or None, no-show?)
JOBS = [
    (8, 5, ["punctual", "tidy"], None, False),
    (19, 4, ["skilled"], None, False),
    (27, 5, ["courteous", "punctual"], None, False),
    (38, 3, ["late"], "punctuality", False),
    (49, 5, ["skilled", "tidy"], None, False),
    (61, 2, ["messy"], "service_quality", False),
    (72, 4, [], None, True),
    (84, 5, ["punctual"], None, False),
]
TEXTS = {5: "非常满意，很专业。", 4: "不错，准时。", 3: "一般，迟到了。", 2: "没打扫干净。"}


def _neighbour(index, community) -> User:
    email = f"neighbour{index}@linli.demo"
    first, last = NEIGHBOURS[index % len(NEIGHBOURS)]
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first, last_name=last, phone=f"1360000{index:04d}")
        user.set_password(DEMO_PASSWORD)
        user.save()
    Household.objects.get_or_create(
        user=user,
        community=community,
        defaults={
            "building": str(2 + index),
            "room": "801",
            "contact_name": f"{last}{first}",
            "contact_phone": user.phone,
            "is_default": True,
        },
    )
    return user


def _move_back(appointment: Appointment, days: int) -> None:
    delta = timedelta(days=days) + (appointment.start - timezone.now())
    Appointment.objects.filter(pk=appointment.pk).update(
        start=F("start") - delta, end=F("end") - delta, busy_until=F("busy_until") - delta
    )
    AppointmentEvent.objects.filter(appointment=appointment).update(at=F("at") - delta)
    appointment.refresh_from_db()


def _book_one(user, community):
    records = StockRecord.objects.filter(community=community).select_related("product")
    for record in records:
        slots = available_slots(
            product=record.product,
            stockrecord=record,
            community=community,
            start=timezone.now() + timedelta(days=2),
            max_days=3,
        )
        for slot in slots[:3]:
            try:
                return appointment_book(user=user, product=record.product, start=slot.start)
            except BookingError:
                continue
    return None


def _history(user, community, staff) -> None:
    for days, stars, tags, category, no_show in JOBS:
        appointment = _book_one(user, community)
        if appointment is None:
            return
        worker_user = appointment.worker.user
        if no_show:
            appointment_transition(appointment=appointment, to=Status.NO_SHOW, by=worker_user)
            _move_back(appointment, days)
            continue
        for to in (Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED):
            appointment_transition(appointment=appointment, to=to, by=worker_user)
        _move_back(appointment, days)
        done = appointment.end
        rating = rating_submit(
            appointment=appointment, user=user, stars=stars, tags=tags, text=TEXTS[stars]
        )
        Rating.objects.filter(pk=rating.pk).update(
            created=done + timedelta(hours=2), updated=done + timedelta(hours=2)
        )
        if category:
            filed = done + timedelta(hours=3)
            c = complaints.complaint_file(
                user=user,
                kind="appointment",
                category=category,
                text=TEXTS[stars],
                appointment=appointment,
                now=filed,
            )
            handler = (c.provider.users.first() if c.provider_id else None) or staff
            if handler is None:
                continue
            complaints.complaint_respond(
                complaint=c, user=handler, text="已收到，正在核实。", now=filed + timedelta(hours=3)
            )
            complaints.complaint_resolve(
                complaint=c,
                user=handler,
                text="已致歉并退还部分费用。",
                now=filed + timedelta(days=2),
            )
            complaints.complaint_rate(
                complaint=c,
                user=user,
                satisfaction="basic" if category == "punctuality" else "satisfied",
                now=filed + timedelta(days=2, hours=5),
            )


def _hotline(community, staff, now) -> None:
    """Two 12345 tickets: one handled in time a month ago, one open since yesterday."""
    old = now - timedelta(days=33)
    c = complaints.complaint_file_hotline(
        staff=staff,
        ticket=f"12345-{community.pk:03d}-01",
        community=community,
        kind="property",
        category="lift",
        text="电梯停运，老人无法下楼。",
        caller_name="王先生",
        now=old,
    )
    complaints.complaint_respond(
        complaint=c, user=staff, text="维保单位已出发。", now=old + timedelta(minutes=40)
    )
    complaints.complaint_resolve(
        complaint=c, user=staff, text="电梯已恢复运行。", now=old + timedelta(hours=6)
    )
    complaints.complaint_rate(
        complaint=c, user=staff, satisfaction="satisfied", now=old + timedelta(hours=8)
    )
    complaints.complaint_file_hotline(
        staff=staff,
        ticket=f"12345-{community.pk:03d}-02",
        community=community,
        kind="fee",
        category="fee_not_on_board",
        text="来电反映停车费与公示不一致。",
        now=now - timedelta(days=1),
    )


@transaction.atomic
def seed(ctx) -> None:
    """Demo history in every community, then the last three months' credit stars."""
    if Complaint.objects.exists():
        return
    now = timezone.now()
    for index, community in enumerate(sorted(ctx.communities.values(), key=lambda c: c.pk)):
        staff = community.enterprise.staff.order_by("pk").first()
        _history(_neighbour(index, community), community, staff)
        if staff is not None:
            _hotline(community, staff, now)
    for worker_id in Rating.objects.values_list("worker_id", flat=True).distinct():
        worker_rating_recompute(worker_id=worker_id)
    month = previous_month()
    for _ in range(3):
        grades_compute_month(month)
        month = previous_month(month)
