"""What moves the slot cache's versions on (``bookings.availability.slot_cache``): the handlers.

Wired in ``bookings.apps.ready``, so every path that changes a calendar is caught, whichever
app or admin page takes it:

- an ``Appointment`` saved (booked, rescheduled, handed to another worker: the old worker's
  calendar too) or deleted; a status change is a queryset ``update()`` that sends no signal,
  so ``bookings.appointments.lifecycle.appointment_transition`` calls ``calendars_changed``;
- ``WeeklyHours`` and ``TimeOff`` saved or deleted (the console's bulk replacement of hours
  calls ``calendars_changed`` itself: ``bulk_create`` sends no signal);
- a ``Worker`` saved or deleted, their skills or communities changed, or a user account saved
  with its ``is_active`` (who qualifies): the workers version.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from bookings.availability.slot_cache import calendars_changed, workers_changed
from bookings.models import Appointment, TimeOff, WeeklyHours, Worker


@receiver(pre_save, sender=Appointment, dispatch_uid="bookings-slot-cache-appointment-moving")
def appointment_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """An appointment handed to another worker frees the old worker's time: that calendar
    moves on too (one small query, only when the worker may change)."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and "worker" not in update_fields:
        return
    old = Appointment.objects.filter(pk=instance.pk).values_list("worker_id", flat=True).first()
    if old and old != instance.worker_id:
        calendars_changed([old])


@receiver([post_save, post_delete], sender=Appointment, dispatch_uid="bookings-slot-cache-appt")
@receiver([post_save, post_delete], sender=WeeklyHours, dispatch_uid="bookings-slot-cache-hours")
@receiver([post_save, post_delete], sender=TimeOff, dispatch_uid="bookings-slot-cache-time-off")
def calendar_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """The worker's calendar changed."""
    if raw:
        return
    if sender is Appointment and update_fields is not None:
        # Saves of payment or fee fields leave the busy time as it was.
        if not {"start", "end", "worker", "status", "busy_until"} & set(update_fields):
            return
    calendars_changed([instance.worker_id])


_QUALIFYING = {"is_active", "provider", "provider_id", "user", "user_id"}


@receiver([post_save, post_delete], sender=Worker, dispatch_uid="bookings-slot-cache-worker")
def worker_saved(sender, raw=False, update_fields=None, **kwargs):
    """Who qualifies may have changed (active, provider); a save of other fields (a rating)
    moves nothing."""
    if raw or (update_fields is not None and not _QUALIFYING & set(update_fields)):
        return
    workers_changed()


@receiver(m2m_changed, sender=Worker.skills.through, dispatch_uid="bookings-slot-cache-skills")
@receiver(
    m2m_changed, sender=Worker.communities.through, dispatch_uid="bookings-slot-cache-communities"
)
def worker_relations_changed(sender, action, **kwargs):
    """A skill or a community served added or removed: who qualifies changed."""
    if action in ("post_add", "post_remove", "post_clear"):
        workers_changed()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="bookings-slot-cache-user")
def user_saved(sender, raw=False, created=False, update_fields=None, **kwargs):
    """A user account saved with its ``is_active`` (a worker whose account cannot sign in
    does not qualify). A log-in saves only ``last_login`` and moves nothing; a new account
    has no worker profile yet."""
    if raw or created or (update_fields is not None and "is_active" not in update_fields):
        return
    workers_changed()
