"""A repair can be complained about like an appointment: the resident's own repair only
(another resident's: 4xx/404 and nothing written), answered by the enterprise's desk (another
enterprise's desk: 404), the category defaulting from the repair's."""

import pytest
from django.urls import reverse

from feedback.complaints.services import complaint_file
from feedback.exceptions import NotAllowed
from feedback.models import Complaint, ComplaintEvent
from repairs.services import request_report

pytestmark = pytest.mark.django_db


def report(user, category="lifts", description="电梯按钮失灵"):
    return request_report(
        user=user,
        area="home",
        household=user.households.get(),
        category=category,
        description=description,
    )


@pytest.fixture
def repair(resident):
    return report(resident)


def nothing_written():
    return not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


@pytest.mark.parametrize(
    ("repair_category", "expected"),
    [
        ("lifts", "lift"),
        ("plumbing", "water"),
        ("electrical", "electricity"),
        ("fire_safety", "safety"),
        ("doors_windows", "property"),
        ("other", "property"),
    ],
)
def test_a_repair_complaint_is_answered_by_the_enterprise_with_a_sensible_category(
    resident, enterprise, enterprise_editor, repair_category, expected
):
    repair = report(resident, category=repair_category, description="门坏了")
    c = complaint_file(
        user=resident, kind="repair", category="", text="修了三天还没好", repair_request=repair
    )
    assert (c.kind, c.category, c.repair_request_id) == ("repair", expected, repair.pk)
    assert (c.enterprise_id, c.community_id, c.provider_id) == (
        enterprise.pk,
        repair.community_id,
        None,
    )
    assert str(repair.pk) in c.subject_label()


def test_the_resident_files_from_the_repair_page_and_sees_the_repair(client, resident, repair):
    client.force_login(resident)
    page = client.get(reverse("repairs:detail", args=[repair.pk]))
    link = f"{reverse('feedback:complaint-new')}?repair={repair.pk}"
    assert link in page.content.decode() and "投诉这次报修" in page.content.decode()
    form = client.get(link)
    assert form.status_code == 200
    assert 'id="complaint-repair"' in form.content.decode()
    assert form.context["form"].initial["category"] == "lift"
    answer = client.post(
        reverse("feedback:complaint-new"),
        {"repair": repair.pk, "kind": "property", "category": "lift", "text": "电梯还是坏的"},
    )
    c = Complaint.objects.get()
    assert answer.status_code == 302 and (c.kind, c.repair_request_id) == ("repair", repair.pk)
    detail = client.get(reverse("feedback:complaint-detail", args=[c.pk]))
    body = detail.content.decode()
    assert 'id="complaint-repair"' in body
    assert reverse("repairs:detail", args=[repair.pk]) in body
    back = client.get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert "您对这次报修的投诉" in back and c.number in back


def test_another_residents_repair_is_refused_and_nothing_written(client, other_resident, repair):
    with pytest.raises(NotAllowed):
        complaint_file(
            user=other_resident, kind="repair", category="lift", text="x", repair_request=repair
        )
    client.force_login(other_resident)
    url = reverse("feedback:complaint-new")
    assert client.get(url, {"repair": repair.pk}).status_code == 404
    data = {"repair": repair.pk, "kind": "repair", "category": "lift", "text": "x"}
    assert client.post(url, data).status_code == 404
    assert client.get(url, {"repair": "1; drop"}).status_code == 400
    assert nothing_written()


def test_a_repair_complaint_needs_its_repair_and_no_other_subject(resident, repair, completed):
    from feedback.exceptions import FeedbackError

    with pytest.raises(FeedbackError):
        complaint_file(user=resident, kind="repair", category="lift", text="x")
    with pytest.raises(FeedbackError):
        complaint_file(
            user=resident, kind="property", category="lift", text="x", repair_request=repair
        )
    with pytest.raises(FeedbackError):
        complaint_file(
            user=resident,
            kind="repair",
            category="lift",
            text="x",
            repair_request=repair,
            appointment=completed,
        )
    assert nothing_written()


def test_the_enterprise_desk_sees_it_and_another_enterprise_gets_404(
    client, resident, repair, enterprise_editor, other_enterprise_staff, provider_manager
):
    c = complaint_file(
        user=resident, kind="repair", category="", text="没人来", repair_request=repair
    )
    url = reverse("feedback:desk-detail", args=[c.pk])
    client.force_login(enterprise_editor)
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("repairs:desk-detail", args=[repair.pk]) in page.content.decode()
    desk = client.get(reverse("repairs:desk-detail", args=[repair.pk])).content.decode()
    assert 'id="repair-complaints"' in desk and c.number in desk
    for outsider in (other_enterprise_staff, provider_manager):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_a_conversation_message_is_attached_as_evidence_and_another_appointments_is_not(
    client, completed, resident, provider_manager, book
):
    from bookings.models import AppointmentMessage
    from feedback.complaints.services import complaint_attach_message
    from tests.support import local

    said = AppointmentMessage.objects.create(
        appointment=completed, author=resident, role="resident", body="师傅说明天再来"
    )
    other = book(local(2, 14))
    elsewhere = AppointmentMessage.objects.create(
        appointment=other, author=resident, role="resident", body="别的预约"
    )
    c = complaint_file(
        user=resident,
        kind="appointment",
        category="punctuality",
        text="没来",
        appointment=completed,
    )
    client.force_login(resident)
    page = client.get(reverse("feedback:complaint-detail", args=[c.pk]))
    assert 'id="attach-message-form"' in page.content.decode()
    url = reverse("feedback:complaint-act", args=[c.pk, "attach-message"])
    before = ComplaintEvent.objects.count()
    assert client.post(url, {"message": elsewhere.pk}).status_code == 404
    assert client.post(url, {"message": "x"}).status_code == 404
    with pytest.raises(NotAllowed):
        complaint_attach_message(complaint=c, user=resident, message=elsewhere)
    assert ComplaintEvent.objects.count() == before
    assert client.post(url, {"message": said.pk}).status_code == 302
    evidence = ComplaintEvent.objects.get(kind="evidence")
    assert evidence.appointment_message == said and "师傅说明天再来" in evidence.people_text
    # The provider's manager (the handler) can attach it too, from the desk.
    client.force_login(provider_manager)
    desk = reverse("feedback:desk-act", args=[c.pk, "attach-message"])
    assert client.post(desk, {"message": said.pk}).status_code == 302
    assert ComplaintEvent.objects.filter(kind="evidence").count() == 2


def test_the_credit_page_explains_the_repairs_input_in_both_languages(client, settings):
    url = reverse("feedback:credit")
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="credit-repairs"' in zh and "报修按时率" in zh and "报修按时率权重为 10 %" in zh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Repairs on time (enterprises only)" in en and "the repairs on time 10 %" in en
