"""The conversation of an appointment, for the resident, its worker and the provider's managers."""

from django.urls import path

from bookings.conversation import views

app_name = "conversation"
urlpatterns = [
    path("appointments/<int:pk>/messages/", views.conversation, name="conversation"),
]
