"""The residents' booking pages. Full paths: they sit under /shop/ beside Oscar's own."""

from django.urls import path

from bookings.packages.urls import urlpatterns as package_urlpatterns
from bookings.residents import booking_views, views
from bookings.series.urls import urlpatterns as series_urlpatterns
from bookings.waitlist.urls import urlpatterns as waitlist_urlpatterns

app_name = "bookings"
urlpatterns = [
    path(
        "shop/services/<int:product_pk>/slots.json",
        booking_views.service_slots,
        name="service-slots",
    ),
    path(
        "shop/services/<int:product_pk>/basket/", booking_views.add_to_basket, name="add-to-basket"
    ),
    path("shop/book/", booking_views.book, name="book"),
    path("shop/book/login/", booking_views.login_to_book, name="login-to-book"),
    path("shop/accounts/appointments/", views.appointment_list, name="appointment-list"),
    path(
        "shop/accounts/appointments/<int:pk>/", views.appointment_detail, name="appointment-detail"
    ),
    path(
        "shop/accounts/appointments/<int:pk>/cancel/",
        views.appointment_cancel,
        name="appointment-cancel",
    ),
    path(
        "shop/accounts/appointments/<int:pk>/reschedule/",
        views.appointment_reschedule,
        name="appointment-reschedule",
    ),
    path("shop/accounts/appointments/<int:pk>.ics", views.appointment_ics, name="appointment-ics"),
    path("shop/accounts/calendar/", views.calendar_feed_manage, name="calendar-feed-manage"),
    path("shop/calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("shop/accounts/households/", views.households, name="households"),
    path(
        "shop/accounts/households/<int:pk>/default/",
        views.household_default,
        name="household-default",
    ),
]
urlpatterns += series_urlpatterns + package_urlpatterns + waitlist_urlpatterns
