"""Chinese mobile phone numbers: 11 digits starting 13–19, optionally written with +86."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_cn_mobile(value: str) -> str:
    """Strip spaces, dashes and a leading +86/0086 country code."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits


def validate_cn_mobile(value: str) -> None:
    """Raises ``ValidationError`` (code ``invalid_cn_mobile``) unless a mainland China mobile."""
    if not _CN_MOBILE.match(normalize_cn_mobile(value)):
        raise ValidationError(
            _("Enter a valid mainland China mobile number, e.g. 138 0013 8000."),
            code="invalid_cn_mobile",
        )
