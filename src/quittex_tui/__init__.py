"""quittex-tui: move an X (Twitter) archive to Bluesky and Mastodon.

The core packages (`archive`, `convert`, `publish`, `audience`, `state`) never import Textual: the CLI,
the tests and the TUI all drive the same plain-Python core. `tests/test_architecture.py` proves it.
"""

import logging

__version__ = "0.1.0"

# A library never prints log records by itself (logging's "last resort" handler would write warnings to
# stderr, over the TUI's screen): the CLI gives them a file (logs.setup_logging); until then they go nowhere.
logging.getLogger(__name__).addHandler(logging.NullHandler())
