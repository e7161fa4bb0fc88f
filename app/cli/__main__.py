"""``python -m app.cli``: the same as the ``serialdesk`` command."""

import sys

from app.cli.main import main

sys.exit(main())
