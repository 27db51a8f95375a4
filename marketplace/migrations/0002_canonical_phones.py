"""Every stored mobile in its canonical form: the 11 ASCII digits of the national number.

Before, a full-width or mixed number (``13８００１３８０００``, from a Chinese IME) was stored as
typed, and ``+86``/spaces/dashes were only dropped by forms. A stored value that normalises to a
valid mainland mobile is rewritten; any other is left as it is (it was never valid; nothing to
guess). The normalisation is copied here (``marketplace.validators`` as of this migration), so
later changes there do not change what this migration did.
"""

import re
import unicodedata

from django.db import migrations

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.()]")


def _canonical(value):
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if _MOBILE.match(digits) else None


def _normalise(model, field):
    for pk, value in model.objects.exclude(**{field: ""}).values_list("pk", field).iterator():
        canonical = _canonical(value)
        if canonical is not None and canonical != value:
            model.objects.filter(pk=pk).update(**{field: canonical})


def forwards(apps, schema_editor):
    _normalise(apps.get_model("marketplace", "User"), "phone")
    _normalise(apps.get_model("marketplace", "Household"), "contact_phone")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
