"""Wagtail admin hooks of the bookings app (Wagtail loads every app's ``wagtail_hooks``)."""

from wagtail import hooks

from bookings.dispatch.handlers import users_deactivate


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
