"""Oscar's offer Applicator, forked to apply no offer at all.

The rule (2020 national notice on residential property management §19): an enterprise "shall
not charge fees other than those publicised", and in Linli a price can be charged only if it
is on the community's published fee board (``cms.pricing``). Oscar's offers and vouchers
(site offers, voucher codes, session and user offers) would make a basket charge less than
the board, and what is charged would differ by path (one click writes no discounts). So
discounts are not part of the product: Oscar's basket middleware, basket views and checkout
ask this class (``get_class("offer.applicator", "Applicator")``) and always get an empty set
of offer applications; the checkout's price gate (``bookings.appointments.quote.check_charges``)
refuses any line or total off the board should a discount ever reach an order anyway.
"""

from oscar.apps.offer.applicator import Applicator as OscarApplicator


class Applicator(OscarApplicator):
    """Finds no offers: every basket line is charged its fee-board price."""

    def get_offers(self, basket, user=None, request=None) -> list:
        """No offers apply, whatever the dashboard, a voucher or the session says."""
        return []
