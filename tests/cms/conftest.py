"""Fee board fixtures: a second enterprise, editors and managers with their Wagtail groups.

Permissions are built here through ``cms.services`` (never from the demo seed). The published
board (``board``, ``published_board``) and the cache clearing are in ``tests/conftest.py``.
"""

import pytest

from cms.services import enterprise_staff_grant, site_tree_ensure
from tests.cms.support import publish_board
from tests.factories import (
    CommunityFactory,
    EnterpriseFactory,
    PartnerFactory,
    ProductFactory,
    StockRecordFactory,
    UserFactory,
)


@pytest.fixture
def site_tree(db):
    return site_tree_ensure()


@pytest.fixture
def board_editor(enterprise, site_tree):
    user = UserFactory(email="board-editor@example.cn")
    enterprise_staff_grant(enterprise=enterprise, user=user, role="editor")
    return user


@pytest.fixture
def board_manager(enterprise, site_tree):
    user = UserFactory(email="board-manager@example.cn")
    enterprise_staff_grant(enterprise=enterprise, user=user, role="manager")
    return user


@pytest.fixture
def other_enterprise(db):
    return EnterpriseFactory(slug="jinghua", name="京华物业管理有限公司", name_en="Jinghua")


@pytest.fixture
def foreign_community(other_enterprise):
    return CommunityFactory(
        enterprise=other_enterprise, slug="hepingli", name="和平里小区", name_en="Hepingli"
    )


@pytest.fixture
def foreign_board(foreign_community, site_tree):
    provider = PartnerFactory(
        enterprise=foreign_community.enterprise, communities=[foreign_community]
    )
    StockRecordFactory(
        product=ProductFactory(title="助浴服务", title_en="Assisted bathing"),
        partner=provider,
        community=foreign_community,
        price="150.00",
    )
    return publish_board(foreign_community)


@pytest.fixture
def foreign_editor(other_enterprise, site_tree):
    user = UserFactory(email="jinghua-editor@example.cn")
    enterprise_staff_grant(enterprise=other_enterprise, user=user, role="editor")
    return user
