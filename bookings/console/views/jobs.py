"""The console's home and a worker's jobs: offers, a job's page, check in, complete, no-show."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.console import jobs as job_services
from bookings.console.access import job_contact, job_for, offer_for
from bookings.console.forms import CompleteForm, DeclineForm, NoShowForm
from bookings.console.schedule import team_size
from bookings.console.views.base import console, page
from bookings.dispatch.assignment import dispatch_board
from bookings.dispatch.offers import offer_accept as dispatch_offer_accept
from bookings.dispatch.offers import offer_decline as dispatch_offer_decline
from bookings.dispatch.offers import offers_for_worker
from bookings.exceptions import BookingError
from bookings.models import Appointment
from marketplace.cache import content_digest

Status = Appointment.Status


def _worker_board(worker) -> dict:
    """A worker's offers and jobs, a ``version`` that changes when any of them does and
    ``jobs_shown``, a digest of every value the job cards show."""
    today, upcoming = job_services.worker_jobs(worker)
    offers = list(offers_for_worker(worker))
    seen = [(o.pk, o.expires_at.isoformat()) for o in offers] + [
        (j.pk, j.status, j.start.isoformat(), j.updated.isoformat()) for j in [*today, *upcoming]
    ]
    version = hashlib.sha1(repr(seen).encode()).hexdigest()[:16]  # noqa: S324 — not security
    # The job cards are a fragment cached under every value they show (and the language);
    # the offers are drawn every time (a countdown, a token).
    jobs_shown = content_digest(
        [len(today)]
        + [
            (j.pk, j.status, j.start, j.end, j.product.get_title(), j.community.display_name)
            for j in [*today, *upcoming]
        ]
    )
    return {
        "today": today,
        "upcoming": upcoming,
        "offers": offers,
        "version": version,
        "jobs_shown": jobs_shown,
    }


@console()
def home(request):
    """A worker's offers and jobs; a manager's shortcuts (both for someone who is both)."""
    role = request.console
    context = page(request)
    if role.is_worker:
        context.update(_worker_board(role.worker))
    if role.is_manager:
        # A count, not the rows: a busy provider has thousands of jobs waiting.
        context["board_size"] = dispatch_board(role.provider).count()
        context["team_size"] = team_size(role.provider)
    return render(request, "bookings/provider/home.html", context)


@console(worker=True)
def live(request):
    """The worker's offers and jobs as the console's self-refreshing part (htmx polls it every
    5 s): 204 when nothing changed since the ``v`` the page has, else the fragment."""
    board = _worker_board(request.console.worker)
    if request.GET.get("v") == board["version"]:
        return HttpResponse(status=204)
    return render(request, "bookings/provider/_worker_live.html", page(request, **board))


# --- a job ----------------------------------------------------------------------------------------


@console()
def job_detail(request, pk):
    """A job's page: what, when, where (the contact only as ``job_contact`` allows), actions."""
    role = request.console
    job = job_for(role, pk)
    own = role.is_worker and job.worker_id == role.worker.pk
    now = timezone.now()
    context = page(
        request,
        job=job,
        own=own,
        contact=job_contact(job, now=now) if own or role.is_manager else None,
        can_check_in=own and job.status == Status.ACCEPTED,
        can_complete=own and job.status == Status.IN_PROGRESS,
        can_no_show=own and job.status == Status.ACCEPTED and now >= job.start,
        complete_form=CompleteForm(),
        no_show_form=NoShowForm(),
        events=job.events.select_related("actor").order_by("at", "pk"),
    )
    return render(request, "bookings/provider/job_detail.html", context)


@require_POST
@console(worker=True)
def job_check_in(request, pk):
    """The worker has arrived: accepted → in progress."""
    job = job_for(request.console, pk)
    try:
        job_services.appointment_check_in(appointment=job, worker=request.console.worker)
    except BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Checked in. Complete the job when you are done."))
    return redirect("provider:job", pk=job.pk)


@require_POST
@console(worker=True)
def job_complete(request, pk):
    """The job is done (with optional notes); the card is then charged."""
    return _finish(
        request,
        pk,
        form_class=CompleteForm,
        service=job_services.appointment_complete,
        invalid=_("Please shorten the notes."),
        done=_("Job completed."),
    )


@require_POST
@console(worker=True)
def job_no_show(request, pk):
    """Nobody was home (with what happened); the cancellation fee is then charged."""
    return _finish(
        request,
        pk,
        form_class=NoShowForm,
        service=job_services.appointment_no_show,
        invalid=_("Please say what happened."),
        done=_("No-show reported."),
    )


def _finish(request, pk, *, form_class, service, invalid: str, done: str):
    """End the worker's job ``pk`` through ``service`` (complete or no-show) with the form's
    notes, then say what happened to the payment; back to the job page either way."""
    job = job_for(request.console, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("provider:job", pk=job.pk)
    try:
        result = service(
            appointment=job, worker=request.console.worker, notes=form.cleaned_data["notes"]
        )
    except BookingError as exc:
        messages.error(request, str(exc))
        return redirect("provider:job", pk=job.pk)
    _payment_message(request, result.payment, done=done)
    return redirect("provider:job", pk=job.pk)


def _payment_message(request, payment, *, done: str) -> None:
    if payment.error:
        messages.warning(
            request,
            _("%(done)s The payment could not be taken yet (%(error)s); it will be retried.")
            % {"done": done, "error": payment.error},
        )
    elif payment.captured:
        messages.success(
            request,
            _("%(done)s ¥%(amount)s was charged to the resident's card.")
            % {"done": done, "amount": payment.captured},
        )
    else:
        messages.success(request, done)


# --- offers (dispatch) -----------------------------------------------------------------------------


@require_POST
@console(worker=True)
def offer_accept(request, pk):
    """The worker takes the job offered: the resident's contact is shown from now on."""
    offer = offer_for(request.console, pk)
    try:
        dispatch_offer_accept(offer=offer, worker=request.console.worker)
    except BookingError as exc:
        messages.error(request, str(exc))
        return redirect("provider:home")
    messages.success(request, _("Accepted. The resident's address and phone are now shown."))
    return redirect("provider:job", pk=offer.appointment_id)


@require_POST
@console(worker=True)
def offer_decline(request, pk):
    """The worker declines (with a reason): the job goes to the next eligible worker."""
    offer = offer_for(request.console, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason for declining."))
        return redirect("provider:home")
    try:
        dispatch_offer_decline(
            offer=offer, worker=request.console.worker, reason=form.cleaned_data["reason"]
        )
    except BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Declined. The job goes to another worker."))
    return redirect("provider:home")
