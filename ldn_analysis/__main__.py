"""``python -m ldn_analysis``."""

import sys

from .cli import main

sys.exit(main())
