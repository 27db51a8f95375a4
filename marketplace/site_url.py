"""One public address for every absolute link: ``SITE_URL``, kept in step with Django's ``Site``
(password-reset and Oscar emails read its domain) and Wagtail's default ``Site`` (page URLs,
workflow emails via ``WAGTAILADMIN_BASE_URL``).

``site_url_sync()`` writes ``SITE_URL``'s host and port into both; it runs after every
``migrate`` (``post_migrate``, connected in ``MarketplaceConfig.ready``) and from
``manage.py site_url_sync``; ``make demo`` sets ``SITE_URL`` from ``LINLI_PORT`` first.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_address() -> tuple[str, str, int]:
    """``(scheme, hostname, port)`` of ``SITE_URL`` (port 80/443 when it names none)."""
    parts = urlsplit(settings.SITE_URL)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme or "http", parts.hostname or "localhost", port


def site_domain() -> str:
    """``host`` or ``host:port`` (a port only when it is not the scheme's own): Django's
    ``Site.domain``, as password-reset links use it."""
    scheme, host, port = site_address()
    default = 443 if scheme == "https" else 80
    return host if port == default else f"{host}:{port}"


def site_url_sync() -> None:
    """Make Django's current ``Site`` and Wagtail's default ``Site`` name ``SITE_URL``'s host
    and port (creating Django's if missing; Wagtail's only once the page tree exists)."""
    from django.contrib.sites.models import Site as DjangoSite
    from wagtail.models import Site as WagtailSite

    domain = site_domain()
    DjangoSite.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Linli 邻里"}
    )
    _, host, port = site_address()
    site = WagtailSite.objects.filter(is_default_site=True).first()
    if site is not None and (site.hostname, site.port) != (host, port):
        site.hostname, site.port = host, port
        site.save()


def site_url_sync_after_migrate(sender, **kwargs) -> None:
    """``post_migrate`` receiver: keep both sites in step with ``SITE_URL``."""
    from django.db import DEFAULT_DB_ALIAS

    if kwargs.get("using", DEFAULT_DB_ALIAS) == DEFAULT_DB_ALIAS:
        site_url_sync()
