"""The complaint desk of provider managers and enterprise staff: the complaints they handle
(others': 404), their steps, 12345 tickets, and hiding abusive reviews."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.models import AppointmentEvent
from feedback.complaints import services
from feedback.complaints.access import complaint_for_handler, handled_by, is_handler
from feedback.complaints.clocks import breached
from feedback.complaints.views import evidence_event, evidence_message, evidence_messages
from feedback.exceptions import FeedbackError
from feedback.forms import HideForm, HotlineForm, SatisfactionForm, TextForm
from feedback.models import Rating
from feedback.ratings.services import rating_hide


def _handler(request):
    if not is_handler(request.user):
        raise Http404


@login_required
def desk_list(request):
    _handler(request)
    now = timezone.now()
    complaints = list(
        handled_by(request.user)
        .select_related("community", "provider")
        .order_by("status", "response_due")[:200]
    )
    for c in complaints:
        c.late = breached(c, now)
    return render(
        request,
        "feedback/desk_list.html",
        {
            "complaints": complaints,
            "is_enterprise_staff": request.user.enterprises.exists(),
            "page_title": _("Complaint desk"),
        },
    )


def _detail(request, complaint, *, status=200, error=""):
    return render(
        request,
        "feedback/desk_detail.html",
        {
            "complaint": complaint,
            "late": breached(complaint, timezone.now()),
            "events": complaint.events.select_related(
                "actor", "appointment_event", "appointment_message"
            ).prefetch_related("photos"),
            "text_form": TextForm(),
            "satisfaction_form": SatisfactionForm(),
            "evidence": AppointmentEvent.objects.filter(appointment_id=complaint.appointment_id)
            if complaint.appointment_id
            else [],
            "evidence_messages": evidence_messages(complaint),
            "error": error,
            "page_title": _("Complaint %(number)s") % {"number": complaint.number},
        },
        status=status,
    )


@login_required
def desk_detail(request, pk):
    return _detail(request, complaint_for_handler(request.user, pk))


STEPS = {
    "respond": services.complaint_respond,
    "request_info": services.complaint_request_info,
    "resolve": services.complaint_resolve,
}


@login_required
@require_POST
def desk_act(request, pk, action):
    """A handler's step: respond, request_info, resolve, complex, rate (a hotline caller's
    answer), attach (an appointment event as evidence)."""
    complaint = complaint_for_handler(request.user, pk)
    try:
        if action in STEPS:
            form = TextForm(request.POST)
            if not form.is_valid():
                raise FeedbackError(_("Please write the text."))
            STEPS[action](complaint=complaint, user=request.user, text=form.cleaned_data["text"])
        elif action == "complex":
            services.complaint_mark_complex(
                complaint=complaint, user=request.user, reason=request.POST.get("reason", "")
            )
        elif action == "rate":
            form = SatisfactionForm(request.POST)
            if not form.is_valid():
                raise FeedbackError(_("Choose how satisfied the caller is."))
            services.complaint_rate(complaint=complaint, user=request.user, **form.cleaned_data)
        elif action == "attach":
            event = evidence_event(request, complaint)
            services.complaint_attach_event(
                complaint=complaint, user=request.user, appointment_event=event
            )
        elif action == "attach-message":
            message = evidence_message(request, complaint)
            services.complaint_attach_message(
                complaint=complaint, user=request.user, message=message
            )
        else:
            raise FeedbackError(_("Unknown step."))
    except FeedbackError as exc:
        complaint.refresh_from_db()
        return _detail(request, complaint, status=exc.status_code, error=str(exc))
    return redirect("feedback:desk-detail", pk=complaint.pk)


@login_required
def desk_hotline(request):
    """Enterprise staff enter a 12345 hotline ticket."""
    if not request.user.enterprises.exists():
        raise Http404
    status, error = 200, ""
    form = HotlineForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                complaint = services.complaint_file_hotline(staff=request.user, **form.cleaned_data)
            except FeedbackError as exc:
                status, error = exc.status_code, str(exc)
            else:
                messages.success(
                    request, _("Complaint %(number)s entered.") % {"number": complaint.number}
                )
                return redirect("feedback:desk-detail", pk=complaint.pk)
        else:
            status = 400
    return render(
        request,
        "feedback/desk_hotline.html",
        {"form": form, "error": error, "page_title": _("Enter a 12345 hotline ticket")},
        status=status,
    )


@login_required
def desk_reviews(request):
    """The reviews of the staff member's communities, newest first, each with a hide form."""
    if not request.user.enterprises.exists():
        raise Http404
    ratings = (
        Rating.objects.filter(community__enterprise__in=request.user.enterprises.all())
        .select_related("resident", "community", "product")
        .order_by("-created")[:100]
    )
    return render(
        request,
        "feedback/desk_reviews.html",
        {"ratings": ratings, "form": HideForm(), "page_title": _("Reviews")},
    )


@login_required
@require_POST
def desk_review_hide(request, pk):
    rating = get_object_or_404(
        Rating, pk=pk, community__enterprise__in=request.user.enterprises.all()
    )
    form = HideForm(request.POST)
    try:
        if not form.is_valid():
            raise FeedbackError(_("Say why the review is hidden (at most 300 characters)."))
        rating_hide(rating=rating, user=request.user, reason=form.cleaned_data["reason"])
    except FeedbackError as exc:
        return render(
            request, "feedback/refused.html", {"message": str(exc)}, status=exc.status_code
        )
    messages.success(request, _("The review is hidden; it is kept with your reason."))
    return redirect("feedback:desk-reviews")
