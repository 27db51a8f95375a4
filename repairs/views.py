"""Repair pages: the resident's (/shop/accounts/repairs/), the maintenance worker's
(/provider/repairs/, in the provider console) and the repair desk's (/repairs/desk/).

Each view authorises through ``repairs.access``, validates a form, calls one service and
redirects; a ``RepairError`` is answered with its status (400, 402, 409) and its message, with
nothing written.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.console.views.base import console, page
from marketplace.models import Community
from marketplace.ratelimits import rate_limited
from payments.models import PaymentIntentRecord
from payments.urls import intent_action_url
from repairs import access, dispatch, quotes, services
from repairs.board import published_repair_items
from repairs.clocks import request_clocks
from repairs.errors import RepairConflict, RepairError
from repairs.forms import (
    AssignForm,
    CompleteForm,
    DeskEntryForm,
    QuoteForm,
    ReopenForm,
    ReportForm,
)
from repairs.models import RepairRequest

Status = RepairRequest.Status


def _refused(request, exc: RepairError, back: str):
    """The error page: the service's message with its status code (nothing was written)."""
    return render(
        request,
        "repairs/refused.html",
        {"message": str(exc), "back": back},
        status=exc.status_code,
    )


def _form_refused(request, form, back: str):
    errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    return render(request, "repairs/refused.html", {"message": errors, "back": back}, status=400)


def _detail_context(repair, now=None):
    return {
        "repair": repair,
        "clocks": request_clocks(repair, now=now),
        "photos": repair.photos.all(),
        "events": repair.events.select_related("by"),
        "quote": quotes.live_quote(repair),
    }


# --- residents -----------------------------------------------------------------------------


@login_required
def my_repairs(request):
    """The resident's repair requests, newest first."""
    repairs = access.requests_of_resident(request.user).select_related("community", "household")
    return render(request, "repairs/list.html", {"repairs": repairs, "page_title": _("Repairs")})


@login_required
@rate_limited("repair", methods=("POST",))
def report(request):
    """Report a repair: home or common area, category, description, urgency, photos."""
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "repairs/report.html", {"form": form}, status=400)
        try:
            repair = services.request_report(
                user=request.user,
                area=form.cleaned_data["area"],
                household=form.cleaned_data["household"],
                location=form.cleaned_data["location"],
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                urgent=form.cleaned_data["urgent"],
                photos=form.photos(),
            )
        except RepairError as exc:
            form.add_error(None, str(exc))
            return render(request, "repairs/report.html", {"form": form}, status=exc.status_code)
        messages.success(request, _("Your repair request has been sent."))
        return redirect("repairs:detail", pk=repair.pk)
    if not form.fields["household"].queryset.exists():
        messages.info(request, _("Please add your home first."))
    return render(request, "repairs/report.html", {"form": form})


@login_required
def detail(request, pk):
    """A request's page for its resident: status, clocks, photos, quote, confirm or reopen."""
    repair = access.request_for_resident(request.user, pk)
    context = _detail_context(repair)
    context.update(reopen_form=ReopenForm(), page_title=str(repair))
    return render(request, "repairs/detail.html", context)


def _resident_post(service):
    @login_required
    @require_POST
    @wraps(service)
    def view(request, pk):
        repair = access.request_for_resident(request.user, pk)
        back = repair_url = reverse("repairs:detail", args=[repair.pk])
        try:
            result = service(request, repair)
        except RepairError as exc:
            return _refused(request, exc, back)
        return result or redirect(repair_url)

    return view


@_resident_post
def confirm(request, repair):
    services.request_confirm(request_id=repair.pk, user=request.user)
    messages.success(request, _("Thank you: the repair is confirmed."))


@_resident_post
def reopen(request, repair):
    form = ReopenForm(request.POST)
    if not form.is_valid():
        raise RepairError(_("Please say what is still wrong."))
    services.request_reopen(
        request_id=repair.pk, user=request.user, reason=form.cleaned_data["reason"]
    )
    messages.info(request, _("The repair is reopened and sent to the workers again."))


@_resident_post
def cancel(request, repair):
    if repair.status not in (Status.REPORTED, Status.ACCEPTED):
        raise RepairError(_("A worker is already on the way: please call the service desk."))
    services.request_cancel(request_id=repair.pk, user=request.user)
    messages.info(request, _("The repair request is cancelled."))


@_resident_post
def approve(request, repair):
    try:
        quote_id = int(request.POST.get("quote", ""))
    except ValueError:
        raise RepairError(_("Which quote?")) from None
    intent = quotes.quote_approve(quote_id=quote_id, user=request.user)
    if intent.status == PaymentIntentRecord.Status.REQUIRES_ACTION:
        return redirect(intent_action_url(intent))
    messages.success(
        request, _("Quote approved: the amount is held on your card until the repair is done.")
    )


# --- maintenance workers (the provider console) --------------------------------------------


@console(worker=True)
def worker_home(request):
    """The worker's repair offers and the repairs they hold."""
    worker = request.console.worker
    context = page(
        request,
        offers=list(dispatch.offers_for_worker(worker)),
        jobs=list(
            RepairRequest.objects.filter(
                worker=worker, status__in=[*RepairRequest.WORKING, Status.COMPLETED]
            )
            .select_related("community", "household")
            .order_by("arrive_due")
        ),
    )
    return render(request, "repairs/console/home.html", context)


@console(worker=True)
def job(request, pk):
    """A repair for the worker: place (the contact once theirs), clocks, steps, quote."""
    worker = request.console.worker
    repair = access.request_for_worker(worker, pk)
    own = repair.worker_id == worker.pk
    context = page(request, **_detail_context(repair))
    offer = repair.offers.filter(worker=worker, status="open").first()
    _revision, items = published_repair_items(repair.community)
    context.update(
        own=own,
        offer=offer if repair.status == Status.REPORTED else None,
        contact=access.show_contact(repair, worker),
        quote_form=QuoteForm(items=items),
        can_quote=own and repair.status == Status.ON_SITE and repair.area == "home",
        complete_form=CompleteForm(),
    )
    return render(request, "repairs/console/job.html", context)


def _worker_post(action):
    @console(worker=True)
    @require_POST
    @wraps(action)
    def view(request, pk):
        worker = request.console.worker
        back = reverse("repairs:job", args=[pk])
        try:
            action(request, worker, pk)
        except RepairError as exc:
            return _refused(request, exc, back)
        return redirect("repairs:job", pk=pk)

    return view


@_worker_post
def job_accept(request, worker, pk):
    offer = worker.repair_offers.filter(request_id=pk, status="open").first()
    if offer is None:
        access.request_for_worker(worker, pk)  # 404 when it was never theirs to see
        raise RepairConflict(_("This repair has been taken or the offer has lapsed."))
    dispatch.offer_accept(offer_id=offer.pk, worker=worker)


@_worker_post
def job_decline(request, worker, pk):
    offer = worker.repair_offers.filter(request_id=pk, status="open").first()
    if offer is None:
        access.request_for_worker(worker, pk)
        raise RepairConflict(_("This offer is no longer open."))
    dispatch.offer_decline(offer_id=offer.pk, worker=worker)


@_worker_post
def job_on_the_way(request, worker, pk):
    access.request_for_worker(worker, pk)
    services.request_on_the_way(request_id=pk, worker=worker)


@_worker_post
def job_check_in(request, worker, pk):
    access.request_for_worker(worker, pk)
    services.request_check_in(request_id=pk, worker=worker)


@_worker_post
def job_quote(request, worker, pk):
    repair = access.request_for_worker(worker, pk)
    _revision, items = published_repair_items(repair.community)
    form = QuoteForm(request.POST, items=items)
    if not form.is_valid():
        raise RepairError("; ".join(str(e) for errs in form.errors.values() for e in errs))
    labour, materials = form.lines()
    quotes.quote_propose(request_id=pk, worker=worker, labour=labour, materials=materials)
    messages.success(request, _("Quote sent to the resident for approval."))


@_worker_post
def job_complete(request, worker, pk):
    access.request_for_worker(worker, pk)
    form = CompleteForm(request.POST, request.FILES)
    if not form.is_valid():
        raise RepairError(_("Please write what was done."))
    services.request_complete(
        request_id=pk, worker=worker, notes=form.cleaned_data["notes"], photos=form.photos()
    )
    messages.success(request, _("Repair completed: the resident is asked to confirm."))


# --- the repair desk (enterprise staff) ----------------------------------------------------


def desk(view):
    """Let in enterprise staff; others get a 403 page saying why."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.desk_enterprises(request.user):
            return render(
                request,
                "repairs/refused.html",
                {"message": _("The repair desk is for the property service enterprise's staff.")},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapped


@desk
def desk_home(request):
    """Open requests of the user's enterprises, with their clocks; recent closed ones."""
    now = timezone.now()
    rows = access.requests_of_desk(request.user).select_related("community", "worker__user")
    open_ = [(r, request_clocks(r, now=now)) for r in rows.exclude(status__in=RepairRequest.CLOSED)]
    return render(
        request,
        "repairs/desk/home.html",
        {"open": open_, "closed": rows.filter(status__in=RepairRequest.CLOSED)[:20]},
    )


@desk
def desk_new(request):
    """Enter a request taken by phone, at the desk or from a 12345 ticket."""
    communities = Community.objects.filter(enterprise__staff=request.user)
    form = DeskEntryForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "repairs/desk/new.html", {"form": form}, status=400)
        d = form.cleaned_data
        try:
            repair = services.request_enter(
                staff=request.user,
                community=d["community"],
                source=d["source"],
                area=d["area"],
                household=form.household(),
                location=d["location"],
                category=d["category"],
                description=d["description"],
                urgent=d["urgent"],
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
                hotline_ticket=d["hotline_ticket"],
                photos=form.photos(),
            )
        except RepairError as exc:
            form.add_error(None, str(exc))
            return render(request, "repairs/desk/new.html", {"form": form}, status=exc.status_code)
        return redirect("repairs:desk-detail", pk=repair.pk)
    return render(request, "repairs/desk/new.html", {"form": form})


@desk
def desk_detail(request, pk):
    """A request for the desk: everything, and a manual assignment to a maintenance worker."""
    repair = access.request_for_desk(request.user, pk)
    context = _detail_context(repair)
    context["workers"] = dispatch.maintenance_workers(repair).select_related("user")
    context["on_duty"] = set(dispatch.eligible_workers(repair).values_list("pk", flat=True))
    return render(request, "repairs/desk/detail.html", context)


@desk
@require_POST
def desk_assign(request, pk):
    repair = access.request_for_desk(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, reverse("repairs:desk-detail", args=[pk]))
    try:
        dispatch.request_assign(
            request_id=repair.pk, worker_id=form.cleaned_data["worker"], by=request.user
        )
    except RepairError as exc:
        return _refused(request, exc, reverse("repairs:desk-detail", args=[pk]))
    return redirect("repairs:desk-detail", pk=pk)


@desk
@require_POST
def desk_cancel(request, pk):
    repair = access.request_for_desk(request.user, pk)
    try:
        services.request_cancel(
            request_id=repair.pk, user=request.user, reason=request.POST.get("reason", "")[:300]
        )
    except RepairError as exc:
        return _refused(request, exc, reverse("repairs:desk-detail", args=[pk]))
    return redirect("repairs:desk-detail", pk=pk)


@desk
@require_POST
def desk_fund(request, pk):
    """Disclose that a completed common-area repair was paid from the maintenance fund."""
    repair = access.request_for_desk(request.user, pk)
    back = reverse("repairs:desk-detail", args=[pk])
    try:
        services.request_fund_disclose(
            request_id=repair.pk, staff=request.user, amount=request.POST.get("amount", "")
        )
    except RepairError as exc:
        return _refused(request, exc, back)
    return redirect(back)
