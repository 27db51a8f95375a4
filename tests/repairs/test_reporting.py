"""Reporting a repair: the resident's form, urgency rules, photos, the desk's entry (phone, desk,
12345), and every refusal answered 4xx with nothing written."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from repairs.errors import RepairError
from repairs.models import RepairEvent, RepairOffer, RepairPhoto, RepairRequest
from repairs.services import request_enter, request_report
from tests.repairs.conftest import jpeg_with_exif

pytestmark = pytest.mark.django_db


def report_data(home, **overrides):
    data = {
        "area": "home",
        "household": home.pk,
        "location": "",
        "category": "plumbing",
        "description": "厨房水管漏水，地上都是水",
    }
    data.update(overrides)
    return data


def nothing_written():
    return (
        RepairRequest.objects.count() == 0
        and RepairPhoto.objects.count() == 0
        and RepairEvent.objects.count() == 0
    )


def test_a_resident_reports_a_leak_with_a_photo_and_it_is_urgent_and_offered(
    client, resident, home, fixer, second_fixer, photo, commit
):
    client.force_login(resident)
    with commit():
        response = client.post(reverse("repairs:report"), {**report_data(home), "photo1": photo})
    assert response.status_code == 302
    repair = RepairRequest.objects.get()
    assert response["Location"] == reverse("repairs:detail", args=[repair.pk])
    assert repair.urgency == "urgent" and repair.urgency_by_rule
    assert repair.resident == resident and repair.household == home
    assert repair.source == "app"
    # The default promise: taken within 10 minutes, on site within 30.
    assert repair.take_due - repair.reported_at == timedelta(minutes=10)
    assert repair.arrive_due - repair.reported_at == timedelta(minutes=30)
    # Offered to both maintenance workers on duty at once (Celery runs eagerly in tests).
    assert set(RepairOffer.objects.values_list("worker_id", flat=True)) == {
        fixer.pk,
        second_fixer.pk,
    }
    stored = RepairPhoto.objects.get()
    with Image.open(stored.image.path) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 1600  # resized
        assert not image.getexif()  # EXIF gone


def test_the_resident_may_raise_urgency_but_a_plain_report_is_normal(resident, home):
    plain = request_report(
        user=resident,
        area="home",
        household=home,
        category="doors_windows",
        description="卧室窗户关不严",
    )
    raised = request_report(
        user=resident,
        area="home",
        household=home,
        category="doors_windows",
        description="卧室窗户关不严",
        urgent=True,
    )
    assert plain.urgency == "normal" and not plain.urgency_by_rule
    assert plain.take_due - plain.reported_at == timedelta(hours=2)
    assert plain.arrive_due - plain.reported_at == timedelta(hours=24)
    assert raised.urgency == "urgent" and not raised.urgency_by_rule


@pytest.mark.parametrize(
    "category, description",
    [
        ("electrical", "家里突然停电了"),
        ("lifts", "有人被困在电梯里"),
        ("fire_safety", "楼道灭火器过期"),
        ("plumbing", "Water leak under the sink"),
    ],
)
def test_the_rules_make_these_urgent(resident, home, category, description):
    repair = request_report(
        user=resident,
        area="common" if category in ("lifts", "fire_safety") else "home",
        household=home,
        location="3号楼 电梯厅",
        category=category,
        description=description,
    )
    assert repair.urgency == "urgent"


def test_a_common_area_report_names_the_place_and_no_home(resident, home):
    repair = request_report(
        user=resident,
        area="common",
        household=home,
        location="3号楼 2层 楼道灯",
        category="facilities",
        description="楼道灯不亮",
    )
    assert repair.household is None and repair.location == "3号楼 2层 楼道灯"
    assert repair.community == home.community


def test_a_common_area_report_without_a_place_is_refused(client, resident, home):
    client.force_login(resident)
    response = client.post(reverse("repairs:report"), report_data(home, area="common"))
    assert response.status_code == 400
    assert nothing_written()


def test_a_report_for_someone_elses_home_is_refused(client, resident, other_home, elsewhere_home):
    client.force_login(resident)
    for household in (other_home, elsewhere_home):
        response = client.post(reverse("repairs:report"), report_data(household))
        assert response.status_code == 400
    with pytest.raises(RepairError):
        request_report(
            user=resident, area="home", household=other_home, category="plumbing", description="x"
        )
    assert nothing_written()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg"),
        SimpleUploadedFile(
            "x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"
        ),
    ],
    ids=["not-an-image", "gif"],
)
def test_a_photo_that_is_not_an_accepted_image_is_refused(client, resident, home, upload):
    client.force_login(resident)
    response = client.post(reverse("repairs:report"), {**report_data(home), "photo1": upload})
    assert response.status_code == 400
    assert nothing_written()


def test_a_photo_that_is_too_large_is_refused(client, resident, home, settings):
    import repairs.photos

    client.force_login(resident)
    big = jpeg_with_exif((400, 300))
    original = repairs.photos.PHOTO_MAX_BYTES
    repairs.photos.PHOTO_MAX_BYTES = 1000
    try:
        response = client.post(reverse("repairs:report"), {**report_data(home), "photo1": big})
    finally:
        repairs.photos.PHOTO_MAX_BYTES = original
    assert response.status_code == 400
    assert nothing_written()


def test_a_bad_second_photo_leaves_nothing_behind(client, resident, home, photo):
    client.force_login(resident)
    bad = SimpleUploadedFile("b.png", b"nope", content_type="image/png")
    response = client.post(
        reverse("repairs:report"), {**report_data(home), "photo1": photo, "photo2": bad}
    )
    assert response.status_code == 400
    assert nothing_written()


def png(size=(10, 10)):
    out = io.BytesIO()
    Image.new("RGB", size).save(out, format="PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


# --- the desk --------------------------------------------------------------------------------


def desk_data(community, **overrides):
    data = {
        "source": "hotline",
        "hotline_ticket": "BJ12345-20261130-0042",
        "community": community.pk,
        "area": "home",
        "building": "3",
        "unit": "2",
        "room": "1201",
        "location": "",
        "category": "plumbing",
        "description": "12345 转来：卫生间渗水到楼下",
        "contact_name": "王芳",
        "contact_phone": "13800138001",
    }
    data.update(overrides)
    return data


def test_the_desk_enters_a_12345_ticket_for_a_home(client, desk_staff, community, home, resident):
    client.force_login(desk_staff)
    response = client.post(reverse("repairs:desk-new"), desk_data(community))
    assert response.status_code == 302
    repair = RepairRequest.objects.get()
    assert repair.source == "hotline" and repair.hotline_ticket == "BJ12345-20261130-0042"
    assert repair.household == home and repair.resident == resident
    assert repair.entered_by == desk_staff
    assert repair.urgency == "urgent"  # 渗水: a leak


def test_a_12345_entry_without_its_ticket_number_is_refused(client, desk_staff, community, home):
    client.force_login(desk_staff)
    response = client.post(reverse("repairs:desk-new"), desk_data(community, hotline_ticket=""))
    assert response.status_code == 400
    assert nothing_written()


def test_a_phone_entry_for_a_home_that_is_not_in_the_community_is_refused(
    client, desk_staff, community, home
):
    client.force_login(desk_staff)
    response = client.post(
        reverse("repairs:desk-new"), desk_data(community, source="phone", room="9999")
    )
    assert response.status_code == 400
    assert nothing_written()


def test_the_desk_cannot_enter_a_request_for_another_enterprises_community(
    client, other_enterprise_staff, community, home
):
    client.force_login(other_enterprise_staff)
    response = client.post(reverse("repairs:desk-new"), desk_data(community, source="desk"))
    assert response.status_code == 400  # not one of the choices
    assert nothing_written()


def test_a_desk_entry_for_a_common_area_without_an_account(desk_staff, community):
    repair = request_enter(
        staff=desk_staff,
        community=community,
        source="phone",
        area="common",
        household=None,
        location="5号楼 地下车库入口",
        category="doors_windows",
        description="车库卷帘门坏了",
        contact_name="保安 小李",
        contact_phone="010-6000 0001",
    )
    assert repair.resident is None and repair.source == "phone" and repair.hotline_ticket == ""


# --- who may see a request -----------------------------------------------------------------------


def test_only_its_resident_the_workers_offered_it_and_its_enterprises_desk_see_it(
    client,
    resident,
    other_resident,
    home,
    fixer,
    desk_staff,
    other_enterprise_staff,
    outsider,
    commit,
):
    with commit():
        repair = request_report(
            user=resident, area="home", household=home, category="plumbing", description="漏水"
        )
    pages = {
        "resident": reverse("repairs:detail", args=[repair.pk]),
        "worker": reverse("repairs:job", args=[repair.pk]),
        "desk": reverse("repairs:desk-detail", args=[repair.pk]),
    }
    client.force_login(resident)
    assert client.get(pages["resident"]).status_code == 200
    client.force_login(fixer.user)
    assert client.get(pages["worker"]).status_code == 200
    client.force_login(desk_staff)
    assert client.get(pages["desk"]).status_code == 200

    client.force_login(other_resident)
    assert client.get(pages["resident"]).status_code == 404
    assert client.post(reverse("repairs:confirm", args=[repair.pk])).status_code == 404
    client.force_login(other_enterprise_staff)
    assert client.get(pages["desk"]).status_code == 404
    assert (
        client.post(
            reverse("repairs:desk-assign", args=[repair.pk]), {"worker": fixer.pk}
        ).status_code
        == 404
    )
    client.force_login(outsider)
    assert client.get(pages["resident"]).status_code == 404
    assert client.get(pages["desk"]).status_code == 403


def test_a_worker_sees_the_residents_contact_only_once_they_hold_the_repair(
    client, resident, home, fixer, commit
):
    from repairs.dispatch import offer_accept

    with commit():
        repair = request_report(
            user=resident, area="home", household=home, category="plumbing", description="漏水"
        )
    client.force_login(fixer.user)
    page = client.get(reverse("repairs:job", args=[repair.pk])).content.decode()
    assert home.contact_phone not in page and "1201" not in page
    offer_accept(offer_id=repair.offers.get(worker=fixer).pk, worker=fixer)
    page = client.get(reverse("repairs:job", args=[repair.pk])).content.decode()
    assert home.contact_phone in page


def test_the_repair_desk_menu_item_is_shown_to_enterprise_staff_only(rf, desk_staff, resident):
    from repairs.wagtail_hooks import repair_desk_menu_item

    item = repair_desk_menu_item()
    assert item.url == reverse("repairs:desk")
    for user, shown in ((desk_staff, True), (resident, False)):
        request = rf.get("/cms/")
        request.user = user
        assert item.is_shown(request) is shown
