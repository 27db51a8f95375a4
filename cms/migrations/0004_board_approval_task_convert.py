"""Each fee board workflow's approval step becomes a BoardApprovalTask (cms/models/workflows.py).

Each enterprise's "<slug>: manager approval" GroupApprovalTask is converted in place: the
Task row (its id, name, workflows and task states, so boards in moderation stay there) is
kept, its groups move to the new table, and its content type names the new class.
"""

from django.db import migrations

TASK_NAME_SUFFIX = ": manager approval"  # cms.services.enterprise_access_sync names them so


def _convert(apps, schema_editor, source, target):
    Task = apps.get_model("wagtailcore", "Task")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Source = apps.get_model(*source)
    Target = apps.get_model(*target)
    target_type, _ = ContentType.objects.get_or_create(
        app_label=target[0].lower(), model=target[1].lower()
    )
    for old in Source.objects.filter(name__endswith=TASK_NAME_SUFFIX):
        group_ids = list(old.groups.values_list("pk", flat=True))
        new = Target(
            task_ptr_id=old.pk, name=old.name, active=old.active, content_type_id=target_type.pk
        )
        new.save_base(raw=True)  # only the child row: the Task row is kept as it is
        new.groups.set(group_ids)
        old.groups.clear()
        # Delete only the old child row (a model delete would cascade to the Task row).
        schema_editor.execute(
            f"DELETE FROM {Source._meta.db_table} WHERE task_ptr_id = %s", [old.pk]
        )
        Task.objects.filter(pk=old.pk).update(content_type_id=target_type.pk)


def forwards(apps, schema_editor):
    _convert(
        apps, schema_editor, ("wagtailcore", "GroupApprovalTask"), ("cms", "BoardApprovalTask")
    )


def backwards(apps, schema_editor):
    _convert(
        apps, schema_editor, ("cms", "BoardApprovalTask"), ("wagtailcore", "GroupApprovalTask")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("cms", "0003_board_approval_task"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
