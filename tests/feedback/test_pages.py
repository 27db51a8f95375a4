"""The feedback pages: access (404 for anyone not concerned), bad input (4xx, nothing
written), photos (type, size, EXIF stripped), and the hooks on existing pages."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from feedback.complaints.services import complaint_file
from feedback.models import Complaint, ComplaintPhoto, Rating
from feedback.photos import PhotoRefused, photo_clean

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(2400, 1200)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)  # GPSInfo: where the photo was taken
    gps[1], gps[2] = "N", (39.0, 54.0, 0.0)
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_clean_strips_exif_and_resizes():
    raw = jpeg_with_gps()
    # The control: the upload carries a GPS position.
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)[2] == (39.0, 54.0, 0.0)
    clean = photo_clean(SimpleUploadedFile("p.jpg", raw, content_type="image/jpeg"))
    image = Image.open(clean)
    assert max(image.size) == 1600
    assert not image.getexif()
    assert "exif" not in image.info


@pytest.mark.parametrize(
    ("name", "content"),
    [("fake.jpg", b"<?php echo 1; ?>"), ("a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")],
)
def test_non_images_are_refused(name, content):
    with pytest.raises(PhotoRefused):
        photo_clean(SimpleUploadedFile(name, content))


def test_an_oversized_photo_is_refused():
    with pytest.raises(PhotoRefused):
        photo_clean(SimpleUploadedFile("big.jpg", jpeg_with_gps()), max_bytes=100)


def test_a_complaint_with_a_non_image_is_400_and_writes_nothing(client, resident, completed):
    client.force_login(resident)
    response = client.post(
        reverse("feedback:complaint-new") + f"?appointment={completed.pk}",
        {
            "kind": "appointment",
            "category": "other",
            "text": "看照片",
            "appointment": completed.pk,
            "photos": [SimpleUploadedFile("x.jpg", b"not an image")],
        },
    )
    assert response.status_code == 400
    assert not Complaint.objects.exists() and not ComplaintPhoto.objects.exists()


def test_a_resident_files_with_photos_and_the_stored_photo_has_no_exif(client, resident, completed):
    client.force_login(resident)
    response = client.post(
        reverse("feedback:complaint-new"),
        {
            "kind": "appointment",
            "category": "service_quality",
            "text": "地板没擦干净",
            "appointment": completed.pk,
            "photos": [SimpleUploadedFile("floor.jpg", jpeg_with_gps())],
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert complaint.appointment_id == completed.pk
    photo = complaint.photos.get()
    assert not Image.open(photo.image.path).getexif()


def test_rating_page_rates_once_and_refuses_bad_stars(client, resident, completed):
    client.force_login(resident)
    url = reverse("feedback:rate", args=[completed.pk])
    assert client.post(url, {"stars": "9"}).status_code == 400
    assert not Rating.objects.exists()
    assert client.post(url, {"stars": "4", "tags": ["punctual"]}).status_code == 302
    page = client.get(reverse("bookings:appointment-detail", args=[completed.pk]))
    assert "★★★★☆" in page.content.decode()


def test_rating_someone_elses_appointment_is_404(client, other_resident, completed):
    client.force_login(other_resident)
    assert (
        client.post(reverse("feedback:rate", args=[completed.pk]), {"stars": "5"}).status_code
        == 404
    )
    assert not Rating.objects.exists()


def test_complaining_about_someone_elses_appointment_is_404(client, other_resident, completed):
    client.force_login(other_resident)
    response = client.post(
        reverse("feedback:complaint-new"),
        {"kind": "appointment", "category": "other", "text": "x", "appointment": completed.pk},
    )
    assert response.status_code == 404
    assert not Complaint.objects.exists()


@pytest.fixture
def complaint(resident, completed):
    return complaint_file(
        user=resident, kind="appointment", category="conduct", text="态度差", appointment=completed
    )


@pytest.mark.parametrize(
    "who",
    ["other_resident", "worker", "other_provider_manager", "other_enterprise_staff", "outsider"],
)
def test_complaints_not_theirs_are_404(client, complaint, request, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)  # the worker fixture is a Worker
    client.force_login(user)
    for url in (
        reverse("feedback:complaint-detail", args=[complaint.pk]),
        reverse("feedback:desk-detail", args=[complaint.pk]),
    ):
        assert client.get(url).status_code == 404, (who, url)
    response = client.post(
        reverse("feedback:desk-act", args=[complaint.pk, "respond"]), {"text": "hi"}
    )
    assert response.status_code == 404
    assert complaint.events.count() == 1


@pytest.mark.parametrize("who", ["resident", "provider_manager", "enterprise_editor"])
def test_those_concerned_see_it(client, complaint, request, who):
    client.force_login(request.getfixturevalue(who))
    name = "feedback:complaint-detail" if who == "resident" else "feedback:desk-detail"
    response = client.get(reverse(name, args=[complaint.pk]))
    assert response.status_code == 200
    assert complaint.number in response.content.decode()


def test_the_provider_answers_on_the_desk_and_the_resident_is_satisfied(
    client, complaint, provider_manager, resident
):
    client.force_login(provider_manager)
    url = reverse("feedback:desk-act", args=[complaint.pk, "resolve"])
    assert client.post(url, {"text": "已道歉并退款"}).status_code == 302
    client.force_login(resident)
    url = reverse("feedback:complaint-act", args=[complaint.pk, "rate"])
    assert client.post(url, {"satisfaction": "nonsense"}).status_code == 400
    assert client.post(url, {"satisfaction": "satisfied"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.satisfaction == "satisfied"


def test_the_board_and_board_json_show_the_figures(client, complaint, published_board, community):
    page = client.get(f"/boards/{community.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="complaint-figures"' in html
    data = client.get(f"/boards/{community.slug}/board.json").json()
    figures = data["complaint_figures"]
    assert figures["complaints"]["count"] == 1
    assert figures["window_days"] == 90
    assert set(figures["definitions"]) >= {"response_rate", "resolution_rate", "satisfaction_rate"}


def test_the_service_page_shows_the_providers_rating_and_reviews(
    client, resident, completed, service
):
    from feedback.ratings.services import rating_submit

    rating_submit(appointment=completed, user=resident, stars=5, text="非常专业")
    html = client.get(service.get_absolute_url()).content.decode()
    assert 'id="service-reviews"' in html and "非常专业" in html
    assert "芳" in html and "王" not in html.split('id="service-reviews"')[1].split("</section>")[0]


def test_the_service_pages_reviews_show_a_new_changed_or_deleted_review_at_once(
    client, resident, completed, service
):
    """The reviews part is stored once rendered (``feedback.ratings.cache``): every change
    of a rating shows on the next view, also one written with ``update()`` (no signal)."""
    from feedback.ratings.services import rating_change, rating_submit

    def reviews() -> str:
        html = client.get(service.get_absolute_url()).content.decode()
        return html.split('id="service-reviews"')[1].split("</section>\n</section>")[0]

    assert "No ratings yet." in reviews() or "暂无评分" in reviews()
    rating = rating_submit(appointment=completed, user=resident, stars=5, text="非常专业")
    assert "非常专业" in reviews()
    rating_change(rating=rating, user=resident, stars=4, text="准时到达")
    assert "准时到达" in reviews() and "非常专业" not in reviews()
    rating.delete()
    assert "准时到达" not in reviews()


def test_a_worker_sees_their_ratings_without_the_resident(client, resident, completed, worker):
    from feedback.ratings.services import rating_submit

    rating_submit(appointment=completed, user=resident, stars=3, text="一般")
    client.force_login(worker.user)
    html = client.get(reverse("feedback:my-ratings")).content.decode()
    assert "一般" in html and "芳" not in html and "resident@example.cn" not in html


def test_the_credit_page_and_a_provider_page_render(client, provider):
    assert "CREDIT" not in client.get(reverse("feedback:credit")).content.decode()
    assert client.get(reverse("feedback:credit")).status_code == 200
    assert client.get(reverse("feedback:provider", args=[provider.pk])).status_code == 200


def test_enterprise_staff_enter_a_12345_ticket(client, enterprise_editor, community):
    client.force_login(enterprise_editor)
    url = reverse("feedback:desk-hotline")
    data = {
        "ticket": "",
        "community": community.pk,
        "kind": "property",
        "category": "lift",
        "text": "电梯停了",
    }
    assert client.post(url, data).status_code == 400
    assert not Complaint.objects.exists()
    data["ticket"] = "BJ-20260310-0001"
    assert client.post(url, data).status_code == 302
    c = Complaint.objects.get()
    assert c.channel == "hotline" and c.response_due - c.filed_at == timedelta(hours=2)


def test_oscars_product_reviews_are_gone(client, resident, completed, service, english):
    """Oscar's reviews rate products; ours rate appointments. Its links and pages are off."""
    client.force_login(resident)
    order_page = client.get(reverse("customer:order", args=[completed.order.number]))
    assert order_page.status_code == 200
    html = order_page.content.decode()
    assert "Write a review" not in html and "写评论" not in html
    product_reviews = f"/shop/catalogue/{service.slug}_{service.pk}/reviews/add/"
    assert client.get(product_reviews).status_code == 404
    client.force_login(resident)
    assert client.get("/shop/dashboard/reviews/").status_code == 404


def test_odd_input_is_a_clear_4xx_never_a_5xx(client, resident, complaint, provider_manager):
    client.force_login(resident)
    new = reverse("feedback:complaint-new")
    assert client.get(new + "?appointment=99999999999999999999999").status_code == 400
    assert client.get(new + "?appointment=abc").status_code == 400
    attach = reverse("feedback:complaint-act", args=[complaint.pk, "attach"])
    assert client.post(attach, {"event": "abc"}).status_code == 404
    assert client.post(attach, {"event": "1" * 30}).status_code == 404
    odd = reverse("feedback:complaint-act", args=[complaint.pk, "explode"])
    assert client.post(odd, {"text": "x"}).status_code == 400
    client.force_login(provider_manager)
    odd = reverse("feedback:desk-act", args=[complaint.pk, "explode"])
    assert client.post(odd, {"text": "x"}).status_code == 400
    assert (
        client.post(reverse("feedback:desk-act", args=[complaint.pk, "respond"]), {}).status_code
        == 400
    )
    assert complaint.events.count() == 1


def test_a_hidden_review_leaves_the_service_page_but_still_counts(
    client, resident, completed, service, enterprise_editor
):
    from feedback.ratings.services import rating_hide, rating_submit

    rating = rating_submit(appointment=completed, user=resident, stars=1, text="骂人的话")
    client.force_login(enterprise_editor)
    response = client.post(reverse("feedback:desk-review-hide", args=[rating.pk]), {"reason": ""})
    assert response.status_code == 400
    rating_hide(rating=rating, user=enterprise_editor, reason="辱骂")
    client.logout()
    html = client.get(service.get_absolute_url()).content.decode()
    assert "骂人的话" not in html
    assert Rating.objects.filter(pk=rating.pk, hidden_reason="辱骂").exists()


def test_a_resident_complains_about_a_provider_of_their_community(client, resident, provider):
    client.force_login(resident)
    response = client.post(
        reverse("feedback:complaint-new"),
        {"kind": "provider", "category": "conduct", "text": "电话态度差", "provider": provider.pk},
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.provider_id == provider.pk and complaint.appointment_id is None
