"""The one way a repair request changes status, and the board news it makes.

``request_transition`` checks the move against ``RepairRequest.TRANSITIONS`` and writes one
``RepairEvent`` per move; ``figures_changed`` moves the board's cached pages on when the
on-time figures may have changed. Used by every service of the app (lifecycle, dispatch).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cms.cache import boards_changed
from repairs.errors import RepairConflict
from repairs.models import RepairEvent, RepairRequest


def figures_changed() -> None:
    """The board's repair figures moved: its cached anonymous pages are not served again."""
    transaction.on_commit(boards_changed)


def request_transition(*, request: RepairRequest, to: str, by=None, note: str = "", **fields):
    """Move a locked ``request`` to ``to`` (with ``fields`` set) and write its event.

    Raises ``RepairConflict`` when ``TRANSITIONS`` does not allow the move (a closed request,
    a step already taken). The caller holds the request's lock (``locking.lock_request``).
    """
    if to not in RepairRequest.TRANSITIONS[request.status]:
        raise RepairConflict(
            _("This repair is %(status)s; that step is not possible now.")
            % {"status": request.get_status_display()}
        )
    old = request.status
    request.status = to
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["status", *fields])
    RepairEvent.objects.create(request=request, from_status=old, to_status=to, by=by, note=note)
    return request
