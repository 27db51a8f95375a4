"""What the public pages show: a community's 90-day complaint figures with its enterprise's
stars (the fee board and board.json), and a provider's figures and stars (its page).

Called by ``cms`` (the board, whose cached pages and board.json are dropped whenever a
complaint moves: ``cms.signals.figures_changed``) and by ``feedback.credit.views``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment
from feedback.credit.figures import DEFINITIONS, complaint_figures, job_figures
from feedback.models import Complaint, CreditGrade
from feedback.policy import FIGURES_WINDOW
from feedback.ratings.services import provider_rating_summary
from marketplace.partner.models import Partner


def _grade_json(grade: CreditGrade | None) -> dict | None:
    if grade is None:
        return None
    return {
        "month": f"{grade.month:%Y-%m}",
        "stars": grade.stars,
        "score": str(grade.score),
        "inputs": grade.inputs,
    }


def _providers_stars(community) -> list[dict]:
    """Each provider serving ``community``: name, page address, latest grade (or None)."""
    rows = []
    for provider in Partner.objects.filter(communities=community).order_by("name"):
        grade = CreditGrade.objects.filter(provider=provider).order_by("-month").first()
        rows.append(
            {
                "name": provider.name,
                "name_en": provider.name_en,
                "url": reverse("feedback:provider", args=[provider.pk]),
                "stars": _grade_json(grade),
            }
        )
    return rows


def community_figures(community, *, now=None) -> dict:
    """``{"window_days", "since", "until", "complaints": ComplaintFigures.as_json(),
    "definitions": {...}, "enterprise_stars": latest grade or None,
    "enterprise_history": [grade, ...] (newest first, 12 months), "providers": [{"name",
    "name_en", "url", "stars"}, ...]}`` for ``community``."""
    until = now or timezone.now()
    since = until - FIGURES_WINDOW
    figures = complaint_figures(
        Complaint.objects.filter(community=community, filed_at__gte=since), until=until
    )
    grades = list(
        CreditGrade.objects.filter(enterprise_id=community.enterprise_id).order_by("-month")[:12]
    )
    result = {
        "window_days": FIGURES_WINDOW.days,
        "since": timezone.localtime(since).date().isoformat(),
        "until": timezone.localtime(until).date().isoformat(),
        "complaints": figures.as_json(),
        "definitions": {k: str(v) for k, v in DEFINITIONS.items()},
        "enterprise_stars": _grade_json(grades[0] if grades else None),
        "enterprise_history": [_grade_json(g) for g in grades],
        "providers": _providers_stars(community),
    }
    return result


def provider_figures(provider, *, now=None) -> dict:
    """A provider's last-90-day job and complaint figures, rating and stars (with history)."""
    until = now or timezone.now()
    since = until - FIGURES_WINDOW
    jobs = job_figures(
        Appointment.objects.filter(stockrecord__partner=provider), since=since, until=until
    )
    complaints = complaint_figures(
        Complaint.objects.filter(provider=provider, filed_at__gte=since), until=until
    )
    grades = list(CreditGrade.objects.filter(provider=provider).order_by("-month")[:12])
    return {
        "window_days": FIGURES_WINDOW.days,
        "jobs": jobs,
        "complaints": complaints,
        "rating": provider_rating_summary(provider.pk),
        "grade": grades[0] if grades else None,
        "history": grades,
        "definitions": DEFINITIONS,
    }
