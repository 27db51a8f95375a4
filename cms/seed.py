"""Demo pages: the Wagtail home page at the site root."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site

from cms.models import HomePage

INTRO_ZH = "<p>在线预约养老、托育、家政、快递和维修服务。价格以小区公示栏为准，不收取公示以外的任何费用。</p>"
INTRO_EN = ("<p>Book eldercare, childcare, housekeeping, express and repair services online. "
            "Prices are those on your community's published fee board, and nothing else is charged.</p>")


def seed(ctx):
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial migration leaves a placeholder welcome page at the root's slug "home".
        for page in root.get_children().exclude(
            content_type=ContentType.objects.get_for_model(HomePage)
        ):
            if page.slug == "home":
                page.slug = "welcome-placeholder"
                page.save()
                page.unpublish()
        home = HomePage(title="邻里 Linli", slug="home", intro=INTRO_ZH, intro_en=INTRO_EN)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="Linli 邻里")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Linli 邻里"
        site.save()
    ctx.home_page = home
