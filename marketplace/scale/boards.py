"""A published fee board for each benchmark community, so the price gate passes."""

from __future__ import annotations

from wagtail.signal_handlers import disable_reference_index_auto_update

from cms.models import FeeBoardPage
from cms.seed import board_complete_demo_content
from cms.services import board_ensure, board_publish
from marketplace.scale.frame import Say


def boards_publish(communities, *, say: Say) -> None:
    """A complete published board per community that has none live, through Wagtail (one
    publish each). Wagtail's reference index (the admin's "usage" counts) is not updated:
    it walks every board's relations on each save and would make this step minutes long.
    """
    live = set(FeeBoardPage.objects.filter(live=True).values_list("community_id", flat=True))
    todo = [c for c in communities if c.pk not in live]
    with disable_reference_index_auto_update():
        for n, community in enumerate(todo, start=1):
            board = board_ensure(community=community)
            draft = board_complete_demo_content(board.get_latest_revision_as_object())
            board_publish(board=board, draft=draft)
            if n % 25 == 0 or n == len(todo):
                say(f"{n} fee boards published")
