"""A manager's console pages: the dispatch board, assigning by hand, prices and earnings."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.console import earnings as earnings_services
from bookings.console import prices
from bookings.console.access import job_for, stockrecord_for, worker_for
from bookings.console.forms import AssignForm, EarningsForm, PriceForm
from bookings.console.schedule import free_qualified_workers
from bookings.console.views.base import console, page
from bookings.dispatch.assignment import (
    appointment_assign,
    dispatch_board_cards,
    dispatch_board_jobs,
)
from bookings.exceptions import BookingError
from marketplace.cache import content_digest
from marketplace.csv_export import csv_download

#: Jobs per page of the dispatch board.
DISPATCH_PAGE_SIZE = 50


def _board(provider, page_number) -> dict:
    """``{"board": one page of the dispatch board, "version": a digest of what it shows,
    "shown": a digest of every value its cards show}``.

    The cards are a template fragment cached under ``shown`` and the language: drawing fifty
    of them was most of the page's CPU, and they only change when one of these values does."""
    jobs = dispatch_board_jobs(provider).values_list("pk", flat=True)
    board = Paginator(jobs, DISPATCH_PAGE_SIZE).get_page(page_number)
    # The page's cards in one query that joins their tables for this page only.
    board.object_list = list(dispatch_board_cards(board.object_list))
    seen = [(j.pk, j.is_escalated, j.open_offer, j.worker_id, j.start.isoformat()) for j in board]
    version = hashlib.sha1(repr(seen).encode()).hexdigest()[:16]  # noqa: S324 — not security
    shown = content_digest(
        [
            (
                *row,
                j.product.get_title(),
                j.community.display_name,
                j.household.building,
                j.worker.display_name if j.worker else "",
            )
            for row, j in zip(seen, board, strict=True)
        ]
        + [(board.number, board.paginator.num_pages)]
    )
    return {"board": board, "version": version, "shown": shown}


@console(manager=True)
def dispatch(request):
    """The provider's jobs waiting for a worker or an answer, and the escalated ones (first),
    ``DISPATCH_PAGE_SIZE`` a page (``?page=``; a page out of range shows the nearest one).

    A busy provider has thousands of upcoming unaccepted jobs: drawing them all cost over a
    second per view."""
    return render(
        request,
        "bookings/provider/dispatch.html",
        page(request, **_board(request.console.provider, request.GET.get("page"))),
    )


@console(manager=True)
def dispatch_live(request):
    """The dispatch board's self-refreshing part (htmx polls it every 5 s, with the page's
    ``?page=``): 204 when nothing changed since the ``v`` the page has, else the fragment."""
    board = _board(request.console.provider, request.GET.get("page"))
    if request.GET.get("v") == board["version"]:
        return HttpResponse(status=204)
    return render(request, "bookings/provider/_dispatch_live.html", page(request, **board))


@console(manager=True)
def assign(request, pk):
    """Give a job to a free, qualified worker of the provider, who then gets an offer."""
    role = request.console
    job = job_for(role, pk)
    workers = free_qualified_workers(job)
    form = AssignForm(request.POST or None, workers=workers)
    if request.method == "POST" and form.is_valid():
        chosen = worker_for(role, form.cleaned_data["worker"])
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
    context = page(request, job=job, form=form, workers=workers)
    return render(request, "bookings/provider/assign.html", context)


@console(manager=True)
def services(request):
    """The provider's prices per community, with what the published board says."""
    rows = [
        (record, published, PriceForm(prefix=f"sr{record.pk}"))
        for record, published in prices.price_rows(request.console.provider)
    ]
    return render(request, "bookings/provider/services.html", page(request, rows=rows))


@require_POST
@console(manager=True)
def price_propose(request, pk):
    """Propose a new price: a draft on the fee board until the enterprise publishes it."""
    record = stockrecord_for(request.console, pk)
    form = PriceForm(request.POST, prefix=f"sr{record.pk}")
    if not form.is_valid():
        messages.error(request, _("Please enter a price in yuan, for example 120.00."))
        return redirect("provider:services")
    try:
        prices.price_propose(stockrecord=record, price=form.cleaned_data["price"], by=request.user)
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
    """Earnings per worker and period (``?start=&end=&period=``); ``&format=csv`` downloads
    them as CSV (a download, UTF-8 with a BOM, so Excel reads Chinese; ``marketplace.csv_export``)."""
    form = EarningsForm(request.GET or None)
    start, end, period = form.range() if form.is_bound else EarningsForm().range()
    rows = earnings_services.earnings(
        provider=request.console.provider, start=start, end=end, period=period
    )
    if request.GET.get("format") == "csv":
        return csv_download(
            earnings_services.earnings_csv(rows, period=period),
            filename=f"earnings-{start:%Y%m%d}-{end:%Y%m%d}.csv",
        )
    totals = {
        "captured": sum((r.captured for r in rows), 0),
        "refunded": sum((r.refunded for r in rows), 0),
        "net": sum((r.net for r in rows), 0),
        "jobs": sum(r.jobs for r in rows),
    }
    if not form.is_bound:
        form = EarningsForm(initial={"start": start, "end": end, "period": period})
    query = f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}&period={period}"
    context = page(request, form=form, rows=rows, totals=totals, start=start, end=end, query=query)
    return render(request, "bookings/provider/earnings.html", context)
