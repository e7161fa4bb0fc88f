"""``python -m app.cli``: the same as the ``serialdesk`` command."""

import sys

from app.cli.entry import main

sys.exit(main())
