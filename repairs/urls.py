"""Repair pages; each path spelled out in full (included at the site's root before Oscar's)."""

from django.urls import path

from repairs import views

app_name = "repairs"
urlpatterns = [
    # residents
    path("shop/accounts/repairs/", views.my_repairs, name="list"),
    path("shop/accounts/repairs/new/", views.report, name="report"),
    path("shop/accounts/repairs/<int:pk>/", views.detail, name="detail"),
    path("shop/accounts/repairs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("shop/accounts/repairs/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("shop/accounts/repairs/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("shop/accounts/repairs/<int:pk>/approve/", views.approve, name="approve"),
    # maintenance workers, in the provider console
    path("provider/repairs/", views.worker_home, name="worker-home"),
    path("provider/repairs/<int:pk>/", views.job, name="job"),
    path("provider/repairs/<int:pk>/accept/", views.job_accept, name="job-accept"),
    path("provider/repairs/<int:pk>/decline/", views.job_decline, name="job-decline"),
    path("provider/repairs/<int:pk>/on-the-way/", views.job_on_the_way, name="job-on-the-way"),
    path("provider/repairs/<int:pk>/check-in/", views.job_check_in, name="job-check-in"),
    path("provider/repairs/<int:pk>/quote/", views.job_quote, name="job-quote"),
    path("provider/repairs/<int:pk>/complete/", views.job_complete, name="job-complete"),
    # the enterprise's repair desk
    path("repairs/desk/", views.desk_home, name="desk"),
    path("repairs/desk/new/", views.desk_new, name="desk-new"),
    path("repairs/desk/<int:pk>/", views.desk_detail, name="desk-detail"),
    path("repairs/desk/<int:pk>/assign/", views.desk_assign, name="desk-assign"),
    path("repairs/desk/<int:pk>/cancel/", views.desk_cancel, name="desk-cancel"),
    path("repairs/desk/<int:pk>/fund/", views.desk_fund, name="desk-fund"),
]
