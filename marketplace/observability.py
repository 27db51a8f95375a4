"""Request ids in every log line, carried into the Celery tasks a request starts.

* ``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the proxy's ``X-Request-ID`` when it
  is a sane token (letters, digits, ``-_.:``; at most 64) or makes a new one (32 hex digits),
  keeps it for the request, and answers with it in ``X-Request-ID``;
* ``RequestIdFilter`` puts it on every log record as ``request_id`` (``-`` outside a request
  or task), so the JSON formatter (``LOG_FORMAT=json``) writes it as a field;
* Celery: a task sent while a request id is current carries it in the message header
  ``linli_request_id`` (``before_task_publish``); the worker makes it current while the task
  runs (``task_prerun``/``task_postrun``) and logs the task's start and end on ``linli.tasks``.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "linli_request_id"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("linli_request_id", default="-")
_SANE = re.compile(r"\A[A-Za-z0-9_.:-]{1,64}\Z")

task_logger = logging.getLogger("linli.tasks")


def current_request_id() -> str:
    """The request id of the request or task running now, or ``"-"``."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give every request an id (see the module docstring); ``request.request_id`` holds it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SANE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (the current request id, or ``-``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


@before_task_publish.connect(dispatch_uid="linli-request-id-publish")
def _send_request_id(headers=None, **kwargs):
    request_id = _request_id.get()
    if headers is not None and request_id != "-":
        headers.setdefault(HEADER, request_id)


@task_prerun.connect(dispatch_uid="linli-request-id-prerun")
def _task_starts(task=None, task_id=None, **kwargs):
    if task is None:
        return
    request_id = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER)
    if request_id and not getattr(task.request, "is_eager", False):
        task.request._linli_token = _request_id.set(str(request_id))
    task.request._linli_started = time.monotonic()
    task_logger.info("task %s started", task.name, extra={"task": task.name, "task_id": task_id})


@task_postrun.connect(dispatch_uid="linli-request-id-postrun")
def _task_ends(task=None, task_id=None, state=None, **kwargs):
    if task is None:
        return
    started = getattr(task.request, "_linli_started", None)
    task_logger.info(
        "task %s %s",
        task.name,
        (state or "done").lower(),
        extra={
            "task": task.name,
            "task_id": task_id,
            "duration_ms": round((time.monotonic() - started) * 1000, 1) if started else None,
        },
    )
    token = getattr(task.request, "_linli_token", None)
    if token is not None:
        _request_id.reset(token)
        task.request._linli_token = None
