"""`python -m player` runs the service, like `tapedeck serve`."""

import sys

from player.cli import main

sys.exit(main(["serve", *sys.argv[1:]]))
