"""My packages: balance, validity and history; only mine."""

import pytest
from django.urls import reverse

from bookings.packages.ledger import package_draw

pytestmark = pytest.mark.django_db


def test_my_packages_show_balance_and_history_only_mine(client, resident, other_resident, package):
    package_draw(package_id=package.pk)
    client.force_login(resident)
    page = client.get(reverse("bookings:package-list"))
    assert page.status_code == 200
    assert list(page.context["packages"]) == [package]
    assert "2" in page.content.decode() and package.name in page.content.decode()
    client.force_login(other_resident)
    assert list(client.get(reverse("bookings:package-list")).context["packages"]) == []
