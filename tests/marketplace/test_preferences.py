"""Display preferences: elder mode (per browser and per user) and the profile's language."""

import pytest
from django.conf import settings

from marketplace.preferences import ELDER_COOKIE

pytestmark = pytest.mark.django_db


def _html_class(response) -> str:
    html = response.content.decode()
    start = html.index("<html")
    return html[start : html.index(">", start)]


def test_elder_mode_is_kept_for_an_anonymous_browser(client):
    response = client.post("/elder-mode/", {"elder": "1", "next": "/shop/catalogue/"})
    assert response.status_code == 302 and response["Location"] == "/shop/catalogue/"
    assert client.cookies[ELDER_COOKIE].value == "1"
    assert "linli-elder" in _html_class(client.get("/shop/catalogue/"))
    client.post("/elder-mode/", {"elder": "0"})
    assert "linli-elder" not in _html_class(client.get("/shop/catalogue/"))


def test_elder_mode_follows_the_user_to_another_browser(client, resident):
    client.force_login(resident)
    client.post("/elder-mode/", {"elder": "1"})
    resident.refresh_from_db()
    assert resident.elder_mode is True
    client.cookies.clear()  # another phone: no cookie, the profile decides
    client.force_login(resident)
    assert "linli-elder" in _html_class(client.get("/shop/accounts/appointments/"))


@pytest.mark.parametrize("value", ["", "2", "yes"])
def test_a_bad_elder_value_is_refused_and_nothing_changes(client, resident, value):
    client.force_login(resident)
    response = client.post("/elder-mode/", {"elder": value})
    assert response.status_code == 400
    resident.refresh_from_db()
    assert resident.elder_mode is False and ELDER_COOKIE not in client.cookies


def test_an_open_redirect_is_not_followed(client):
    response = client.post("/elder-mode/", {"elder": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_profile_language_is_honoured_on_a_browser_that_never_chose(client, resident):
    resident.language = "en"
    resident.save()
    client.force_login(resident)
    page = client.get("/shop/accounts/appointments/").content.decode()
    assert "My appointments" in page and "我的预约" not in page


def test_the_language_switch_saves_the_profile_language(client, resident):
    client.force_login(resident)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "en"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_an_unknown_language_is_refused(client, resident):
    client.force_login(resident)
    assert client.post("/i18n/setlang/", {"language": "fr"}).status_code == 400
    resident.refresh_from_db()
    assert resident.language == "zh-hans"


def test_the_preferences_page_saves_both(client, resident):
    client.force_login(resident)
    assert client.get("/shop/accounts/preferences/").status_code == 200
    response = client.post(
        "/shop/accounts/preferences/", {"language": "en", "elder_mode": "on"}, follow=True
    )
    resident.refresh_from_db()
    assert (resident.language, resident.elder_mode) == ("en", True)
    assert "Your preferences are saved." in response.content.decode()
    assert client.post("/shop/accounts/preferences/", {"language": "xx"}).status_code == 400


def test_workers_land_on_the_console_and_residents_on_their_account(client, worker, resident):
    client.force_login(worker.user)
    assert client.get("/shop/accounts/start/")["Location"] == "/provider/"
    client.force_login(resident)
    assert client.get("/shop/accounts/start/")["Location"] == "/shop/accounts/"


def test_the_console_has_no_resident_community_picker(client, worker):
    client.force_login(worker.user)
    page = client.get("/provider/").content.decode()
    assert 'id="community-select"' not in page
    assert 'id="community-select"' in client.get("/shop/catalogue/").content.decode()


def test_the_catalogue_finds_a_service_by_a_word_of_its_name_in_either_language(
    client, service, community
):
    client.post("/community/", {"community": community.pk})
    assert service.get_title() in client.get("/shop/catalogue/", {"q": "保洁"}).content.decode()
    found = client.get("/shop/catalogue/", {"q": "cleaning"}).content.decode()
    assert "日常保洁" in found
    assert "日常保洁" not in client.get("/shop/catalogue/", {"q": "托育"}).content.decode()


def test_a_district_is_shown_in_the_page_language(client, community, english):
    community.district, community.district_en = "朝阳区", "Chaoyang District"
    community.save()
    page = client.get("/shop/catalogue/").content.decode()
    assert "Chaoyang District" in page and "朝阳区" not in page
