"""The `samizdat` command: Django's management commands under the project's own name."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    # `samizdat import-wordpress` reads better than `import_wordpress`; accept both.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "samizdat"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
