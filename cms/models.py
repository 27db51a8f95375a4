"""Wagtail pages: home at /, enterprise pages, and one fee board (公示栏) per community.

Tree::

    HomePage (/)
    ├── EnterpriseIndexPage (/enterprises/)  → EnterprisePage (/enterprises/<enterprise-slug>/)
    └── BoardIndexPage (/boards/)            → FeeBoardPage (/boards/<community-slug>/)

A fee board's sections are structured fields and inline panels (see ``SECTIONS`` in
``cms/boards.py``); its life services are a snapshot of the community's StockRecords taken
each time a revision is saved, so the snapshot travels inside the revision that is reviewed
and published. The price gate (``cms/pricing.py``) reads it from the live revision.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from marketplace.models import bilingual


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("intro_en")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.BoardIndexPage", "cms.EnterpriseIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(request))
        return context


class BoardIndexPage(Page):
    """/boards/: the list of every community's fee board."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.FeeBoardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("fee board index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["boards"] = (
            FeeBoardPage.objects.child_of(self)
            .live()
            .select_related("community", "community__enterprise")
            .order_by("community__enterprise__name", "community__name")
        )
        return context


class EnterpriseIndexPage(Page):
    """/enterprises/: the property service enterprises on Linli."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.EnterprisePage"]
    max_count = 1

    class Meta:
        verbose_name = _("enterprise index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["enterprises"] = (
            EnterprisePage.objects.child_of(self).live().select_related("enterprise")
        )
        return context


class EnterprisePage(Page):
    """A property service enterprise's public profile, contacts and communities."""

    enterprise = models.OneToOneField(
        "marketplace.Enterprise",
        on_delete=models.PROTECT,
        related_name="page",
        verbose_name=_("enterprise"),
    )
    profile = models.TextField(_("profile"), blank=True)
    profile_en = models.TextField(_("profile (English)"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("enterprise"),
        FieldPanel("profile"),
        FieldPanel("profile_en"),
        FieldRowPanel([FieldPanel("office_hours"), FieldPanel("email")]),
    ]
    parent_page_types = ["cms.EnterpriseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("enterprise page")

    @property
    def display_profile(self) -> str:
        return bilingual(self.profile, self.profile_en)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["boards"] = (
            FeeBoardPage.objects.live()
            .filter(community__enterprise_id=self.enterprise_id)
            .select_related("community")
            .order_by("community__name")
        )
        return context


class FeeBoardPageForm(WagtailAdminPageForm):
    """Refuses to publish (or submit for approval) a board with an empty mandatory section."""

    def clean(self):
        cleaned = super().clean()
        wants_publish = (
            "action-publish" in self.data
            or "action-submit" in self.data
            or (
                "action-workflow-action" in self.data
                and self.data.get("workflow-action-name") == "approve"
            )
        )
        if wants_publish and not self.errors:
            from cms.boards import missing_sections

            missing = missing_sections(self.instance, formsets=self.formsets)
            if missing:
                from cms.boards import BoardIncomplete

                raise ValidationError(BoardIncomplete(missing).message)
        return cleaned


class FeeBoardPage(RoutablePageMixin, Page):
    """A community's public fee board (公示栏), at /boards/<community-slug>/."""

    community = models.OneToOneField(
        "marketplace.Community",
        on_delete=models.PROTECT,
        related_name="fee_board",
        verbose_name=_("community"),
    )
    # 1. Project and enterprise basic information; the project manager and contacts.
    project_info = models.TextField(
        _("project information"),
        blank=True,
        help_text=_("Floor area, buildings, households, delivery year, service contract term."),
    )
    project_info_en = models.TextField(_("project information (English)"), blank=True)
    project_manager = models.CharField(_("project manager"), max_length=100, blank=True)
    project_manager_phone = models.CharField(
        _("project manager's telephone"), max_length=30, blank=True
    )
    service_phone = models.CharField(_("service desk telephone"), max_length=30, blank=True)
    office_hours = models.CharField(_("service desk hours"), max_length=200, blank=True)
    # 2. Complaint telephones.
    complaint_phone_enterprise = models.CharField(
        _("enterprise complaint telephone"), max_length=30, blank=True
    )
    complaint_phone_street = models.CharField(
        _("street office telephone"), max_length=30, blank=True
    )
    complaint_phone_hotline = models.CharField(
        _("city service hotline"), max_length=30, blank=True, default="12345"
    )
    # 3. Service contents and standards.
    service_grade = models.CharField(
        _("service grade"), max_length=100, blank=True, help_text=_("For example 二级 (grade 2).")
    )
    service_standards = models.TextField(_("service contents and standards"), blank=True)
    service_standards_en = models.TextField(
        _("service contents and standards (English)"), blank=True
    )
    # 5. Life services: generated from the community's StockRecords, never edited by hand.
    life_services = models.JSONField(_("life services (snapshot)"), default=list, blank=True)
    # 7. How to report a repair.
    repair_channels = models.TextField(_("repair channels"), blank=True)
    repair_channels_en = models.TextField(_("repair channels (English)"), blank=True)
    repair_hours = models.CharField(_("repair hours"), max_length=200, blank=True)
    repair_response = models.TextField(_("response times"), blank=True)
    repair_response_en = models.TextField(_("response times (English)"), blank=True)
    # 9. Parking garage and public facilities.
    parking_use = models.TextField(_("use of the parking garage"), blank=True)
    parking_use_en = models.TextField(_("use of the parking garage (English)"), blank=True)
    public_facilities = models.TextField(_("public facilities"), blank=True)
    public_facilities_en = models.TextField(_("public facilities (English)"), blank=True)

    base_form_class = FeeBoardPageForm
    content_panels = Page.content_panels + [
        FieldPanel("community"),
        MultiFieldPanel(
            [
                FieldPanel("project_info"),
                FieldPanel("project_info_en"),
                FieldRowPanel([FieldPanel("project_manager"), FieldPanel("project_manager_phone")]),
                FieldRowPanel([FieldPanel("service_phone"), FieldPanel("office_hours")]),
            ],
            heading=_("Project, enterprise and contacts"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("complaint_phone_enterprise"),
                FieldPanel("complaint_phone_street"),
                FieldPanel("complaint_phone_hotline"),
            ],
            heading=_("Complaint telephones"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("service_grade"),
                FieldPanel("service_standards"),
                FieldPanel("service_standards_en"),
            ],
            heading=_("Service contents and standards"),
        ),
        InlinePanel("fee_items", heading=_("Charging items and standards"), label=_("item")),
        InlinePanel("staff", heading=_("Staff on duty"), label=_("person")),
        MultiFieldPanel(
            [
                FieldPanel("repair_channels"),
                FieldPanel("repair_channels_en"),
                FieldPanel("repair_hours"),
                FieldPanel("repair_response"),
                FieldPanel("repair_response_en"),
            ],
            heading=_("How to report a repair"),
        ),
        InlinePanel(
            "maintenance_units", heading=_("Maintenance units"), label=_("maintenance unit")
        ),
        MultiFieldPanel(
            [
                FieldPanel("parking_use"),
                FieldPanel("parking_use_en"),
                FieldPanel("public_facilities"),
                FieldPanel("public_facilities_en"),
            ],
            heading=_("Parking garage and public facilities"),
        ),
        InlinePanel(
            "statements",
            heading=_("Income and expenditure of the common parts"),
            label=_("statement"),
        ),
        InlinePanel("fund_uses", heading=_("Use of the maintenance fund"), label=_("entry")),
    ]
    parent_page_types = ["cms.BoardIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("fee board")
        verbose_name_plural = _("fee boards")

    # -- snapshot: taken on every revision, so the reviewed revision is the published one --

    def save_revision(self, *args, **kwargs):
        from cms.boards import life_services_snapshot

        self.life_services = life_services_snapshot(self.community_id)
        return super().save_revision(*args, **kwargs)

    def publish(self, revision, *args, **kwargs):
        from cms.boards import BoardIncomplete, missing_sections

        # The last line of defence: whatever path publishes (admin, workflow approval,
        # scheduled publishing, code), an incomplete board never goes live.
        missing = missing_sections(revision.as_object())
        if missing:
            raise BoardIncomplete(missing)
        return super().publish(revision, *args, **kwargs)

    # -- bilingual content --

    def t(self, field: str) -> str:
        return bilingual(getattr(self, field), getattr(self, f"{field}_en", ""))

    # -- public sub-pages (views live in cms/views.py). board.json and board.csv are plain
    # Django URLs (cms/urls.py): Wagtail's serve pattern does not route paths with a dot. --

    def serve(self, request, *args, **kwargs):
        from cms.views import serve_cached

        return serve_cached(self, request, super().serve, *args, **kwargs)

    @path("")
    def board(self, request):
        from cms.views import board_view

        return board_view(self, request)

    @path("changes/")
    def changes(self, request):
        from cms.views import changes_view

        return changes_view(self, request)

    @path("print/")
    def print_view(self, request):
        from cms.views import print_view

        return print_view(self, request)


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
    unit = models.CharField(_("unit"), max_length=50, help_text=_("For example 元/㎡·月."))
    unit_en = models.CharField(_("unit (English)"), max_length=50, blank=True)
    basis = models.CharField(_("pricing basis"), max_length=20, choices=Basis.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("basis")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("building_type"), FieldPanel("building_type_en")]),
        FieldRowPanel([FieldPanel("amount"), FieldPanel("unit"), FieldPanel("unit_en")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("charging item")

    @property
    def display_name(self) -> str:
        return bilingual(self.name, self.name_en)

    @property
    def display_building_type(self) -> str:
        return bilingual(self.building_type, self.building_type_en)

    @property
    def display_unit(self) -> str:
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

    @property
    def display_role(self) -> str:
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


class CommonPartsStatement(Orderable):
    """A periodic statement of income and expenditure of the owners' common parts."""

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="statements")
    period = models.CharField(_("period"), max_length=50, help_text=_("For example 2025 Q3."))
    income = models.DecimalField(_("income (CNY)"), max_digits=12, decimal_places=2)
    expenditure = models.DecimalField(_("expenditure (CNY)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("period"), FieldPanel("income"), FieldPanel("expenditure")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("income and expenditure statement")

    @property
    def balance(self):
        return self.income - self.expenditure


class MaintenanceFundUse(Orderable):
    """A use of the special maintenance fund (专项维修资金)."""

    board = ParentalKey(FeeBoardPage, on_delete=models.CASCADE, related_name="fund_uses")
    period = models.CharField(_("period"), max_length=50)
    item = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("period"), FieldPanel("item"), FieldPanel("amount")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("maintenance fund use")


class BoardPublication(models.Model):
    """One row per published revision of a board: the public change log's permanent record.

    It copies what was charged (charging items and life services) and a fingerprint of every
    section, so the change log survives Wagtail's revision purging and page deletion: nothing
    published ever disappears.
    """

    community = models.ForeignKey(
        "marketplace.Community",
        on_delete=models.PROTECT,
        related_name="board_publications",
        verbose_name=_("community"),
    )
    board = models.ForeignKey(
        FeeBoardPage,
        on_delete=models.SET_NULL,
        null=True,
        related_name="publications",
        verbose_name=_("fee board"),
    )
    revision_id = models.PositiveBigIntegerField(_("revision"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    charges = models.JSONField(_("charges"), default=list)
    sections = models.JSONField(_("section fingerprints"), default=dict)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("board publication")
        verbose_name_plural = _("board publications")
        constraints = [
            # A revision is recorded once, even if it is published again after an unpublish.
            models.UniqueConstraint(
                fields=["community", "revision_id"], name="one_publication_per_revision"
            ),
        ]

    def __str__(self):
        return f"{self.community} #{self.revision_id}"
