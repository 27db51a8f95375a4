"""The benchmark's cast, read from the scale dataset (``manage.py seed_scale``), and the
lookups the measurements share."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.db import models

from bookings.appointments.quote import service_quote
from bookings.availability.search import available_slots
from bookings.models import Worker
from cms.models import FeeBoardPage
from marketplace.catalogue.models import Product
from marketplace.models import Community, Household
from marketplace.partner.models import Partner, StockRecord


class World:
    """The benchmark's cast: the first 20 scale communities and their residents; a main
    community with a resident, an eldercare service and its fee board's address; a hot
    community with a repair service (a single qualified worker). Exits if the dataset is
    missing."""

    def __init__(self):
        self.communities = list(
            Community.objects.filter(slug__startswith="scale-c").order_by("slug")
        )
        if len(self.communities) < 20:
            sys.exit("bench: the scale dataset is missing or too small (manage.py seed_scale)")
        self.residents = {}
        for household in Household.objects.filter(
            community__in=self.communities[:20], is_default=True
        ).select_related("user", "community"):
            self.residents.setdefault(household.community_id, []).append(household.user)
        main = self.communities[1]
        self.community = main
        self.resident = self.residents[main.pk][0]
        priced = StockRecord.objects.filter(community=main).values_list("product_id", flat=True)
        self.service = (
            Product.objects.filter(pk__in=priced, product_class__slug="eldercare")
            .order_by("pk")
            .first()
        )
        board = FeeBoardPage.objects.filter(community=main, live=True).first()
        self.board_url = board.url if board else f"/boards/{main.slug}/"
        # The hot slot: a repair service, which has a single qualified worker per community.
        hot_community = self.communities[0]
        self.hot_community = hot_community
        hot_priced = StockRecord.objects.filter(community=hot_community).values_list(
            "product_id", flat=True
        )
        self.hot_service = (
            Product.objects.filter(pk__in=hot_priced, product_class__slug="repair")
            .order_by("pk")
            .first()
        )
        self.hot_workers = Worker.objects.filter(
            communities=hot_community, skills=self.hot_service.product_class_id
        ).count()
        # The console's users: the busiest worker of the main service's provider, and a
        # manager of that provider (the scale dataset has none: one is added, once).
        provider_id = (
            StockRecord.objects.filter(community=main, product=self.service)
            .values_list("partner_id", flat=True)
            .first()
        )
        self.worker_user = (
            Worker.objects.filter(provider_id=provider_id, is_active=True)
            .annotate(jobs=models.Count("appointments"))
            .order_by("-jobs", "pk")
            .select_related("user")
            .first()
            .user
        )
        self.manager, _ = get_user_model().objects.get_or_create(
            email="bench-manager@scale.linli.test", defaults={"first_name": "经理"}
        )
        Partner.objects.get(pk=provider_id).users.add(self.manager)


def free_slots(product, community, days: int = 30):
    """The free slots of ``product`` in ``community`` over the next ``days`` days."""
    quote = service_quote(community=community, product=product)
    return available_slots(
        product=product, stockrecord=quote.stockrecord, community=community, max_days=days
    )


def datetime_fields(model) -> list:
    """The model's concrete DateTimeFields."""
    return [f for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
