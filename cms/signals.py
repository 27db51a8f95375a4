"""Signal receivers: a price change drafts a board revision; a publish is logged and purged."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver
from wagtail.models import GroupApprovalTask, PageViewRestriction, Site, Task, Workflow
from wagtail.signals import page_published, page_unpublished, post_page_move
from wagtail.users.models import UserProfile

from cms.cache import board_cache_purge, boards_changed, sites_changed
from cms.models import BoardApprovalTask, FeeBoardPage
from cms.notifications import connect_notifiers
from cms.profile_language import profile_saved, user_saved
from cms.services import board_draft_from_catalogue, board_record_publication
from cms.workflow_names import forget_enterprise_names, translate_name_on_load
from feedback.models import Complaint, ComplaintEvent, CreditGrade
from marketplace.models import Enterprise
from marketplace.partner.models import StockRecord

# Workflow and task names are codes read in the reader's language (cms/workflow_names.py).
for _model in (Workflow, Task, GroupApprovalTask, BoardApprovalTask):
    post_init.connect(
        translate_name_on_load, sender=_model, dispatch_uid=f"cms_name_{_model.__name__}"
    )

# Linli's profile language and Wagtail's agree (cms/profile_language.py).
post_save.connect(user_saved, sender=get_user_model(), dispatch_uid="cms_user_language")
post_save.connect(profile_saved, sender=UserProfile, dispatch_uid="cms_profile_language")
# Wagtail's workflow emails in each recipient's language (cms/notifications.py).
connect_notifiers()


@receiver(post_save, sender=Enterprise, dispatch_uid="cms_enterprise_saved")
def enterprise_saved(sender, **kwargs):
    """An enterprise was added or renamed: workflow names read its name afresh."""
    forget_enterprise_names()


@receiver(post_save, sender=StockRecord, dispatch_uid="cms_stockrecord_saved")
@receiver(post_delete, sender=StockRecord, dispatch_uid="cms_stockrecord_deleted")
def stockrecord_changed(sender, instance, raw=False, **kwargs):
    """A community's price saved or deleted: its board gets a draft revision to publish."""
    # Any save or delete (catalogue, Oscar dashboard, shell) of a community's price leaves a
    # draft board revision awaiting publication; the price is bookable only once published.
    # (QuerySet.update/bulk_update send no signal: call board_draft_from_catalogue yourself.)
    if raw or instance.community_id is None:
        return
    board_draft_from_catalogue(community_id=instance.community_id)


@receiver(page_published, sender=FeeBoardPage, dispatch_uid="cms_board_published")
def board_published(sender, instance, revision, **kwargs):
    """A board went live: its publication is recorded and its cached responses dropped."""
    board_record_publication(board=instance, revision=revision)
    board_cache_purge(instance)


@receiver(page_unpublished, sender=FeeBoardPage, dispatch_uid="cms_board_unpublished")
def board_unpublished(sender, instance, **kwargs):
    """A board was taken down: its cached responses are dropped."""
    board_cache_purge(instance)


@receiver(post_save, sender=Site, dispatch_uid="cms_site_saved")
@receiver(post_delete, sender=Site, dispatch_uid="cms_site_deleted")
def site_changed(sender, **kwargs):
    """Moves on the key of the cached site of a request (``cms.cache.site_for``), and the
    board pages' (they are cached by host and path)."""
    sites_changed()


@receiver(post_save, sender=FeeBoardPage, dispatch_uid="cms_board_saved")
@receiver(post_delete, sender=FeeBoardPage, dispatch_uid="cms_board_deleted")
@receiver(post_page_move, dispatch_uid="cms_page_moved")
@receiver(post_save, sender=PageViewRestriction, dispatch_uid="cms_restriction_saved")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="cms_restriction_deleted")
def board_pages_changed(sender, **kwargs):
    """Moves on the key of every anonymous board page served whole from the cache
    (``cms.views.board_serve``): a page saved, moved or deleted, a view restriction changed."""
    boards_changed()


@receiver(post_save, sender=Complaint, dispatch_uid="cms_complaint_saved")
@receiver(post_save, sender=ComplaintEvent, dispatch_uid="cms_complaint_event_saved")
@receiver(post_save, sender=CreditGrade, dispatch_uid="cms_credit_grade_saved")
def figures_changed(sender, instance, raw=False, **kwargs):
    """A complaint moved or a grade was computed: the boards' cached pages and board.json
    show the figures afresh (their own one-minute cache aside: feedback.credit.public)."""
    if not raw:
        boards_changed()
