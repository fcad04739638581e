"""The bundled demo archive: an invented journalist's X archive, in the real 2023+ format.

Made by `scripts/make_demo_archive.py` (deterministic; its `DEMO_FACTS` say what is inside). Shipped as
package data (`demo/*.zip` in pyproject), so `quittex-tui demo` works from an installed wheel, offline.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEMO_ARCHIVE_NAME = "demo-archive.zip"


def demo_archive_path() -> Path:
    """Filesystem path of the bundled demo zip.

    Package data of a regular (unzipped) install is a real file; `as_file` would only be needed for a
    zipapp, which quittex-tui is not distributed as — so a plain Path is returned, valid as long as the
    package is installed.
    """
    ref = resources.files(__package__).joinpath(DEMO_ARCHIVE_NAME)
    path = Path(str(ref))
    if not path.is_file():
        from quittex_tui.errors import ArchiveError, todo

        raise ArchiveError(key="error.archive.demo_missing", params={"path": path}, todo=[todo("reinstall")])
    return path
