"""After logging in (no ``next``), each person lands where their work is, and the console never
shows the residents' community picker."""

import pytest
from django.contrib.auth.models import Permission

pytestmark = pytest.mark.django_db

LANDING = "/shop/accounts/start/"


@pytest.fixture
def board_editor(enterprise_editor):
    """An enterprise's fee-board editor, who may use Wagtail's admin (as the demo's editors)."""
    enterprise_editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return enterprise_editor


@pytest.mark.parametrize(
    "who,lands",
    [
        ("worker", "/provider/"),
        ("provider_manager", "/provider/"),
        ("board_editor", "/cms/"),
        ("resident", "/shop/accounts/"),
    ],
)
def test_each_person_lands_where_their_work_is(client, request, who, lands):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get(LANDING)["Location"] == lands


@pytest.mark.parametrize("who", ["worker", "provider_manager"])
def test_no_console_page_shows_the_residents_community_picker(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    for path in (
        "/provider/",
        "/provider/hours/",
        "/provider/ratings/",
        "/provider/repairs/",
        "/provider/dispatch/",
    ):
        response = client.get(path)
        if response.status_code == 200:
            assert 'id="community-select"' not in response.content.decode(), path
