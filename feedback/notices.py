"""What the complaints tell people, through Linli's one notice system (``bookings.notify``).

``complaint_notify(users, complaint, kind, event=..., for_handler=...)`` writes one ``Notice``
per person in the caller's transaction (``bookings.notify.events.notify``); it is sent after
commit, once per key, on the channels each person chose for that kind
(``/shop/accounts/notification-choices/``), in their language, with the notices' retries and
the SMS quiet hours (a complaint's SMS is never urgent: it waits for the morning).

The kinds (``Notice.Kind.COMPLAINT_*``) and their texts are registered here, when this module
is imported (``feedback.apps`` imports it in ``ready``, so a Celery worker that sends them knows
them). Each text is filled from the notice's context: ``number`` (``TS2026113000042``) and
``url``/``link`` (the complaint's page for the recipient).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from bookings.models import Notice
from bookings.notify.events import notify
from bookings.notify.messages import NOTICE_TEMPLATE, kind_register

Kind = Notice.Kind


def site_url(path: str) -> str:
    """``path`` as an absolute address on the configured public site."""
    return settings.SITE_URL.rstrip("/") + path


def complaint_notify(
    users: Iterable, complaint, kind: str, *, event, for_handler: bool
) -> list[Notice]:
    """Tell each of ``users`` (``None`` skipped, each once) ``kind`` about ``complaint``.

    ``event``: the ``ComplaintEvent`` that happened (its id makes the key: a replayed step
    tells nobody twice); ``for_handler``: link to the desk's page rather than the resident's.
    Inside the caller's transaction; returns the notices written."""
    name = "feedback:desk-detail" if for_handler else "feedback:complaint-detail"
    url = site_url(reverse(name, args=[complaint.pk]))
    context = {"number": complaint.number, "url": url, "link": url}
    notices, seen = [], set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        notice = notify(
            user=user,
            kind=kind,
            key=f"{kind}:{complaint.pk}:{event.pk}:u{user.pk}",
            context=context,
        )
        if notice is not None:
            notices.append(notice)
    return notices


def _register(kind, subject, sms):
    kind_register(kind, subject=subject, sms=sms, lead=subject, template=NOTICE_TEMPLATE)


_register(
    Kind.COMPLAINT_FILED,
    gettext_lazy("New complaint %(number)s: please answer it"),
    gettext_lazy("[Linli] New complaint %(number)s. Answer it: %(url)s"),
)
_register(
    Kind.COMPLAINT_ANSWERED,
    gettext_lazy("Your complaint %(number)s was answered"),
    gettext_lazy("[Linli] Your complaint %(number)s was answered: %(url)s"),
)
_register(
    Kind.COMPLAINT_INFO_REQUESTED,
    gettext_lazy("Complaint %(number)s: we need more information"),
    gettext_lazy("[Linli] Complaint %(number)s: please add information: %(url)s"),
)
_register(
    Kind.COMPLAINT_INFO_ADDED,
    gettext_lazy("Complaint %(number)s: the resident added information"),
    gettext_lazy("[Linli] Complaint %(number)s has new information: %(url)s"),
)
_register(
    Kind.COMPLAINT_RESOLVED,
    gettext_lazy("Complaint %(number)s resolved: are you satisfied?"),
    gettext_lazy("[Linli] Complaint %(number)s resolved. Tell us if you are satisfied: %(url)s"),
)
_register(
    Kind.COMPLAINT_REOPENED,
    gettext_lazy("Complaint %(number)s was reopened"),
    gettext_lazy("[Linli] Complaint %(number)s was reopened by the resident: %(url)s"),
)
_register(
    Kind.COMPLAINT_OVERDUE,
    gettext_lazy("Complaint %(number)s is overdue: escalated to you"),
    gettext_lazy("[Linli] Complaint %(number)s is overdue and escalated to you: %(url)s"),
)
_register(
    Kind.COMPLAINT_FLAGGED,
    gettext_lazy("Complaint %(number)s flagged for the street office"),
    gettext_lazy("[Linli] Complaint %(number)s is flagged for the street office: %(url)s"),
)
_register(
    Kind.COMPLAINT_ESCALATED,
    gettext_lazy("Complaint %(number)s was escalated"),
    gettext_lazy("[Linli] Your complaint %(number)s was escalated: %(url)s"),
)
