"""The `shequ` command: Django's management commands, with dashes allowed (`shequ import-divisions`)."""

import os
import sys

from shequ.core.filemodes import restrict_umask


def main() -> None:
    # Before anything is created: databases, keys, exports and uploads are for the service user only.
    restrict_umask()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.config.settings.dev")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "shequ"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
