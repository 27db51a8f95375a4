"""Who acts for which enterprise: the one scoping rule of every staff page.

Two kinds of staff work in Linli:

* **platform staff** (``is_staff``, and every superuser) run the Linli site itself: Django's
  admin and Oscar's dashboard, which list every enterprise's rows (Oscar shows a staff user
  every partner's orders). Each of their pages still needs its own Django permission.
* **enterprise staff** are in ``Enterprise.staff`` and are *not* ``is_staff``: they act only
  inside their own enterprises (its communities, the orders and card payments of residents of
  those communities, its fee boards in Wagtail), and each page needs its own permission too.

An order belongs to the enterprise of the community its lines were priced for (the line's
StockRecord is the price of one service in one community): the enterprise that publishes that
community's fee board and answers its residents.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import QuerySet

from marketplace.models import Enterprise

#: The lookup from an Oscar ``Order`` to the enterprise it belongs to (see above).
ORDER_ENTERPRISE = "lines__stockrecord__community__enterprise"


def acts_for_every_enterprise(user) -> bool:
    """True for platform staff: an active superuser or ``is_staff`` user."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_staff)
    )


def staff_enterprise_ids(user) -> frozenset[int] | None:
    """The ids of the enterprises ``user`` acts for, or ``None`` for every enterprise
    (platform staff, ``acts_for_every_enterprise``). Anyone else: their ``Enterprise.staff``
    memberships (an empty set for residents, workers and anonymous visitors). Cached on the
    user object for the request."""
    if acts_for_every_enterprise(user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_linli_enterprise_ids", None)
    if cached is None:
        cached = frozenset(Enterprise.objects.filter(staff=user).values_list("pk", flat=True))
        user._linli_enterprise_ids = cached
    return cached


def scope_to_staff(queryset: QuerySet, user, enterprise_path: str) -> QuerySet:
    """``queryset`` limited to the rows of the enterprises ``user`` acts for.

    ``enterprise_path`` is the lookup from the queryset's model to the enterprise's id, e.g.
    ``"order__lines__stockrecord__community__enterprise"``; a row reached through several
    paths is returned once (a ``pk IN (subquery)``, so the queryset keeps its ordering and
    ``select_related``). Platform staff get ``queryset`` unchanged.
    """
    ids = staff_enterprise_ids(user)
    if ids is None:
        return queryset
    inside = queryset.model._default_manager.filter(**{f"{enterprise_path}__in": ids})
    return queryset.filter(pk__in=inside.values("pk"))


#: The group of enterprise staff who answer for card payments: they see their enterprise's
#: payments (``/shop/dashboard/payments/``) and refund them, each refund with its reason.
PAYMENT_OPERATORS = "payment operators"
PAYMENT_OPERATOR_PERMISSIONS = (
    ("payments", "view_paymentintentrecord"),
    ("payments", "refund_payment"),
)


@transaction.atomic
def payment_operator_grant(*, user) -> Group:
    """Put ``user`` in the ``PAYMENT_OPERATORS`` group (created with its permissions if
    missing; idempotent) and return the group. What they see stays limited to the enterprises
    whose ``staff`` they are."""
    group, _ = Group.objects.get_or_create(name=PAYMENT_OPERATORS)
    group.permissions.add(
        *(
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in PAYMENT_OPERATOR_PERMISSIONS
        )
    )
    user.groups.add(group)
    return group
