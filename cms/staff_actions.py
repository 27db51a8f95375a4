"""What stops a Wagtail staff action before it reaches the database: reads only, no writes.

The hooks in ``cms/wagtail_hooks.py`` ask these before Wagtail copies, deletes or publishes,
and refuse with the answer as a message (issue 14, §§4-5: a staff action that would break a
constraint or the board rule answers a clear message, never a 500):

* ``copy_blockers(page) -> list[str]`` — the one-per-object fields a copy would duplicate;
* ``delete_blockers(objects) -> list[str]`` — the protected records that forbid a delete;
* ``publish_blockers(pages, *, include_descendants) -> list[str]`` — incomplete fee boards.
"""

from __future__ import annotations

from collections import Counter

from django.db import router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.models import revision_missing_sections


def copy_blockers(page: Page) -> list[str]:
    """Why ``page`` cannot be copied (or aliased): one message per unique field of its type.

    A community has one fee board and an enterprise one page (``OneToOneField``): a copy
    would carry the same community or enterprise and break that constraint. Wagtail's own
    unique fields (``translation_key``, reset by the copy) are not counted.
    """
    specific = page.specific
    blockers = []
    for field in type(specific)._meta.concrete_fields:
        if field.model is Page or field.primary_key or not field.unique:
            continue
        value = getattr(specific, field.name, None)
        if value is None:
            continue
        blockers.append(
            _(
                "“%(title)s” cannot be copied: there is one page per %(field)s, and this "
                "one belongs to %(value)s. To publish a page for another %(field)s, add a "
                "new page instead."
            )
            % {"title": page.get_admin_display_title(), "field": field.verbose_name, "value": value}
        )
    return blockers


def delete_blockers(objects) -> list[str]:
    """The records that forbid deleting ``objects`` (``on_delete=PROTECT``/``RESTRICT``),
    counted per kind, e.g. ``["payment intents: 2"]``; empty when the delete may go ahead.

    Runs Django's own deletion collector (what ``delete()`` would do) without deleting.
    """
    objects = list(objects)
    if not objects:
        return []
    collector = Collector(using=router.db_for_write(type(objects[0])))
    try:
        collector.collect(objects)
        return []
    except ProtectedError as refused:
        found = refused.protected_objects
    except RestrictedError as refused:
        found = refused.restricted_objects
    counts = Counter(str(capfirst(obj._meta.verbose_name_plural)) for obj in found)
    return [f"{name}: {count}" for name, count in sorted(counts.items())]


def publish_blockers(pages, *, include_descendants: bool = False) -> list[str]:
    """One message per fee board among ``pages`` whose latest revision (the one Wagtail's
    bulk publish would publish) has an empty mandatory section, naming the sections.

    With ``include_descendants``, the draft pages beneath are checked too (Wagtail's bulk
    publish then publishes them as well).
    """
    candidates = list(pages)
    if include_descendants:
        for page in list(candidates):
            candidates += list(page.get_descendants().not_live())
    blockers = []
    for page in candidates:
        _revision, missing = revision_missing_sections(page)
        if missing:
            blockers.append(
                _("“%(title)s” cannot be published until it is complete. Missing: %(sections)s.")
                % {"title": page.get_admin_display_title(), "sections": "; ".join(missing)}
            )
    return blockers
