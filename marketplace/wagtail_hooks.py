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
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permissions import page_permission_policy

from marketplace.staff import staff_enterprise_ids
from marketplace.views import price_history


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


@hooks.register("register_admin_urls")
def price_history_admin_urls():
    return [path("prices/history/", price_history, name="linli_price_history")]


class PriceHistoryMenuItem(MenuItem):
    """Shown to staff who act for an enterprise (or for all)."""

    def is_shown(self, request):
        return staff_enterprise_ids(request.user) != frozenset()


@hooks.register("register_admin_menu_item")
def price_history_menu_item():
    return PriceHistoryMenuItem(
        gettext_lazy("Price history"),
        reverse("linli_price_history"),
        icon_name="history",
        order=900,
    )
