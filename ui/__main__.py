"""``python -m ui``: start the reader, as ``tarjama reader`` does."""

from ui.command import main

raise SystemExit(main())
