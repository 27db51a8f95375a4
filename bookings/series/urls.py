"""The series pages, included by ``bookings.residents.urls`` (full paths under /shop/)."""

from django.urls import path

from bookings.series import views

urlpatterns = [
    path("shop/services/<int:product_pk>/series/", views.series_new, name="series-new"),
    path("shop/accounts/series/", views.series_list, name="series-list"),
    path("shop/accounts/series/<int:pk>/", views.series_detail, name="series-detail"),
    path(
        "shop/accounts/series/<int:pk>/visits/<int:occurrence_pk>/skip/",
        views.series_skip,
        name="series-skip",
    ),
    path("shop/accounts/series/<int:pk>/end/", views.series_end_view, name="series-end"),
]
