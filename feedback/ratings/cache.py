"""The version that keys the service page's cached reviews (``feedback_tags.service_reviews``).

The reviews part of a service page is the same for every visitor in a language; it is cached
whole, keyed by the product, the language and versions that move on whenever anything it shows
can change:

* ``REVIEWS_VERSION_KEY`` (here): any rating given, changed, hidden or deleted, and any save of
  a user account that may change a reviewer's first name;
* the catalogue version (``marketplace.catalogue.listing_cache``): which providers price the
  service, and their names;
* the communities version (``marketplace.community``): the reviewer's community's name.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from feedback.models import Rating
from marketplace.cache import bump_version, register_version_key

REVIEWS_VERSION_KEY = register_version_key("feedback:reviews:version")


def reviews_changed(**kwargs) -> None:
    """Move the reviews version on (now and on commit); ignores a signal's keyword arguments."""
    bump_version(REVIEWS_VERSION_KEY)


def _user_saved(sender, raw=False, update_fields=None, **kwargs) -> None:
    # A login writes last_login alone: no name changed.
    if raw or (update_fields is not None and "first_name" not in update_fields):
        return
    reviews_changed()


def connect() -> None:
    """Move the reviews version on at every save or delete of a rating, and every save of a
    user account that may have changed a name (``FeedbackConfig.ready``)."""
    for signal in (post_save, post_delete):
        signal.connect(reviews_changed, sender=Rating, dispatch_uid="linli-reviews-rating")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="linli-reviews-user")
