"""Checkout of a basket of services: one order, one appointment per line, no shipping.

Oscar's flow is kept (basket → payment → preview → place order); placing the order is
``bookings.appointments.basket.basket_checkout``: the order and a held worker per line (all or
nothing), the saved card authorised as one click does, then the confirmation. A line whose
time was taken meanwhile is reported on that line and nothing is placed; a refused card
places nothing and leaves the basket as it was.
"""

from urllib.parse import urlencode

from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from oscar.apps.checkout import views
from oscar.core.loading import get_class, get_model

from bookings.appointments.basket import basket_checkout, basket_slot_problems
from bookings.appointments.hold import resolve_household
from bookings.appointments.payment import payment_plan
from bookings.exceptions import BookingError, HouseholdRequired, SlotsUnavailable

FailedPreCondition = get_class("checkout.exceptions", "FailedPreCondition")
Order = get_model("order", "Order")
UnableToPlaceOrder = get_class("order.exceptions", "UnableToPlaceOrder")


class PaymentDetailsView(views.PaymentDetailsView):
    """Oscar's payment details view: requires a household and shows slot problems."""

    pre_conditions = [*views.PaymentDetailsView.pre_conditions, "check_resident_has_household"]
    #: Set when placing the order failed: basket line pk → why (shown on the line).
    slot_problems = None

    def check_resident_has_household(self, request):
        """Pre-condition: redirects to the households page when the resident has none."""
        try:
            resolve_household(user=request.user)
        except HouseholdRequired as exc:
            url = (
                f"{reverse('bookings:households')}?{urlencode({'next': reverse('checkout:index')})}"
            )
            raise FailedPreCondition(url=url, message=str(exc)) from exc

    def generate_order_number(self, basket):
        """Oscar's number (100000 + basket id), with a suffix when the basket was checked out
        before and that order was not completed (a declined card cancels it and reopens the
        basket): a second try is a new order with its own payment."""
        number = super().generate_order_number(basket)
        tries = Order.objects.filter(Q(number=number) | Q(number__startswith=f"{number}-")).count()
        return f"{number}-{tries + 1}" if tries else number

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        household = resolve_household(user=self.request.user)
        ctx["household"] = household
        if self.slot_problems is None and self.preview:
            self.slot_problems = basket_slot_problems(
                basket=self.request.basket, household=household
            )
        ctx["slot_problems"] = self.slot_problems or {}
        # The payment that will happen: the saved card authorised now, or after the service.
        ctx["payment_plan"] = payment_plan(self.request.user)
        return ctx

    def handle_order_placement(
        self,
        order_number,
        user,
        basket,
        shipping_address,
        shipping_method,
        shipping_charge,
        billing_address,
        order_total,
        surcharges=None,
        **kwargs,
    ):
        try:
            order = basket_checkout(
                user=user,
                basket=basket,
                order_number=order_number,
                next_url=reverse("checkout:thank-you"),
            )
        except SlotsUnavailable as exc:
            self.slot_problems = exc.problems
            raise UnableToPlaceOrder(str(exc)) from exc
        except BookingError as exc:  # also PaymentRefused: nothing placed, nothing charged
            raise UnableToPlaceOrder(str(exc)) from exc
        response = self.handle_successful_order(order)
        if order.payment_action_url:
            # The bank asks for 3-D Secure; its page returns to the thank-you page.
            return redirect(order.payment_action_url)
        return response
