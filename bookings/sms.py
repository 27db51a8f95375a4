"""Text messages through one small gateway interface.

``SMS_BACKEND`` names a class with ``send(phone: str, text: str) -> None``; ``send_sms`` loads it.
The demo logs messages and writes them to ``var/sms/`` (``FileSMSBackend``); tests keep them in
memory (``LocmemSMSBackend``, read ``bookings.sms.outbox``).

A real gateway (Aliyun SMS, Tencent Cloud SMS...) plugs in as one more class: subclass
``BaseSMSBackend``, call the provider's API in ``send`` (raise ``SMSError`` on refusal so the
sender can log it), and set ``SMS_BACKEND=yourapp.sms.AliyunSMSBackend`` in the environment.
Chinese gateways need pre-approved templates and a signature: keep those in the backend's own
settings, and map Linli's text to the template's parameters there.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("linli.sms")

#: What ``LocmemSMSBackend`` has sent: a list of ``(phone, text)``.
outbox: list[tuple[str, str]] = []


class SMSError(Exception):
    """The gateway refused or failed to take the message."""


class BaseSMSBackend:
    def send(self, phone: str, text: str) -> None:  # pragma: no cover — interface
        raise NotImplementedError


class LoggingSMSBackend(BaseSMSBackend):
    """Log every message (the demo); nothing leaves the machine."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


class FileSMSBackend(LoggingSMSBackend):
    """Log, and append one JSON line per message to ``SMS_FILE_PATH``/sms.jsonl."""

    def send(self, phone: str, text: str) -> None:
        super().send(phone, text)
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False
        )
        with open(folder / "sms.jsonl", "a", encoding="utf-8") as f:
            f.write(line + "\n")


class LocmemSMSBackend(BaseSMSBackend):
    """Keep messages in ``bookings.sms.outbox`` (tests)."""

    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    backend = import_string(settings.SMS_BACKEND)
    backend().send(phone, text)
