"""Who may see and handle a complaint: one helper per role; anything else is a 404.

* the resident who filed it (``complaint_for_resident``);
* its handlers (``complaint_for_handler``): the managers of the provider who answers it, and
  the staff of its community's enterprise (who oversee every complaint of their communities,
  take the escalations and enter 12345 tickets). Workers, other providers, other
  enterprises: 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from feedback.models import Complaint


def handled_by(user) -> QuerySet:
    """The complaints ``user`` handles (empty for residents, workers and outsiders)."""
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    return Complaint.objects.filter(
        Q(provider__in=user.partners.all()) | Q(enterprise__in=user.enterprises.all())
    ).distinct()


def is_handler(user) -> bool:
    """True for a provider manager or enterprise staff (the complaint desk's users)."""
    return user.is_authenticated and (user.partners.exists() or user.enterprises.exists())


def complaint_for_resident(user, pk) -> Complaint:
    """The user's own complaint, or 404."""
    return get_object_or_404(Complaint, pk=pk, resident=user)


def complaint_for_handler(user, pk) -> Complaint:
    """A complaint the user handles, or 404."""
    return get_object_or_404(handled_by(user), pk=pk)


def is_enterprise_staff_of(user, complaint: Complaint) -> bool:
    return user.enterprises.filter(pk=complaint.enterprise_id).exists()
