"""Oscar's dashboard, forked (``oscar_fork_app dashboard marketplace``) for two things:

* every dashboard page needs an explicit Django permission *and* platform staff
  (``permissions.DashboardPermission``, read by every dashboard app's ``permissions_map``);
* its product-review pages are left out (``get_urls``): Linli rates appointments, not products;
* every CSV the dashboard writes is safe to open in a spreadsheet and is a download
  (``orders/views.py``, ``reports/reports.py``, through
  ``marketplace.csv_export``).

Oscar's class loader finds our modules because this app keeps the label ``dashboard``:
``get_class("dashboard.orders.views", ...)`` looks in ``marketplace.dashboard.orders.views``
first and falls back to Oscar's for the classes not defined here.
"""

import oscar.apps.dashboard.apps as apps


class DashboardConfig(apps.DashboardConfig):
    """Oscar's dashboard app under our package (label ``dashboard``)."""

    name = "marketplace.dashboard"

    def get_urls(self):
        """Oscar's dashboard without its product-review pages: product reviews are switched off
        (``OSCAR_HIDDEN_FEATURES``; residents rate appointments: the feedback app)."""
        return [u for u in super().get_urls() if str(getattr(u, "pattern", "")) != "reviews/"]
