"""Response headers that protect every page: Content-Security-Policy and Permissions-Policy.

The policy itself is ``CONTENT_SECURITY_POLICY`` in settings (django-csp); this module only
adapts it to the request:

* Stripe's API base (``STRIPE_API_BASE``: localstripe in the demo and the tests) serves the
  stand-in Stripe.js and answers its calls, so its origin joins the Stripe directives;
* under ``LINLI_CSP_ADMIN_PREFIXES`` (Wagtail's and Django's admin, whose templates carry inline
  scripts without a nonce) inline scripts are allowed and no nonce is sent, since a nonce in
  the header would make browsers ignore ``'unsafe-inline'``.

A template's inline script carries the request's nonce: ``<script nonce="{{ request.csp_nonce }}">``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.constants import NONCE, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

#: Directives that must also name localstripe's origin when the API base points at it.
_STRIPE_DIRECTIVES = ("script-src", "connect-src", "frame-src", "form-action", "img-src")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with Linli's per-request adjustments, plus Permissions-Policy."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        update = dict(parts.update or {})
        stripe_origin = _origin(settings.STRIPE_API_BASE)
        if stripe_origin:
            for directive in _STRIPE_DIRECTIVES:
                update[directive] = [*update.get(directive, []), stripe_origin]
        if request.path_info.startswith(tuple(settings.LINLI_CSP_ADMIN_PREFIXES)):
            directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
            # No nonce and no hash: either would make browsers ignore 'unsafe-inline'.
            scripts = [
                s
                for s in directives["script-src"]
                if s is not NONCE and s != "'unsafe-hashes'" and not str(s).startswith("'sha")
            ]
            parts.replace = {**(parts.replace or {}), "script-src": [*scripts, UNSAFE_INLINE]}
            parts.nonce = None
        parts.update = update or None
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if settings.PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
