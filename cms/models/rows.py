"""The rows of a fee board's inline sections: charging items, staff, maintenance units,
statements of the common parts and uses of the maintenance fund.

Each is an ``Orderable`` on a ``ParentalKey`` to the board, so a board's rows travel inside its
revisions (reviewed and published with it).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable

from cms.models.fee_board import FeeBoardPage
from marketplace.models import bilingual
from marketplace.validators import normalize_phone_text


class FeeItem(Orderable):
    """A charging item and its standard (收费项目及标准)."""

    class Kind(models.TextChoices):
        PROPERTY = "property", _("Property service fee")
        PARKING = "parking", _("Parking")
        OTHER = "other", _("Other")

    class Basis(models.TextChoices):
        GOVERNMENT = "government", _("Government-guided price")
        MARKET = "market", _("Market-regulated price")

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="fee_items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PROPERTY)
    name = models.CharField(_("item"), max_length=200)
    name_en = models.CharField(_("item (English)"), max_length=200, blank=True)
    building_type = models.CharField(
        _("building type"), max_length=100, blank=True, help_text=_("For example 高层住宅.")
    )
    building_type_en = models.CharField(_("building type (English)"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2)
    unit = models.CharField(
        pgettext_lazy("price unit", "unit"), max_length=50, help_text=_("For example 元/㎡·月.")
    )
    unit_en = models.CharField(_("unit (English)"), max_length=50, blank=True)
    basis = models.CharField(_("pricing basis"), max_length=20, choices=Basis.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("basis")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("building_type"), FieldPanel("building_type_en")]),
        FieldRowPanel([FieldPanel("amount"), FieldPanel("unit"), FieldPanel("unit_en")]),
        FieldRowPanel([FieldPanel("note"), FieldPanel("note_en")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("charging item")

    @property
    def display_name(self) -> str:
        """The item's name in the active language."""
        return bilingual(self.name, self.name_en)

    @property
    def display_building_type(self) -> str:
        """The building type in the active language."""
        return bilingual(self.building_type, self.building_type_en)

    @property
    def display_unit(self) -> str:
        """The unit in the active language."""
        return bilingual(self.unit, self.unit_en)


class DutyStaff(Orderable):
    """A person on duty (人员公示): name, role, optional photo."""

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=100)
    role_en = models.CharField(_("role (English)"), max_length=100, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo"),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("phone")]),
        FieldRowPanel([FieldPanel("role"), FieldPanel("role_en")]),
        FieldPanel("photo"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("person on duty")

    def clean(self):
        """Model validation; the telephone in ASCII, as written (``normalize_phone_text``)."""
        super().clean()
        self.phone = normalize_phone_text(self.phone)

    @property
    def display_role(self) -> str:
        """The role in the active language."""
        return bilingual(self.role, self.role_en)


class MaintenanceUnit(Orderable):
    """Who maintains the elevators, fire safety and water supply, and how to reach them."""

    class System(models.TextChoices):
        ELEVATOR = "elevator", _("Elevators")
        FIRE = "fire", _("Fire safety")
        WATER = "water", _("Water supply")
        OTHER = "other", _("Other")

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="maintenance_units")
    system = models.CharField(_("system"), max_length=20, choices=System.choices)
    company = models.CharField(_("company"), max_length=200)
    phone = models.CharField(_("telephone"), max_length=30)

    panels = [FieldRowPanel([FieldPanel("system"), FieldPanel("company"), FieldPanel("phone")])]

    class Meta(Orderable.Meta):
        verbose_name = _("maintenance unit")

    def clean(self):
        """Model validation; the telephone in ASCII, as written (``normalize_phone_text``)."""
        super().clean()
        self.phone = normalize_phone_text(self.phone)


class CommonPartsStatement(Orderable):
    """A periodic statement of income and expenditure of the owners' common parts."""

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="statements")
    period = models.CharField(_("period"), max_length=50, help_text=_("For example 2025 Q3."))
    income = models.DecimalField(_("income (CNY)"), max_digits=12, decimal_places=2)
    expenditure = models.DecimalField(_("expenditure (CNY)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("period"), FieldPanel("income"), FieldPanel("expenditure")]),
        FieldRowPanel([FieldPanel("note"), FieldPanel("note_en")]),
    ]

    @property
    def display_note(self) -> str:
        """The note in the active language."""
        return bilingual(self.note, self.note_en)

    class Meta(Orderable.Meta):
        verbose_name = _("income and expenditure statement")

    @property
    def balance(self):
        """Income minus expenditure, in yuan (``Decimal``); negative for a deficit."""
        return self.income - self.expenditure


class MaintenanceFundUse(Orderable):
    """A use of the special maintenance fund (专项维修资金)."""

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="fund_uses")
    period = models.CharField(_("period"), max_length=50)
    item = models.CharField(_("item"), max_length=200)
    item_en = models.CharField(_("item (English)"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("period"), FieldPanel("amount")]),
        FieldRowPanel([FieldPanel("item"), FieldPanel("item_en")]),
        FieldRowPanel([FieldPanel("note"), FieldPanel("note_en")]),
    ]

    @property
    def display_item(self) -> str:
        """The item in the active language."""
        return bilingual(self.item, self.item_en)

    @property
    def display_note(self) -> str:
        """The note in the active language."""
        return bilingual(self.note, self.note_en)

    class Meta(Orderable.Meta):
        verbose_name = _("maintenance fund use")


class RepairFeeItem(Orderable):
    """A repair labour charge (维修收费项目): what an in-home repair may charge for labour.

    A repair quote (``repairs.quotes``) may list labour only at a row of the **live** revision
    of the community's board, at exactly its ``amount`` per ``unit``; materials are charged at
    cost, itemised. Common-area repairs are free to the resident.
    """

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="repair_fee_items")
    code = models.SlugField(
        _("code"), max_length=50, help_text=_("A short stable key, for example replace-tap.")
    )
    name = models.CharField(_("item"), max_length=200)
    name_en = models.CharField(_("item (English)"), max_length=200, blank=True)
    amount = models.DecimalField(_("labour (CNY)"), max_digits=10, decimal_places=2)
    unit = models.CharField(
        pgettext_lazy("price unit", "unit"), max_length=50, help_text=_("For example 元/个.")
    )
    unit_en = models.CharField(_("unit (English)"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("amount"), FieldPanel("unit"), FieldPanel("unit_en")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("repair fee item")

    @property
    def display_name(self) -> str:
        """The item's name in the active language."""
        return bilingual(self.name, self.name_en)

    @property
    def display_unit(self) -> str:
        """The unit in the active language."""
        return bilingual(self.unit, self.unit_en)


class PackageOffer(Orderable):
    """A prepaid package of visits the enterprise publishes (套餐 / 次卡, issue 18): ``visits``
    visits of ``minutes`` minutes of one service for ``price`` (yuan), valid ``valid_days``
    days from purchase, refunded under ``refund_policy``. Residents buy it at this price only
    once a revision listing it is live (``cms.packages.published_package_offer``)."""

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="package_offers")
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service covered"),
    )
    name = models.CharField(_("package"), max_length=200)
    name_en = models.CharField(_("package (English)"), max_length=200, blank=True)
    visits = models.PositiveIntegerField(_("visits"))
    minutes = models.PositiveIntegerField(_("minutes per visit"))
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2)
    valid_days = models.PositiveIntegerField(_("valid for (days)"), default=180)
    refund_policy = models.CharField(
        _("refund policy"),
        max_length=300,
        blank=True,
        help_text=_("Empty: the unused share of the price paid, on request or at expiry."),
    )
    refund_policy_en = models.CharField(_("refund policy (English)"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("product"),
        FieldRowPanel(
            [
                FieldPanel("visits"),
                FieldPanel("minutes"),
                FieldPanel("price"),
                FieldPanel("valid_days"),
            ]
        ),
        FieldRowPanel([FieldPanel("refund_policy"), FieldPanel("refund_policy_en")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("package of visits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visits__gte=1)
                & models.Q(price__gt=0)
                & models.Q(valid_days__gte=1),
                name="package_offer_positive",
            ),
        ]

    @property
    def display_name(self) -> str:
        """The package's name in the active language."""
        return bilingual(self.name, self.name_en)

    @property
    def display_refund_policy(self) -> str:
        """The refund policy in the active language; the default policy when left empty."""
        text = bilingual(self.refund_policy, self.refund_policy_en)
        return text or str(DEFAULT_REFUND_POLICY)


#: What the board prints when an enterprise writes no refund policy of its own (issue 18).
DEFAULT_REFUND_POLICY = _(
    "Unused visits are refunded to your card: the unused share of the price paid, on request "
    "or at expiry."
)
