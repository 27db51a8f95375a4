"""A visitor's display preferences: the language and elder mode (长辈模式).

Both are kept per browser (a cookie) and, for a logged-in user, on their profile
(``User.language``, ``User.elder_mode``): a resident who chose English or elder mode on one phone
sees it on every device they log in on. Changing either while logged in changes the profile too,
so the header's switches and the profile page agree. Elder mode follows the profile for a
logged-in user; the language follows this browser's explicit choice when it made one.

Elder mode follows China's 2021 elder-friendly web design specification (互联网网站适老化通用设计规范):
larger type and targets, stronger contrast, secondary content trimmed; the look is the
``linli-elder`` class on ``<html>`` (marketplace/static/linli/linli.css).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from marketplace.bad_input import bad_request

ELDER_COOKIE = "linli_elder"
COOKIE_AGE = 365 * 24 * 3600  # seconds: a year, like Django's language cookie


def elder_mode_for(request) -> bool:
    """True when elder mode is on: the logged-in user's profile, else this browser's cookie."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.elder_mode)
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def context(request) -> dict:
    """Template context: ``elder_mode`` (bool) for ``<html class>`` and the header's switch."""
    return {"elder_mode": elder_mode_for(request)}


class PreferredLanguageMiddleware:
    """Pages for a logged-in user are in their profile's language (``User.language``) unless
    this browser chose one with the language switch (Django's language cookie), which wins:
    the switch also writes the profile (``set_language``), so the two agree for anyone who uses
    it; the profile decides on a browser that never chose (a new phone, another device).

    A profile at the site's default language (zh-hans, where every account starts) leaves the
    browser's Accept-Language in charge: an English phone shows English until the resident picks
    a language with the switch.

    Runs after Django's LocaleMiddleware (cookie, then Accept-Language) and after
    authentication; Wagtail's admin under /cms/ activates its own per-user language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language in dict(settings.LANGUAGES)
            and user.language != settings.LANGUAGE_CODE
            and not request.path.startswith("/cms/")
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def _next_url(request) -> str:
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@require_POST
def set_language(request):
    """Django's ``set_language`` (the cookie), and for a logged-in user their profile too."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        return bad_request(request, _("Unknown language."))
    response = django_set_language(request)
    if request.user.is_authenticated and request.user.language != code:
        request.user.language = code
        request.user.save(update_fields=["language"])
    return response


@require_http_methods(["GET", "POST"])
def elder_mode_set(request):
    """Turn elder mode on (``elder=1``) or off (``elder=0``) for this browser; a POST (the
    signed-in header's form, with its CSRF token) also keeps it in the user's profile. A GET
    (a visitor's header on a shared page, which carries no token) sets the cookie only."""
    params = request.POST if request.method == "POST" else request.GET
    value = params.get("elder")
    if value not in ("0", "1"):
        return bad_request(request, _("Elder mode is either on or off."))
    on = value == "1"
    if request.method == "POST" and request.user.is_authenticated and request.user.elder_mode != on:
        request.user.elder_mode = on
        request.user.save(update_fields=["elder_mode"])
    response = HttpResponseRedirect(_next_url(request))
    response.set_cookie(ELDER_COOKIE, value, max_age=COOKIE_AGE, samesite="Lax")
    return response


class PreferencesForm(forms.Form):
    """The profile's display preferences: language code and elder mode (bool)."""

    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    elder_mode = forms.BooleanField(
        label=gettext_lazy("Elder mode (larger text and buttons)"), required=False
    )


@login_required
def preferences(request):
    """The account page where a user sets their language and elder mode."""
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            user.language = form.cleaned_data["language"]
            user.elder_mode = form.cleaned_data["elder_mode"]
            user.save(update_fields=["language", "elder_mode"])
            translation.activate(user.language)
            messages.success(request, _("Your preferences are saved."))
            response = HttpResponseRedirect(reverse("preferences"))
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, max_age=COOKIE_AGE)
            response.set_cookie(
                ELDER_COOKIE, "1" if user.elder_mode else "0", max_age=COOKIE_AGE, samesite="Lax"
            )
            return response
        status = 400
    else:
        form = PreferencesForm(initial={"language": user.language, "elder_mode": user.elder_mode})
        status = 200
    return render(
        request,
        "oscar/customer/preferences.html",
        {"form": form, "page_title": _("Display and language"), "active_tab": "preferences"},
        status=status,
    )
