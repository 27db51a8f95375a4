"""The waiting-list pages, included by ``bookings.residents.urls`` (full paths under /shop/)."""

from django.urls import path

from bookings.waitlist import views

urlpatterns = [
    path(
        "shop/services/<int:product_pk>/waiting-list/",
        views.waitlist_join_view,
        name="waitlist-join",
    ),
    path("shop/accounts/waiting-list/<int:pk>/", views.waitlist_offer_view, name="waitlist-offer"),
]
