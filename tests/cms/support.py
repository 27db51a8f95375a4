"""Helpers other apps' tests may use: a complete, published fee board for a community.

from tests.cms.support import publish_board
board = publish_board(community)          # snapshots the community's StockRecords now
published_board_price(community=community, product=service)  # -> BoardPrice
"""

from __future__ import annotations

from cms.models import FeeBoardPage
from cms.seed import board_complete_demo_content
from cms.services import board_ensure, board_publish


def publish_board(community, *, user=None) -> FeeBoardPage:
    """Create (or update) a complete board for ``community`` and publish it.

    The published revision lists the community's current StockRecord prices. ``user`` must be
    allowed to publish the board when given (e.g. a manager of its enterprise).
    """
    board = board_ensure(community=community)
    draft = board_complete_demo_content(board.get_latest_revision_as_object())
    board_publish(board=board, user=user, draft=draft)
    return FeeBoardPage.objects.get(pk=board.pk)
