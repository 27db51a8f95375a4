"""Template tags of the package pages: a resident's packages usable for a service."""

from django import template
from django.utils import timezone

from bookings.models import Package

register = template.Library()


@register.simple_tag
def usable_packages(user, product, community) -> list[Package]:
    """The user's active, still valid packages with visits left that cover ``product`` in
    ``community`` (the service page's "book with my package"); [] for a visitor."""
    if not getattr(user, "is_authenticated", False) or community is None:
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
