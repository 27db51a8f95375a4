"""The appointment page names the fee-board revision behind its price, and its link lands on
that revision in the board's public change log (the README's promise, visible to a resident)."""

import re

import pytest

from tests.support import local

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_revision_link_lands_on_that_revision_in_the_change_log(
    client, resident, book, worker, language
):
    appointment = book(local(3, 10))
    client.force_login(resident)
    client.cookies["django_language"] = language
    page = client.get(appointment.get_absolute_url()).content.decode()
    link = re.search(r'href="(/boards/[\w-]+/changes/)#(revision-(\d+))"', page)
    assert link and int(link[3]) == appointment.board_revision_id
    log = client.get(link[1]).content.decode()
    assert f'id="{link[2]}"' in log
