"""``python -m ldn_analysis``."""

import sys

from ldn_analysis.cli import main

sys.exit(main())
