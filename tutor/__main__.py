"""``python -m tutor``: the tutor, and its command line for scripts and teachers."""

import sys

from tutor.cli import main

if __name__ == "__main__":
    sys.exit(main())
