"""Turn bad configuration into one clear sentence instead of a traceback."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db.utils import OperationalError


def explain(exc: BaseException) -> str | None:
    """A one-sentence explanation for configuration errors we know, else None."""
    if isinstance(exc, ImproperlyConfigured):
        return f"Configuration error: {exc}"
    if isinstance(exc, OperationalError):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return (
            f"Cannot use the database (check DATABASE_URL and that the server is running): {first}"
        )
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 98:
        return f"The port is already in use: {exc.strerror}. Stop the other server or pick another port."
    return None


@contextmanager
def clear_errors(prog: str = "linli"):
    """Context manager: an error ``explain`` knows ends the program with one sentence (exit 2)."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - we re-raise anything we cannot explain
        sentence = explain(exc)
        if sentence is None:
            raise
        print(f"{prog}: {sentence}", file=sys.stderr)
        raise SystemExit(2) from None
