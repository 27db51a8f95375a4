"""Who may open which dashboard page: Oscar's ``DashboardPermission``, made explicit.

Every Oscar dashboard app builds its ``permissions_map`` from this class
(``get_class("dashboard.permissions", "DashboardPermission")``), so the rule is set here once:

* a model permission (``DashboardPermission.get``) is needed *together with* ``is_staff``:
  Oscar's dashboard lists every enterprise's rows to a staff user (all orders, all users), so
  it is for platform staff only (``marketplace.staff``); enterprise staff, who are not
  ``is_staff``, never reach it, whatever permissions a group gives them;
* the index (order counts and revenue of the whole platform) needs ``order.view_order`` too:
  being staff alone opens no dashboard page;
* Oscar's second way in, ``partner.dashboard_access``, is left as Oscar made it: Oscar scopes
  those users to their own partners' orders and products.

A dashboard page whose app gives no permission for it falls back to the app's
``default_permissions`` (``is_staff`` alone); ``tests/staff`` fails on any such page.
"""

from oscar.apps.dashboard.permissions import DashboardPermission as CoreDashboardPermission

#: The user attribute that marks platform staff (Django's own flag, also the admin's).
PLATFORM_STAFF = "is_staff"


class DashboardPermission(CoreDashboardPermission):
    """Oscar's dashboard permissions, each also requiring platform staff."""

    staff = [PLATFORM_STAFF, "order.view_order"]

    @classmethod
    def get(cls, app_label, *codenames):
        """Oscar's ``app_label.codename`` permissions (a list, all required) plus
        ``is_staff``."""
        return sorted(set(super().get(app_label, *codenames)) | {PLATFORM_STAFF})
