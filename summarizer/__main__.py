"""`python -m summarizer`: the command line."""

import sys

from summarizer._cli import main

sys.exit(main())
