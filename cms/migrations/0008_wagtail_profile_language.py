"""Existing users' Wagtail profile language follows their Linli language (cms/profile_language.py):
a user who chose a language other than the site's default gets it in Wagtail too. From now on
signal receivers keep the two in step.
"""

from django.conf import settings
from django.db import migrations


def align_profile_languages(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    UserProfile = apps.get_model("wagtailusers", "UserProfile")
    languages = dict(settings.LANGUAGES)
    chosen = User.objects.exclude(language=settings.LANGUAGE_CODE).filter(
        language__in=list(languages)
    )
    for user_id, language in chosen.values_list("pk", "language").iterator():
        updated = UserProfile.objects.filter(user_id=user_id).update(preferred_language=language)
        if not updated:
            UserProfile.objects.create(user_id=user_id, preferred_language=language)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_packageoffer"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(align_profile_languages, migrations.RunPython.noop)]
