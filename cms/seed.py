"""Demo pages: the home page, enterprise pages, and a complete published board per community.

Idempotent: a second run changes nothing (boards are only re-published when their content
or their life-service snapshot changed, and an editor's text is never overwritten).
"""

from __future__ import annotations

from decimal import Decimal

from cms.boards import life_services_snapshot, missing_sections
from cms.models import (
    CommonPartsStatement,
    DutyStaff,
    FeeBoardPage,
    FeeItem,
    MaintenanceFundUse,
    MaintenanceUnit,
    RepairFeeItem,
)
from cms.services import (
    board_ensure,
    board_publish,
    enterprise_page_ensure,
    enterprise_staff_grant,
    site_tree_ensure,
)
from marketplace.seed_data import COMMUNITY_PRICE_FACTOR

INTRO_ZH = "<p>在线预约养老、托育、家政、快递和维修服务。价格以小区公示栏为准，不收取公示以外的任何费用。</p>"
INTRO_EN = (
    "<p>Book eldercare, childcare, housekeeping, express and repair services online. "
    "Prices are those on your community's published fee board, and nothing else is charged.</p>"
)

ENTERPRISE_PROFILES = {
    "anju": (
        "北京安居物业服务有限公司成立于 2008 年，物业服务一级资质，在管住宅小区 36 个。",
        "Founded in 2008, grade-1 property services, 36 residential communities managed.",
        "周一至周日 8:00–20:00",
        "service@anju.example.cn",
    ),
    "jinghua": (
        "京华物业管理有限公司深耕东城、丰台老旧小区服务，提供物业与居家生活服务。",
        "Jinghua manages older communities in Dongcheng and Fengtai, with home services.",
        "周一至周六 8:30–18:00",
        "kefu@jinghua.example.cn",
    ),
}

MANAGERS = {
    "wangjing-garden": ("陈立新", "138 1100 2201"),
    "qinghe": ("高雅琴", "138 1100 2202"),
    "hepingli": ("马建华", "139 1100 3301"),
    "fangchengyuan": ("田振宇", "139 1100 3302"),
}
STREET_OFFICES = {
    "wangjing-garden": "010-6472 1234",
    "qinghe": "010-6293 5678",
    "hepingli": "010-8411 2345",
    "fangchengyuan": "010-6762 3456",
}


def _fill_text(board: FeeBoardPage, community) -> None:
    manager, phone = MANAGERS.get(community.slug, ("李明", "138 0000 0000"))
    defaults = {
        "project_info": f"{community.name}位于{community.address}，共 12 栋住宅楼、1,860 户，"
        "总建筑面积约 21 万平方米。物业服务合同期限 2024 年 1 月至 2026 年 12 月。",
        "project_info_en": f"{community.name_en or community.name}: 12 residential buildings, "
        "1,860 households, about 210,000 m². Service contract Jan 2024 – Dec 2026.",
        "project_manager": manager,
        "project_manager_phone": phone,
        "service_phone": community.enterprise.phone,
        "office_hours": "8:00–20:00",
        "complaint_phone_enterprise": community.enterprise.complaint_phone,
        "complaint_phone_street": STREET_OFFICES.get(community.slug, "010-6000 1234"),
        "complaint_phone_hotline": "12345",
        "service_grade": "二级",
        "service_grade_en": "Grade 2",
        "service_standards": "秩序维护 24 小时值守；公共区域每日清扫两次；绿化每月修剪一次；"
        "电梯、消防设施按规定维保，公示维保记录。",
        "service_standards_en": "Security on duty 24 h; common areas cleaned twice a day; "
        "greenery trimmed monthly; elevators and fire equipment "
        "maintained as required, with records posted.",
        "repair_channels": "服务中心前台、电话、邻里 App/网站“报修”。",
        "repair_channels_en": "Service desk, telephone, or “Repair” on the Linli site.",
        "repair_hours": "24 小时受理",
        "repair_hours_en": "Around the clock",
        "repair_response": "急修 30 分钟内到场；一般维修 24 小时内上门。",
        "repair_response_en": "Emergencies: on site within 30 minutes; other repairs within 24 hours.",
        "parking_use": "地下车库 420 个车位：业主产权车位 260 个，出租车位 160 个，"
        "临时停车按公示标准收费。",
        "parking_use_en": "Underground garage with 420 spaces: 260 owned, 160 rented; "
        "visitors pay the posted rate.",
        "public_facilities": "活动中心、健身场地、儿童游乐区、快递驿站、充电桩 40 个。",
        "public_facilities_en": "Community centre, fitness area, playground, parcel station, "
        "40 EV chargers.",
    }
    for name, value in defaults.items():
        if not str(getattr(board, name) or "").strip():
            setattr(board, name, value)


#: The demo boards' repair labour items (code, name, name in English, labour in yuan, unit).
REPAIR_FEE_ITEMS = (
    ("replace-tap", "更换水龙头", "Replace a tap", "30.00", "元/个", "CNY/item"),
    ("clear-drain", "疏通下水道", "Clear a drain", "50.00", "元/处", "CNY/place"),
    ("replace-switch", "更换开关插座", "Replace a switch or socket", "20.00", "元/个", "CNY/item"),
    ("fix-door-lock", "维修门锁", "Repair a door lock", "40.00", "元/把", "CNY/lock"),
)


def _fill_rows(board: FeeBoardPage, factor: Decimal) -> None:
    if not board.fee_items.all():
        board.fee_items = [
            FeeItem(
                kind="property",
                name="物业服务费",
                name_en="Property service fee",
                building_type="高层住宅",
                building_type_en="High-rise",
                amount=(Decimal("3.20") * factor).quantize(Decimal("0.01")),
                unit="元/㎡·月",
                unit_en="CNY/m²/month",
                basis="market",
            ),
            FeeItem(
                kind="property",
                name="物业服务费",
                name_en="Property service fee",
                building_type="多层住宅",
                building_type_en="Low-rise",
                amount=(Decimal("2.40") * factor).quantize(Decimal("0.01")),
                unit="元/㎡·月",
                unit_en="CNY/m²/month",
                basis="market",
            ),
            FeeItem(
                kind="parking",
                name="地下车位租赁",
                name_en="Underground parking rent",
                amount=Decimal("450.00"),
                unit="元/个·月",
                unit_en="CNY/space/month",
                basis="market",
            ),
            FeeItem(
                kind="parking",
                name="临时停车",
                name_en="Visitor parking",
                amount=Decimal("2.00"),
                unit="元/小时",
                unit_en="CNY/hour",
                basis="government",
                note="首 30 分钟免费",
                note_en="First 30 min free",
            ),
            FeeItem(
                kind="other",
                name="装修垃圾清运",
                name_en="Renovation waste removal",
                amount=Decimal("300.00"),
                unit="元/户",
                unit_en="CNY/household",
                basis="market",
            ),
        ]
    if not board.staff.all():
        board.staff = [
            DutyStaff(
                name=board.project_manager or "陈立新",
                role="项目经理",
                role_en="Project manager",
                phone=board.project_manager_phone,
            ),
            DutyStaff(name="刘海", role="工程主管", role_en="Engineering lead"),
            DutyStaff(name="韩梅", role="客服主管", role_en="Service desk lead"),
            DutyStaff(name="孙强", role="秩序维护主管", role_en="Security lead"),
        ]
    if not board.maintenance_units.all():
        board.maintenance_units = [
            MaintenanceUnit(
                system="elevator", company="北京奥的斯电梯维保中心", phone="400-880 1234"
            ),
            MaintenanceUnit(
                system="fire", company="京安消防设施维护有限公司", phone="010-6500 1119"
            ),
            MaintenanceUnit(system="water", company="北京市自来水集团客服", phone="96116"),
        ]
    if not board.statements.all():
        board.statements = [
            CommonPartsStatement(
                period="2025 Q3",
                income=Decimal("186400.00"),
                expenditure=Decimal("52300.00"),
                note="电梯广告、停车位租赁",
                note_en="Lift ads, parking rent",
            ),
            CommonPartsStatement(
                period="2025 Q2", income=Decimal("179800.00"), expenditure=Decimal("61250.00")
            ),
        ]
    if not board.fund_uses.all():
        board.fund_uses = [
            MaintenanceFundUse(
                period="2025-08",
                item="3 号楼屋面防水维修",
                item_en="Roof waterproofing, building 3",
                amount=Decimal("86500.00"),
                note="业主表决通过",
                note_en="Approved by owners",
            ),
        ]
    if not board.repair_fee_items.all():
        board.repair_fee_items = [
            RepairFeeItem(
                code=code, name=zh, name_en=en, amount=Decimal(amount), unit=unit, unit_en=unit_en
            )
            for code, zh, en, amount, unit, unit_en in REPAIR_FEE_ITEMS
        ]


def board_complete_demo_content(board: FeeBoardPage) -> FeeBoardPage:
    """Fill every empty section of ``board`` (a revision object) with plausible content."""
    community = board.community
    _fill_text(board, community)
    _fill_rows(board, COMMUNITY_PRICE_FACTOR.get(community.slug, Decimal("1.00")))
    return board


def board_publish_complete(community, *, user=None) -> FeeBoardPage:
    """Create or complete the community's board and publish it, unless it is already current."""
    board = board_ensure(community=community)
    if user is not None:
        # Reload: Wagtail caches page permissions on the user object, and board_ensure has
        # just granted its enterprise's groups the new board.
        user = type(user).objects.get(pk=user.pk)
    draft = board.get_latest_revision_as_object()
    was_missing = bool(missing_sections(draft))
    board_complete_demo_content(draft)
    current = (
        board.live
        and not board.has_unpublished_changes
        and not was_missing
        and life_services_snapshot(community.pk) == (board.life_services or [])
    )
    if not current:
        board_publish(board=board, user=user, draft=draft)
    return FeeBoardPage.objects.get(pk=board.pk)


def seed(ctx):
    """The demo's pages (``ctx``: a ``marketplace.seed.SeedContext``): the home page's intro,
    an enterprise page per enterprise, the enterprise staff's Wagtail roles, and a complete
    published fee board per community. Sets ``ctx.home_page``."""
    home, _boards, _enterprises = site_tree_ensure()
    if not home.intro:
        home.intro, home.intro_en = INTRO_ZH, INTRO_EN
        home.save_revision().publish()
    ctx.home_page = home

    for slug, enterprise in ctx.enterprises.items():
        profile, profile_en, hours, email = ENTERPRISE_PROFILES.get(slug, ("", "", "", ""))
        enterprise_page_ensure(
            enterprise=enterprise,
            profile=profile,
            profile_en=profile_en,
            office_hours=hours,
            email=email,
        )
    grants = [
        ("anju", "enterprise_editor", "editor"),
        ("anju", "enterprise_manager", "manager"),
        ("jinghua", "enterprise_editor_b", "editor"),
    ]
    for enterprise_slug, user_key, role in grants:
        user = ctx.users.get(user_key)
        if user is not None:
            enterprise_staff_grant(
                enterprise=ctx.enterprises[enterprise_slug], user=user, role=role
            )
    # Anju's boards are published by its manager; Jinghua's (no demo manager) by the seed.
    publishers = {"anju": ctx.users.get("enterprise_manager")}
    for community in ctx.communities.values():
        board_publish_complete(community, user=publishers.get(community.enterprise.slug))
