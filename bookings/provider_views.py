from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """The provider console's front page (workers and managers)."""
    return render(request, "bookings/provider/home.html")
