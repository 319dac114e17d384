"""``python -m crawlers`` is the ``regwatch`` command."""

from crawlers.cli import main

main()
