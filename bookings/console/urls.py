"""The provider console, mounted at /provider/ (namespace ``provider``)."""

from django.urls import path

from bookings.console.views import jobs, manage, schedule

app_name = "provider"
urlpatterns = [
    path("", jobs.home, name="home"),
    path("live/", jobs.live, name="live"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job"),
    path("jobs/<int:pk>/check-in/", jobs.job_check_in, name="job-check-in"),
    path("jobs/<int:pk>/complete/", jobs.job_complete, name="job-complete"),
    path("jobs/<int:pk>/no-show/", jobs.job_no_show, name="job-no-show"),
    path("offers/<int:pk>/accept/", jobs.offer_accept, name="offer-accept"),
    path("offers/<int:pk>/decline/", jobs.offer_decline, name="offer-decline"),
    path("hours/", schedule.my_hours, name="hours"),
    path("time-off/<int:pk>/delete/", schedule.time_off_delete, name="time-off-delete"),
    path("team/", schedule.team, name="team"),
    path("team/<int:pk>/hours/", schedule.worker_hours, name="worker-hours"),
    path("dispatch/", manage.dispatch, name="dispatch"),
    path("dispatch/live/", manage.dispatch_live, name="dispatch-live"),
    path("dispatch/<int:pk>/assign/", manage.assign, name="assign"),
    path("services/", manage.services, name="services"),
    path("services/<int:pk>/price/", manage.price_propose, name="price-propose"),
    path("earnings/", manage.earnings, name="earnings"),
]
