"""``python -m logwarden``: the same as the ``logwarden`` command."""

from __future__ import annotations

from logwarden.scanner.cli import main

raise SystemExit(main())
