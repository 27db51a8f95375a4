"""What the repairs tell people, through Linli's one notice system (``bookings.notify``).

``repair_notify(users, request, kind, role=..., key=...)`` writes one ``Notice`` per person in
the caller's transaction (``bookings.notify.events.notify``): sent after commit (a rolled-back
change tells nobody, no lock is held across the network), once per key, on the channels each
person chose for that kind (``/shop/accounts/notification-choices/``), in their language, with
the notices' retries. SMS quiet hours (22:00–08:00) hold a normal repair's SMS until the
morning; an urgent repair's (``RepairRequest.Urgency.URGENT``) goes at once.

The kinds (``Notice.Kind.REPAIR_*``) and their texts are registered here, when this module is
imported (``repairs.apps`` imports it in ``ready``). Texts are filled from the notice's
context: ``link`` (the request's page for the recipient's role) and, when taken, ``worker``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from bookings.models import Notice
from bookings.notify.events import notify
from bookings.notify.messages import NOTICE_TEMPLATE, kind_register
from repairs.models import RepairRequest

Kind = Notice.Kind


def repair_notify(
    users: Iterable,
    request: RepairRequest,
    kind: str,
    *,
    role: str,
    key: str,
    context: dict | None = None,
) -> list[Notice]:
    """Tell each of ``users`` (``None`` skipped, each once) ``kind`` about ``request``.

    ``role`` (resident, worker, desk) picks the page linked; ``key`` names the happening
    (``"repair_taken:42:7"``: the same key again tells nobody; the recipient is appended);
    ``context``: more values for the texts (strings). Inside the caller's transaction;
    returns the notices written."""
    link = settings.SITE_URL.rstrip("/") + request_path(request.pk, role=role)
    values = {
        **(context or {}),
        "link": link,
        "urgent": request.urgency == RepairRequest.Urgency.URGENT,
    }
    notices, seen = [], set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        notice = notify(user=user, kind=kind, key=f"{key}:u{user.pk}", context=values)
        if notice is not None:
            notices.append(notice)
    return notices


def request_path(request_id: int, *, role: str) -> str:
    """The page of a request for ``role``: resident, worker or desk."""
    names = {"resident": "repairs:detail", "worker": "repairs:job", "desk": "repairs:desk-detail"}
    return reverse(names[role], args=[request_id])


def _register(kind, subject, lead, sms):
    kind_register(kind, subject=subject, sms=sms, lead=lead, template=NOTICE_TEMPLATE)


_register(
    Kind.REPAIR_OFFER,
    gettext_lazy("New repair request"),
    gettext_lazy("A repair request is waiting for you to accept it."),
    gettext_lazy("[Linli] New repair request waiting for you: %(link)s"),
)
_register(
    Kind.REPAIR_NO_WORKER,
    gettext_lazy("Repair request without a worker"),
    gettext_lazy("No maintenance worker on duty has taken this repair: please assign one."),
    gettext_lazy("[Linli] No worker has taken a repair: please assign one: %(link)s"),
)
_register(
    Kind.REPAIR_TAKEN,
    gettext_lazy("Your repair has been taken"),
    gettext_lazy("%(worker)s will come to do your repair."),
    gettext_lazy("[Linli] Your repair has been taken: %(worker)s will come. %(link)s"),
)
_register(
    Kind.REPAIR_ASSIGNED,
    gettext_lazy("Repair assigned to you"),
    gettext_lazy("The repair desk has given you a repair."),
    gettext_lazy("[Linli] The repair desk has given you a repair: %(link)s"),
)
_register(
    Kind.REPAIR_QUOTED,
    gettext_lazy("A quote for your repair"),
    gettext_lazy("Please look at the quote and approve it."),
    gettext_lazy("[Linli] A quote for your repair: please look at it and approve it: %(link)s"),
)
_register(
    Kind.REPAIR_ON_THE_WAY,
    gettext_lazy("Your repair: the worker is on the way"),
    gettext_lazy("The maintenance worker is on the way."),
    gettext_lazy("[Linli] The maintenance worker is on the way: %(link)s"),
)
_register(
    Kind.REPAIR_DONE,
    gettext_lazy("Your repair is done"),
    gettext_lazy("Please confirm the repair, or reopen it."),
    gettext_lazy("[Linli] Your repair is done: please confirm it, or reopen it: %(link)s"),
)
_register(
    Kind.REPAIR_LATE,
    gettext_lazy("Your repair is late"),
    gettext_lazy("We are sorry: your repair is late. The repair desk has been alerted."),
    gettext_lazy("[Linli] Sorry, your repair is late; the repair desk has been alerted: %(link)s"),
)
_register(
    Kind.REPAIR_TAKE_LATE,
    gettext_lazy("Repair not taken in time"),
    gettext_lazy("No worker took this repair within the published time."),
    gettext_lazy("[Linli] A repair was not taken in time: %(link)s"),
)
_register(
    Kind.REPAIR_ARRIVAL_LATE,
    gettext_lazy("Repair: worker not on site in time"),
    gettext_lazy("No worker reached this repair within the published time."),
    gettext_lazy("[Linli] No worker reached a repair in time: %(link)s"),
)
