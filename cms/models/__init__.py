"""The cms app's models, one module per topic, re-exported here (as pretix's base/models/).

* ``pages``: HomePage (/), BoardIndexPage (/boards/), EnterpriseIndexPage (/enterprises/),
  EnterprisePage (/enterprises/<enterprise-slug>/);
* ``fee_board``: FeeBoardPage (/boards/<community-slug>/) and its admin form;
* ``rows``: the rows of the board's inline sections (FeeItem, DutyStaff, MaintenanceUnit,
  CommonPartsStatement, MaintenanceFundUse, RepairFeeItem, PackageOffer);
* ``publications``: BoardPublication, one row per published revision (the change log);
* ``workflows``: BoardApprovalTask, the approval step that refuses an incomplete board.
"""

from cms.models.fee_board import FeeBoardPage, FeeBoardPageForm
from cms.models.pages import BoardIndexPage, EnterpriseIndexPage, EnterprisePage, HomePage
from cms.models.publications import BoardPublication
from cms.models.rows import (
    CommonPartsStatement,
    DutyStaff,
    FeeItem,
    MaintenanceFundUse,
    MaintenanceUnit,
    PackageOffer,
    RepairFeeItem,
)
from cms.models.workflows import BoardApprovalTask, revision_missing_sections

__all__ = [
    "BoardApprovalTask",
    "BoardIndexPage",
    "BoardPublication",
    "CommonPartsStatement",
    "DutyStaff",
    "EnterpriseIndexPage",
    "EnterprisePage",
    "FeeBoardPage",
    "FeeBoardPageForm",
    "FeeItem",
    "HomePage",
    "MaintenanceFundUse",
    "MaintenanceUnit",
    "RepairFeeItem",
    "PackageOffer",
    "revision_missing_sections",
]
