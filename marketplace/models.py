"""The frame of the market: users, property service enterprises, communities and households."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.abstract_models import AbstractUser
from simple_history.models import HistoricalRecords

from .validators import normalize_cn_mobile, normalize_phone_text, validate_cn_mobile


def bilingual(zh: str, en: str) -> str:
    """The English text when the active language is English and one exists, else the Chinese."""
    if en and (get_language() or "").startswith("en"):
        return en
    return zh


class User(AbstractUser):
    """Oscar's email-login user with a Chinese mobile number, a preferred language and elder mode."""

    phone = models.CharField(
        _("mobile phone"), max_length=20, blank=True, validators=[validate_cn_mobile]
    )
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    elder_mode = models.BooleanField(
        _("elder mode"),
        default=False,
        help_text=_("Larger text and buttons on every page."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self):
        """Chinese names read family name first with no space (王芳); others "First Last"."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()

    @property
    def has_provider_console(self) -> bool:
        """A worker, or a manager of a provider: the header links the provider console."""
        manages = getattr(self, "manages_provider", None)  # annotated by our auth backends
        if manages is None:
            manages = self.partners.exists()
        return manages or hasattr(self, "worker_profile")

    def clean(self):
        """Model validation, with the phone in its canonical form (``normalize_cn_mobile``)."""
        super().clean()
        if self.phone:
            self.phone = normalize_cn_mobile(self.phone)

    def save(self, *args, **kwargs):
        """Save with the phone in its canonical form, whichever path wrote it (a form, the
        admin, the seed, a service): the forms' ``clean`` already did, for what they show."""
        if self.phone:
            self.phone = normalize_cn_mobile(self.phone)
        super().save(*args, **kwargs)


class Enterprise(models.Model):
    """A property service enterprise (物业服务企业) that runs Linli for its communities."""

    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    phone = models.CharField(_("service telephone"), max_length=30, blank=True)
    complaint_phone = models.CharField(_("complaint telephone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="enterprises",
        verbose_name=_("staff"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("property service enterprise")
        verbose_name_plural = _("property service enterprises")

    def __str__(self):
        return self.display_name

    def clean(self):
        """Model validation; the telephones in ASCII, as written (``normalize_phone_text``)."""
        super().clean()
        self.phone = normalize_phone_text(self.phone)
        self.complaint_phone = normalize_phone_text(self.complaint_phone)

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        return bilingual(self.name, self.name_en)


class Community(models.Model):
    """A residential community (小区) managed by one enterprise."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name=_("enterprise"),
    )
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), unique=True, help_text=_("Used in /boards/<slug>/."))
    city = models.CharField(_("city"), max_length=50, default="北京市")
    district = models.CharField(_("district (Chinese)"), max_length=100)
    district_en = models.CharField(_("district (English)"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300)

    class Meta:
        ordering = ["enterprise__name", "name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        return bilingual(self.name, self.name_en)

    @property
    def display_district(self) -> str:
        """The district in the active language (朝阳区 / Chaoyang District)."""
        return bilingual(self.district, self.district_en)


class Household(models.Model):
    """A resident's home in a community. A resident may have several; one is the default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="households",
        verbose_name=_("resident"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("community"),
    )
    building = models.CharField(_("building"), max_length=20)
    unit = models.CharField(pgettext_lazy("building unit", "unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, validators=[validate_cn_mobile]
    )
    is_default = models.BooleanField(_("default"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    #: Who changed the home's address or contact, and when (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            # At most one default household per resident, enforced by the database.
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="one_default_household"
            ),
        ]

    def __str__(self):
        return f"{self.community} {self.address_line}"

    def save(self, *args, **kwargs):
        """Save with the contact phone in its canonical form, whichever path wrote it."""
        self.contact_phone = normalize_cn_mobile(self.contact_phone)
        super().save(*args, **kwargs)

    @property
    def address_line(self) -> str:
        """Building, unit and room, translated ("Building 3 Unit 2 Room 501")."""
        parts = [_("Building %(b)s") % {"b": self.building}]
        if self.unit:
            parts.append(_("Unit %(u)s") % {"u": self.unit})
        parts.append(_("Room %(r)s") % {"r": self.room})
        return " ".join(str(p) for p in parts)

    def clean(self):
        """Model validation, with the contact phone in its canonical form."""
        super().clean()
        self.contact_phone = normalize_cn_mobile(self.contact_phone)
