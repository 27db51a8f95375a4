"""The notification choices page, beside Oscar's inbox (/shop/accounts/notifications/)."""

from django.urls import path

from bookings.notify import views

app_name = "notify"
urlpatterns = [
    path(
        "shop/accounts/notification-choices/",
        views.notice_preferences,
        name="preferences",
    ),
]
