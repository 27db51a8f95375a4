"""Full paths: this module is included at the site root before Oscar's ``shop/``."""

from django.urls import path, reverse
from django.utils.http import urlencode

from payments import views

app_name = "payments"
urlpatterns = [
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("payments/<int:pk>/authenticate/", views.intent_authenticate, name="authenticate"),
    path("shop/accounts/cards/", views.card_list, name="cards"),
    path("shop/accounts/cards/setup/", views.card_setup, name="card-setup"),
    path("shop/accounts/cards/add/", views.card_add, name="card-add"),
    path("shop/accounts/cards/<int:pk>/default/", views.card_make_default, name="card-default"),
    path("shop/accounts/cards/<int:pk>/remove/", views.card_delete, name="card-remove"),
    path("shop/dashboard/payments/", views.staff_payment_list, name="staff-payments"),
    path("shop/dashboard/payments/<int:pk>/", views.staff_payment_detail, name="staff-payment"),
]


def intent_action_url(intent, next_url: str = "") -> str:
    """Where to send the browser when an intent ``requires_action`` (3-D Secure).

    The path of the authentication page of ``intent`` (a ``PaymentIntentRecord``), with
    ``?next=<next_url>`` when given.
    """
    url = reverse("payments:authenticate", args=[intent.pk])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
