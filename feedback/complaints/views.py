"""The resident's complaint pages: file one, follow its timeline, add information, answer
whether satisfied, reopen once. Someone else's complaint or appointment: 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.models import Appointment, AppointmentEvent, AppointmentMessage
from feedback.complaints import services
from feedback.complaints.access import complaint_for_resident
from feedback.exceptions import FeedbackError
from feedback.forms import ComplaintForm, SatisfactionForm, TextForm
from feedback.models import Complaint
from marketplace.ratelimits import rate_limited
from repairs.access import request_for_resident


@login_required
def complaint_list(request):
    complaints = Complaint.objects.filter(resident=request.user).select_related("community")
    return render(
        request,
        "feedback/complaint_list.html",
        {"complaints": complaints, "page_title": _("My complaints")},
    )


@login_required
@rate_limited("complaint", methods=("POST",))
def complaint_new(request):
    """GET: the form, the appointment preselected by ``?appointment=<pk>`` or the repair
    request by ``?repair=<pk>`` (only the resident's own: else 404). POST: file it; a refusal
    is 4xx with nothing written."""
    appointment = repair = None
    raw = request.POST.get("appointment") or request.GET.get("appointment")
    raw_repair = request.POST.get("repair") or request.GET.get("repair")
    for value, unknown in (
        (raw, _("Unknown appointment.")),
        (raw_repair, _("Unknown repair request.")),
    ):
        if value and (not str(value).isdigit() or len(str(value)) > 12):
            return render(request, "feedback/refused.html", {"message": unknown}, status=400)
    if raw:
        appointment = get_object_or_404(
            Appointment.objects.select_related("product", "stockrecord__partner"),
            pk=int(raw),
            resident=request.user,
        )
    if raw_repair:
        repair = request_for_resident(request.user, int(raw_repair))
    status, error = 200, ""
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            provider = data["provider"]
            kind = data["kind"]
            if repair is not None:
                kind, provider = Complaint.Kind.REPAIR, None
            try:
                complaint = services.complaint_file(
                    user=request.user,
                    kind=kind,
                    category=data["category"],
                    text=data["text"],
                    appointment=appointment,
                    repair_request=repair,
                    provider=provider,
                    photos=request.FILES.getlist("photos"),
                )
            except FeedbackError as exc:
                status, error = exc.status_code, str(exc)
            else:
                messages.success(
                    request, _("Complaint %(number)s filed.") % {"number": complaint.number}
                )
                return redirect("feedback:complaint-detail", pk=complaint.pk)
        else:
            status = 400
    else:
        initial = {"kind": "appointment" if appointment else "property"}
        if appointment:
            initial["appointment"] = appointment.pk
        if repair:
            initial.update(
                kind=Complaint.Kind.REPAIR,
                repair=repair.pk,
                category=services.category_for_repair(repair),
            )
        form = ComplaintForm(initial=initial, user=request.user)
    return render(
        request,
        "feedback/complaint_new.html",
        {
            "form": form,
            "appointment": appointment,
            "repair": repair,
            "error": error,
            "page_title": _("File a complaint"),
        },
        status=status,
    )


def evidence_event(request, complaint) -> AppointmentEvent:
    """The ``event`` posted: an event of the complaint's appointment, else 404."""
    raw = request.POST.get("event", "")
    if not raw.isdigit() or len(raw) > 12:
        raise Http404
    return get_object_or_404(AppointmentEvent, pk=int(raw), appointment_id=complaint.appointment_id)


def evidence_message(request, complaint) -> AppointmentMessage:
    """The ``message`` posted: a message of the complaint's appointment, else 404."""
    raw = request.POST.get("message", "")
    if not raw.isdigit() or len(raw) > 12:
        raise Http404
    return get_object_or_404(
        AppointmentMessage, pk=int(raw), appointment_id=complaint.appointment_id
    )


def evidence_messages(complaint):
    """The conversation of the complaint's appointment (empty without one)."""
    if not complaint.appointment_id:
        return []
    return AppointmentMessage.objects.filter(appointment_id=complaint.appointment_id)


def _detail(request, complaint, *, status=200, error=""):
    evidence = []
    if complaint.appointment_id:
        evidence = AppointmentEvent.objects.filter(appointment_id=complaint.appointment_id)
    return render(
        request,
        "feedback/complaint_detail.html",
        {
            "complaint": complaint,
            "events": complaint.events.select_related(
                "actor", "appointment_event", "appointment_message"
            ).prefetch_related("photos"),
            "info_form": TextForm(),
            "satisfaction_form": SatisfactionForm(),
            "evidence": evidence,
            "evidence_messages": evidence_messages(complaint),
            "error": error,
            "page_title": _("Complaint %(number)s") % {"number": complaint.number},
        },
        status=status,
    )


@login_required
def complaint_detail(request, pk):
    return _detail(request, complaint_for_resident(request.user, pk))


@login_required
@require_POST
def complaint_act(request, pk, action):
    """One of the resident's steps: ``info``, ``rate``, ``reopen``, ``attach``."""
    complaint = complaint_for_resident(request.user, pk)
    try:
        if action == "rate":
            form = SatisfactionForm(request.POST)
            if not form.is_valid():
                raise FeedbackError(_("Choose how satisfied you are."))
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
            form = TextForm(request.POST, request.FILES)
            if not form.is_valid():
                raise FeedbackError(" ".join(e for errs in form.errors.values() for e in errs))
            if action == "info":
                services.complaint_add_info(
                    complaint=complaint,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    photos=request.FILES.getlist("photos"),
                )
            elif action == "reopen":
                services.complaint_reopen(
                    complaint=complaint, user=request.user, text=form.cleaned_data["text"]
                )
            else:
                return render(
                    request, "feedback/refused.html", {"message": _("Unknown step.")}, status=400
                )
    except FeedbackError as exc:
        complaint.refresh_from_db()
        return _detail(request, complaint, status=exc.status_code, error=str(exc))
    return redirect("feedback:complaint-detail", pk=complaint.pk)
