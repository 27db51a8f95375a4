"""The site's pages around the fee boards: home at /, the board index and the enterprises.

Tree::

    HomePage (/)
    ├── EnterpriseIndexPage (/enterprises/)  → EnterprisePage (/enterprises/<enterprise-slug>/)
    └── BoardIndexPage (/boards/)            → FeeBoardPage (/boards/<community-slug>/)

The fee board itself is in ``cms/models/fee_board.py``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms.models.fee_board import FeeBoardPage
from cms.selectors import home_context
from marketplace.models import bilingual

#: The titles ``cms.services.site_tree_ensure`` gives the three pages above the boards, in both
#: languages in one field; the admin shows the reader's language instead (a title an editor
#: changed is shown as written).
SEEDED_TITLES = {
    "HomePage": ("邻里 Linli", _("Linli")),
    "BoardIndexPage": ("小区公示栏 Fee boards", _("Fee boards")),
    "EnterpriseIndexPage": ("物业服务企业 Enterprises", _("Property service enterprises")),
}


class OneLanguageTitleMixin:
    """``get_admin_display_title`` in the reader's language for a seeded bilingual title."""

    def get_admin_display_title(self):
        """The seeded title in the active language (``SEEDED_TITLES``), else Wagtail's."""
        seeded, shown = SEEDED_TITLES.get(type(self).__name__, (None, None))
        if seeded is not None and (self.draft_title or self.title) == seeded:
            return str(shown)
        return super().get_admin_display_title()


class HomePage(OneLanguageTitleMixin, Page):
    """The site's home page at /: an introduction, the communities and the service classes."""

    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("intro_en")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.BoardIndexPage", "cms.EnterpriseIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        """Wagtail's context plus the communities and service classes (``cms.selectors``)."""
        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(request))
        return context


class BoardIndexPage(OneLanguageTitleMixin, Page):
    """/boards/: the list of every community's fee board."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.FeeBoardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("fee board index")

    def get_context(self, request, *args, **kwargs):
        """Wagtail's context plus ``boards``: the live boards beneath, by enterprise and name."""
        context = super().get_context(request, *args, **kwargs)
        context["boards"] = (
            FeeBoardPage.objects.child_of(self)
            .live()
            .select_related("community", "community__enterprise")
            .order_by("community__enterprise__name", "community__name")
        )
        return context


class EnterpriseIndexPage(OneLanguageTitleMixin, Page):
    """/enterprises/: the property service enterprises on Linli."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.EnterprisePage"]
    max_count = 1

    class Meta:
        verbose_name = _("enterprise index")

    def get_context(self, request, *args, **kwargs):
        """Wagtail's context plus ``enterprises``: the live enterprise pages beneath."""
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
        """The profile in the active language (English when there is one), else Chinese."""
        return bilingual(self.profile, self.profile_en)

    def get_context(self, request, *args, **kwargs):
        """Wagtail's context plus ``boards``: the live boards of the enterprise's communities."""
        context = super().get_context(request, *args, **kwargs)
        context["boards"] = (
            FeeBoardPage.objects.live()
            .filter(community__enterprise_id=self.enterprise_id)
            .select_related("community")
            .order_by("community__name")
        )
        return context
