"""Changes to a worker that take them off jobs, on every path: the signal handlers.

A worker is changed from many places: the Django admin (the "active" checkbox, skills,
communities, provider), Wagtail's and Oscar's user pages (a user account deactivated, one by
one or in bulk), the shell. Whatever the path, when the change means the worker can no longer
do some of their future jobs, those jobs are re-dispatched in the same transaction
(``bookings.dispatch.reassign``). Wired in ``bookings.apps.ready`` (as Oscar's
``apps/order/processing.py`` EventHandler is wired), so a reader finds every trigger here:

- ``Worker`` saved inactive, or with another provider: all their future jobs;
- a ``Worker`` skill (product class) or community removed, from either side of the relation:
  the jobs that needed it;
- a user account saved inactive (``User.is_active``), or a bulk "set inactive" in Wagtail's
  users admin (a queryset ``update()``, which sends no signal: ``users_deactivate``, called
  from ``bookings.wagtail_hooks``): all the jobs of the user's worker profile.

Deleting a worker (or their user) with any appointment is refused by the database
(``on_delete=PROTECT``); the admin lists the appointments that stand in the way.

Lock order: the handler of a worker's save takes the jobs and then the workers
(``reassign.worker_jobs_lock``) *before* the row is written, so a skill or community removed in
the same admin form (written after the row) finds its locks already held.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver

from bookings.availability.slot_cache import workers_changed
from bookings.dispatch.reassign import (
    handed_back_reason,
    worker_future_jobs,
    worker_jobs_lock,
    worker_jobs_reassign,
)
from bookings.models import Worker


@receiver(pre_save, sender=Worker, dispatch_uid="bookings-worker-saved")
def worker_saving(sender, instance: Worker, raw=False, update_fields=None, **kwargs):
    """A worker about to be saved inactive or with another provider hands back their jobs."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"is_active", "provider", "provider_id"} & set(
        update_fields
    ):
        return
    before = Worker.objects.filter(pk=instance.pk).values("is_active", "provider_id").first()
    if before is None or not worker_future_jobs([instance.pk]).exists():
        return
    leaves = (before["is_active"] and not instance.is_active) or (
        before["provider_id"] != instance.provider_id
    )
    # A savepoint inside the caller's transaction (the admin's form): the locks last until it
    # commits, so the skills and communities written next keep the lock order.
    with transaction.atomic():
        jobs = worker_jobs_lock([instance.pk])
        if leaves:
            worker_jobs_reassign(worker_id=instance.pk, jobs=jobs, reason=handed_back_reason())


def _m2m_removed(*, instance, action, reverse, pk_set, lookup: str) -> None:
    if action not in ("pre_remove", "pre_clear"):
        return
    if reverse:  # a product class or a community loses workers
        if action == "pre_remove":
            worker_ids = list(pk_set or ())
        else:
            worker_ids = list(instance.workers.values_list("pk", flat=True))
        removed: Iterable[int] | None = [instance.pk]
    else:  # a worker loses skills or communities (all of them on clear)
        worker_ids = [instance.pk]
        removed = list(pk_set or ()) if action == "pre_remove" else None
    if not worker_ids or removed == []:
        return
    only = Q(**{lookup: removed}) if removed is not None else None
    jobs_ahead = worker_future_jobs(worker_ids)
    if only is not None:
        jobs_ahead = jobs_ahead.filter(only)
    if not jobs_ahead.exists():
        return
    with transaction.atomic():
        jobs = worker_jobs_lock(worker_ids)
        for worker_id in worker_ids:
            worker_jobs_reassign(
                worker_id=worker_id, jobs=jobs, reason=handed_back_reason(), only=only
            )


@receiver(m2m_changed, sender=Worker.skills.through, dispatch_uid="bookings-worker-skills")
def worker_skills_removed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A skill (product class) taken from a worker: the jobs of that kind go to others."""
    _m2m_removed(
        instance=instance,
        action=action,
        reverse=reverse,
        pk_set=pk_set,
        lookup="product__product_class__in",
    )


@receiver(
    m2m_changed, sender=Worker.communities.through, dispatch_uid="bookings-worker-communities"
)
def worker_communities_removed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A community a worker no longer serves: their jobs there go to others."""
    _m2m_removed(
        instance=instance, action=action, reverse=reverse, pk_set=pk_set, lookup="community__in"
    )


def users_deactivate(user_ids: Iterable[int]) -> None:
    """These user accounts are about to be made inactive (without a save, e.g. a bulk
    ``update()``): their workers' future jobs are re-dispatched. Inside the caller's
    transaction; call it before the update."""
    workers_changed()  # who qualifies for the slot cache
    worker_ids = list(
        Worker.objects.filter(user_id__in=list(user_ids), is_active=True).values_list(
            "pk", flat=True
        )
    )
    if not worker_ids or not worker_future_jobs(worker_ids).exists():
        return
    with transaction.atomic():
        jobs = worker_jobs_lock(worker_ids)
        for worker_id in worker_ids:
            worker_jobs_reassign(worker_id=worker_id, jobs=jobs, reason=handed_back_reason())


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="bookings-user-deactivated")
def user_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """A worker's user account about to be saved inactive: they cannot sign in to the console
    any more, so their future jobs go to others."""
    if raw or instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in set(update_fields):
        return
    if sender.objects.filter(pk=instance.pk, is_active=True).exists():
        users_deactivate([instance.pk])
