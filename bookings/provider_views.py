"""The provider console at /provider/: workers run their day, managers run their team.

Every view goes through ``console`` (who may enter, as what) and reaches objects through one
helper per kind (``_job``, ``_worker``, ``_stockrecord``, ``_offer``), each scoped to the
user's provider and, for workers, to their own jobs and offers: anything else is a 404, so we
never confirm that another provider's job exists. Residents and enterprise staff without a
provider role get a 403 page saying why.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import provider_services as console_services
from bookings.exceptions import BookingError
from bookings.models import Appointment, TimeOff, Worker
from bookings.provider_forms import (
    AssignForm,
    CompleteForm,
    DeclineForm,
    EarningsForm,
    NoShowForm,
    PriceForm,
    TimeOffForm,
    WeeklyHoursForm,
    week_start,
)
from bookings.provider_services import ConsoleRole

Status = Appointment.Status


# --- who may enter -----------------------------------------------------------------------------


def _refuse(request, message: str):
    return render(request, "bookings/provider/forbidden.html", {"message": message}, status=403)


def console(manager: bool = False, worker: bool = False):
    """Let in users with a provider role (only managers / only workers when asked);
    ``request.console`` is their ``ConsoleRole``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            role = console_services.console_role(request.user)
            if role is None:
                return _refuse(
                    request,
                    _(
                        "The provider console is for service providers' workers and managers. "
                        "Your account is not linked to a provider; if it should be, ask your "
                        "provider's manager to add you."
                    ),
                )
            if manager and not role.is_manager:
                return _refuse(request, _("Only your provider's managers can open this page."))
            if worker and not role.is_worker:
                return _refuse(request, _("Only workers can open this page."))
            request.console = role
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _job(role: ConsoleRole, pk) -> Appointment:
    """A job the user may see: a worker's own; for a manager, any of the provider's."""
    jobs = Appointment.objects.select_related(
        "product", "community", "household", "resident", "worker__user", "order"
    )
    if role.is_manager:
        jobs = jobs.filter(worker__provider=role.provider)
    else:
        jobs = jobs.filter(worker=role.worker)
    return get_object_or_404(jobs, pk=pk)


def _worker(role: ConsoleRole, pk) -> Worker:
    return get_object_or_404(Worker.objects.select_related("user"), pk=pk, provider=role.provider)


def _offer(role: ConsoleRole, pk):
    from bookings.models_dispatch import Offer

    return get_object_or_404(
        Offer.objects.select_related("appointment__product", "appointment__community"),
        pk=pk,
        worker=role.worker,
    )


def _stockrecord(role: ConsoleRole, pk):
    from marketplace.partner.models import StockRecord

    return get_object_or_404(
        StockRecord.objects.select_related("product", "community"), pk=pk, partner=role.provider
    )


def _base(request, **context) -> dict:
    context.setdefault("role", request.console)
    return context


# --- home: offers and jobs ------------------------------------------------------------------------


@console()
def home(request):
    """A worker's offers and jobs; a manager's shortcuts (both for someone who is both)."""
    role = request.console
    context = _base(request)
    if role.is_worker:
        today, upcoming = console_services.worker_jobs(role.worker)
        context.update(today=today, upcoming=upcoming, offers=_offers_for(role.worker))
    if role.is_manager:
        context["board"] = _dispatch_board(role.provider)
        context["team_size"] = Worker.objects.filter(provider=role.provider, is_active=True).count()
    return render(request, "bookings/provider/home.html", context)


def _offers_for(worker):
    from bookings.dispatch import offers_for_worker

    return list(offers_for_worker(worker))


def _dispatch_board(provider):
    from bookings.dispatch import dispatch_board

    return list(dispatch_board(provider))


# --- a job ----------------------------------------------------------------------------------------


@console()
def job_detail(request, pk):
    role = request.console
    job = _job(role, pk)
    own = role.is_worker and job.worker_id == role.worker.pk
    now = timezone.now()
    context = _base(
        request,
        job=job,
        own=own,
        contact=console_services.job_contact(job, now=now) if own or role.is_manager else None,
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
    job = _job(request.console, pk)
    try:
        console_services.appointment_check_in(appointment=job, worker=request.console.worker)
    except BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Checked in. Complete the job when you are done."))
    return redirect("provider:job", pk=job.pk)


@require_POST
@console(worker=True)
def job_complete(request, pk):
    job = _job(request.console, pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please shorten the notes."))
        return redirect("provider:job", pk=job.pk)
    try:
        result = console_services.appointment_complete(
            appointment=job, worker=request.console.worker, notes=form.cleaned_data["notes"]
        )
    except BookingError as exc:
        messages.error(request, str(exc))
        return redirect("provider:job", pk=job.pk)
    _payment_message(request, result.payment, done=_("Job completed."))
    return redirect("provider:job", pk=job.pk)


@require_POST
@console(worker=True)
def job_no_show(request, pk):
    job = _job(request.console, pk)
    form = NoShowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please say what happened."))
        return redirect("provider:job", pk=job.pk)
    try:
        result = console_services.appointment_no_show(
            appointment=job, worker=request.console.worker, notes=form.cleaned_data["notes"]
        )
    except BookingError as exc:
        messages.error(request, str(exc))
        return redirect("provider:job", pk=job.pk)
    _payment_message(request, result.payment, done=_("No-show reported."))
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
    from bookings.dispatch import offer_accept as accept

    offer = _offer(request.console, pk)
    try:
        accept(offer=offer, worker=request.console.worker)
    except BookingError as exc:
        messages.error(request, str(exc))
        return redirect("provider:home")
    messages.success(request, _("Accepted. The resident's address and phone are now shown."))
    return redirect("provider:job", pk=offer.appointment_id)


@require_POST
@console(worker=True)
def offer_decline(request, pk):
    from bookings.dispatch import offer_decline as decline

    offer = _offer(request.console, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason for declining."))
        return redirect("provider:home")
    try:
        decline(offer=offer, worker=request.console.worker, reason=form.cleaned_data["reason"])
    except BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Declined. The job goes to another worker."))
    return redirect("provider:home")


# --- hours and time off -------------------------------------------------------------------------


@console(worker=True)
def my_hours(request):
    return _hours(request, request.console.worker, own=True)


@console(manager=True)
def worker_hours(request, pk):
    return _hours(request, _worker(request.console, pk), own=False)


def _hours(request, worker: Worker, *, own: bool):
    here = reverse("provider:hours") if own else reverse("provider:worker-hours", args=[worker.pk])
    hours_form = WeeklyHoursForm(hours=worker.weekly_hours.all())
    time_off_form = TimeOffForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "hours":
            hours_form = WeeklyHoursForm(request.POST, hours=worker.weekly_hours.all())
            if hours_form.is_valid():
                try:
                    console_services.weekly_hours_set(
                        worker=worker, hours=hours_form.cleaned_data["hours"]
                    )
                except BookingError as exc:
                    hours_form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Weekly hours saved. Residents see them now."))
                    return redirect(here)
        elif action == "time_off":
            time_off_form = TimeOffForm(request.POST)
            if time_off_form.is_valid():
                data = time_off_form.cleaned_data
                try:
                    console_services.time_off_add(
                        worker=worker, start=data["start"], end=data["end"], reason=data["reason"]
                    )
                except BookingError as exc:
                    time_off_form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Time off added."))
                    return redirect(here)
    context = _base(
        request,
        worker=worker,
        own=own,
        hours_form=hours_form,
        time_off_form=time_off_form,
        time_off=worker.time_off.filter(end__gt=timezone.now()).order_by("start"),
    )
    return render(request, "bookings/provider/hours.html", context)


@require_POST
@console()
def time_off_delete(request, pk):
    role = request.console
    entries = TimeOff.objects.select_related("worker")
    if role.is_manager:
        entries = entries.filter(worker__provider=role.provider)
    else:
        entries = entries.filter(worker=role.worker)
    entry = get_object_or_404(entries, pk=pk)
    console_services.time_off_delete(time_off=entry)
    messages.success(request, _("Time off removed."))
    if role.is_worker and entry.worker_id == role.worker.pk:
        return redirect("provider:hours")
    return redirect("provider:worker-hours", pk=entry.worker_id)


# --- manager: team, dispatch board, services, earnings ------------------------------------------


@console(manager=True)
def team(request):
    start = week_start(request.GET.get("week"))
    rows = console_services.team_week(request.console.provider, start)
    context = _base(
        request,
        rows=rows,
        week=start,
        days=[d.day for d in rows[0].days] if rows else [],
        previous_week=start - timedelta(days=7),
        next_week=start + timedelta(days=7),
    )
    return render(request, "bookings/provider/team.html", context)


@console(manager=True)
def dispatch(request):
    board = _dispatch_board(request.console.provider)
    return render(request, "bookings/provider/dispatch.html", _base(request, board=board))


@console(manager=True)
def assign(request, pk):
    from bookings.dispatch import appointment_assign

    role = request.console
    job = _job(role, pk)
    workers = console_services.free_qualified_workers(job)
    form = AssignForm(request.POST or None, workers=workers)
    if request.method == "POST" and form.is_valid():
        chosen = _worker(role, form.cleaned_data["worker"])
        try:
            appointment_assign(appointment=job, worker=chosen, by=request.user)
        except BookingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Assigned to %(worker)s, who gets an offer now.")
                % {"worker": chosen.display_name},
            )
            return redirect("provider:dispatch")
    context = _base(request, job=job, form=form, workers=workers)
    return render(request, "bookings/provider/assign.html", context)


@console(manager=True)
def services(request):
    from marketplace.partner.models import StockRecord

    records = list(
        StockRecord.objects.filter(partner=request.console.provider)
        .select_related("product", "community")
        .order_by("community__name", "product__title")
    )
    published = console_services.price_status(records)
    rows = [(r, published.get(r.pk), PriceForm(prefix=f"sr{r.pk}")) for r in records]
    return render(request, "bookings/provider/services.html", _base(request, rows=rows))


@require_POST
@console(manager=True)
def price_propose(request, pk):
    record = _stockrecord(request.console, pk)
    form = PriceForm(request.POST, prefix=f"sr{record.pk}")
    if not form.is_valid():
        messages.error(request, _("Please enter a price in yuan, for example 120.00."))
        return redirect("provider:services")
    try:
        console_services.price_propose(
            stockrecord=record, price=form.cleaned_data["price"], by=request.user
        )
    except BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Proposed ¥%(price)s for %(service)s in %(community)s. It is a draft on the fee "
                "board and becomes bookable when the enterprise publishes the board."
            )
            % {
                "price": form.cleaned_data["price"],
                "service": record.product.get_title(),
                "community": record.community.display_name if record.community else "",
            },
        )
    return redirect("provider:services")


@console(manager=True)
def earnings(request):
    form = EarningsForm(request.GET or None)
    start, end, period = form.range() if form.is_bound else EarningsForm().range()
    rows = console_services.earnings(
        provider=request.console.provider, start=start, end=end, period=period
    )
    if request.GET.get("format") == "csv":
        body = console_services.earnings_csv(rows, period=period)
        response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="earnings-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
        )
        return response
    totals = {
        "captured": sum((r.captured for r in rows), 0),
        "refunded": sum((r.refunded for r in rows), 0),
        "net": sum((r.net for r in rows), 0),
        "jobs": sum(r.jobs for r in rows),
    }
    if not form.is_bound:
        form = EarningsForm(initial={"start": start, "end": end, "period": period})
    query = f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}&period={period}"
    context = _base(request, form=form, rows=rows, totals=totals, start=start, end=end, query=query)
    return render(request, "bookings/provider/earnings.html", context)
