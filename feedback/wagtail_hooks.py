"""The enterprise's way in from Wagtail's admin: the complaint desk and the reviews."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class EnterpriseStaffMenuItem(MenuItem):
    """Shown to staff of an enterprise only (the desk answers others with 404)."""

    def is_shown(self, request):
        return request.user.enterprises.exists()


@hooks.register("register_admin_menu_item")
def complaint_desk_menu_item():
    return EnterpriseStaffMenuItem(
        _("Complaint desk"), reverse("feedback:desk-list"), icon_name="warning", order=900
    )


@hooks.register("register_admin_menu_item")
def reviews_menu_item():
    return EnterpriseStaffMenuItem(
        _("Reviews"), reverse("feedback:desk-reviews"), icon_name="pick", order=901
    )
