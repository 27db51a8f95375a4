"""The demo runs with DEBUG off, so a wrong address shows the site's own 404 page in the page's
language, and a server error its own 500 page, never Django's yellow debug page."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_debug_is_off_unless_asked_for():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings.base"
    shown = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings; "
                "print(settings.DEBUG)",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert shown == "False"


@pytest.mark.parametrize(
    "language,title", [("zh-hans", "找不到这个页面"), ("en", "Page not found")]
)
def test_a_wrong_address_shows_the_sites_own_404_page(client, language, title):
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert title in page and 'href="/shop/catalogue/"' in page
    assert "technical_404" not in page and "DEBUG = True" not in page


def test_a_server_error_shows_the_sites_own_500_page():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务暂时出错" in page and "Something went wrong" in page
    assert "Traceback" not in page
