"""The residents' package page: each package's balance, validity and ledger (read only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from bookings.models import Package


@login_required
def package_list(request):
    """My packages: balance, validity and history, only mine."""
    packages = (
        Package.objects.filter(resident=request.user)
        .select_related("product", "community")
        .prefetch_related("entries")
    )
    return render(
        request,
        "bookings/packages/list.html",
        {"packages": packages, "page_title": _("My packages")},
    )
