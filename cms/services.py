"""Writes on fee boards: the page tree, publishing, drafts from price changes, access.

Interfaces other code calls:

* ``board_publish(*, board, user=None) -> Revision`` — snapshot the StockRecords, publish.
* ``board_draft_from_catalogue(*, community_id) -> Revision | None`` — called on price change.
* ``enterprise_access_sync(*, enterprise) -> EnterpriseAccess`` — groups, page permissions and
  the approval workflow of one enterprise.
* ``enterprise_staff_grant(*, enterprise, user, role)`` — make a user an editor or a manager.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Revision,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.boards import board_charges, life_services_snapshot, section_fingerprints
from cms.models import (
    BoardApprovalTask,
    BoardIndexPage,
    BoardPublication,
    EnterpriseIndexPage,
    EnterprisePage,
    FeeBoardPage,
    HomePage,
)
from cms.workflow_names import workflow_code
from marketplace.models import Community, Enterprise
from marketplace.site_url import site_address

# --- the page tree ----------------------------------------------------------------------------


def _root_nodes_ensure() -> Page:
    """Wagtail's root page, default locale and root collection come from its migrations; a
    flushed database (transactional tests) has lost them, so recreate them when missing."""
    Locale.objects.get_or_create(
        language_code=Locale.get_default().language_code
        if Locale.objects.exists()
        else settings.LANGUAGE_CODE
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


@transaction.atomic
def site_tree_ensure() -> tuple[HomePage, BoardIndexPage, EnterpriseIndexPage]:
    """Home page at the default site's root, with /boards/ and /enterprises/ beneath it."""
    home = HomePage.objects.first()
    if home is None:
        root = _root_nodes_ensure()
        # Wagtail's initial migration leaves a placeholder welcome page at the slug "home".
        for page in root.get_children().exclude(
            content_type=ContentType.objects.get_for_model(HomePage)
        ):
            if page.slug == "home":
                page.slug = "welcome-placeholder"
                page.save()
                if page.live:
                    page.unpublish()
        home = HomePage(title="邻里 Linli", slug="home")
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        _, hostname, port = site_address()  # SITE_URL's (marketplace.site_url)
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name="Linli 邻里",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Linli 邻里"
        site.save()

    boards = BoardIndexPage.objects.first()
    if boards is None:
        boards = BoardIndexPage(title="小区公示栏 Fee boards", slug="boards")
        home.add_child(instance=boards)
        boards.save_revision().publish()
    enterprises = EnterpriseIndexPage.objects.first()
    if enterprises is None:
        enterprises = EnterpriseIndexPage(title="物业服务企业 Enterprises", slug="enterprises")
        home.add_child(instance=enterprises)
        enterprises.save_revision().publish()
    return home, boards, enterprises


@transaction.atomic
def enterprise_page_ensure(*, enterprise: Enterprise, **fields) -> EnterprisePage:
    """The enterprise's page under /enterprises/, created (and published) if missing, with ``fields``."""
    page = EnterprisePage.objects.filter(enterprise=enterprise).first()
    if page is None:
        _home, _boards, index = site_tree_ensure()
        page = EnterprisePage(
            title=enterprise.name, slug=enterprise.slug, enterprise=enterprise, **fields
        )
        index.add_child(instance=page)
        page.save_revision().publish()
    enterprise_access_sync(enterprise=enterprise)
    return page


@transaction.atomic
def board_ensure(*, community: Community) -> FeeBoardPage:
    """The community's board page (a draft when new), with its enterprise's access set up."""
    board = FeeBoardPage.objects.filter(community=community).first()
    if board is None:
        _home, index, _ = site_tree_ensure()
        enterprise = community.enterprise
        board = FeeBoardPage(
            title=f"{community.name}公示栏",
            slug=community.slug,
            community=community,
            service_phone=enterprise.phone,
            complaint_phone_enterprise=enterprise.complaint_phone,
            live=False,
        )
        index.add_child(instance=board)
        board.save_revision()
    enterprise_access_sync(enterprise=community.enterprise)
    return board


# --- publishing -------------------------------------------------------------------------------


@transaction.atomic
def board_publish(*, board: FeeBoardPage, user=None, draft: FeeBoardPage | None = None) -> Revision:
    """Snapshot the community's StockRecords into a new revision of ``board`` and publish it.

    ``draft`` is the content to publish (a revision object with edits); by default the latest
    revision.
    Raises ``cms.boards.BoardIncomplete`` (nothing is saved) while a mandatory section is
    empty, and Wagtail's ``PublishPagePermissionError`` if ``user`` may not publish.
    """
    # Lock the page row: two publishes of one board queue, so the live revision is always
    # the one whose snapshot was taken last.
    board = FeeBoardPage.objects.select_for_update().get(pk=board.pk)
    latest = draft if draft is not None else board.get_latest_revision_as_object()
    revision = latest.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    return revision


@transaction.atomic
def board_draft_from_catalogue(*, community_id: int) -> Revision | None:
    """A price changed in the catalogue: save a draft revision awaiting publication.

    The draft is the latest revision (keeping an editor's unpublished work) with a fresh
    snapshot. Nothing is saved when the snapshot is unchanged or the community has no board.
    """
    board = (
        FeeBoardPage.objects.select_for_update().filter(community_id=community_id).first()
    )  # serialise drafts of one board: each sees the previous one as latest
    if board is None:
        return None
    latest = board.get_latest_revision_as_object()
    if life_services_snapshot(community_id) == (latest.life_services or []):
        return None
    return latest.save_revision(user=None, log_action=True, clean=False)


@transaction.atomic
def board_record_publication(*, board: FeeBoardPage, revision: Revision) -> BoardPublication:
    """Record a published revision in the permanent change log (idempotent per revision)."""
    publication = BoardPublication.objects.filter(
        community_id=board.community_id, revision_id=revision.pk
    ).first()
    if publication is not None:
        return publication
    try:
        # A savepoint: a concurrent recorder of the same revision wins the unique constraint.
        with transaction.atomic():
            return BoardPublication.objects.create(
                community_id=board.community_id,
                board=board,
                revision_id=revision.pk,
                published_at=board.last_published_at or timezone.now(),
                published_by=revision.user,
                charges=board_charges(board),
                sections=section_fingerprints(board),
            )
    except IntegrityError:
        return BoardPublication.objects.get(
            community_id=board.community_id, revision_id=revision.pk
        )


# --- who may edit and publish -------------------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseAccess:
    """The groups, approval workflow and image collection of one enterprise's board staff."""

    editors: Group
    managers: Group
    workflow: Workflow
    collection: Collection


EDITOR_PAGE_PERMISSIONS = ("change_page",)
MANAGER_PAGE_PERMISSIONS = ("change_page", "publish_page", "lock_page", "unlock_page")
IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(Page), codename=codename
    )


@transaction.atomic
def enterprise_access_sync(*, enterprise: Enterprise) -> EnterpriseAccess:
    """Groups, page permissions and the approval workflow of one enterprise (idempotent).

    Editors may edit the enterprise's page and its communities' boards and submit them;
    managers may also publish, and approve in the enterprise's workflow. Permissions are
    granted per page, so another enterprise's boards are invisible in the admin.
    """
    editors, _ = Group.objects.get_or_create(name=f"{enterprise.slug}: fee board editors")
    managers, _ = Group.objects.get_or_create(name=f"{enterprise.slug}: fee board managers")
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    editors.permissions.add(access_admin)
    managers.permissions.add(access_admin)

    pages = list(FeeBoardPage.objects.filter(community__enterprise=enterprise))
    pages += list(EnterprisePage.objects.filter(enterprise=enterprise))
    for group, codenames in (
        (editors, EDITOR_PAGE_PERMISSIONS),
        (managers, MANAGER_PAGE_PERMISSIONS),
    ):
        for codename in codenames:
            permission = _page_permission(codename)
            for page in pages:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=permission
                )

    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=enterprise.name).first()
    if collection is None:
        collection = root.add_child(name=enterprise.name)
    for group in (editors, managers):
        for codename in IMAGE_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=collection,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailimages", codename=codename
                ),
            )

    # The approval step refuses an incomplete board (cms/models/workflows.py).
    # Names are codes, read in each reader's language (cms/workflow_names.py).
    task_name = workflow_code(enterprise.slug, "manager approval")
    task = BoardApprovalTask.objects.filter(name=task_name).first()
    if task is None:
        task = BoardApprovalTask.objects.create(name=task_name)
    task.groups.set([managers])
    workflow, _ = Workflow.objects.get_or_create(
        name=workflow_code(enterprise.slug, "fee board approval")
    )
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0}
    )
    for page in pages:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return EnterpriseAccess(
        editors=editors, managers=managers, workflow=workflow, collection=collection
    )


@transaction.atomic
def enterprise_staff_grant(*, enterprise: Enterprise, user, role: str) -> None:
    """Make ``user`` a fee board ``"editor"`` or ``"manager"`` of ``enterprise``."""
    if role not in ("editor", "manager"):
        raise ValueError(role)
    access = enterprise_access_sync(enterprise=enterprise)
    enterprise.staff.add(user)
    user.groups.add(access.editors if role == "editor" else access.managers)
