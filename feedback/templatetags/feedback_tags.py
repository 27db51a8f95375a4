"""``percent``: a rate (0–1, a Decimal, a "0.9600" string or None) as "96.0 %" or "—";
``community_figures``; ``service_reviews``: the service page's reviews, cached."""

from decimal import Decimal, InvalidOperation

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from feedback.policy import REVIEWS_SHOWN
from feedback.ratings.cache import REVIEWS_VERSION_KEY
from feedback.ratings.services import provider_rating_summary, recent_reviews
from marketplace.cache import request_version
from marketplace.catalogue.listing_cache import CATALOGUE_VERSION_KEY
from marketplace.community import COMMUNITIES_VERSION_KEY
from marketplace.partner.models import Partner

register = template.Library()
#: How long the service page's reviews part is kept unused (seconds); a version move ends it.
REVIEWS_SECONDS = 30 * 60


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


@register.simple_tag(takes_context=True)
def service_reviews(context, product) -> str:
    """The providers of ``product`` with their average, count and recent reviews
    (``feedback/_service_reviews.html``), rendered once per language and stored until a
    version it depends on moves (``feedback.ratings.cache``): three queries and most of the
    part's rendering saved on every other view of the service page."""
    request = context.get("request")
    versions = ":".join(
        str(request_version(request, key))
        for key in (REVIEWS_VERSION_KEY, CATALOGUE_VERSION_KEY, COMMUNITIES_VERSION_KEY)
    )
    key = f"linli:reviews:{product.pk}:{get_language()}:{versions}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("feedback/_service_reviews.html", _service_reviews(product))
        cache.set(key, html, REVIEWS_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered (and escaped) by the template


def _service_reviews(product) -> dict:
    providers = Partner.objects.filter(stockrecords__product=product).distinct()
    return {
        "providers": [
            {
                "provider": p,
                "summary": (summary := provider_rating_summary(p.pk)),
                "rounded": int((summary["average"] or 0) + Decimal("0.5")),
                "reviews": list(recent_reviews(p.pk, REVIEWS_SHOWN)),
            }
            for p in providers
        ]
    }
