"""``python -m translate`` runs the ``tarjama`` command line."""

from translate.cli import main

raise SystemExit(main())
