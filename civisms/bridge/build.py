"""``civisms bridge build``: the installable zip of the CiviCRM extension.

The zip holds one folder, ``org.civisms.bridge/``, as CiviCRM's extension manager and
``cv ext:download`` expect; the extension's own tests stay out.
"""

from __future__ import annotations

import re
import zipfile
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from civisms.bridge import KEY
from civisms.errors import ConfigError

#: What CiviCRM needs of the extension; tests and PHPUnit's configuration stay out.
LEFT_OUT = ("tests/", "phpunit.xml.dist", "__init__.py", "__pycache__/")
#: Every file is given this date, so two builds of the same source are the same bytes.
FIXED_DATE = (2026, 1, 1, 0, 0, 0)


def source() -> Traversable:
    """The extension's folder: ``civicrm-extension/`` as shipped in the package."""
    folder = files("civisms.bridge.extension")
    if not folder.joinpath("info.xml").is_file():
        raise ConfigError("the civisms package", "no civicrm-extension/info.xml",
                          "a civisms installed with its CiviCRM extension (reinstall civisms)")
    return folder


def version(folder: Traversable | None = None) -> str:
    """The extension's version, from its ``info.xml``."""
    text = (folder or source()).joinpath("info.xml").read_text(encoding="utf-8")
    found = re.search(r"<version>([^<]+)</version>", text)
    return found.group(1).strip() if found else "unknown"


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        relative = f"{prefix}{item.name}"
        if item.name.startswith("."):
            continue  # editor and tool files (.phpunit.result.cache ...)
        if item.is_dir():
            if not any(relative + "/" == skip for skip in LEFT_OUT):
                found.extend(_walk(item, relative + "/"))
        elif relative not in LEFT_OUT and item.name not in LEFT_OUT:
            found.append((relative, item))
    return found


def build(destination: Path) -> tuple[Path, list[str]]:
    """Write the zip (``destination`` is a file, or a folder to put
    ``org.civisms.bridge-<version>.zip`` in); return its path and the names inside."""
    folder = source()
    if destination.is_dir():
        destination = destination / f"{KEY}-{version(folder)}.zip"
    names = []
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, item in _walk(folder):
            info = zipfile.ZipInfo(f"{KEY}/{relative}", date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, item.read_bytes())
            names.append(info.filename)
    return destination, names
