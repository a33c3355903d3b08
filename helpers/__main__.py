"""`python -m helpers` prepares the offline data (same as `python -m helpers.data`)."""

import sys

from helpers.data import main

sys.exit(main())
