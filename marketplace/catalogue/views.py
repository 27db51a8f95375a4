"""The storefront's service list: the services of the visitor's community, with its prices.

Oscar 4 browses through Haystack; Linli's catalogue is per community, so the browse view is a
plain ListView over the database with a fixed number of queries. A visitor who has not chosen
a community sees every service, each asking them to choose one for its price.

The grid of a page is a template fragment cached per community, language, category and page,
keyed by the catalogue version (``listing_cache``): a cached page costs a count and no grid.
An anonymous visitor's whole page is cached the same way (``marketplace.page_cache``).

A service's page is Oscar's ``ProductDetailView`` plus the booking panel's data (price in the
visitor's community, next free times), computed here by one service
(``bookings.residents.service_page.service_booking``); the template only renders it.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property
from django.views.generic import ListView
from oscar.apps.catalogue.views import ProductCategoryView  # noqa: F401
from oscar.apps.catalogue.views import ProductDetailView as CoreProductDetailView

from bookings.residents.service_page import service_booking
from cms.cache import BOARDS_VERSION_KEY
from feedback.ratings.cache import REVIEWS_VERSION_KEY
from marketplace.catalogue.listing_cache import CATALOGUE_VERSION_KEY, catalogue_version
from marketplace.catalogue.models import Product, ProductClass
from marketplace.community import current_community
from marketplace.page_cache import anonymous_page

#: How long a visitor's shared service page is kept (seconds): its times are cut to the
#: booking window when computed, and that window moves on with the clock. A time that has
#: just left it is refused at booking (the locked re-check), as any stale time is.
SERVICE_PAGE_SECONDS = 60


class _CountCachedPaginator(Paginator):
    """The number of services in a listing, counted once per catalogue version."""

    def __init__(self, *args, count_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        count = cache.get(self.count_key)
        if count is None:
            count = super().count
            cache.set(self.count_key, count, 600)
        return count


class CatalogueView(ListView):
    """The service list (``?category=<product class slug>&q=<words of a name>``): the visitor's community's
    services, 24 a page, with a fixed number of queries."""

    template_name = "oscar/catalogue/browse.html"
    context_object_name = "products"
    paginate_by = 24

    def get_queryset(self):
        qs = (
            Product.objects.browsable()
            .select_related("product_class")
            .prefetch_related("stockrecords", "images", "attribute_values__attribute")
            .order_by("product_class_id", "pk")
        )
        slug = self.request.GET.get("category")
        self.category = ProductClass.objects.filter(slug=slug).first() if slug else None
        if self.category:
            qs = qs.filter(product_class=self.category)
        self.query = self.request.GET.get("q", "").strip()[:50]
        if self.query:
            # A resident types a word of the service's name in either language.
            qs = qs.filter(Q(title__icontains=self.query) | Q(title_en__icontains=self.query))
        community = current_community(request=self.request)
        if community is not None:
            qs = qs.filter(stockrecords__community=community)  # one price per community
        return qs

    @cached_property
    def version(self) -> int:
        """The catalogue version, read once per request: it keys the count and the grid."""
        return catalogue_version(self.request)

    def get(self, request, *args, **kwargs):
        # An anonymous visitor's page is the same as their neighbours': served whole from the
        # cache (``marketplace.page_cache``), keyed by the catalogue version.
        render = super().get
        return anonymous_page(
            request, "catalogue", (CATALOGUE_VERSION_KEY,), lambda: render(request, *args, **kwargs)
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        community = current_community(request=self.request)
        community_id = community.pk if community else 0
        category_id = self.category.pk if self.category else 0
        query = hashlib.md5(self.query.encode(), usedforsecurity=False).hexdigest()
        key = f"linli:catalogue:count:{self.version}:{community_id}:{category_id}:{query}"
        return _CountCachedPaginator(queryset, per_page, count_key=key, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = ProductClass.objects.order_by("pk")
        context["category"] = self.category
        context["query"] = self.query
        context["community"] = current_community(request=self.request)
        context["catalogue_version"] = self.version
        return context


class ProductDetailView(CoreProductDetailView):
    """A service's page: Oscar's detail view with ``booking`` (a ``ServiceBooking``) in the
    context, for ``bookings/partials/service_panel.html``."""

    #: The slot cache versions the page's times were read under (``ServiceBooking.versions``).
    slot_versions: dict = {}

    def get_queryset(self):
        """Oscar's products with their kind of service, which the page shows (one query)."""
        return super().get_queryset().select_related("product_class")

    def get_alert_status(self):
        """Always False: Linli has no stock alerts (a service is booked by time, not stock).
        Oscar's version asks the database on every signed-in resident's view."""
        return False

    def get_alert_form(self):
        """None: no stock alerts (see ``get_alert_status``)."""
        return None

    def get(self, request, *args, **kwargs):
        """The page; a visitor's is shared (``marketplace.page_cache``): stale once the
        catalogue (price, terms), a fee board, a review or any calendar of the slots shown
        moves on, and kept at most ``SERVICE_PAGE_SECONDS`` (the booking window moves)."""
        render = super().get
        return anonymous_page(
            request,
            "service",
            (CATALOGUE_VERSION_KEY, BOARDS_VERSION_KEY, REVIEWS_VERSION_KEY),
            lambda: render(request, *args, **kwargs),
            more_versions=lambda: self.slot_versions,
            seconds=SERVICE_PAGE_SECONDS,
            personal=False,
        )

    def send_signal(self, request, response, product):
        """Oscar's product-viewed signal (the recently-viewed cookie, view counts) for a
        signed-in resident only: a visitor's page is shared, and a page that sets a cookie is
        not (a stored copy is served without the view running anyway)."""
        if request.user.is_authenticated:
            super().send_signal(request, response, product)

    def get_context_data(self, **kwargs):
        """Oscar's context plus ``booking``: quote, free slots by day, chosen slot, nonce."""
        context = super().get_context_data(**kwargs)
        context["booking"] = service_booking(request=self.request, product=self.object)
        self.slot_versions = context["booking"].versions
        return context
