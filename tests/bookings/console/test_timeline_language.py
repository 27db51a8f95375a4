"""An appointment's timeline, its dispatch notes and a series' "how often" are stored as codes
(untranslated source text with their values) and read in the reader's language, whoever made
each step in whichever language: the resident's page, the worker's job page and the dispatch
board show no Chinese on an English page and no English on a Chinese one, and a person's own
words (a worker's notes, a resident's reason) are shown as written, marked translate="no"."""

import re

import pytest
from django.utils import translation

from bookings.appointments.changes import appointment_cancel, appointment_reschedule
from bookings.console import jobs as console
from bookings.dispatch.outbox import offer_create
from bookings.models import Appointment, AppointmentEvent, DispatchAttempt, DispatchRound
from tests.bookings.console.conftest import accept, starting_in
from tests.support import local

pytestmark = pytest.mark.django_db

Status = Appointment.Status
CJK = re.compile(r"[\u4e00-\u9fff]+")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
NOTES = "擦了窗户"  # the worker's own words, in Chinese


def _section(page: str, element_id: str) -> str:
    """The element ``element_id`` of ``page`` up to its closing tag, without the parts marked
    translate="no" (a person's words, shown as written)."""
    start = page.index(">", page.index(f'id="{element_id}"')) + 1
    end = page.index("</ol>", start)
    return re.sub(r'<span translate="no">.*?</span>', " ", page[start:end], flags=re.S)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def lived_in_chinese(job, worker, resident):
    """A job moved, accepted, checked in and completed with notes, every step made while
    Chinese was the active language (a Chinese page, or a beat task in zh-hans)."""
    with translation.override("zh-hans"):
        appointment_reschedule(appointment=job, new_start=local(3, 10), by=resident)
        job.refresh_from_db()
        accept(job)
        starting_in(job, 5)
        console.appointment_check_in(appointment=job, worker=worker)
        console.appointment_complete(appointment=job, worker=worker, notes=NOTES)
    job.refresh_from_db()
    return job


def test_every_step_is_stored_as_untranslated_source_text_with_its_values(lived_in_chinese):
    reasons = list(lived_in_chinese.events.values_list("reason", "reason_params"))
    stored = " ".join(r for r, _ in reasons)
    assert not CJK.search(stored)
    moved = next(p for r, p in reasons if r.startswith("Moved from"))
    assert moved["new"].startswith(local(3, 10).isoformat()[:16])
    assert ("Completed: %(notes)s", {"notes": NOTES}) in reasons


def test_the_residents_timeline_reads_in_english_with_the_workers_words_as_written(
    client, resident, lived_in_chinese, english
):
    client.force_login(resident)
    page = client.get(lived_in_chinese.get_absolute_url()).content.decode()
    timeline = _section(page, "appointment-timeline")
    assert CJK.findall(_text(timeline)) == []
    assert "Moved from" in timeline and "Completed" in timeline
    assert f'<span translate="no">{NOTES}</span>' in page


def test_the_residents_timeline_reads_in_chinese_with_local_times(
    client, resident, job, lived_in_chinese
):
    client.force_login(resident)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(lived_in_chinese.get_absolute_url()).content.decode()
    timeline = _text(_section(page, "appointment-timeline"))
    assert LATIN_WORD.findall(timeline) == []
    new = local(3, 10)
    assert f"{new.month}月{new.day}日 10:00" in timeline  # a local, translated date and time
    assert "改期" in timeline and "已完成" in timeline


def test_the_workers_job_page_reads_in_english(client, worker, lived_in_chinese, english):
    client.force_login(worker.user)
    page = client.get(f"/provider/jobs/{lived_in_chinese.pk}/").content.decode()
    assert CJK.findall(_text(_section(page, "job-timeline"))) == []


@pytest.mark.parametrize(
    "reason,params,en,zh",
    [
        ("Booking confirmed", {}, "Booking confirmed", "预约已确认"),
        (
            "The card was declined; nothing was charged",
            {},
            "The card was declined; nothing was charged",
            "银行卡被拒，未扣任何费用",
        ),
        ("No-show: %(notes)s", {"notes": "没人开门"}, "No-show: 没人开门", "住户爽约：没人开门"),
        (
            "The worker can no longer do this job; it goes to another worker.",
            {},
            "The worker can no longer do this job; it goes to another worker.",
            "原服务人员已无法承接此工作，将改派给其他服务人员。",
        ),
        ("我临时有事", {}, "我临时有事", "我临时有事"),  # a resident's own reason
    ],
)
def test_each_fixed_reason_is_translated_when_shown_and_a_persons_words_are_not(
    job, reason, params, en, zh
):
    event = AppointmentEvent(appointment=job, to_status=Status.CONFIRMED, reason=reason)
    event.reason_params = params
    with translation.override("en"):
        assert event.display_reason == en
    with translation.override("zh-hans"):
        assert event.display_reason == zh


def test_a_cancellation_made_in_chinese_leaves_dispatch_notes_a_manager_reads_in_english(
    job, resident, worker
):
    offer_create(
        dispatch_round=DispatchRound.objects.get(appointment=job), appointment=job, worker=worker
    )
    with translation.override("zh-hans"):
        appointment_cancel(appointment=job, by=resident)
    notes = list(DispatchAttempt.objects.filter(appointment=job).exclude(note=""))
    assert notes and all(not CJK.search(n.note) for n in notes)
    with translation.override("en"):
        assert notes[0].display_note == "The appointment was cancelled"
    with translation.override("zh-hans"):
        assert notes[0].display_note == "预约已取消"


def test_the_old_rows_stored_translated_are_turned_back_into_codes():
    import importlib

    migration = importlib.import_module("bookings.migrations.0023_event_reason_params")
    assert migration._untranslate("预约已确认") == ("Booking confirmed", {})
    assert migration._untranslate("由 2026-12-01 10:00 改期至 2026-12-02 14:30") == (
        "Moved from %(old)s to %(new)s",
        {"old": "2026-12-01T10:00:00+08:00", "new": "2026-12-02T14:30:00+08:00"},
    )
    assert migration._untranslate("已完成：擦了窗户") == (
        "Completed: %(notes)s",
        {"notes": "擦了窗户"},
    )
    assert migration._untranslate("No-show: rang twice") == (
        "No-show: %(notes)s",
        {"notes": "rang twice"},
    )
    assert migration._untranslate("我临时有事") is None  # a person's words stay as written


def test_a_move_to_another_worker_says_so_to_the_resident_in_their_language(
    book, resident, worker, second_worker
):
    from bookings.models import Notice
    from bookings.notify.messages import message_for
    from tests.bookings.factories import TimeOffFactory

    appointment = book(local(2, 10))
    accept(appointment)
    TimeOffFactory(worker=worker, start=local(2, 13), end=local(2, 18))
    with translation.override("zh-hans"):
        appointment_reschedule(appointment=appointment, new_start=local(2, 14), by=resident)
    appointment.refresh_from_db()
    assert appointment.worker == second_worker
    notice = Notice.objects.get(appointment=appointment, kind=Notice.Kind.RESCHEDULED)
    resident.language = "en"
    message = message_for(notice, resident)
    assert "Another worker takes the new time" in message.body
    assert not CJK.search(message.subject)
    with translation.override("en"):
        reasons = [e.display_reason for e in appointment.events.all()]
    assert "Another worker takes the new time" in reasons


def test_a_job_still_offered_to_the_worker_is_an_offer_not_an_upcoming_confirmed_job(
    client, job, worker
):
    offer = offer_create(
        dispatch_round=DispatchRound.objects.get(appointment=job), appointment=job, worker=worker
    )
    client.force_login(worker.user)
    response = client.get("/provider/")
    assert job.pk not in [j.pk for j in response.context["upcoming"]]
    assert job.pk not in [j.pk for j in response.context["today"]]
    assert f"/provider/offers/{offer.pk}/accept/" in response.content.decode()
