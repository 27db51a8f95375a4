"""Wagtail's admin, scoped to the pages a staff member may explore.

Each enterprise's editors and managers hold page permissions on their own enterprise's pages
only (``cms.services.enterprise_access_sync``), and Wagtail's explorer and its admin API list
only the pages a user has a permission on, and their ancestors
(``PagePermissionPolicy.explorable_instances``). Two admin views do not ask: the page chooser
lists every child of the page it browses, and the move confirmation page shows the titles of
any two pages whose ids it is given. These hooks make both follow the same rule, so an editor
never reads another enterprise's board titles there. Superusers see everything.
"""

from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.models import Page
from wagtail.permissions import page_permission_policy


def explorable_pages(user):
    """The pages ``user`` may see in the admin: those with a page permission and their
    ancestors (Wagtail's own rule); every page for a superuser."""
    if user.is_superuser:
        return Page.objects.all()
    return page_permission_policy.explorable_instances(user)


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages, request):
    """The page chooser (browse and search) lists only explorable pages."""
    if request.user.is_superuser:
        return pages
    return pages.filter(pk__in=explorable_pages(request.user).values("pk"))


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page, pages, request):
    """The explorer's search lists only explorable pages, whatever
    ``WAGTAILADMIN_PAGE_SEARCH_FILTER_BY_PERMISSIONS`` says."""
    if request.user.is_superuser:
        return pages
    return pages.filter(pk__in=explorable_pages(request.user).values("pk"))


@hooks.register("before_move_page")
def refuse_a_move_the_user_may_not_make(request, page_to_move, destination):
    """403 on the move confirmation (GET and POST) unless the user may move the page there:
    Wagtail checks that only when the move is made, and renders both titles before."""
    if not page_to_move.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied


# --- Who changed a price (django-simple-history): /cms/prices/history/ -------------------------


def _price_history_view(request):
    """The price changes of the user's enterprises (platform staff: all), newest first."""
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from marketplace.price_history import PRICE_CHANGES_SHOWN, price_changes
    from marketplace.staff import staff_enterprise_ids

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


@hooks.register("register_admin_urls")
def price_history_admin_urls():
    from django.urls import path

    return [path("prices/history/", _price_history_view, name="linli_price_history")]


@hooks.register("register_admin_menu_item")
def price_history_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy
    from wagtail.admin.menu import MenuItem

    from marketplace.staff import staff_enterprise_ids

    class PriceHistoryMenuItem(MenuItem):
        def is_shown(self, request):
            return staff_enterprise_ids(request.user) != frozenset()

    return PriceHistoryMenuItem(
        gettext_lazy("Price history"),
        reverse("linli_price_history"),
        icon_name="history",
        order=900,
    )
