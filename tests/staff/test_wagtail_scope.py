"""An enterprise's editor never reads another enterprise's board in Wagtail's admin: the
explorer, the page chooser, the move confirmation and the workflow reports' filters."""

import pytest
from wagtail.models import Page, WorkflowState

from cms.models import BoardIndexPage, FeeBoardPage

pytestmark = pytest.mark.django_db


def _submit(board, user):
    """``user`` submits ``board`` to its enterprise's approval workflow."""
    board = FeeBoardPage.objects.get(pk=board.pk)
    revision = board.save_revision(user=user)
    board.get_workflow().start(board, user)
    return revision


def test_the_chooser_lists_only_the_editors_own_boards(client, world, roles):
    index = BoardIndexPage.objects.get()
    own, foreign = world["a"]["board"], world["b"]["board"]
    client.force_login(roles["editor_a"])

    browse = client.get(f"/cms/choose-page/{index.pk}/").json()["html"]
    search = client.get("/cms/choose-page/search/", {"q": "公示栏"}).content.decode()

    assert own.title in browse
    assert foreign.title not in browse and foreign.title not in search


def test_the_superuser_still_chooses_any_board(client, world, roles):
    client.force_login(roles["superuser"])
    browse = client.get(f"/cms/choose-page/{BoardIndexPage.objects.get().pk}/").json()["html"]
    assert world["a"]["board"].title in browse and world["b"]["board"].title in browse


def test_the_explorer_lists_only_the_editors_own_boards(client, world, roles):
    index = BoardIndexPage.objects.get()
    client.force_login(roles["editor_b"])

    listing = client.get(f"/cms/pages/{index.pk}/", follow=True).content.decode()
    search = client.get("/cms/pages/search/", {"q": "公示栏"}).content.decode()
    menu = client.get("/cms/api/main/pages/", {"child_of": index.pk, "for_explorer": 1})

    assert world["b"]["board"].title in listing + search
    assert world["a"]["board"].title not in listing + search
    assert world["a"]["board"].title not in menu.content.decode()


def test_the_move_confirmation_does_not_show_another_enterprises_board(client, world, roles):
    foreign = world["a"]["board"]
    home = Page.objects.get(slug="home")
    client.force_login(roles["editor_b"])

    response = client.get(f"/cms/pages/{foreign.pk}/move/{home.pk}/confirm/", follow=True)

    # Wagtail answers a refusal in its admin by sending the user to the dashboard.
    assert response.redirect_chain == [("/cms/", 302)]
    assert foreign.title not in response.content.decode()
    refused = client.post(f"/cms/pages/{foreign.pk}/move/{home.pk}/confirm/")
    assert refused.status_code == 302 and refused["Location"] == "/cms/"
    assert Page.objects.get(pk=foreign.pk).get_parent().pk == BoardIndexPage.objects.get().pk


@pytest.mark.parametrize("report", ["workflow", "workflow_tasks"])
def test_workflow_report_filters_name_only_the_editors_own_workflows(client, world, roles, report):
    _submit(world["a"]["board"], roles["editor_a"])
    _submit(world["b"]["board"], roles["editor_b"])
    assert WorkflowState.objects.count() == 2
    client.force_login(roles["editor_b"])

    page = client.get(f"/cms/reports/{report}/").content.decode()

    assert "jinghua: fee board approval" in page
    assert "anju: fee board approval" not in page
    assert "anju: manager approval" not in page
    assert roles["editor_a"].email not in page and roles["editor_a"].get_full_name() not in page
    assert world["a"]["board"].title not in page
