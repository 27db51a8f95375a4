"""Telephones (``marketplace.validators``): a mobile is stored in one canonical form (11 ASCII
digits) however it was typed, a Chinese IME's full-width digits included; the board's landlines
and service numbers stay as written, in ASCII."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from cms.models import FeeBoardPage
from marketplace.models import Household, User
from marketplace.validators import normalize_cn_mobile, normalize_phone_text, validate_cn_mobile
from tests.factories import UserFactory

CANONICAL = "13800138000"
TYPED = [
    "１３８００１３８０００",  # a Chinese IME in full-width mode
    "13８００１３８０００",  # mixed: half the digits full-width
    "138 0013 8000",
    "138-0013-8000",
    "138　0013　8000",  # ideographic (full-width) spaces
    "１３８－００１３－８０００",  # full-width hyphens
    "138‐0013–8000",  # Unicode hyphen and en dash
    "(138) 0013.8000",
    "+86 138 0013 8000",
    "+8613800138000",
    "＋８６ １３８ ００１３ ８０００",
    "0086 138 0013 8000",
    "0086-13800138000",
    "8613800138000",
    " 13800138000 ",
]
INVALID = [
    "12800138000",  # no mobile starts 12
    "1380013800",  # 10 digits
    "138001380001",  # 12 digits
    "+1 415 555 0100",
    "+86 010 6478 2200",  # a landline is not a mobile
    "010-64782200",
    "12345",
    "１２３４５",
    "abc",
    "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits: Unicode digits, not a Chinese mobile
    "",
]


@pytest.mark.parametrize("typed", TYPED)
def test_every_way_of_typing_a_mobile_is_accepted_and_made_canonical(typed):
    validate_cn_mobile(typed)
    assert normalize_cn_mobile(typed) == CANONICAL


@pytest.mark.parametrize("typed", INVALID)
def test_what_is_not_a_mainland_mobile_is_refused(typed):
    with pytest.raises(ValidationError) as excinfo:
        validate_cn_mobile(typed)
    assert excinfo.value.code == "invalid_cn_mobile"


@pytest.mark.parametrize("typed", TYPED)
def test_a_user_phone_is_stored_canonical_by_every_path(db, typed):
    user = UserFactory.build(email="phone@example.cn", phone=typed)
    user.full_clean(exclude=["password"])
    assert user.phone == CANONICAL
    saved = UserFactory(email="saved@example.cn", phone=typed)  # no form: the save itself
    assert User.objects.get(pk=saved.pk).phone == CANONICAL


@pytest.mark.parametrize(
    "typed", ["１３８００１３８０００", "13８００１３８０００", "0086 138-0013-8000"]
)
def test_a_resident_adds_a_household_typed_in_full_width(client, resident, community, typed):
    client.force_login(resident)
    response = client.post(
        "/shop/accounts/households/",
        {
            "community": community.pk,
            "building": "9",
            "room": "101",
            "contact_name": "王芳",
            "contact_phone": typed,
        },
    )
    assert response.status_code == 302
    assert resident.households.filter(contact_phone=CANONICAL).exists()
    assert not Household.objects.exclude(contact_phone__regex=r"^[0-9]{11}$").exists()


@pytest.mark.parametrize("typed", ["１２３４５", "12８００１３８０００", "+86 010 6478 2200"])
def test_a_household_with_an_invalid_phone_is_refused_and_nothing_stored(
    client, resident, community, typed
):
    client.force_login(resident)
    before = Household.objects.count()
    response = client.post(
        "/shop/accounts/households/",
        {
            "community": community.pk,
            "building": "9",
            "room": "101",
            "contact_name": "王芳",
            "contact_phone": typed,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "valid mainland China mobile" in response.content.decode()
    assert Household.objects.count() == before


def test_the_data_migration_makes_stored_mobiles_canonical(db, resident):
    migration = importlib.import_module("marketplace.migrations.0002_canonical_phones")
    household = resident.households.get()
    User.objects.filter(pk=resident.pk).update(phone="13８００１３８０００")  # stored as typed
    Household.objects.filter(pk=household.pk).update(contact_phone="+86 139-0000-0000")
    never_valid = UserFactory(email="old@example.cn")
    User.objects.filter(pk=never_valid.pk).update(phone="12345")
    migration.forwards(apps, None)
    assert User.objects.get(pk=resident.pk).phone == CANONICAL
    assert Household.objects.get(pk=household.pk).contact_phone == "13900000000"
    assert User.objects.get(pk=never_valid.pk).phone == "12345"  # nothing to guess: left


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("010-12345678", "010-12345678"),
        ("12345", "12345"),
        ("400-810-8888", "400-810-8888"),
        ("０１０－１２３４５６７８", "010-12345678"),
        ("１２３４５", "12345"),
        ("  010  6478 2200 ", "010 6478 2200"),
        ("", ""),
    ],
)
def test_board_landlines_and_service_numbers_keep_working_in_ascii(
    board, enterprise, typed, stored
):
    assert normalize_phone_text(typed) == stored
    board = FeeBoardPage.objects.get(pk=board.pk)
    board.complaint_phone_street = typed
    board.complaint_phone_hotline = typed
    board.full_clean()
    assert (board.complaint_phone_street, board.complaint_phone_hotline) == (stored, stored)
    staff = board.staff.first()
    staff.phone = typed
    staff.full_clean(exclude=["board"])
    assert staff.phone == stored
    enterprise.complaint_phone = typed
    enterprise.full_clean()
    assert enterprise.complaint_phone == stored
