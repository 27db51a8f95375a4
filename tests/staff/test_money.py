"""Who may see and refund card payments: only inside one's own enterprise, refunds only with
``payments.refund_payment``, each recorded with who and why."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from marketplace.models import User
from payments.models import PaymentIntentRecord, Refund
from payments.services import payment_authorise, payment_capture
from tests.payments.conftest import save_card
from tests.staff.conftest import order_in

pytestmark = pytest.mark.django_db


def _captured(world, key, amount="120.00"):
    """A real payment at localstripe: the resident's card authorised and captured."""
    resident = world[key]["resident"]
    save_card(resident)
    order = order_in(world[key]["community"], resident, price=amount)
    intent = payment_authorise(
        order=order, user=resident, amount=Decimal(amount), idempotency_key=f"k-{order.number}"
    )
    return payment_capture(intent=intent)


def _refund_form(intent, key="staff-form-1", amount="30.00", reason="late arrival"):
    return {"amount": amount, "reason": reason, "key": key}


def test_the_list_shows_only_the_operators_own_enterprise(client, roles, payments_of_each):
    client.force_login(roles["operator"])
    page = client.get("/shop/dashboard/payments/").content.decode()
    assert payments_of_each["a"].order.number in page
    assert payments_of_each["b"].order.number not in page

    client.force_login(roles["operator_b"])
    page = client.get("/shop/dashboard/payments/").content.decode()
    assert payments_of_each["b"].order.number in page
    assert payments_of_each["a"].order.number not in page

    client.force_login(roles["superuser"])
    page = client.get("/shop/dashboard/payments/").content.decode()
    assert payments_of_each["a"].order.number in page
    assert payments_of_each["b"].order.number in page


def test_another_enterprises_payment_is_not_found(client, roles, payments_of_each):
    client.force_login(roles["operator_b"])
    assert client.get(f"/shop/dashboard/payments/{payments_of_each['a'].pk}/").status_code == 404
    assert client.get(f"/shop/dashboard/payments/{payments_of_each['b'].pk}/").status_code == 200


def test_editor2_cannot_list_or_refund_another_enterprises_payment(
    localstripe, client, world, roles
):
    """The issue's example: Jinghua's editor, list and refund POST on Anju's resident."""
    intent = _captured(world, "a")
    client.force_login(roles["editor_b"])

    assert client.get("/shop/dashboard/payments/").status_code == 403
    response = client.post(f"/shop/dashboard/payments/{intent.pk}/", _refund_form(intent))

    assert response.status_code == 403
    intent.refresh_from_db()
    assert intent.amount_refunded == 0 and not Refund.objects.exists()


def test_another_enterprises_operator_cannot_refund_either(localstripe, client, world, roles):
    intent = _captured(world, "a")
    client.force_login(roles["operator_b"])

    response = client.post(f"/shop/dashboard/payments/{intent.pk}/", _refund_form(intent))

    assert response.status_code == 404
    intent.refresh_from_db()
    assert intent.amount_refunded == 0 and not Refund.objects.exists()


def test_seeing_payments_is_not_enough_to_refund_one(localstripe, client, world, roles):
    intent = _captured(world, "a")
    client.force_login(roles["payment_viewer"])

    page = client.get(f"/shop/dashboard/payments/{intent.pk}/")
    assert page.status_code == 200 and 'name="reason"' not in page.content.decode()
    response = client.post(f"/shop/dashboard/payments/{intent.pk}/", _refund_form(intent))

    assert response.status_code == 403
    assert not Refund.objects.exists()


def test_the_operator_refunds_with_a_reason_recorded_with_them(localstripe, client, world, roles):
    intent = _captured(world, "a")
    client.force_login(roles["operator"])

    client.post(f"/shop/dashboard/payments/{intent.pk}/", _refund_form(intent))
    client.post(f"/shop/dashboard/payments/{intent.pk}/", _refund_form(intent))  # double click

    intent.refresh_from_db()
    assert intent.amount_refunded == Decimal("30.00")
    refund = intent.refunds.get()
    assert (refund.created_by, refund.reason) == (roles["operator"], "late arrival")
    page = client.get(f"/shop/dashboard/payments/{intent.pk}/").content.decode()
    assert "late arrival" in page and roles["operator"].get_full_name() in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_refund_without_a_reason_is_refused(localstripe, client, world, roles, reason):
    intent = _captured(world, "a")
    client.force_login(roles["operator"])

    response = client.post(
        f"/shop/dashboard/payments/{intent.pk}/", _refund_form(intent, reason=reason)
    )

    assert response.status_code == 200 and "reason" in response.context["form"].errors
    intent.refresh_from_db()
    assert intent.amount_refunded == 0 and not Refund.objects.exists()


def test_the_database_refuses_a_staff_refund_without_a_reason(roles, payments_of_each):
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.create(
            intent=payments_of_each["a"],
            amount=Decimal("1"),
            idempotency_key="no-reason",
            created_by=roles["operator"],
        )


def test_the_admin_has_no_refund_action_without_a_reason(client, roles, payments_of_each):
    """The Django admin's old "refund what is left" action refunded with no reason given."""
    client.force_login(roles["superuser"])
    response = client.post(
        "/django-admin/payments/paymentintentrecord/",
        {"action": "refund_remaining", "_selected_action": [payments_of_each["a"].pk]},
    )
    assert response.status_code in (200, 302)
    assert not Refund.objects.exists()
    assert PaymentIntentRecord.objects.get(pk=payments_of_each["a"].pk).amount_refunded == 0


def test_the_dashboard_index_is_not_shown_to_enterprise_staff(client, roles, payments_of_each):
    """The issue's second example: platform-wide order counts and revenue."""
    for role in ("editor_b", "editor_a", "enterprise_manager", "operator", "bare_staff"):
        client.force_login(roles[role])
        assert client.get("/shop/dashboard/").status_code == 403, role
    client.force_login(roles["superuser"])
    assert client.get("/shop/dashboard/").status_code == 200


def test_the_demo_roles_are_as_the_readme_says(client, settings):
    """The seed's people: every login in the README's table exists, enterprise staff are not
    platform staff, and editor2 neither lists nor refunds payments."""
    call_command("seed_demo", verbosity=0)
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("### Demo logins", 1)[1].split("\n### ", 1)[0]
    rows = [line.split("|")[2] for line in section.splitlines() if line.startswith("| ")]
    emails = [cell.strip().strip("`") for cell in rows if "@" in cell]
    assert len(emails) >= 9 and "operator@linli.demo" in emails
    assert set(emails) <= set(User.objects.values_list("email", flat=True))

    editor2 = User.objects.get(email="editor2@linli.demo")
    operator = User.objects.get(email="operator@linli.demo")
    assert not editor2.is_staff and not User.objects.get(email="emanager@linli.demo").is_staff
    assert operator.has_perm("payments.refund_payment") and not operator.is_staff
    client.force_login(editor2)
    assert client.get("/shop/dashboard/").status_code == 403
    assert client.get("/shop/dashboard/payments/").status_code == 403
    assert client.get("/cms/").status_code == 200
    client.force_login(operator)
    assert client.get("/shop/dashboard/payments/").status_code == 200
