"""Deleting or saving what the database protects (a service with bookings, a provider whose
prices were booked, a resident with appointments) is a message naming what blocks it, and
nothing changes; it was a 500 (``ProtectedError``)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from bookings.models import Appointment
from marketplace.catalogue.models import Product
from marketplace.partner.models import Partner, StockRecord
from tests.factories import PASSWORD, UserFactory
from tests.fuzz.support import row_counts
from tests.support import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.cn", is_staff=True, is_superuser=True)


@pytest.fixture
def booked(book, worker):
    return book(local(2, 10))


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_deleting_a_service_with_bookings_from_the_dashboard_names_them(
    client, superuser, booked, service
):
    client.force_login(superuser)
    before = row_counts()

    response = client.post(
        f"/shop/dashboard/catalogue/products/{service.pk}/delete/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    text = _messages(response)
    assert "cannot be deleted" in text and "appointment" in text, text
    assert Product.objects.filter(pk=service.pk).exists()
    assert row_counts() == before


def test_deleting_a_provider_whose_prices_were_booked_names_the_bookings(
    client, superuser, booked, provider
):
    client.force_login(superuser)

    response = client.post(
        f"/shop/dashboard/partners/{provider.pk}/delete/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    assert "cannot be deleted" in _messages(response)
    assert Partner.objects.filter(pk=provider.pk).exists()
    assert StockRecord.objects.filter(partner=provider).exists()


def test_a_json_client_gets_409(client, superuser, booked, service):
    client.force_login(superuser)
    response = client.post(
        f"/shop/dashboard/catalogue/products/{service.pk}/delete/",
        HTTP_ACCEPT="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "appointment" in response.json()["error"]


def test_a_resident_with_appointments_deleting_their_profile_is_told_why(client, resident, booked):
    client.force_login(resident)

    response = client.post(
        "/shop/accounts/profile/delete/", {"password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    assert "cannot be deleted" in _messages(response)
    assert Appointment.objects.filter(resident=resident).exists()


def test_deleting_a_resident_in_wagtails_users_names_the_appointments(
    client, superuser, resident, booked
):
    client.force_login(superuser)

    response = client.post(f"/cms/users/delete/{resident.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code < 500
    assert type(resident).objects.filter(pk=resident.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/django-admin/catalogue/product/{service}/delete/",
        "/django-admin/partner/partner/{provider}/delete/",
        "/django-admin/marketplace/community/{community}/delete/",
        "/django-admin/bookings/worker/{worker}/delete/",
    ],
)
def test_django_admin_refuses_protected_deletes_with_its_own_page(
    client, superuser, booked, service, provider, community, worker, url
):
    client.force_login(superuser)
    url = url.format(
        service=service.pk, provider=provider.pk, community=community.pk, worker=worker.pk
    )
    before = row_counts()

    response = client.post(url, {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code < 500
    assert row_counts() == before
    assert Appointment.objects.filter(pk=booked.pk).exists()
