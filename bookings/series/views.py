"""The residents' series pages: a new series from a service page (plan, then confirm), my
series, one series with its past and coming visits, skipping a visit, ending the series.

Each view authorises (``_own_series`` is the one way to reach a series: anyone else's is 404),
validates a form, calls one service and answers; a refused series is 400 with nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oscar.templatetags.currency_filters import currency

from bookings.exceptions import BookingError, HouseholdRequired
from bookings.models import Series
from bookings.residents.views import _service
from bookings.series.forms import SeriesEndForm, SeriesForm
from bookings.series.planning import series_plan
from bookings.series.services import occurrence_skip, series_create, series_end


def _own_series(request, pk) -> Series:
    """The resident's own series; anyone else's is 404."""
    return get_object_or_404(
        Series.objects.select_related("product", "household__community", "preferred_worker__user"),
        pk=pk,
        resident=request.user,
    )


@login_required
def series_new(request, product_pk):
    """GET: the form. POST: the plan (which worker each visit gets, unfilled ones with other
    times) to confirm; POST with ``confirm``: create the series and book its visits."""
    product = _service(product_pk)
    form = SeriesForm(request.POST if request.method == "POST" else None)
    context = {"product": product, "form": form, "page_title": _("Regular visits")}
    if request.method != "POST":
        return render(request, "bookings/series/new.html", context)
    if not form.is_valid():
        return render(request, "bookings/series/new.html", context, status=400)
    try:
        if "confirm" in request.POST:
            series = series_create(
                user=request.user, product=product, rule=form.rule, summary=form.summary
            )
            messages.success(request, _("Your regular visits are booked."))
            return redirect(series)
        context["plan"] = series_plan(user=request.user, product=product, rule=form.rule)
    except HouseholdRequired as exc:
        messages.info(request, str(exc))
        return redirect("bookings:households")
    except BookingError as exc:
        context["refusal"] = str(exc)
        return render(request, "bookings/series/new.html", context, status=exc.status_code)
    return render(request, "bookings/series/new.html", context)


@login_required
def series_list(request):
    """My regular visits."""
    return render(
        request,
        "bookings/series/list.html",
        {
            "series_list": Series.objects.filter(resident=request.user).select_related(
                "product", "preferred_worker__user"
            ),
            "page_title": _("My regular visits"),
        },
    )


@login_required
def series_detail(request, pk):
    """One series: its rule, worker, and every visit past and coming with its status."""
    series = _own_series(request, pk)
    now = timezone.now()
    occurrences = list(
        series.occurrences.select_related("appointment__worker__user").order_by("start")
    )
    return render(
        request,
        "bookings/series/detail.html",
        {
            "series": series,
            "coming": [o for o in occurrences if o.start >= now],
            "past": [o for o in occurrences if o.start < now][::-1],
            "end_form": SeriesEndForm(initial={"from_date": timezone.localdate()}),
            "page_title": series.product.get_title(),
        },
    )


@login_required
@require_POST
def series_skip(request, pk, occurrence_pk):
    """Skip one visit (cancelled under the usual policy)."""
    series = _own_series(request, pk)
    try:
        fee = occurrence_skip(series=series, occurrence_id=occurrence_pk, by=request.user)
    except BookingError as exc:
        messages.error(request, str(exc))
        return render(
            request,
            "bookings/series/refused.html",
            {"series": series, "message": str(exc), "page_title": _("Regular visits")},
            status=exc.status_code,
        )
    if fee:
        messages.success(
            request, _("Visit skipped. %(fee)s is charged to your card.") % {"fee": currency(fee)}
        )
    else:
        messages.success(request, _("Visit skipped, free of charge."))
    return redirect(series)


@login_required
@require_POST
def series_end_view(request, pk):
    """End the series from a date (booked visits from then on are cancelled under the policy)."""
    series = _own_series(request, pk)
    form = SeriesEndForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            fees = series_end(
                series=series, from_date=form.cleaned_data["from_date"], by=request.user
            )
        except BookingError as exc:
            message = str(exc)
        else:
            done = _("The series ends; no visits from that day on.")
            if fees:
                done += " " + _("%(fee)s in late-cancellation fees is charged.") % {
                    "fee": currency(fees)
                }
            messages.success(request, done)
            return redirect(series)
    return render(
        request,
        "bookings/series/refused.html",
        {"series": series, "message": message, "page_title": _("Regular visits")},
        status=400,
    )
