"""Helpers other apps' tests may use: a complete, published fee board for a community.

from tests.cms.support import publish_board
board = publish_board(community)          # snapshots the community's StockRecords now
published_board_price(community=community, product=service)  # -> BoardPrice
edit_form_data(board, user, public_facilities="")  # POST data of Wagtail's edit form
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


def edit_form_data(page, user, **overrides):
    """The POST data of ``page``'s Wagtail edit form as loaded now (its latest revision)."""
    form_class = page.get_edit_handler().get_form_class()
    latest = page.get_latest_revision_as_object()
    form = form_class(instance=latest, for_user=user, parent_page=page.get_parent())
    data = {}

    def add(f):
        for name in f.fields:
            value = f[name].value()
            if value is None or value is False:
                continue
            data[f.add_prefix(name)] = "on" if value is True else value

    add(form)
    for formset in form.formsets.values():
        add(formset.management_form)
        for sub in formset.forms:
            add(sub)
    data.update(overrides)
    return data
