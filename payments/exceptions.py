"""Payment failures in Oscar's language, with messages a resident can act on."""

from django.utils.translation import gettext_lazy as _
from oscar.apps.payment.exceptions import PaymentError, UnableToTakePayment


class CardDeclined(UnableToTakePayment):
    """The bank said no. Nothing was charged and nothing is held on the card."""

    default_message = _("Your card was declined. Nothing was charged. Please use another card.")

    def __init__(self, message=None):
        super().__init__(str(message or self.default_message))


class NoSavedCard(UnableToTakePayment):
    """The resident has no saved card (or named a card that is not theirs): nothing was tried."""

    def __init__(self, message=None):
        super().__init__(str(message or _("Add a card in your account before booking.")))


class PaymentInProgress(PaymentError):
    """The same payment is already being taken (double click, retried task): do not undo it."""

    def __init__(self, message=None):
        super().__init__(str(message or _("This payment is already being processed.")))


class PaymentServiceUnavailable(PaymentError):
    """Stripe could not be reached or answered with an error; the outcome may be unknown.

    When Stripe may have acted, our claim is left in place and ``payments_reconcile`` settles it.
    """

    def __init__(self, message=None):
        super().__init__(
            str(
                message
                or _(
                    "The payment service could not be reached. Nothing was charged; please try again."
                )
            )
        )


class InvalidPaymentOperation(PaymentError):
    """Not allowed in the payment's state, or refused by Stripe; ``message`` says why."""

    def __init__(self, message):
        super().__init__(str(message))
