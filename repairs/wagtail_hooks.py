"""Wagtail admin: a "Repair desk" menu item for the enterprise's staff (``/repairs/desk/``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from repairs.access import desk_enterprises


class RepairDeskMenuItem(MenuItem):
    """Shown to users who work at an enterprise's repair desk (its staff)."""

    def is_shown(self, request):
        return bool(desk_enterprises(request.user))


@hooks.register("register_admin_menu_item")
def repair_desk_menu_item():
    return RepairDeskMenuItem(_("Repair desk"), reverse("repairs:desk"), icon_name="cog", order=900)
