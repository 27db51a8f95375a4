"""The package pages, included by ``bookings.residents.urls`` (full paths under /shop/)."""

from django.urls import path

from bookings.packages import views

urlpatterns = [
    path("shop/accounts/packages/", views.package_list, name="package-list"),
    path(
        "shop/accounts/packages/<int:pk>/refund/",
        views.package_refund_view,
        name="package-refund",
    ),
    path("shop/packages/<int:offer_pk>/buy/", views.package_buy_view, name="package-buy"),
    path(
        "shop/services/<int:product_pk>/book-with-package/",
        views.package_book_view,
        name="package-book",
    ),
]
