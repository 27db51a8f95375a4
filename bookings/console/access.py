"""Who is in the provider console, as what, and what they may reach.

``console_role`` says whether a user acts for a provider, as worker and/or manager. The
``*_for(role, pk)`` helpers are the one way to reach each kind of object (as healthchecks'
``_get_rw_check_for_user``): each is scoped to the role's provider and, for a worker, to their
own jobs, offers and time off; anything else is a 404, so we never confirm that another
provider's object exists.

``job_contact`` is the PII rule: a worker sees a resident's name, exact address and phone only
for a job they accepted, and for no longer than ``CONTACT_VISIBLE_AFTER_DONE`` after it ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone

from bookings.models import Appointment, AppointmentEvent, JobOffer, TimeOff, Worker
from marketplace.models import User
from marketplace.partner.models import StockRecord
from marketplace.policy import CONTACT_VISIBLE_AFTER_DONE

Status = Appointment.Status

#: Statuses whose resident contact a worker who accepted the job may see.
CONTACT_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED, Status.NO_SHOW)
#: Statuses that end a job (after which the contact disappears once the 24 h are over).
FINISHED = (Status.COMPLETED, Status.NO_SHOW)


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
        """True when the user has an active worker profile at ``provider``."""
        return self.worker is not None


def console_role(user) -> ConsoleRole | None:
    """The user's provider role, or None (residents, enterprise staff, deactivated workers).

    A manager is a user in the provider's ``partner.users`` (Oscar); a worker has an active
    ``worker_profile``. Someone who is both acts for the worker's provider.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    worker = _active_worker(user)
    # The request's user comes with ``manages_provider`` (``marketplace.auth_backends``):
    # someone who manages no provider costs no query for it.
    managed = (
        []
        if getattr(user, "manages_provider", None) is False
        else list(user.partners.order_by("pk"))
    )
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


def _active_worker(user) -> Worker | None:
    """The user's active worker profile with its provider, or None. The request's user comes
    with its profile loaded (``marketplace.auth_backends``): then only the provider is read."""
    profile_cache = User.worker_profile.related
    if not profile_cache.is_cached(user):
        return (
            Worker.objects.select_related("provider", "user")
            .filter(user=user, is_active=True)
            .first()
        )
    worker = profile_cache.get_cached_value(user)
    if worker is None or not worker.is_active:
        return None
    worker.provider  # noqa: B018 - read now, as the query above would have
    return worker


# --- one helper per object kind (404 outside the role's reach) --------------------------------


def job_for(role: ConsoleRole, pk) -> Appointment:
    """A job the user may see: a worker's own; for a manager, any of the provider's.

    Raises ``Http404`` for anything else."""
    jobs = Appointment.objects.select_related(
        "product", "community", "household", "resident", "worker__user", "order"
    )
    if role.is_manager:
        jobs = jobs.filter(worker__provider=role.provider)
    else:
        jobs = jobs.filter(worker=role.worker)
    return get_object_or_404(jobs, pk=pk)


def worker_for(role: ConsoleRole, pk) -> Worker:
    """One of the role's provider's workers (active or not), or ``Http404``."""
    return get_object_or_404(Worker.objects.select_related("user"), pk=pk, provider=role.provider)


def offer_for(role: ConsoleRole, pk) -> JobOffer:
    """An offer made to the role's own worker, or ``Http404`` (managers have no offers)."""
    return get_object_or_404(
        JobOffer.objects.select_related("appointment__product", "appointment__community"),
        pk=pk,
        worker=role.worker,
    )


def stockrecord_for(role: ConsoleRole, pk) -> StockRecord:
    """A price (StockRecord) of the role's provider, or ``Http404``."""
    return get_object_or_404(
        StockRecord.objects.select_related("product", "community"), pk=pk, partner=role.provider
    )


def time_off_for(role: ConsoleRole, pk) -> TimeOff:
    """A time off entry: a worker's own; for a manager, any of the provider's workers'.

    Raises ``Http404`` for anything else."""
    entries = TimeOff.objects.select_related("worker")
    if role.is_manager:
        entries = entries.filter(worker__provider=role.provider)
    else:
        entries = entries.filter(worker=role.worker)
    return get_object_or_404(entries, pk=pk)


# --- the resident's contact (the PII rule) -----------------------------------------------------


def job_finished_at(appointment: Appointment) -> datetime | None:
    """When the job was completed (or the no-show reported), from its timeline (UTC-aware),
    or None while it is not finished."""
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
    """The resident's contact as a worker sees it: name, phone, community and address line."""

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
