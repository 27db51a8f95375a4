"""``{% onload_script %}…{% endonload_script %}``: the page's jQuery "on load" code as an inline
script with the request's CSP nonce, or nothing at all when the page adds nothing of its own.

Oscar's templates collect their start-up code in ``{% block onbodyload %}``; every page has
``oscar.init();`` (and the catalogue ``oscar.search.init();``), which ``linli/behaviours.js``
now runs from a static file. A page whose block holds only those calls renders no inline
script, so it uses no nonce, and django-csp then sends none: the anonymous catalogue and board
stay the same for every visitor and can be stored whole (``marketplace.page_cache``).
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html

register = template.Library()

#: The calls ``linli/behaviours.js`` makes on every page (a page's block may still list them).
STATIC_CALLS = re.compile(r"\boscar\.(?:search\.)?init\(\);?")


class OnloadScriptNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        code = STATIC_CALLS.sub("", self.nodelist.render(context)).strip()
        if not code:
            return ""
        request = context.get("request")
        nonce = getattr(request, "csp_nonce", "") if request is not None else ""
        # ``code`` is template source (the pages' own blocks), not user input.
        return format_html('<script nonce="{}">$(function() {{ {} }});</script>', nonce, _Raw(code))


class _Raw(str):
    """Already-rendered template output: ``format_html`` must not escape it."""

    def __html__(self):
        return str(self)


@register.tag
def onload_script(parser, token):
    """``{% onload_script %}{% block onbodyload %}{% endblock %}{% endonload_script %}``."""
    nodelist = parser.parse(("endonload_script",))
    parser.delete_first_token()
    return OnloadScriptNode(nodelist)
