"""`python -m player` runs the service, like `tapedeck serve`."""

import sys

from player.cli.main import main

sys.exit(main(["serve", *sys.argv[1:]]))
