"""The package page, included by ``bookings.residents.urls`` (full paths under /shop/)."""

from django.urls import path

from bookings.packages import views

urlpatterns = [
    path("shop/accounts/packages/", views.package_list, name="package-list"),
]
