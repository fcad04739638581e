"""quittex-tui: move an X (Twitter) archive to Bluesky and Mastodon.

The core packages (`archive`, `convert`, `publish`, `audience`, `state`) never import Textual: the CLI,
the tests and the TUI all drive the same plain-Python core. `tests/test_architecture.py` proves it.
"""

__version__ = "0.1.0"
