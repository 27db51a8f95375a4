#!/usr/bin/env python
"""Django's command-line utility for Linli."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.base")
    from django.core.management import execute_from_command_line

    from marketplace.errors import clear_errors

    with clear_errors("manage.py"):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
