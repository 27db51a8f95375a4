"""A community's fee board (公示栏), at /boards/<community-slug>/.

Its sections are structured fields and inline panels (see ``SECTIONS`` in ``cms/boards.py``;
the inline rows are in ``cms/models/rows.py``); its life services are a snapshot of the
community's StockRecords taken each time a revision is saved, so the snapshot travels inside
the revision that is reviewed and published. The price gate (``cms/pricing.py``) reads it from
the live revision.
"""

import logging

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.log_actions import log
from wagtail.models import Page

from cms.admin_panels import LifeServicePricesPanel
from cms.boards import (
    BoardIncomplete,
    life_services_snapshot,
    missing_sections,
    missing_sections_by_language,
)
from cms.cache import serve_cached
from cms.models.publications import BoardPublication
from cms.rendering import (
    board_response,
    changes_response,
    csv_response,
    json_response,
    print_response,
)
from marketplace.models import bilingual
from marketplace.validators import normalize_phone_text

logger = logging.getLogger(__name__)

#: The page-history action recording a refused publication (its text: cms/wagtail_hooks.py).
PUBLISH_REFUSED = "cms.board.publish_refused"


class FeeBoardPageForm(WagtailAdminPageForm):
    """Refuses to publish, schedule, submit or approve a board with an empty mandatory section.

    The check reads what the form is about to save (its ``cleaned_data`` and inline formsets),
    never the revision the form was loaded from: an editor who empties a section cannot submit
    it, and a manager who fills it in may approve it (issue 14, §4).
    """

    #: The edit and create views' buttons that send the board towards publication.
    MOVING_ACTIONS = ("action-publish", "action-submit", "action-restart-workflow")

    def clean(self):
        """Raises ``BoardIncomplete`` (a non-field error) naming the empty mandatory sections
        when the form publishes, schedules, submits, resubmits or approves the board."""
        cleaned = super().clean()
        wants_publish = any(action in self.data for action in self.MOVING_ACTIONS) or (
            "action-workflow-action" in self.data
            and self.data.get("workflow-action-name") == "approve"
        )
        if wants_publish and not self.errors:
            missing = missing_sections(self.instance, formsets=self.formsets, cleaned_data=cleaned)
            if missing:
                raise BoardIncomplete(missing)
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
    service_grade_en = models.CharField(
        _("service grade (English)"),
        max_length=100,
        blank=True,
        help_text=_("For example Grade 2."),
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
    repair_hours_en = models.CharField(_("repair hours (English)"), max_length=200, blank=True)
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
                FieldRowPanel([FieldPanel("service_grade"), FieldPanel("service_grade_en")]),
                FieldPanel("service_standards"),
                FieldPanel("service_standards_en"),
            ],
            heading=_("Service contents and standards"),
        ),
        InlinePanel("fee_items", heading=_("Charging items and standards"), label=_("item")),
        # Read-only: the providers' prices this revision publishes, beside the published ones.
        LifeServicePricesPanel(heading=_("Life services and prices")),
        InlinePanel("package_offers", heading=_("Packages of prepaid visits"), label=_("package")),
        InlinePanel("staff", heading=_("Staff on duty"), label=_("person")),
        MultiFieldPanel(
            [
                FieldPanel("repair_channels"),
                FieldPanel("repair_channels_en"),
                FieldRowPanel([FieldPanel("repair_hours"), FieldPanel("repair_hours_en")]),
                FieldPanel("repair_response"),
                FieldPanel("repair_response_en"),
            ],
            heading=_("How to report a repair"),
        ),
        InlinePanel(
            "repair_fee_items", heading=_("Repair fee items (labour)"), label=_("repair item")
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

    #: The board's telephones: kept as written (landlines, 12345), in ASCII.
    PHONE_FIELDS = (
        "project_manager_phone",
        "service_phone",
        "complaint_phone_enterprise",
        "complaint_phone_street",
        "complaint_phone_hotline",
    )

    def clean(self):
        """Wagtail's page validation; the telephones in ASCII (``normalize_phone_text``: a
        full-width ``０１０－１２３４５６７８`` becomes ``010-12345678``)."""
        super().clean()
        for field in self.PHONE_FIELDS:
            setattr(self, field, normalize_phone_text(getattr(self, field)))

    # -- snapshot: taken on every revision, so the reviewed revision is the published one --

    def save_revision(self, *args, **kwargs):
        """Take the life-services snapshot, then save the revision as Wagtail does."""
        self.life_services = life_services_snapshot(self.community_id)
        return super().save_revision(*args, **kwargs)

    def save(self, *args, **kwargs):
        """Wagtail's save; raises :class:`BoardIncomplete` (nothing saved) when the save
        would make incomplete content live.

        Every way Wagtail publishes ends in this save of the published revision's content with
        ``live=True`` and a new ``live_revision`` (``PublishRevisionAction._publish_revision``);
        some paths (the edit page, the admin API's publish action) never call :meth:`publish`.
        """
        if self.live and self.pk is not None and self._makes_a_revision_live():
            missing = missing_sections(self)
            if missing:
                raise BoardIncomplete(missing)
        return super().save(*args, **kwargs)

    def _makes_a_revision_live(self) -> bool:
        stored = (
            FeeBoardPage.objects.filter(pk=self.pk).values_list("live", "live_revision_id").first()
        )
        return stored != (True, self.live_revision_id)

    def publish(self, revision, *args, **kwargs):
        """Publish ``revision``; raises :class:`BoardIncomplete` if a mandatory section is empty.

        A revision scheduled for publishing (``approved_go_live_at`` set: Wagtail's
        ``publish_scheduled`` command is publishing it) is refused without raising, so the
        command goes on with the other due revisions: its schedule is cleared and the refusal
        is recorded in the page's history (``PUBLISH_REFUSED``) and the ``cms`` log.
        """
        # Refused before Wagtail's publish action starts (workflow approval, bulk publish,
        # scheduled publishing, code); save() above stops the paths that skip this method.
        missing = missing_sections(revision.as_object())
        if missing and revision.approved_go_live_at is not None:
            self._refuse_scheduled_publishing(revision, missing)
            return None
        if missing:
            raise BoardIncomplete(missing)
        return super().publish(revision, *args, **kwargs)

    def _refuse_scheduled_publishing(self, revision, missing: list[str]) -> None:
        # Clear the schedule, or publish_scheduled would retry (and refuse) every run.
        type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=None)
        revision.approved_go_live_at = None
        log(
            instance=self,
            action=PUBLISH_REFUSED,
            revision=revision,
            data={
                "revision": {"id": revision.pk},
                "missing": missing_sections_by_language(revision.as_object()),
                "scheduled": True,
            },
        )
        logger.warning(
            "Scheduled publishing of fee board %s revision %s refused: missing %s",
            self.pk,
            revision.pk,
            "; ".join(missing),
        )

    def get_admin_display_title(self):
        """In the admin, the seeded title (``<community>公示栏``, ``cms.services.board_ensure``)
        in the reader's language: "Wangjing Garden fee board" in English. A title an editor
        changed is shown as written."""
        community = self.community if self.community_id is not None else None
        if community is not None and (self.draft_title or self.title) == f"{community.name}公示栏":
            return _("%(community)s fee board") % {"community": community.display_name}
        return super().get_admin_display_title()

    # -- bilingual content --

    def t(self, field: str) -> str:
        """``field``'s text in the active language: ``<field>_en`` in English when filled in."""
        return bilingual(getattr(self, field), getattr(self, f"{field}_en", ""))

    # -- public sub-pages. The responses are built in cms/rendering.py (the plain Django views
    # of cms/views.py use it too); board.json and board.csv are plain Django URLs
    # (cms/urls.py): Wagtail's serve pattern does not route paths with a dot. They find the
    # board and hand ``json_export``/``csv_export`` to Wagtail's serve view as its route, so
    # Wagtail's view restrictions hold for them as for every route below. --

    def serve(self, request, *args, **kwargs):
        """Wagtail's serve, with the cacheable sub-paths served from the cache (cms/cache.py).

        Wagtail's serve view checks the view restrictions before calling this, so a cached
        copy is only ever served to a visitor who may see the board."""
        return serve_cached(self, request, super().serve, *args, **kwargs)

    def make_preview_request(
        self, original_request=None, preview_mode=None, extra_request_attrs=None
    ):
        """Wagtail's preview request, remembering the admin's language (the reviewer's) so
        :meth:`serve_preview` renders the board in it, not in the site's default."""
        attrs = dict(extra_request_attrs or {})
        attrs.setdefault("linli_preview_language", translation.get_language())
        return super().make_preview_request(original_request, preview_mode, attrs)

    def serve_preview(self, request, mode_name):
        """The board as previewed, rendered in the reviewer's admin language (one language per
        page: an English reviewer's preview is the English board)."""
        language = getattr(request, "linli_preview_language", None)
        if not language:
            return super().serve_preview(request, mode_name)
        with translation.override(language):
            response = super().serve_preview(request, mode_name)
            if hasattr(response, "render"):
                response.render()  # inside the override: a TemplateResponse renders lazily
        return response

    def json_export(self, request):
        """/boards/<slug>/board.json (``cms.views.board_json``): the board as JSON."""
        return json_response(self, request)

    def csv_export(self, request):
        """/boards/<slug>/board.csv (``cms.views.board_csv_view``): its charges as CSV."""
        return csv_response(self, request)

    @path("")
    def board(self, request):
        """/boards/<slug>/: the board."""
        return board_response(self, request)

    @path("changes/")
    def changes(self, request):
        """/boards/<slug>/changes/: every publication of the community's board, newest first."""
        publications = BoardPublication.objects.filter(community_id=self.community_id)
        return changes_response(self, request, publications)

    @path("print/")
    def print_view(self, request):
        """/boards/<slug>/print/: the bilingual printable board with its QR code."""
        return print_response(self, request)
