from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from oscar.apps.customer.views import LogoutView as OscarLogoutView
from wagtail.admin.views.account import LogoutView as WagtailLogoutView

from bookings.dispatch.health import dispatch_health
from marketplace.bad_input import bad_request
from marketplace.celery import app
from marketplace.community import SESSION_KEY
from marketplace.models import Community
from marketplace.price_history import PRICE_CHANGES_SHOWN, price_changes
from marketplace.staff import staff_enterprise_ids


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except Exception:
        return False


@never_cache
def healthz(request):
    """For the load balancer: 200 when the database and the broker answer, 503 when either
    does not. Cheap on purpose (two round trips); dispatch is judged by ``healthz_dispatch``."""
    status = {
        "database": "ok" if _database_ok() else "down",
        "broker": "ok" if _broker_ok() else "down",
    }
    healthy = all(v == "ok" for v in status.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", **status}, status=200 if healthy else 503
    )


@never_cache
def healthz_dispatch(request):
    """For the operator's monitor: live Celery workers per queue, beat's last dispatch sweep,
    the age of the oldest pending dispatch round (``bookings.dispatch.health``). 200 with the
    readings when dispatch is healthy; 503 with the same readings and the ``problems`` (a code
    and a reason each) when it is not."""
    health = dispatch_health(app=app)
    return JsonResponse(health.as_json(), status=200 if health.healthy else 503)


@require_http_methods(["GET", "POST"])
def choose_community(request):
    """The header's community picker for visitors: remembered in the session, then back to
    ``next`` (this site only; else the catalogue).

    A GET form in the header (the shared pages carry no CSRF token: ``marketplace.page_cache``);
    a POST (the home page's form) is accepted as well. ``community`` is a community's id, or
    empty to forget the choice; anything else (a community that does not exist, ``²``, ``1.0``)
    is 400 and leaves the choice as it was."""
    params = request.POST if request.method == "POST" else request.GET
    chosen = params.get("community", "").strip()
    community = None
    if chosen:
        field = forms.ModelChoiceField(queryset=Community.objects.all())
        try:
            community = field.clean(chosen)
        except ValidationError:
            return bad_request(
                request, _("That community does not exist. Please choose one from the list.")
            )
    if community:
        request.session[SESSION_KEY] = community.pk
    else:
        request.session.pop(SESSION_KEY, None)
    return HttpResponseRedirect(_next_url(request, params))


@require_GET
def choose_language(request):
    """The header's language switch: ``?language=<code>&next=<path>`` sets Django's language
    cookie (as ``django.views.i18n.set_language`` does) and redirects to ``next`` (this site
    only; else the catalogue). A GET, so the shared pages need no CSRF token; a language Linli
    does not speak is 400 and sets nothing."""
    code = request.GET.get("language", "")
    if code not in dict(settings.LANGUAGES) or not check_for_language(code):
        return bad_request(request, _("That language is not available."))
    response = HttpResponseRedirect(_next_url(request, request.GET))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _next_url(request, params) -> str:
    """``next`` when it points at this site, else the catalogue."""
    next_url = params.get("next") or reverse("catalogue:index")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("catalogue:index")
    return next_url


def discounts_not_sold(request, *args, **kwargs):
    """404 for Oscar's offer, range and voucher pages (dashboard and basket).

    A resident is charged only what the published fee board says (``cms.pricing``), so Linli
    sells no discounts: Oscar's offer app applies none (``marketplace/offer/applicator.py``)
    and the pages that would create or apply them are closed, here, before Oscar's URLs.
    """
    raise Http404("Discounts are not sold in Linli: the published fee board is the price.")


@login_required
def after_login(request):
    """Where a login without ``next`` lands (``LOGIN_REDIRECT_URL``): where the person's work
    is. Workers and provider managers on the provider console, enterprise staff who edit the
    fee boards on Wagtail's admin (``/cms/``), everyone else on their account."""
    if request.user.has_provider_console:
        return HttpResponseRedirect(reverse("provider:home"))
    if request.user.has_perm("wagtailadmin.access_admin"):
        return HttpResponseRedirect(reverse("wagtailadmin_home"))
    return HttpResponseRedirect(reverse("customer:summary"))


def wishlists_not_offered(request, *args, **kwargs):
    """404 for Oscar's wish lists (``/shop/wishlists/…``, ``/shop/accounts/wishlists/…``).

    Linli books services for a time slot; a wish list is not part of that, and Oscar's
    ``GET …/wishlists/add/<pk>/`` wrote to the database. The pages are closed here, before
    Oscar's URLs, and hidden from the account menu (``OSCAR_HIDDEN_FEATURES``).
    """
    raise Http404("Linli has no wish lists.")


class ShopLogoutView(OscarLogoutView):
    """Oscar's log-out, by POST only: a GET (a link, an image, a prefetch) answers 405 and
    leaves the visitor logged in. The header's "Log out" is a form that POSTs here."""

    http_method_names = ["post", "options"]


#: Wagtail's log-out by POST only: its GET answered 405 but still deleted the session cookie.
cms_logout = require_POST(WagtailLogoutView.as_view())


def price_history(request):
    """/cms/prices/history/ (a Wagtail admin page): the price changes of the user's enterprises
    (platform staff: all), newest first (``marketplace.price_history``). 403 for anyone who acts
    for no enterprise; Wagtail's admin asks for a login first."""
    if staff_enterprise_ids(request.user) == frozenset():
        raise PermissionDenied
    return render(
        request,
        "marketplace/price_history.html",
        {
            "changes": price_changes(user=request.user),
            "shown": PRICE_CHANGES_SHOWN,
            "page_title": _("Price history"),
        },
    )
