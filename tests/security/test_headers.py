"""Content-Security-Policy (with nonces) and Permissions-Policy on every page."""

import re

import pytest


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_a_shop_page_has_a_nonce_policy_and_its_inline_script_carries_the_nonce(client, db):
    # The basket has start-up code of its own (Oscar's ``oscar.basket.init``): an inline script.
    response = client.get("/shop/basket/")
    assert response.status_code == 200
    csp = _csp(response)
    nonces = [s for s in csp["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1
    assert "'unsafe-inline'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    nonce = nonces[0][len("'nonce-") : -1]
    body = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body)
    assert inline, "the page has its inline script"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert not re.search(r"\son(change|click|submit)=", body)


def test_every_response_has_a_permissions_policy(client, db):
    response = client.get("/healthz/")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_two_requests_get_two_nonces(client, db):
    first = _csp(client.get("/shop/basket/"))["script-src"]
    second = _csp(client.get("/shop/basket/"))["script-src"]
    assert first != second


def test_a_shared_page_has_no_inline_script_and_no_nonce(client, db):
    """The anonymous catalogue runs Oscar's start-up from ``linli/behaviours.js``: no inline
    script, so no nonce, so one stored copy can serve every visitor (marketplace.page_cache);
    inline scripts stay refused."""
    response = client.get("/shop/catalogue/")
    assert response.status_code == 200
    script_src = _csp(response)["script-src"]
    assert not [s for s in script_src if s.startswith("'nonce-")]
    assert "'unsafe-inline'" not in script_src
    body = response.content.decode()
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert "linli/behaviours.js" in body


def test_stripe_and_localstripe_origins_are_allowed(client, db, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    csp = _csp(client.get("/shop/catalogue/"))
    for directive in ("script-src", "connect-src", "frame-src"):
        assert "http://127.0.0.1:8420" in csp[directive]
    assert "https://js.stripe.com" in csp["script-src"]


@pytest.mark.parametrize("path", ["/cms/login/", "/django-admin/login/"])
def test_the_admins_may_run_their_inline_scripts_but_nothing_foreign(client, db, path):
    csp = _csp(client.get(path))
    assert "'unsafe-inline'" in csp["script-src"]
    # A nonce or a hash would make browsers ignore 'unsafe-inline'.
    assert not any(s.startswith(("'nonce-", "'sha")) for s in csp["script-src"])
    assert csp["object-src"] == ["'none'"]
