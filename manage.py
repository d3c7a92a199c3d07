#!/usr/bin/env python
import os
import sys

# Commands that only compare the models with the migrations need no secret: they run
# with the test settings unless settings are named, so `manage.py makemigrations --check`
# works on a fresh clone as it does in `make quality`.
MODEL_ONLY_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate"}


def main():
    if len(sys.argv) > 1 and sys.argv[1] in MODEL_ONLY_COMMANDS:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alize.settings_test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alize.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
