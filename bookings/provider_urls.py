from django.urls import path

from bookings import provider_views

app_name = "provider"
urlpatterns = [
    path("", provider_views.home, name="home"),
]
