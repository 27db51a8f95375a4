"""Checkout of a basket of services: one order, one appointment per line, no shipping.

Oscar's flow is kept (basket → payment → preview → place order); placing the order is
``bookings.appointments.basket.basket_checkout_hold`` (the order and a held worker per line, all or
nothing) followed by ``order_confirm``. A line whose time was taken meanwhile is reported on
that line and nothing is placed.
"""

from urllib.parse import urlencode

from django.urls import reverse
from oscar.apps.checkout import views
from oscar.core.loading import get_class

from bookings.appointments.basket import basket_checkout_hold, basket_slot_problems, order_confirm
from bookings.appointments.hold import resolve_household
from bookings.exceptions import BookingError, HouseholdRequired, SlotsUnavailable

FailedPreCondition = get_class("checkout.exceptions", "FailedPreCondition")
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

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        household = resolve_household(user=self.request.user)
        ctx["household"] = household
        if self.slot_problems is None and self.preview:
            self.slot_problems = basket_slot_problems(
                basket=self.request.basket, household=household
            )
        ctx["slot_problems"] = self.slot_problems or {}
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
            order = basket_checkout_hold(
                user=user, basket=basket, household=None, order_number=order_number
            )
        except SlotsUnavailable as exc:
            self.slot_problems = exc.problems
            raise UnableToPlaceOrder(str(exc)) from exc
        except BookingError as exc:
            raise UnableToPlaceOrder(str(exc)) from exc
        # --- payment seam: the hold has committed and no lock is held (see
        # bookings.appointments.one_click.appointment_book). Until the payments app, pay after the service.
        order_confirm(order=order, by=user)
        return self.handle_successful_order(order)
