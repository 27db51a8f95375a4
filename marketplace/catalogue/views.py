"""The storefront's service list: every service, priced for the visitor's community.

Oscar 4 browses through Haystack; Linli's catalogue is small and per-community, so the
browse view is a plain ListView over the database with a fixed number of queries.
"""

from django.views.generic import ListView
from oscar.apps.catalogue.views import ProductCategoryView, ProductDetailView  # noqa: F401

from marketplace.catalogue.models import Product, ProductClass
from marketplace.community import current_community


class CatalogueView(ListView):
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
        self.category = ProductClass.objects.filter(slug=self.request.GET.get("category")).first()
        if self.category:
            qs = qs.filter(product_class=self.category)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = ProductClass.objects.order_by("pk")
        context["category"] = self.category
        context["community"] = current_community(request=self.request)
        return context
