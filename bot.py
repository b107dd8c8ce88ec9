"""Run khoibot: ``python bot.py`` is the same as the ``khoibot`` command."""

import sys

from khoibot.cli import main

if __name__ == "__main__":
    sys.exit(main())
