"""How a message leaves: email, SMS, and the in-app inbox.

``deliver(user, message)`` sends a ``Message`` by email (Django's email backend: files under
``var/mail`` in the demo) and SMS; ``inbox_write`` writes the in-app copy (Oscar's
``communication.Notification``, shown at ``/shop/accounts/notifications/``), which the sender
writes in the transaction that marks the notice sent.

Text messages go through one small gateway interface, shaped for Chinese template SMS.

``SMS_BACKEND`` names a class with ``send_template(phone, template, params, text) -> None``:
``template`` is the gateway's pre-approved template code (``SMS_TEMPLATES[kind]``, default
``LINLI_<KIND>``), ``params`` its parameters (``{"service": "保洁", "when": "12月3日 10:00"}``),
``text`` the same message rendered by Linli (for logs and backends without templates). The
base class's ``send_template`` calls the older ``send(phone, text)``. ``send_template_sms``
loads the class. The demo logs messages and writes them to ``var/sms/sms.jsonl``
(``FileSMSBackend``); tests keep them in memory (``LocmemSMSBackend``: ``outbox`` holds
``(phone, text)``, ``template_outbox`` the template calls).

A real gateway (Aliyun SMS, Tencent Cloud SMS...) plugs in as one more class: subclass
``BaseSMSBackend``, call the provider's API in ``send_template`` (raise ``SMSError`` on refusal:
the delivery is retried with backoff, then recorded as failed), and set
``SMS_BACKEND=yourapp.sms.AliyunSMSBackend``. The signature stays in the backend's settings.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.html import escape
from django.utils.module_loading import import_string
from oscar.apps.communication.models import Notification

from bookings.notify.messages import Message

log = logging.getLogger("linli.sms")
mail_log = logging.getLogger("linli.notifications")

#: What ``LocmemSMSBackend`` has sent: a list of ``(phone, text)``.
outbox: list[tuple[str, str]] = []
#: ... and as template calls: ``{"to", "template", "params", "text"}``.
template_outbox: list[dict] = []


class SMSError(Exception):
    """The gateway refused or failed to take the message."""


class BaseSMSBackend:
    """The gateway interface: ``send(phone, text)``; raise ``SMSError`` on refusal."""

    def send(self, phone: str, text: str) -> None:  # pragma: no cover — interface
        raise NotImplementedError

    def send_template(self, phone: str, template: str, params: dict, text: str) -> None:
        """Send template ``template`` with ``params`` (``text``: Linli's own rendering)."""
        self.send(phone, text)


class LoggingSMSBackend(BaseSMSBackend):
    """Log every message (the demo); nothing leaves the machine."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


class FileSMSBackend(LoggingSMSBackend):
    """Log, and append one JSON line per message to ``SMS_FILE_PATH``/sms.jsonl."""

    def send(self, phone: str, text: str) -> None:
        self.send_template(phone, "", {}, text)

    def send_template(self, phone: str, template: str, params: dict, text: str) -> None:
        super().send(phone, text)
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        record = {"at": timezone.now().isoformat(), "to": phone, "text": text}
        if template:
            record.update(template=template, params=params)
        with open(folder / "sms.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


class LocmemSMSBackend(BaseSMSBackend):
    """Keep messages in ``bookings.notify.channels.outbox`` (tests)."""

    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))

    def send_template(self, phone: str, template: str, params: dict, text: str) -> None:
        self.send(phone, text)
        template_outbox.append({"to": phone, "template": template, "params": params, "text": text})


def send_sms(phone: str, text: str) -> None:
    """Send ``text`` to ``phone`` through the ``SMS_BACKEND`` class (raises what it raises)."""
    backend = import_string(settings.SMS_BACKEND)
    backend().send(phone, text)


def send_template_sms(phone: str, template: str, params: dict, text: str) -> None:
    """Send template ``template`` with ``params`` to ``phone`` through ``SMS_BACKEND``.

    Raises what the backend raises (``SMSError`` on refusal)."""
    backend = import_string(settings.SMS_BACKEND)
    backend().send_template(phone, template, params, text)


def send_email(address: str, subject: str, body: str) -> None:
    """Send one email through Django's backend (raises what it raises)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


def deliver(user, message: Message) -> list[str]:
    """Send by email and SMS at once where we have an address; returns the channels used.

    Not used by the notices any more (their email and SMS are ``NoticeDelivery`` rows, retried:
    ``bookings.notify.deliveries``); kept for a one-off message with no retry.

    No lock may be held here: these are network calls. A failure of one channel is logged
    and does not stop the other (the inbox copy is always written by the caller)."""
    channels = []
    if user.email:
        try:
            send_mail(
                message.subject,
                message.body,
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
                fail_silently=False,
            )
            channels.append("email")
        except Exception:  # noqa: BLE001 — SMTP errors of every kind
            mail_log.exception("Email to user %s failed", user.pk)
    if user.phone:
        try:
            send_sms(user.phone, message.sms)
            channels.append("sms")
        except Exception:  # noqa: BLE001 — gateway errors of every kind
            mail_log.exception("SMS to user %s failed", user.pk)
    return channels


def inbox_write(user, message: Message) -> Notification:
    """The in-app copy, in Oscar's inbox (``/shop/accounts/notifications/``).

    Oscar shows the body as HTML (``notification.body|safe``), and bodies carry what people
    typed (an address, a conversation message): so the text is escaped here, lines kept."""
    return Notification.objects.create(
        recipient=user,
        subject=message.subject[:255],
        body=escape(message.body).replace("\n", "<br>"),
    )
