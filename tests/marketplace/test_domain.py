import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from marketplace.models import Household
from marketplace.validators import normalize_cn_mobile, validate_cn_mobile
from tests.factories import HouseholdFactory, UserFactory


@pytest.mark.parametrize(
    "number", ["13800138000", "+86 138 0013 8000", "0086-199-1234-5678", "15912345678"]
)
def test_it_accepts_chinese_mobile_numbers(number):
    validate_cn_mobile(number)
    assert len(normalize_cn_mobile(number)) == 11


@pytest.mark.parametrize(
    "number", ["12800138000", "1380013800", "010-64782200", "+1 415 555 0100", "abc", ""]
)
def test_it_rejects_what_is_not_a_chinese_mobile(number):
    with pytest.raises(ValidationError):
        validate_cn_mobile(number)


def test_user_phone_is_validated_and_normalised(db):
    user = UserFactory.build(email="a@example.cn", phone="+86 138-0013-8000")
    user.full_clean(exclude=["password"])
    user.clean()
    assert user.phone == "13800138000"
    user.phone = "12345"
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean(exclude=["password"])
    assert "phone" in excinfo.value.message_dict


def test_a_resident_has_at_most_one_default_household(community):
    user = UserFactory()
    HouseholdFactory(user=user, community=community, is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(user=user, community=community, room="302", is_default=True)
    HouseholdFactory(user=user, community=community, room="303", is_default=False)
    assert Household.objects.filter(user=user).count() == 2


def test_bilingual_names_follow_the_active_language(community):
    with translation.override("en"):
        assert community.display_name == "Wangjing Garden"
    with translation.override("zh-hans"):
        assert community.display_name == "望京花园"


def test_chinese_names_read_family_name_first():
    assert UserFactory.build(first_name="芳", last_name="王").get_full_name() == "王芳"
    assert (
        UserFactory.build(first_name="Ada", last_name="Lovelace").get_full_name() == "Ada Lovelace"
    )
