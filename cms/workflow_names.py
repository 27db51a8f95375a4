"""The names of the fee boards' approval workflows and tasks, read in the reader's language.

Choice (issue 21, "translated workflow and task names"): Wagtail keeps one ``name`` per
``Workflow`` and ``Task`` and prints it in some thirty admin templates, its notification
emails and its action menu. Linli stores a **code** there, as ``enterprise_access_sync``
always has: ``"<enterprise slug>: fee board approval"`` and ``"<enterprise slug>: manager
approval"``. When Wagtail loads such a row, its ``name`` becomes a :class:`CodedName`: a
``str`` whose value stays the code (what the database stores, filters and compares) but whose
``str()`` and ``format()`` — what Django templates, ``%`` and f-strings use — give the name in
the active language, e.g. 收费公示审批（北京安居物业）/ Fee board approval (Beijing Anju
Property). Every admin page is rendered in one language (the user's Wagtail profile language)
and every email in its recipient's (``wagtail.admin.mail`` activates it per recipient), so each
shows one language. A data migration writing Chinese (or bilingual) names could not do that,
and a name typed by a superuser in the workflow editor is shown as typed.

Caveat: the workflow and task edit forms (superusers only) show the translated name; saving
that form stores the translated text instead of the code, which then reads as typed.
"""

from __future__ import annotations

import copy
import re

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

from marketplace.models import Enterprise, bilingual

#: Code → the translatable name; ``%(enterprise)s`` is the enterprise's display name.
NAMES = {
    "fee board approval": _("Fee board approval (%(enterprise)s)"),
    "manager approval": _("Manager approval (%(enterprise)s)"),
}
_CODE = re.compile(r"^(?P<slug>[-a-zA-Z0-9_]+): (?P<kind>fee board approval|manager approval)$")

#: Enterprise slug → (name, name_en), per process; dropped when an enterprise is saved
#: (``forget_enterprise_names``, cms/signals.py).
_ENTERPRISES: dict[str, tuple[str, str]] = {}


def workflow_code(slug: str, kind: str) -> str:
    """The code stored as a workflow's or task's name: ``kind`` is a key of ``NAMES``."""
    if kind not in NAMES:
        raise ValueError(kind)
    return f"{slug}: {kind}"


def _enterprise_name(slug: str) -> str:
    names = _ENTERPRISES.get(slug)
    if names is None:
        row = Enterprise.objects.filter(slug=slug).values_list("name", "name_en").first()
        names = _ENTERPRISES[slug] = row or (slug, slug)
    zh, en = names
    return bilingual(zh, en)


def forget_enterprise_names() -> None:
    """Drop the cached enterprise names (an enterprise was renamed or added)."""
    _ENTERPRISES.clear()


def display_name(code: str) -> str:
    """The name of ``code`` in the active language; ``code`` itself when it is not one of
    Linli's codes (a name a superuser typed). One query the first time a process meets an
    enterprise."""
    match = _CODE.match(str.__str__(code))
    if match is None:
        return str.__str__(code)
    return str(NAMES[match["kind"]]) % {"enterprise": _enterprise_name(match["slug"])}


class CodedName(str):
    """A stored code that prints as its translated name (see the module's docstring)."""

    def __str__(self) -> str:
        return display_name(self)

    def __format__(self, spec: str) -> str:
        return format(display_name(self), spec)

    @property
    def code(self) -> str:
        """The stored value, as a plain ``str``."""
        return str.__str__(self)


def translate_name_on_load(sender, instance, **kwargs) -> None:
    """``post_init`` receiver for Wagtail's Workflow and Task models: a coded ``name`` becomes
    a :class:`CodedName` (other names are left alone)."""
    name = instance.__dict__.get("name")
    if isinstance(name, str) and not isinstance(name, CodedName) and _CODE.match(name):
        instance.__dict__["name"] = CodedName(name)


#: Wagtail's page-history actions whose message names the workflow and its tasks; the names
#: are stored in the entry's data as they were (codes) when the entry was written.
WORKFLOW_LOG_ACTIONS = (
    "wagtail.workflow.start",
    "wagtail.workflow.approve",
    "wagtail.workflow.reject",
    "wagtail.workflow.resume",
    "wagtail.workflow.cancel",
)


def _names_translated(data):
    if isinstance(data, dict):
        return {
            key: display_name(value)
            if key == "title" and isinstance(value, str)
            else _names_translated(value)
            for key, value in data.items()
        }
    return data


class WorkflowNamesFormatter(LogFormatter):
    """Wraps Wagtail's formatter of a workflow log action: the workflow and task titles stored
    in the entry (``data["workflow"]["title"]``, ``["task"]["title"]``, ``["next"]["title"]``)
    are shown by :func:`display_name` in the reader's language."""

    def __init__(self, base: LogFormatter):
        self.base = base
        self.label = base.label

    def format_message(self, log_entry):
        """Wagtail's message, from a copy of the entry whose stored titles are translated."""
        shown = copy.copy(log_entry)
        shown.data = _names_translated(log_entry.data or {})
        return self.base.format_message(shown)

    def format_comment(self, log_entry):
        """Wagtail's comment, unchanged."""
        return self.base.format_comment(log_entry)
