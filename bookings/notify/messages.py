"""What we tell people, in their own language: the texts of notices and who gets them.

``message_for(notice, user)`` renders a ``Message`` (subject, body, SMS text) for a reminder or
notice in the recipient's ``language`` (zh-hans or en) and local time; ``recipient_of`` says who
gets it. Sending is ``bookings.notify.channels``. Bodies are templates under
``bookings/templates/bookings/email/``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bookings.models import Notice
from marketplace.policy import LOCAL_TZ

Kind = Notice.Kind


@dataclass(frozen=True)
class Message:
    """A rendered notice: email ``subject`` and ``body``, and the short ``sms`` text."""

    subject: str
    body: str
    sms: str


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _when(moment) -> str:
    local = timezone.localtime(moment, LOCAL_TZ)
    return f"{date_format(local, 'MONTH_DAY_FORMAT')} {local:%H:%M}"


def _accepted_name(appointment) -> str:
    worker = appointment.accepted_worker
    return worker.display_name if worker is not None else ""


def recipient_of(reminder: Notice):
    """Who gets it: the named recipient, else the appointment's resident or current worker."""
    if reminder.recipient_id:
        return reminder.recipient
    if reminder.kind == Kind.WORKER_1H:
        return reminder.appointment.worker.user
    return reminder.appointment.resident


def message_for(reminder: Notice, user) -> Message:
    """The message for ``reminder``, rendered in ``user``'s language."""
    appointment = reminder.appointment
    language = user.language if user.language in dict(settings.LANGUAGES) else "zh-hans"
    with translation.override(language), timezone.override(LOCAL_TZ):
        service = appointment.product.get_title()
        context = {
            "user": user,
            "name": user.get_full_name() or user.email,
            "appointment": appointment,
            "service": service,
            "when": _when(appointment.start),
            "community": appointment.community.display_name,
            "address": f"{appointment.community.display_name} {appointment.household.address_line}",
            # Only a worker who accepted is named to anyone (``Appointment.accepted_worker``).
            "worker": _accepted_name(appointment),
            "appointment_url": _url(appointment.get_absolute_url()),
            "reschedule_url": _url(
                reverse("bookings:appointment-reschedule", args=[appointment.pk])
            ),
            "cancel_url": _url(reverse("bookings:appointment-cancel", args=[appointment.pk])),
            "console_url": _url("/provider/"),
            "offer": reminder.offer,
            "expires": _when(reminder.offer.expires_at) if reminder.offer_id else "",
            "site": "Linli 邻里",
        }
        subject, sms = _subject_and_sms(reminder.kind, context)
        body = render_to_string(f"bookings/email/{reminder.kind}.txt", context)
    return Message(subject=subject, body=body.strip() + "\n", sms=sms)


def _subject_and_sms(kind, c) -> tuple[str, str]:
    if kind == Kind.RESIDENT_24H:
        subject = _("Reminder: %(service)s tomorrow, %(when)s") % c
        if c["worker"]:
            sms = _("[Linli] Reminder: %(service)s at %(when)s, %(worker)s will come.") % c
        else:
            sms = (
                _(
                    "[Linli] Reminder: %(service)s at %(when)s. We will tell you who comes as soon as a worker accepts."
                )
                % c
            )
    elif kind == Kind.RESIDENT_2H:
        subject = _("In 2 hours: %(service)s at %(when)s") % c
        if c["worker"]:
            sms = _("[Linli] In 2 hours: %(service)s at %(when)s, %(worker)s will come.") % c
        else:
            sms = _("[Linli] In 2 hours: %(service)s at %(when)s. No worker has accepted yet.") % c
    elif kind == Kind.WORKER_1H:
        subject = _("Your job in 1 hour: %(service)s at %(when)s") % c
        sms = _("[Linli] In 1 hour: %(service)s at %(address)s.") % c
    elif kind == Kind.RATING_REQUEST:
        subject = _("How was %(service)s? Please rate it") % c
        sms = _("[Linli] How was %(service)s by %(worker)s? Rate it: %(appointment_url)s") % c
    elif kind == Kind.OFFER:
        subject = _("New job: %(service)s at %(when)s, answer by %(expires)s") % c
        sms = (
            _(
                "[Linli] New job: %(service)s at %(when)s in %(community)s. Answer by %(expires)s: %(console_url)s"
            )
            % c
        )
    elif kind == Kind.ESCALATION_MANAGER:
        subject = _("No worker for %(service)s at %(when)s: please assign one") % c
        sms = (
            _(
                "[Linli] No worker accepted %(service)s at %(when)s in %(community)s. Please assign one: %(console_url)s"
            )
            % c
        )
    elif kind == Kind.ESCALATION_RESIDENT:
        subject = _("We could not find a worker for %(service)s at %(when)s") % c
        sms = (
            _(
                "[Linli] Sorry, no worker is free for %(service)s at %(when)s. Choose another time or cancel free of charge: %(appointment_url)s"
            )
            % c
        )
    else:  # pragma: no cover — every kind is listed above
        raise ValueError(kind)
    return subject, sms
