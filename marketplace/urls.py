from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from marketplace import metrics, preferences, views, wagtail_reports

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("healthz/dispatch/", views.healthz_dispatch, name="healthz-dispatch"),
    # The language switch also sets a logged-in user's profile language (marketplace/preferences).
    path("i18n/setlang/", preferences.set_language, name="set_language"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("elder-mode/", preferences.elder_mode_set, name="elder-mode"),
    path("shop/accounts/preferences/", preferences.preferences, name="preferences"),
    path("shop/accounts/start/", views.after_login, name="after-login"),
    path("community/", views.choose_community, name="choose-community"),
    path("language/", views.choose_language, name="choose-language"),
    path("django-admin/", admin.site.urls),
    # Our own pages under /shop/ and /payments/ come before Oscar's so they can extend it:
    # each app's urls.py spells out its full paths (shop/accounts/appointments/, payments/...).
    path("", include("bookings.residents.urls")),
    path("", include("bookings.conversation.urls")),
    path("", include("bookings.notify.urls")),
    path("", include("payments.urls")),
    path("", include("repairs.urls")),
    path("", include("feedback.urls")),
    # No discounts are sold (the fee board is the price: marketplace/offer/applicator.py), so
    # Oscar's offer, range and voucher dashboards and the basket's voucher form are closed.
    re_path(
        r"^shop/dashboard/(?:offers|ranges|vouchers)/",
        views.discounts_not_sold,
        name="dashboard-discounts-closed",
    ),
    re_path(r"^shop/basket/vouchers/", views.discounts_not_sold),
    # No state change on GET: log-out by POST only; Oscar's wish lists closed.
    path("shop/accounts/logout/", views.ShopLogoutView.as_view(), name="shop-logout"),
    path("cms/logout/", views.cms_logout, name="cms-logout"),
    re_path(r"^shop/(?:accounts/)?wishlists/", views.wishlists_not_offered),
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("provider/", include("bookings.console.urls")),
    # Wagtail's reports with their filters scoped to the user and safe CSVs (wagtail_reports).
    path("cms/reports/", include(wagtail_reports.urlpatterns)),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns += [
    # board.json/board.csv contain a dot, which Wagtail's page route does not serve.
    path("", include("cms.urls")),
    path("", include(wagtail_urls)),
]
