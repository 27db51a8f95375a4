"""An action the database refuses is a clear message listing what blocks it, never a 500.

Oscar's dashboard and Django's admin delete and save through the ORM: deleting a service
that has bookings raises ``ProtectedError`` (``Appointment.product`` is ``PROTECT``), deleting
a provider whose prices were booked raises it through their stock records, and a save can hit a
unique or check constraint (``IntegrityError``). ``StaffConstraintMiddleware`` answers each
with the staff page they came from and an error message naming the blocking rows (the first
``LISTED``), status 409 for clients that ask for JSON.

Nothing of the refused action stays: Oscar's dashboard saves a product and then its formsets
(its stock records) without a transaction, so a POST to the dashboard pages that never call
Stripe runs in one transaction here, rolled back on a refusal. The payments and orders pages
are left alone: they call Stripe, and a transaction must not stay open across a network call.
Django's admin already saves and deletes in a transaction of its own.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from marketplace.bad_input import wants_json

#: Where the staff pages are (Oscar's dashboard, Django's admin, Wagtail's admin).
STAFF_PREFIXES = ("/shop/dashboard/", "/django-admin/", "/cms/")
#: Dashboard pages whose POSTs write only our own database (no Stripe): one transaction each.
ATOMIC_PREFIXES = tuple(
    f"/shop/dashboard/{part}/"
    for part in (
        "catalogue",
        "partners",
        "ranges",
        "offers",
        "vouchers",
        "pages",
        "reviews",
        "shipping",
    )
)
#: How many blocking rows the message names.
LISTED = 10


def blocking_objects_text(objects) -> str:
    """``objects`` (model instances) as "service «清洁» (appointment), ...", the first ``LISTED``
    and how many more."""
    objects = list(objects)
    named = [f"{o._meta.verbose_name} «{o}»" for o in objects[:LISTED]]
    if len(objects) > LISTED:
        named.append(_("and %(count)d more") % {"count": len(objects) - LISTED})
    return ", ".join(named)


def refusal_message(exc: Exception) -> str:
    """What the staff member reads: what blocks the action, in their language."""
    if isinstance(exc, ProtectedError):
        return _("This cannot be deleted while other records use it: %(objects)s.") % {
            "objects": blocking_objects_text(exc.protected_objects)
        }
    if isinstance(exc, RestrictedError):
        return _("This cannot be deleted while other records use it: %(objects)s.") % {
            "objects": blocking_objects_text(exc.restricted_objects)
        }
    return _(
        "The database refused this change, so nothing was saved (%(reason)s). "
        "Check for a duplicate or a value that breaks a rule, and try again."
    ) % {"reason": str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}


class StaffConstraintMiddleware:
    """The innermost middleware: actions refused by the database become a message.

    ``ProtectedError``/``RestrictedError`` raised by any view (a delete is refused before it
    writes anything: Oscar's "delete my profile" of a resident with appointments, too) and
    ``IntegrityError`` raised by a view under ``STAFF_PREFIXES`` roll back what the request
    wrote (inside ``ATOMIC_PREFIXES`` POSTs) and answer a redirect back to the page the form
    was on, with the message; JSON clients get 409 ``{"error": ...}``. Anything else is left
    to Django.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path.startswith(ATOMIC_PREFIXES):
            # Oscar saves a product, then its stock records, then its images, each on its own.
            with transaction.atomic():
                request._linli_atomic = True
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        refused = getattr(request, "_linli_refused", None)
        if refused is None:
            return response
        # Only now, after the rollback: naming the blocking rows reads them.
        message = refusal_message(refused)
        if wants_json(request):
            return JsonResponse({"error": message}, status=409)
        messages.error(request, message)
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = request.path
        return HttpResponseRedirect(back)

    def process_exception(self, request, exception):
        if isinstance(exception, (ProtectedError, RestrictedError)):
            pass  # (subclasses of IntegrityError) refused before anything was deleted
        elif not isinstance(exception, IntegrityError):
            return None
        elif not request.path.startswith(STAFF_PREFIXES):
            return None  # a resident's or a worker's request: a bug to fix at its edge
        if getattr(request, "_linli_atomic", False):
            transaction.set_rollback(True)  # the transaction ``__call__`` opened, nothing else
        request._linli_refused = exception
        return HttpResponse(status=409)  # replaced by ``__call__`` once the transaction is over
