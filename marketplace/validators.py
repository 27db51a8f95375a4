"""Telephone numbers: mainland China mobiles (one canonical form) and the board's landlines.

Mobiles (a user's, a household's contact) are stored in one canonical form: the 11 ASCII
digits of the national number (``13800138000``), whatever was typed:

* NFKC first, so a Chinese IME's full-width ``１３８００１３８０００`` (or a mix, ``13８００…``),
  its full-width space, plus and hyphen read as ASCII;
* spaces, dashes (ASCII, full-width and the Unicode hyphens and dashes), dots and parentheses
  dropped;
* a country code ``+86``, ``0086`` or ``86`` in front of 11 digits dropped.

The 11-digit form (not E.164's ``+8613800138000``) is what Linli has always stored and what the
SMS channel and the residents' pages expect; only mainland mobiles are accepted, so the country
code carries nothing.

Landlines and service numbers on the fee board (``010-12345678``, ``400-810-8888``, ``12345``)
are kept as written, for people to read and dial, but in ASCII (``normalize_phone_text``).
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CN_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
# After NFKC: whitespace, ASCII hyphen-minus, the Unicode hyphens and dashes (U+2010-U+2015),
# the minus sign, dots and parentheses.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.()]")
_COUNTRY_CODES = ("+86", "0086", "86")


def normalize_phone_text(value: str) -> str:
    """A telephone as written, in ASCII: NFKC (full-width digits, ``＋``, ``－`` and the
    ideographic space become ASCII), runs of whitespace made one space, ends stripped."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def normalize_cn_mobile(value: str) -> str:
    """The canonical form of a mainland mobile: NFKC, separators dropped, a leading
    +86/0086/86 country code dropped (``"+86 138-0013-8000"`` → ``"13800138000"``).

    Returns the cleaned text even when it is not a valid mobile (``validate_cn_mobile``
    decides); ``""`` for ``None`` or blank."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))
    for prefix in _COUNTRY_CODES:
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits


def validate_cn_mobile(value: str) -> None:
    """Raises ``ValidationError`` (code ``invalid_cn_mobile``) unless ``value`` is, once
    normalised (``normalize_cn_mobile``), a mainland China mobile: 11 digits, 13-19 first."""
    if not _CN_MOBILE.match(normalize_cn_mobile(value)):
        raise ValidationError(
            _("Enter a valid mainland China mobile number, e.g. 138 0013 8000."),
            code="invalid_cn_mobile",
        )
