import oscar.apps.offer.apps as apps


class OfferConfig(apps.OfferConfig):
    """Oscar's offer app, forked so that no discount is ever applied (``applicator``).

    Linli charges only what the published fee board says (``cms.pricing``), so Oscar's
    offers and vouchers are not sold: the app stays installed because Oscar's basket, order
    and voucher models depend on its tables, but it applies nothing, serves no pages
    (``/shop/offers/``) and is not in Django's admin (no ``admin.py``).
    """

    name = "marketplace.offer"

    def get_urls(self):
        return self.post_process_urls([])
