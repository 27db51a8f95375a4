from marketplace.models import Community


def home_context(request):
    from marketplace.catalogue.models import ProductClass

    return {
        "communities": Community.objects.select_related("enterprise").order_by("pk"),
        "categories": ProductClass.objects.order_by("pk"),
    }
