"""TEMPORARY re-exports at an old path, for files outside bookings-core not yet moved (the
console and residents pages, checkout, settings, the bench). The lead deletes this module at the
merge, after rewriting those imports from MOVES.txt. Nothing in bookings-core imports it."""

from bookings.appointments.basket import (
    basket_add_service,
    basket_checkout_hold,
    basket_slot_problems,
    order_confirm,
)

__all__ = ["basket_add_service", "basket_checkout_hold", "basket_slot_problems", "order_confirm"]
