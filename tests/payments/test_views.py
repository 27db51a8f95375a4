"""The cards page, 3-D Secure return, staff refunds: who may do what, and what they see."""

from decimal import Decimal

import pytest
import requests
from django.core.management import call_command

from marketplace.staff import payment_operator_grant
from payments.models import PaymentIntentRecord, SavedCard
from payments.services import payment_authorise, payment_capture
from tests.factories import UserFactory
from tests.payments.conftest import NEEDS_3DS, make_order, save_card

pytestmark = pytest.mark.django_db


def test_the_cards_page_lists_the_residents_cards_only(
    localstripe, client, resident, other_resident, visa
):
    save_card(other_resident, "5555555555554444")
    client.force_login(resident)

    page = client.get("/shop/accounts/cards/", HTTP_ACCEPT_LANGUAGE="en")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Visa ••••&nbsp;4242" in text and "4444" not in text
    assert f"{localstripe}/js.stripe.com/v3/" in text


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/shop/accounts/cards/")
    assert response.status_code == 302 and "/shop/accounts/login/" in response["Location"]


def test_a_resident_cannot_touch_another_residents_card(
    localstripe, client, resident, other_resident, visa
):
    client.force_login(other_resident)

    assert client.post(f"/shop/accounts/cards/{visa.pk}/remove/").status_code == 404
    assert client.post(f"/shop/accounts/cards/{visa.pk}/default/").status_code == 404
    assert SavedCard.objects.filter(pk=visa.pk).exists()


def test_the_setup_endpoint_gives_a_client_secret_and_add_rejects_a_foreign_setup(
    localstripe, client, resident, other_resident
):
    client.force_login(other_resident)
    foreign = client.post("/shop/accounts/cards/setup/").json()["client_secret"]
    client.force_login(resident)

    response = client.post(
        "/shop/accounts/cards/add/", {"setup_intent": foreign.split("_secret_")[0]}, follow=True
    )

    assert response.status_code == 200
    assert not SavedCard.objects.exists()


def test_the_resident_returns_from_3d_secure_and_sees_the_amount_authorised(
    localstripe, client, resident
):
    save_card(resident, NEEDS_3DS)
    intent = payment_authorise(
        order=make_order(resident), user=resident, amount=Decimal("120"), idempotency_key="k"
    )
    client.force_login(resident)
    assert (
        client.get(f"/payments/{intent.pk}/authenticate/?next=/shop/accounts/").status_code == 200
    )
    requests.post(
        f"{localstripe}/v1/payment_intents/{intent.stripe_id}/_authenticate?success=true",
        json={"key": "pk_test_linli_localstripe", "client_secret": intent.client_secret},
        timeout=5,
    )

    response = client.post(
        f"/payments/{intent.pk}/authenticate/",
        {"next": "/shop/accounts/"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302 and response["Location"] == "/shop/accounts/"
    intent.refresh_from_db()
    assert intent.status == PaymentIntentRecord.Status.AUTHORISED
    client.force_login(UserFactory())
    assert client.get(f"/payments/{intent.pk}/authenticate/").status_code == 404


def test_staff_refund_part_of_a_captured_payment(localstripe, client, resident, visa):
    intent = payment_capture(
        intent=payment_authorise(
            order=make_order(resident), user=resident, amount=Decimal("120"), idempotency_key="k"
        )
    )
    client.force_login(resident)
    assert client.get(f"/shop/dashboard/payments/{intent.pk}/").status_code == 403
    client.force_login(UserFactory(is_staff=True))  # staff, but no payments permission
    assert client.get("/shop/dashboard/payments/").status_code == 403
    staff = UserFactory(is_staff=True)  # platform staff: every enterprise's payments
    payment_operator_grant(user=staff)
    client.force_login(staff)
    assert client.get("/shop/dashboard/payments/").status_code == 200

    form = {"amount": "30.00", "reason": "late arrival", "key": "staff-k-1"}
    client.post(f"/shop/dashboard/payments/{intent.pk}/", form)
    client.post(f"/shop/dashboard/payments/{intent.pk}/", form)  # double click

    intent.refresh_from_db()
    assert intent.amount_refunded == Decimal("30.00")
    assert intent.refunds.get().created_by == staff


def test_the_reconcile_command_runs(localstripe, capsys):
    call_command("reconcile_payments")
    assert "reconciled 0 payment(s)" in capsys.readouterr().out
