"""``percent``: a rate (0–1, a Decimal, a "0.9600" string or None) as "96.0 %" or "—"."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(value)) * 100:.1f} %"
    except InvalidOperation:
        return "—"


@register.simple_tag
def community_figures(community):
    """The community's 90-day complaint figures and its enterprise's stars
    (``feedback.credit.public.community_figures``)."""
    from feedback.credit.public import community_figures as figures

    return figures(community)


@register.inclusion_tag("feedback/_service_reviews.html")
def service_reviews(product):
    """The providers of ``product`` with their average, count and recent reviews."""
    from feedback.policy import REVIEWS_SHOWN
    from feedback.ratings.services import provider_rating_summary, recent_reviews
    from marketplace.partner.models import Partner

    providers = Partner.objects.filter(stockrecords__product=product).distinct()
    return {
        "providers": [
            {
                "provider": p,
                "summary": (summary := provider_rating_summary(p.pk)),
                "rounded": int((summary["average"] or 0) + Decimal("0.5")),
                "reviews": recent_reviews(p.pk, REVIEWS_SHOWN),
            }
            for p in providers
        ]
    }
