"""The cms app's models, one module per topic, re-exported here (as pretix's base/models/).

* ``pages``: HomePage (/), BoardIndexPage (/boards/), EnterpriseIndexPage (/enterprises/),
  EnterprisePage (/enterprises/<enterprise-slug>/);
* ``fee_board``: FeeBoardPage (/boards/<community-slug>/) and its admin form;
* ``rows``: the rows of the board's inline sections (FeeItem, DutyStaff, MaintenanceUnit,
  CommonPartsStatement, MaintenanceFundUse);
* ``publications``: BoardPublication, one row per published revision (the change log).
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
)

__all__ = [
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
]
