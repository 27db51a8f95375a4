"""Login backends whose per-request user load also answers the header's questions.

Every page's header asks whether the user may open the provider console (is a worker, or
manages a provider). Loading the user with ``worker_profile`` joined and provider management
annotated answers that in the one query that loads the user anyway, instead of two more.

That query runs on every signed-in request, so it is written once per process as SQL
(``_user_sql``) rather than compiled by the ORM each time: compiling the equivalent queryset
(``select_related`` and an ``Exists`` annotation) cost 0.9 ms of CPU a request, six times the
query itself, on pages that take about 3 ms in all.
"""

from functools import cache

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from oscar.apps.customer.auth_backends import EmailBackend as OscarEmailBackend
from oscar.core.loading import get_model


@cache
def _user_sql(vendor: str) -> str:
    """``SELECT`` the user's columns, whether they manage a provider (a bool), then their
    worker profile's columns (NULLs for none), ``WHERE`` the user's id is the one parameter.

    The same as ``User.objects.select_related("worker_profile").annotate(manages_provider=
    Exists(Partner.users.through.objects.filter(user_id=OuterRef("pk")))).filter(pk=...)``,
    built from the models' metadata (``vendor`` keys the copy: quoting is per database)."""
    User = get_user_model()
    Worker = User.worker_profile.related.related_model
    managers = get_model("partner", "Partner").users.through._meta
    quote = connections[router.db_for_read(User)].ops.quote_name
    user_cols = ", ".join(f"u.{quote(f.column)}" for f in User._meta.concrete_fields)
    worker_cols = ", ".join(f"w.{quote(f.column)}" for f in Worker._meta.concrete_fields)
    worker_user = quote(Worker._meta.get_field("user").column)
    manager_user = quote(managers.get_field("user").column)
    user_pk = f"u.{quote(User._meta.pk.column)}"
    return (
        f"SELECT {user_cols}, EXISTS(SELECT 1 FROM {quote(managers.db_table)} m "
        f"WHERE m.{manager_user} = {user_pk}), {worker_cols} "
        f"FROM {quote(User._meta.db_table)} u "
        f"LEFT OUTER JOIN {quote(Worker._meta.db_table)} w ON w.{worker_user} = {user_pk} "
        f"WHERE {user_pk} = %s"
    )


def _user_with_roles(backend, user_id):
    """The active user ``user_id`` (None when there is none or they may not log in), with
    ``manages_provider`` (bool) set and ``worker_profile`` loaded (or known to be absent), as
    ``has_provider_console`` reads them."""
    User = get_user_model()
    Worker = User.worker_profile.related.related_model
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:  # a malformed id in a session is nobody
        return None
    alias = router.db_for_read(User)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_user_sql(connection.vendor), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    user_fields = [f.attname for f in User._meta.concrete_fields]
    worker_fields = [f.attname for f in Worker._meta.concrete_fields]
    n = len(user_fields)
    user = User.from_db(alias, user_fields, row[:n])
    user.manages_provider = bool(row[n])
    worker_row = row[n + 1 :]
    worker = None
    if worker_row[0] is not None:
        worker = Worker.from_db(alias, worker_fields, worker_row)
        Worker._meta.get_field("user").set_cached_value(worker, user)
    User.worker_profile.related.set_cached_value(user, worker)
    return user if backend.user_can_authenticate(user) else None


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
