"""Public pages: how the credit stars are computed (/credit/), and a provider's page
(/providers/<pk>/) with its figures, rating, reviews and stars."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback import policy
from feedback.credit.figures import DEFINITIONS
from feedback.credit.public import provider_figures
from feedback.ratings.services import recent_reviews
from marketplace.partner.models import Partner

INPUT_LABELS = {
    "completion_rate": DEFINITIONS["completion_rate"],
    "on_time_rate": DEFINITIONS["on_time_rate"],
    "rating": None,
    "complaints_per_100": None,
    "response_rate": DEFINITIONS["response_rate"],
    "resolution_rate": DEFINITIONS["resolution_rate"],
    "satisfaction_rate": DEFINITIONS["satisfaction_rate"],
}

#: The inputs' names as the weights table shows them (the policy's keys are code).
WEIGHT_LABELS = {
    "completion_rate": gettext_lazy("Completion rate"),
    "on_time_rate": gettext_lazy("On-time rate"),
    "rating": gettext_lazy("Rating"),
    "complaints_per_100": gettext_lazy("Complaints per 100 jobs"),
    "response_rate": gettext_lazy("Response rate"),
    "resolution_rate": gettext_lazy("Resolution rate"),
    "satisfaction_rate": gettext_lazy("Satisfaction rate"),
}


def credit_explained(request):
    """The formula, its weights and thresholds, straight from ``feedback.policy``."""
    weights = [(WEIGHT_LABELS[k], policy.CREDIT_WEIGHTS[k] * 100) for k in policy.CREDIT_WEIGHTS]
    return render(
        request,
        "feedback/credit_explained.html",
        {
            "weights": weights,
            "boards_weight": policy.CREDIT_BOARDS_WEIGHT * 100,
            "repairs_weight": policy.CREDIT_REPAIRS_WEIGHT * 100,
            "shrink": (1 - policy.CREDIT_BOARDS_WEIGHT - policy.CREDIT_REPAIRS_WEIGHT) * 100,
            "thresholds": [(s, t * 100) for s, t in policy.CREDIT_STAR_THRESHOLDS],
            "neutral": policy.CREDIT_NEUTRAL * 100,
            "worst": policy.COMPLAINTS_PER_100_WORST,
            "prior_mean": policy.RATING_PRIOR_MEAN,
            "prior_weight": policy.RATING_PRIOR_WEIGHT,
            "definitions": DEFINITIONS,
            "window_days": policy.FIGURES_WINDOW.days,
            "page_title": _("How the credit stars are computed"),
        },
    )


def provider_page(request, pk):
    provider = get_object_or_404(Partner, pk=pk)
    return render(
        request,
        "feedback/provider_page.html",
        {
            "provider": provider,
            "f": provider_figures(provider),
            "reviews": recent_reviews(provider.pk, policy.REVIEWS_SHOWN),
            "page_title": provider.display_name,
        },
    )
