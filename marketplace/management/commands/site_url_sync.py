"""``manage.py site_url_sync``: write ``SITE_URL``'s host and port into Django's and Wagtail's
sites (``marketplace.site_url``)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from marketplace.site_url import site_url_sync


class Command(BaseCommand):
    help = "Keep Django's Site and Wagtail's default Site in step with SITE_URL."

    def handle(self, *args, **options):
        site_url_sync()
        self.stdout.write(f"Sites now point at {settings.SITE_URL}")
