"""The feedback app's models (explicit re-exports):

- ``ratings``: Rating (one per appointment; hidden, never deleted)
- ``complaints``: Complaint, ComplaintEvent (its timeline), ComplaintPhoto
- ``credit``: CreditGrade (one row per subject and month: the history)
"""

from feedback.models.complaints import Complaint, ComplaintEvent, ComplaintPhoto
from feedback.models.credit import CreditGrade
from feedback.models.ratings import Rating

__all__ = ["Complaint", "ComplaintEvent", "ComplaintPhoto", "CreditGrade", "Rating"]
