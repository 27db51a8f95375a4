"""The demo: a few months of history, so every board shows complaint figures and its
enterprise's stars, and every provider has stars with a history."""

import pytest
from django.core.management import call_command

from cms.models import FeeBoardPage
from feedback.models import Complaint, CreditGrade, Rating
from marketplace.models import Enterprise
from marketplace.partner.models import Partner

pytestmark = pytest.mark.django_db


def test_the_demo_has_figures_and_stars_everywhere(client):
    call_command("seed_demo", verbosity=0)
    complaints, grades = Complaint.objects.count(), CreditGrade.objects.count()
    call_command("seed_demo", verbosity=0)
    assert (Complaint.objects.count(), CreditGrade.objects.count()) == (complaints, grades)
    assert Rating.objects.count() > 0
    for provider in Partner.objects.all():
        assert CreditGrade.objects.filter(provider=provider).count() == 3
    for enterprise in Enterprise.objects.all():
        assert CreditGrade.objects.filter(enterprise=enterprise).count() == 3
    for board in FeeBoardPage.objects.select_related("community"):
        data = client.get(f"/boards/{board.community.slug}/board.json").json()
        figures = data["complaint_figures"]
        assert figures["complaints"]["count"] > 0, board.community.slug
        assert figures["enterprise_stars"]["stars"] in range(1, 6)
        assert len(figures["enterprise_history"]) == 3
        assert figures["providers"] and all(p["stars"] for p in figures["providers"])
