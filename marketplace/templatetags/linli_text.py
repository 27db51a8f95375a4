"""Punctuation that belongs to the page's language.

``{% trans "Refunds" %}{% colon %}{{ value }}``: a label's colon is part of its language, so a
template that joins a translated label to a value writes the full-width ``：`` on a Chinese page
and ``": "`` on an English one, never an ASCII colon in Chinese text.
"""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def colon() -> str:
    """The label colon of the active language: ``"："`` for Chinese, ``": "`` otherwise."""
    return "：" if (get_language() or "").lower().startswith("zh") else ": "
