"""The repairs world: the enterprise's own maintenance provider and two workers on duty around
the clock, the community's board published (with its repair fee items), the repair desk
(enterprise staff), and the personas of the other side (another enterprise's staff)."""

import io
from datetime import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.partner.models import Partner
from tests.bookings.factories import WorkerFactory
from tests.cms.support import publish_board
from tests.factories import (
    CommunityFactory,
    EnterpriseFactory,
    HouseholdFactory,
    PartnerFactory,
    UserFactory,
)

ALL_DAY = [(day, time(0), time(23, 59, 59)) for day in range(7)]


@pytest.fixture
def maintenance(enterprise, community):
    """The enterprise's own maintenance department, as a provider it runs."""
    return PartnerFactory(
        enterprise=enterprise,
        kind=Partner.Kind.ENTERPRISE,
        name="安居物业工程部",
        name_en="Anju maintenance",
        communities=[community],
    )


@pytest.fixture
def fixer(maintenance, community):
    return WorkerFactory(
        provider=maintenance,
        communities=[community],
        hours=ALL_DAY,
        user__first_name="师傅",
        user__last_name="张",
        user__email="fixer@example.cn",
    )


@pytest.fixture
def second_fixer(maintenance, community):
    return WorkerFactory(
        provider=maintenance,
        communities=[community],
        hours=ALL_DAY,
        user__first_name="师傅",
        user__last_name="赵",
        user__email="fixer2@example.cn",
    )


@pytest.fixture
def repair_board(community):
    """The community's board published, with the demo repair fee items (replace-tap ¥30...)."""
    return publish_board(community)


@pytest.fixture
def desk_staff(enterprise):
    user = UserFactory(email="desk@example.cn", is_staff=True)
    enterprise.staff.add(user)
    return user


@pytest.fixture
def other_enterprise_staff(db):
    other = EnterpriseFactory()
    CommunityFactory(enterprise=other)
    user = UserFactory(email="desk-elsewhere@example.cn", is_staff=True)
    other.staff.add(user)
    return user


@pytest.fixture
def home(resident):
    return resident.households.get()


@pytest.fixture
def other_home(other_resident):
    return other_resident.households.get()


@pytest.fixture
def elsewhere_home(db):
    """A resident's home in a community of another enterprise."""
    return HouseholdFactory(user=UserFactory(), community=CommunityFactory())


def jpeg_with_exif(size=(3000, 2000)) -> SimpleUploadedFile:
    """A JPEG photo carrying EXIF (a camera make and GPS-like text), larger than we keep."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "LeakCam"  # Make
    exif[0x8825] = {1: "N"}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("leak.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def photo():
    return jpeg_with_exif()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit(): ...`` runs the on-commit callbacks (Celery kicks, notices) of what it
    wraps, as a real commit would (Celery runs eagerly in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
