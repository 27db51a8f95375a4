"""Wagtail staff actions on objects with dependents answer a clear message, never a 500.

Issue 14 §5: copying a page in Wagtail answered 500 (a community has one board, an enterprise
one page: the copy broke that unique key). Siblings: creating an alias, deleting a user who has
bookings or payments (one at a time and in bulk); and the actions that must keep working: delete,
unpublish and revert of a board.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page

from cms.models import BoardPublication, EnterprisePage, FeeBoardPage
from cms.services import enterprise_page_ensure
from cms.staff_actions import copy_blockers
from marketplace.models import User
from tests.cms.support import edit_form_data
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    """A superuser's client (Linli's users sign in by email)."""
    client.force_login(UserFactory(email="root@example.cn", is_staff=True, is_superuser=True))
    return client


def _pages():
    return Page.objects.count()


# --- copy and alias ---------------------------------------------------------------------------


@pytest.mark.parametrize("alias", [False, True])
def test_copying_a_board_is_refused_with_a_message(admin_client, board, alias):
    before = _pages()
    data = {
        "new_title": "复制的公示栏",
        "new_slug": "wangjing-garden-copy",
        "new_parent_page": board.get_parent().pk,
        "publish_copies": "on",
    }
    if alias:
        data["alias"] = "on"
    response = admin_client.post(
        f"/cms/pages/{board.pk}/copy/", data, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/cms/pages/{board.get_parent().pk}/"
    body = response.content.decode()
    assert "cannot be copied" in body and "one page per community" in body
    assert _pages() == before
    assert FeeBoardPage.objects.filter(community=board.community).count() == 1


def test_the_copy_form_is_not_even_offered_for_a_board(admin_client, board):
    response = admin_client.get(f"/cms/pages/{board.pk}/copy/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    body = admin_client.get(response["Location"]).content.decode()
    assert "不能复制" in body


def test_copying_an_enterprise_page_is_refused_with_a_message(admin_client, enterprise, site_tree):
    page = enterprise_page_ensure(enterprise=enterprise)
    before = _pages()
    response = admin_client.post(
        f"/cms/pages/{page.pk}/copy/",
        {"new_title": "副本", "new_slug": "copy", "new_parent_page": page.get_parent().pk},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.status_code == 200
    assert "one page per enterprise" in response.content.decode()
    assert _pages() == before and EnterprisePage.objects.count() == 1


def test_copying_the_board_index_with_its_boards_is_refused(admin_client, board):
    index = board.get_parent()
    before = _pages()
    response = admin_client.post(
        f"/cms/pages/{index.pk}/copy/",
        {
            "new_title": "副本",
            "new_slug": "boards-copy",
            "new_parent_page": index.get_parent().pk,
            "copy_subpages": "on",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code in (200, 302)  # the form's error, never a 500
    assert _pages() == before


def test_pages_without_unique_fields_still_get_wagtails_copy_form(admin_client, board):
    index = board.get_parent()
    for page in (index, index.get_parent()):
        assert copy_blockers(page) == []
        assert admin_client.get(f"/cms/pages/{page.pk}/copy/").status_code == 200


# --- deleting users with records --------------------------------------------------------------


@pytest.fixture
def booked_resident(book, resident, worker):
    start = (timezone.localtime() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    book(start)
    return resident


def test_deleting_a_resident_with_appointments_is_refused_naming_them(
    admin_client, booked_resident
):
    response = admin_client.post(
        f"/cms/users/delete/{booked_resident.pk}/", HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert response.status_code == 200
    body = response.content.decode()
    # bookings.wagtail_hooks names the appointment itself (before cms' count per kind).
    appointment = booked_resident.appointments.get()
    assert "cannot be deleted" in body and f"#{appointment.pk} " in body
    assert User.objects.filter(pk=booked_resident.pk).exists()


def test_deleting_a_worker_with_jobs_is_refused(admin_client, booked_resident, worker):
    response = admin_client.post(f"/cms/users/delete/{worker.user.pk}/", follow=True)
    assert response.status_code == 200
    assert User.objects.filter(pk=worker.user.pk).exists()


def test_bulk_deleting_users_with_records_is_refused(admin_client, booked_resident, outsider):
    response = admin_client.post(
        f"/cms/bulk/marketplace/user/delete/?id={booked_resident.pk}&id={outsider.pk}",
        {"next": "/cms/users/"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert User.objects.filter(pk__in=[booked_resident.pk, outsider.pk]).count() == 2


def test_a_user_without_records_can_still_be_deleted(admin_client, outsider):
    response = admin_client.post(f"/cms/users/delete/{outsider.pk}/")
    assert response.status_code == 302
    assert not User.objects.filter(pk=outsider.pk).exists()


# --- board actions that keep working ----------------------------------------------------------


def test_unpublishing_and_deleting_a_board_work_and_keep_its_change_log(admin_client, board):
    response = admin_client.post(f"/cms/pages/{board.pk}/unpublish/")
    assert response.status_code == 302
    assert not FeeBoardPage.objects.get(pk=board.pk).live
    response = admin_client.post(f"/cms/pages/{board.pk}/delete/")
    assert response.status_code == 302
    assert not FeeBoardPage.objects.filter(pk=board.pk).exists()
    assert BoardPublication.objects.filter(community=board.community).exists()


def test_reverting_to_an_incomplete_revision_and_publishing_is_refused(admin_client, board):
    first = board.revisions.order_by("created_at", "id").first()  # board_ensure's empty draft
    user = User.objects.get(email="root@example.cn")
    data = edit_form_data(board, user)
    content = first.as_object()
    data.update({"public_facilities": content.public_facilities, "action-publish": "1"})
    response = admin_client.post(
        f"/cms/pages/{board.pk}/revisions/{first.pk}/revert/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Public facilities" in response.content.decode()
    assert FeeBoardPage.objects.get(pk=board.pk).live_revision_id == board.live_revision_id
