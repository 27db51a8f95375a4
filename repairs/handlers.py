"""Signal receivers of repairs, connected in ``RepairsConfig.ready``.

A changed repair promise is published at once: the board's repair section renders from the
policy row, so the cached anonymous board pages are moved on (``cms.cache.boards_changed``),
whichever path saved it (admin, shell, seed).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cms.cache import boards_changed
from repairs.models import RepairPolicy


@receiver(post_save, sender=RepairPolicy, dispatch_uid="repairs-policy-saved")
@receiver(post_delete, sender=RepairPolicy, dispatch_uid="repairs-policy-deleted")
def _policy_changed(sender, **kwargs):
    transaction.on_commit(boards_changed)
