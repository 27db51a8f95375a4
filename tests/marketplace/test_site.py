import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from marketplace.catalogue.models import Product
from marketplace.celery import app as celery_app
from marketplace.models import Community, Enterprise, User
from marketplace.partner.models import Partner, StockRecord


def test_healthz_answers_200_with_database_and_broker(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_503_when_the_broker_is_down(client, db):
    old = celery_app.conf.broker_url, celery_app.conf.broker_write_url
    down = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    celery_app.conf.broker_url = celery_app.conf.broker_write_url = down
    try:
        response = client.get("/healthz/")
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_write_url = old
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_provider_console_requires_login(client, db):
    response = client.get("/provider/")
    assert response.status_code == 302
    assert "/shop/accounts/login/" in response["Location"]


def test_the_language_follows_accept_language(client, db):
    body = client.get("/shop/catalogue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Choose your community" in body
    body = client.get("/shop/catalogue/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh").content.decode()
    assert "选择您的小区" in body


def test_the_header_switcher_sets_the_language(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/shop/catalogue/"})
    body = client.get("/shop/catalogue/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Choose your community" in body


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    counts = [
        m.objects.count() for m in (Enterprise, Community, Partner, Product, StockRecord, User)
    ]
    call_command("seed_demo", verbosity=0)
    again = [
        m.objects.count() for m in (Enterprise, Community, Partner, Product, StockRecord, User)
    ]
    assert counts == again
    assert counts[:4] == [2, 4, 6, 18]
    assert {p.product_class.slug for p in Product.objects.all()} == {
        "eldercare",
        "childcare",
        "housekeeping",
        "express",
        "repair",
    }


def _run_check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _base_env():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "ALLOWED", "DJANGO_ALLOW_ASYNC"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings.production"
    return env


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_check_deploy(_base_env())
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_database_is_one_clear_sentence():
    env = _base_env()
    env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings.base"
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/nowhere"  # nothing listens on port 9
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("manage.py: Cannot use the database")


def test_production_passes_check_deploy():
    env = _base_env()
    env.update(
        SECRET_KEY="x" * 64 + "-linli-prod-secret-for-the-check", ALLOWED_HOSTS="linli.example"
    )
    result = _run_check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_home_page_lists_communities_after_seeding(client):
    call_command("seed_demo", verbosity=0)
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wangjing Garden" in body and "Fangchengyuan" in body
