import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    """Oscar's partner app, forked (``marketplace.partner``)."""

    name = "marketplace.partner"
