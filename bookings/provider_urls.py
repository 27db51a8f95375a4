"""The provider console, mounted at /provider/ (namespace ``provider``)."""

from django.urls import path

from bookings import provider_views as views

app_name = "provider"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/check-in/", views.job_check_in, name="job-check-in"),
    path("jobs/<int:pk>/complete/", views.job_complete, name="job-complete"),
    path("jobs/<int:pk>/no-show/", views.job_no_show, name="job-no-show"),
    path("offers/<int:pk>/accept/", views.offer_accept, name="offer-accept"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="offer-decline"),
    path("hours/", views.my_hours, name="hours"),
    path("time-off/<int:pk>/delete/", views.time_off_delete, name="time-off-delete"),
    path("team/", views.team, name="team"),
    path("team/<int:pk>/hours/", views.worker_hours, name="worker-hours"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("dispatch/<int:pk>/assign/", views.assign, name="assign"),
    path("services/", views.services, name="services"),
    path("services/<int:pk>/price/", views.price_propose, name="price-propose"),
    path("earnings/", views.earnings, name="earnings"),
]
