"""One public address (``SITE_URL``) for every absolute link: Django's site (password reset)
and Wagtail's site follow it."""

import re

import pytest
from django.contrib.sites.models import Site as DjangoSite
from django.core import mail
from wagtail.models import Site as WagtailSite

from marketplace.site_url import site_domain, site_url_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_port(settings):
    settings.SITE_URL = "http://127.0.0.1:8765"
    settings.WAGTAILADMIN_BASE_URL = settings.SITE_URL
    return settings.SITE_URL


def test_both_sites_follow_site_url(demo_port):
    from cms.services import site_tree_ensure

    site_tree_ensure()
    site_url_sync()
    assert DjangoSite.objects.get_current().domain == "127.0.0.1:8765"
    assert WagtailSite.objects.get(is_default_site=True).root_url == demo_port


def test_the_default_port_is_left_out_of_the_domain(settings):
    settings.SITE_URL = "https://linli.example.cn/"
    assert site_domain() == "linli.example.cn"


def test_the_password_reset_link_opens_on_the_configured_address(client, demo_port, resident):
    site_url_sync()
    DjangoSite.objects.clear_cache()
    response = client.post("/shop/password-reset/", {"email": resident.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(link.startswith(demo_port + "/") for link in links), links
