"""The fee board's contents list names every section of the page, including the sections other
apps add after the cached body (the repair record, the complaint figures)."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_section_of_the_board_is_in_its_contents(client, board, language):
    client.cookies["django_language"] = language
    page = client.get(board.url).content.decode()
    sections = set(re.findall(r'<section class="board-section" id="([\w-]+)"', page))
    start = page.index('id="board-toc-title"')
    contents = page[start : page.index("</nav>", start)]
    linked = set(re.findall(r'href="#([\w-]+)"', contents))
    assert {"life-services", "repair-record", "complaint-figures"} <= sections
    assert sections - linked == set()
