import oscar.apps.checkout.apps as apps


class CheckoutConfig(apps.CheckoutConfig):
    """Oscar's checkout app, forked (``marketplace.checkout``)."""

    name = "marketplace.checkout"
