"""Login backends whose per-request user load also answers the header's questions.

Every page's header asks whether the user may open the provider console (is a worker, or
manages a provider). Loading the user with ``worker_profile`` joined and provider management
annotated answers that in the one query that loads the user anyway, instead of two more.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef
from oscar.apps.customer.auth_backends import EmailBackend as OscarEmailBackend
from oscar.core.loading import get_model


def _user_with_roles(backend, user_id):
    Partner = get_model("partner", "Partner")
    users = (
        get_user_model()
        ._default_manager.select_related("worker_profile")
        .annotate(
            manages_provider=Exists(Partner.users.through.objects.filter(user_id=OuterRef("pk")))
        )
    )
    user = users.filter(pk=user_id).first()
    return user if user is not None and backend.user_can_authenticate(user) else None


class EmailBackend(OscarEmailBackend):
    """Oscar's log-in by e-mail address."""

    def get_user(self, user_id):
        return _user_with_roles(self, user_id)


class UsernameBackend(ModelBackend):
    """Django's log-in by username (the admin's superuser)."""

    def get_user(self, user_id):
        return _user_with_roles(self, user_id)
