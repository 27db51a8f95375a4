"""What we tell people, in their own language: the texts of notices and who gets them.

``message_for(notice, user)`` renders a ``Message`` (subject, body, SMS text, and the SMS as a
template code with parameters) for a reminder or notice in the recipient's ``language``
(zh-hans or en) and local time; ``recipient_of`` says who gets it. Sending is
``bookings.notify.channels``. Bodies are templates under ``bookings/templates/bookings/email/``;
the kinds that tell what happened to an appointment (``EVENT_TEXTS``) share ``event.txt``.

Another kind of notice plugs in with ``kind_register(kind, subject=..., sms=..., lead=...)``:
three lazily translated ``%(name)s`` formats, filled from the standard context below plus the
notice's own ``context``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.templatetags.currency_filters import currency

from bookings.models import Notice
from marketplace.policy import LOCAL_TZ

Kind = Notice.Kind


@dataclass(frozen=True)
class Message:
    """A rendered notice: email ``subject`` and ``body``, and the short ``sms`` text."""

    subject: str
    body: str
    sms: str
    #: The SMS for a template gateway: its template code and the parameters (all ``str``).
    sms_template: str = ""
    sms_params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class KindText:
    """The texts of one kind of notice: ``%(name)s`` formats, translated lazily."""

    subject: str
    sms: str
    lead: str
    #: The email body's template (``lead`` and ``link`` in its context).
    template: str = "bookings/email/event.txt"


#: The kinds that tell what happened (and any kind registered by another part of Linli).
EVENT_TEXTS: dict[str, KindText] = {}


#: The email body of a notice that is not about an appointment (a complaint, a repair).
NOTICE_TEMPLATE = "bookings/email/notice.txt"


def kind_register(kind: str, *, subject, sms, lead, template: str = KindText.template) -> None:
    """Give ``kind`` its subject, SMS and email lead texts (``gettext_lazy`` ``%(name)s`` formats;
    names from ``message_for``'s context and the notice's ``context``). The SMS template code
    is ``SMS_TEMPLATES[kind]`` or ``LINLI_<KIND>``; its parameters are the names the SMS uses.
    ``template``: the email body (``NOTICE_TEMPLATE`` when not about an appointment)."""
    EVENT_TEXTS[kind] = KindText(subject=subject, sms=sms, lead=lead, template=template)


def url(path: str) -> str:
    """The absolute address of ``path`` on the public site (``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + path


_url = url


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


def _language(user) -> str:
    return user.language if user.language in dict(settings.LANGUAGES) else "zh-hans"


def _appointment_context(appointment, user) -> dict:
    is_resident = user.pk == appointment.resident_id
    job_url = url(reverse("provider:job", args=[appointment.pk]))
    return {
        "appointment": appointment,
        "service": appointment.product.get_title(),
        "when": _when(appointment.start),
        "community": appointment.community.display_name,
        "address": f"{appointment.community.display_name} {appointment.household.address_line}",
        # Only a worker who accepted is named to anyone (``Appointment.accepted_worker``).
        "worker": _accepted_name(appointment),
        "price": currency(appointment.price),
        "payment": appointment.get_payment_method_display(),
        "charged": currency(appointment.amount_due),
        "board_revision": appointment.board_revision_id or "—",
        "appointment_url": url(appointment.get_absolute_url()),
        "job_url": job_url,
        # Where the recipient follows it: the resident's page, or the job in the console.
        "link": url(appointment.get_absolute_url()) if is_resident else job_url,
        "reschedule_url": url(reverse("bookings:appointment-reschedule", args=[appointment.pk])),
        "cancel_url": url(reverse("bookings:appointment-cancel", args=[appointment.pk])),
    }


def _stored_context(reminder: Notice) -> dict:
    context = {}
    for name, value in (reminder.context or {}).items():
        if (name == "at" or name.endswith("_at")) and isinstance(value, str):
            # "old_at" → "old_when"; "at" → "when" (the time the notice is about).
            context[name[:-2] + "when"] = _when(datetime.fromisoformat(value))
        elif name in ("fee", "amount"):
            context[name] = currency(value)
        else:
            context[name] = value
    return context


def message_for(reminder: Notice, user) -> Message:
    """The message for ``reminder``, rendered in ``user``'s language and local time.

    Returns a ``Message``; raises ``ValueError`` for a kind without texts."""
    appointment = reminder.appointment
    with translation.override(_language(user)), timezone.override(LOCAL_TZ):
        context = {
            "user": user,
            "name": user.get_full_name() or user.email,
            "console_url": url("/provider/"),
            "cards_url": url(reverse("payments:cards")),
            "offer": reminder.offer,
            "expires": _when(reminder.offer.expires_at) if reminder.offer_id else "",
            "site": "Linli 邻里",
        }
        if appointment is not None:
            context.update(_appointment_context(appointment, user))
        context.update(_stored_context(reminder))
        if reminder.kind in EVENT_TEXTS:
            return _event_message(reminder.kind, context)
        subject, sms = _subject_and_sms(reminder.kind, context)
        body = render_to_string(f"bookings/email/{reminder.kind}.txt", context)
        template, params = sms_template_for(reminder.kind, _SMS_TEXTS.get(reminder.kind), context)
    return Message(
        subject=subject, body=body.strip() + "\n", sms=sms, sms_template=template, sms_params=params
    )


_NAME = re.compile(r"%\((\w+)\)s")


def sms_template_for(kind: str, sms_format, context: dict) -> tuple[str, dict]:
    """The gateway's template code for ``kind`` (``SMS_TEMPLATES`` or ``LINLI_<KIND>``) and the
    parameters its text uses, as strings: ``("LINLI_BOOKED", {"service": "…", "when": "…"})``."""
    code = getattr(settings, "SMS_TEMPLATES", {}).get(kind) or f"LINLI_{kind.upper()}"
    names = _NAME.findall(str(sms_format or ""))
    return code, {name: str(context.get(name, "")) for name in names}


def _event_message(kind: str, context: dict) -> Message:
    texts = EVENT_TEXTS[kind]
    context = {**context, **_derived(kind, context)}
    lead = str(texts.lead) % context
    subject = str(texts.subject) % context
    sms = str(texts.sms) % context
    body = render_to_string(texts.template, {**context, "lead": lead, "kind": kind})
    template, params = sms_template_for(kind, texts.sms, context)
    return Message(
        subject=subject[:255],
        body=body.strip() + "\n",
        sms=sms,
        sms_template=template,
        sms_params=params,
    )


def _derived(kind: str, c: dict) -> dict:
    """Sentences that depend on what happened: the money after a cancellation, who comes after
    a move (already in the recipient's language)."""
    derived = {}
    if kind == Kind.CANCELLED:
        appointment = c.get("appointment")
        if appointment is not None and appointment.fees_due:
            derived["settlement"] = _(
                "A late-cancellation fee of %(fee)s is charged to your card; the rest of the hold "
                "on it is released."
            ) % {"fee": currency(appointment.fees_due)}
        elif appointment is not None and appointment.payment_method == "card":
            derived["settlement"] = _("Nothing is charged: the hold on your card is released.")
        else:
            derived["settlement"] = _("Nothing is charged.")
    if kind == Kind.RESCHEDULED:
        if c.get("worker"):
            derived["worker_note"] = _("%(worker)s will come.") % c
        elif c.get("worker_changed"):
            derived["worker_note"] = _(
                "Another worker takes the new time; we will tell you who once they accept."
            )
        else:
            derived["worker_note"] = ""
    return derived


#: The parameters of the reminder kinds' SMS templates (the names their texts use).
_SMS_TEXTS = {
    Kind.RESIDENT_24H: "%(service)s %(when)s %(worker)s",
    Kind.RESIDENT_2H: "%(service)s %(when)s %(worker)s",
    Kind.WORKER_1H: "%(service)s %(when)s %(address)s",
    Kind.RATING_REQUEST: "%(service)s %(worker)s %(appointment_url)s",
    Kind.OFFER: "%(service)s %(when)s %(community)s %(expires)s %(console_url)s",
    Kind.ESCALATION_MANAGER: "%(service)s %(when)s %(community)s %(console_url)s",
    Kind.ESCALATION_RESIDENT: "%(service)s %(when)s %(appointment_url)s",
}


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


# --- what happened to an appointment -------------------------------------------------------

kind_register(
    Kind.BOOKED,
    subject=gettext_lazy("Booked: %(service)s on %(when)s"),
    sms=gettext_lazy(
        "[Linli] Booked: %(service)s on %(when)s at %(address)s, %(price)s (%(payment)s). "
        "We will tell you who comes once a worker accepts: %(link)s"
    ),
    lead=gettext_lazy(
        "Your booking is confirmed: %(service)s on %(when)s at %(address)s. Price: %(price)s "
        "(%(payment)s). We will tell you who comes as soon as a worker accepts the job."
    ),
)
kind_register(
    Kind.ACCEPTED,
    subject=gettext_lazy("%(worker)s will come for %(service)s on %(when)s"),
    sms=gettext_lazy("[Linli] %(worker)s accepted %(service)s on %(when)s. Details: %(link)s"),
    lead=gettext_lazy(
        "%(worker)s accepted your booking and will come on %(when)s. You can write to them on "
        "the appointment's page."
    ),
)
kind_register(
    Kind.STARTED,
    subject=gettext_lazy("%(worker)s has checked in for %(service)s"),
    sms=gettext_lazy("[Linli] %(worker)s has checked in for %(service)s. Details: %(link)s"),
    lead=gettext_lazy("%(worker)s has arrived and checked in for %(service)s."),
)
kind_register(
    Kind.COMPLETED,
    subject=gettext_lazy("Receipt: %(service)s on %(when)s"),
    sms=gettext_lazy("[Linli] %(service)s is done. Charged: %(charged)s. Receipt: %(link)s"),
    lead=gettext_lazy(
        "%(service)s is done. Charged: %(charged)s (%(payment)s), at the price of the published "
        "fee board, revision %(board_revision)s."
    ),
)
kind_register(
    Kind.CANCELLED,
    subject=gettext_lazy("Cancelled: %(service)s on %(when)s"),
    sms=gettext_lazy("[Linli] Cancelled: %(service)s on %(when)s. %(settlement)s"),
    lead=gettext_lazy("Your booking of %(service)s on %(when)s is cancelled. %(settlement)s"),
)
kind_register(
    Kind.RESCHEDULED,
    subject=gettext_lazy("Moved: %(service)s is now on %(when)s"),
    sms=gettext_lazy(
        "[Linli] %(service)s moved from %(old_when)s to %(when)s. %(worker_note)s %(link)s"
    ),
    lead=gettext_lazy(
        "Your booking of %(service)s moved from %(old_when)s to %(when)s. %(worker_note)s"
    ),
)
kind_register(
    Kind.REFUNDED,
    subject=gettext_lazy("Refund made: %(amount)s"),
    sms=gettext_lazy(
        "[Linli] We refunded %(amount)s for %(service)s; your bank shows it in a few days."
    ),
    lead=gettext_lazy(
        "We refunded %(amount)s for %(service)s to your card. Your bank shows it within a few "
        "working days."
    ),
)
kind_register(
    Kind.PAYMENT_FAILED,
    subject=gettext_lazy("Payment failed: %(service)s on %(when)s"),
    sms=gettext_lazy(
        "[Linli] The card payment for %(service)s on %(when)s failed. Check your card: "
        "%(cards_url)s"
    ),
    lead=gettext_lazy(
        "The card payment for %(service)s on %(when)s did not go through. Please check or add a "
        "card (%(cards_url)s); if the booking was released, book the time again."
    ),
)
kind_register(
    Kind.OFFER_WITHDRAWN,
    subject=gettext_lazy("Offer withdrawn: %(service)s on %(when)s"),
    sms=gettext_lazy(
        "[Linli] The job offer for %(service)s on %(when)s was withdrawn; no need to answer."
    ),
    lead=gettext_lazy(
        "The job offer for %(service)s on %(when)s in %(community)s was withdrawn (the booking "
        "was cancelled or moved). No need to answer it."
    ),
)
kind_register(
    Kind.JOB_CHANGED,
    subject=gettext_lazy("Your job moved: %(service)s is now on %(when)s"),
    sms=gettext_lazy(
        "[Linli] Your job %(service)s moved from %(old_when)s to %(when)s, %(address)s."
    ),
    lead=gettext_lazy("Your job %(service)s moved from %(old_when)s to %(when)s."),
)
kind_register(
    Kind.JOB_CANCELLED,
    subject=gettext_lazy("Job cancelled: %(service)s on %(when)s"),
    sms=gettext_lazy("[Linli] Job cancelled: %(service)s on %(when)s. No need to go."),
    lead=gettext_lazy(
        "The job %(service)s on %(when)s is cancelled (or is no longer yours). No need to go."
    ),
)
kind_register(
    Kind.MESSAGE,
    subject=gettext_lazy("New message about %(service)s on %(when)s"),
    sms=gettext_lazy("[Linli] New message about %(service)s on %(when)s: %(link)s"),
    lead=gettext_lazy("%(author)s wrote: %(text)s"),
)
