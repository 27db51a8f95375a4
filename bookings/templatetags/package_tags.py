"""Template tags of the package pages: a resident's packages usable for a service."""

from django import template
from django.utils import timezone

from bookings.models import Package
from bookings.packages.holders import may_hold_packages

register = template.Library()


@register.simple_tag(takes_context=True)
def usable_packages(context, user, product, community) -> list[Package]:
    """The user's active, still valid packages with visits left that cover ``product`` in
    ``community`` (the service page's "book with my package"); [] for a visitor, and without
    a query for a resident who never held one (``bookings.packages.holders``)."""
    if not getattr(user, "is_authenticated", False) or community is None:
        return []
    if not may_hold_packages(context.get("request"), user):
        return []
    return list(
        Package.objects.filter(
            resident=user,
            product=product,
            community=community,
            status=Package.Status.ACTIVE,
            balance__gte=1,
            valid_until__gt=timezone.now(),
        )
    )
