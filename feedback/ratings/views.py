"""The resident's rating page of one appointment, and a worker's own ratings (anonymous)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from bookings.console.access import console_role
from bookings.models import Appointment, Worker
from feedback.exceptions import FeedbackError
from feedback.forms import RatingForm
from feedback.models import Rating
from feedback.ratings.services import rating_change, rating_is_editable, rating_submit


@login_required
def rate(request, pk):
    """GET: the form (or the rating given, editable for 7 days). POST: rate or change.
    Someone else's appointment: 404; refused input: 400/409 with the reason, nothing written."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("product", "worker__user"), pk=pk, resident=request.user
    )
    rating = Rating.objects.filter(appointment=appointment).first()
    editable = rating is None or rating_is_editable(rating)
    status = 200
    error = ""
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if rating is None:
                    rating_submit(
                        appointment=appointment,
                        user=request.user,
                        stars=data["stars"],
                        tags=data["tags"],
                        text=data["text"],
                    )
                else:
                    rating_change(
                        rating=rating,
                        user=request.user,
                        stars=data["stars"],
                        tags=data["tags"],
                        text=data["text"],
                    )
            except FeedbackError as exc:
                error, status = str(exc), exc.status_code
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect("bookings:appointment-detail", pk=appointment.pk)
        else:
            status = 400
    else:
        initial = (
            {"stars": rating.stars, "tags": rating.tags, "text": rating.text} if rating else {}
        )
        form = RatingForm(initial=initial)
    return render(
        request,
        "feedback/rate.html",
        {
            "appointment": appointment,
            "rating": rating,
            "editable": editable,
            "form": form,
            "error": error,
            "page_title": _("Rate %(service)s") % {"service": appointment.product.get_title()},
        },
        status=status,
    )


@login_required
def my_ratings(request):
    """A worker's own ratings: stars, tags and text, never who gave them."""
    worker = Worker.objects.filter(user=request.user).first()
    if worker is None:
        raise Http404
    ratings = Rating.objects.filter(worker=worker).select_related("product").order_by("-created")
    return render(
        request,
        "feedback/my_ratings.html",
        {
            "worker": worker,
            "ratings": ratings[:100],
            "count": ratings.count(),
            "role": console_role(request.user),
            "current": "ratings",
        },
    )
