"""One preferred language per user, for Linli's pages and for Wagtail's admin and emails.

Linli keeps it on the user (``User.language``: the language switch and the profile page write
it, ``marketplace.preferences``); Wagtail keeps its own (``UserProfile.preferred_language``:
the admin's "Account" page writes it). Both follow one rule, the storefront's
(``PreferredLanguageMiddleware``): a profile at the site's default language (zh-hans, where
every account starts) has not chosen, so the browser's language decides the pages; any other
language is the user's choice and decides every page. In Wagtail "not chosen" is an empty
``preferred_language``; so the receivers below keep ``preferred_language`` equal to
``User.language`` when that is not the default, and empty when it is, in both directions.

Emails have no browser: Wagtail renders each notification in its recipient's
``get_preferred_language()``, which for an empty profile is the *sender's* active language (a
manager reading English got Chinese mail when a Chinese-speaking editor submitted).
:class:`RecipientLanguageMixin` gives Wagtail's workflow notifiers the recipient's
``User.language`` instead (cms/notifications.py wires them).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from wagtail.users.models import UserProfile


def _linli_language(code: str | None) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def wagtail_language(linli_language: str | None) -> str:
    """The ``UserProfile.preferred_language`` matching a ``User.language``: "" (not chosen)
    for the site's default language, else the language."""
    language = _linli_language(linli_language)
    return "" if language == settings.LANGUAGE_CODE else language


def user_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """``post_save`` of the user model: the Wagtail profile follows ``User.language`` (no
    query when the save did not include the language, e.g. a login's ``last_login``)."""
    if raw or (update_fields is not None and "language" not in update_fields):
        return
    language = wagtail_language(instance.language)
    updated = UserProfile.objects.filter(user=instance).exclude(preferred_language=language)
    if not updated.update(preferred_language=language) and language:
        UserProfile.objects.get_or_create(user=instance, defaults={"preferred_language": language})


def profile_saved(sender, instance, raw=False, **kwargs) -> None:
    """``post_save`` of Wagtail's ``UserProfile``: the user's language follows the one chosen
    on the Wagtail account page (empty: the site's default)."""
    if raw:
        return
    chosen = instance.preferred_language or settings.LANGUAGE_CODE
    if chosen in dict(settings.LANGUAGES):
        get_user_model().objects.filter(pk=instance.user_id).exclude(language=chosen).update(
            language=chosen
        )


def recipient_language(user) -> str:
    """The language an email to ``user`` is written in: their Wagtail profile's choice, else
    ``User.language`` (never the sender's)."""
    profile = UserProfile.get_for_user(user)
    return profile.preferred_language or _linli_language(getattr(user, "language", None))


class RecipientLanguageMixin:
    """For Wagtail's email notifiers (``wagtail.admin.mail.EmailNotificationMixin``): each
    recipient's profile is given their language, in memory only, before Wagtail renders the
    subject and body under ``recipient.wagtail_userprofile.get_preferred_language()``."""

    def send_emails(self, template_set, context, recipients, **kwargs):
        """Wagtail's ``send_emails``, with every recipient's language set first."""
        recipients = list(recipients)
        for user in recipients:
            profile = UserProfile.get_for_user(user)
            profile.preferred_language = recipient_language(user)
            user.wagtail_userprofile = profile
        return super().send_emails(template_set, context, recipients, **kwargs)
