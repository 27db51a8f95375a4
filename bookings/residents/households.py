"""Residents' households: the home a booking is for, and which one is the default."""

from __future__ import annotations

from django.db import transaction

from marketplace.models import Household


@transaction.atomic
def household_create(*, user, make_default: bool = False, **fields) -> Household:
    """Add a household; the first one (or one asked for) becomes the default.

    The database allows one default per resident (``one_default_household``), so the old
    default is cleared in the same transaction before the new one is saved.
    """
    has_default = Household.objects.filter(user=user, is_default=True).exists()
    household = Household(user=user, **fields)
    household.full_clean(exclude=["user", "is_default"])
    if make_default or not has_default:
        Household.objects.filter(user=user, is_default=True).update(is_default=False)
        household.is_default = True
    household.save()
    return household


@transaction.atomic
def household_set_default(*, household: Household) -> Household:
    """Make ``household`` its resident's default (the one default is cleared first)."""
    Household.objects.filter(user_id=household.user_id, is_default=True).exclude(
        pk=household.pk
    ).update(is_default=False)
    if not household.is_default:
        household.is_default = True
        household.save(update_fields=["is_default"])
    return household
