"""Wagtail admin hooks of the bookings app (Wagtail loads every app's ``wagtail_hooks``)."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks

from bookings.dispatch.handlers import users_deactivate
from bookings.models import Appointment

#: How many of a user's appointments the refusal names before "and N more".
LISTED = 10


@hooks.register("before_bulk_action")
def workers_hand_back_jobs(request, action_type, objects, action_class_instance):
    """Wagtail's users admin "set active state → inactive" (in bulk) updates the accounts with
    a queryset ``update()``, which sends no signal: their workers' future jobs are
    re-dispatched here first, in the bulk action's transaction."""
    if action_type != "set_active_state":
        return None
    if action_class_instance.cleaned_form.cleaned_data.get("mark_as_active", True):
        return None
    users_deactivate(obj.pk for obj in objects if obj.pk != request.user.pk)
    return None


# Before cms.wagtail_hooks' general refusal (records counted per kind): this one names the
# appointments, so a staff member knows which jobs to hand over first.
@hooks.register("before_delete_user", order=-1)
def refuse_deleting_a_user_with_appointments(request, user):
    """A user whose appointments (as worker or resident) keep the history and the money is
    never deleted (``on_delete=PROTECT``; Wagtail's delete would answer 500): back to the
    users list with the appointments named, and the way out (deactivate the account: a
    worker's future jobs then go to other workers)."""
    jobs = list(
        Appointment.objects.filter(Q(worker__user=user) | Q(resident=user))
        .select_related("product")
        .order_by("-start")[: LISTED + 1]
    )
    if not jobs:
        return None
    named = "; ".join(str(job) for job in jobs[:LISTED])
    if len(jobs) > LISTED:
        named += " …"
    messages.error(
        request,
        _(
            "%(user)s cannot be deleted: these appointments need the account: %(jobs)s. "
            "Make the account inactive instead; a worker's future jobs then go to other workers."
        )
        % {"user": user.get_full_name() or user.email, "jobs": named},
    )
    return redirect("wagtailusers_users:index")
