"""Django's ``{# … #}`` comment is one line only: spread over lines it is not a comment and the
page shows it as text (the provider console once showed its own developer note). Longer
notes use ``{% comment %}``."""

from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)


def test_no_template_has_a_comment_spread_over_lines():
    found = []
    for path in sorted(BASE.glob("**/templates/**/*")):
        if ".venv" in path.parts or not path.is_file() or path.suffix not in (".html", ".txt"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "{#" in line and "#}" not in line.split("{#", 1)[1]:
                found.append(f"{path.relative_to(BASE)}:{number}")
    assert found == []
