"""Login backends whose per-request user load also answers the header's questions.

Every page's header asks whether the user may open the provider console (is a worker, or
manages a provider). Loading the user with ``worker_profile`` joined and provider management
annotated answers that in the one query that loads the user anyway, instead of two more.
"""

from axes.backends import AxesStandaloneBackend
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


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in ``AUTHENTICATION_BACKENDS``: refuses every login of
    a locked-out account and address (``AXES_*`` settings).

    A login form always passes its request to ``authenticate()``; a call without one is not a
    login attempt from outside (Oscar's registration logs the new resident in that way) and is
    left to the other backends, where axes' own backend would raise instead."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
