"""A real CiviCRM Standalone site for integration tests, named by ``CIVISMS_REAL_SITE``
(the path of its ``site.env``: ``CIVI_ROOT``, ``CIVI_URL``, ``CIVI_DB_URL``,
``CIVI_ADMIN_USER``, ``CIVI_API_KEY`` ...). Tests using it skip when the variable is unset.

``RealSite.php(code)`` runs PHP inside the site's CiviCRM, logged in as its admin, and
returns what the code printed as JSON; ``install_bridge()`` unzips the zip that
``civisms bridge build`` writes into the site's extensions folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from civisms.bridge import KEY

#: Boots CiviCRM Standalone on the command line as the admin user, then runs the file
#: named in argv[1]. The web-server variables stand in for a request to the site's URL.
BOOT = r"""<?php
$url = parse_url(getenv('CIVI_URL'));
$_SERVER['HTTP_HOST'] = $url['host'] . ':' . $url['port'];
$_SERVER['SERVER_PORT'] = (string) $url['port'];
$_SERVER['REQUEST_URI'] = '/';
require_once getenv('CIVI_ROOT') . '/civicrm.standalone.php';
CRM_Core_Config::singleton();
@CRM_Utils_System::loadUser(getenv('CIVI_ADMIN_USER'));
require $argv[1];
"""


@dataclass(frozen=True)
class RealSite:
    """A running real CiviCRM site."""

    env: dict[str, str]

    @property
    def root(self) -> Path:
        return Path(self.env["CIVI_ROOT"])

    @property
    def db_url(self) -> str:
        return self.env["CIVI_DB_URL"]

    def php_retrying(self, code: str) -> Any:
        """``php(code)``, run again (up to 3 times) when CiviCRM's menu rebuild collided
        with another process rebuilding it ("Duplicate entry ... for key
        'UI_path_domain_id'"): on a site others use, extension changes race that way."""
        for attempt in range(3):
            try:
                return self.php(code)
            except AssertionError as exc:
                if "DB Error: already exists" not in str(exc) or attempt == 2:
                    raise
                time.sleep(2)
        return None

    def php(self, code: str, timeout: float = 300) -> Any:
        """Run ``code`` (PHP statements, no ``<?php``) inside CiviCRM; it must ``echo``
        one JSON document, which is returned decoded."""
        with tempfile.TemporaryDirectory() as folder:
            boot = Path(folder, "boot.php")
            boot.write_text(BOOT)
            body = Path(folder, "body.php")
            body.write_text("<?php\n" + code)
            result = subprocess.run(
                ["php", str(boot), str(body)], capture_output=True, text=True,
                env={**os.environ, **self.env}, timeout=timeout, check=False,
            )
        if result.returncode != 0:
            raise AssertionError(f"PHP failed ({result.returncode}): {result.stdout[-2000:]}"
                                 f"{result.stderr[-2000:]}")
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def api4(self, entity: str, action: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """An API v4 call inside CiviCRM, permissions unchecked; its records."""
        encoded = json.dumps({"checkPermissions": False, **params}).replace("'", "\\'")
        return self.php(  # type: ignore[no-any-return]
            f"echo json_encode(civicrm_api4('{entity}', '{action}', "
            f"json_decode('{encoded}', TRUE))->getArrayCopy());"
        )

    def install_bridge(self, zip_path: Path) -> None:
        """Unzip the bridge into the site's ``ext/`` (replacing any copy) and install it."""
        target = self.root / "ext" / KEY
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(self.root / "ext")
        self.php_retrying(f"""
civicrm_api3('Extension', 'refresh', []);
civicrm_api3('Extension', 'install', ['keys' => '{KEY}']);
echo json_encode(TRUE);
""")
        self.php_retrying("civicrm_api3('System', 'flush', []); echo json_encode(TRUE);")

    def extension(self, action: str) -> None:
        """``Extension.<action>`` (disable, enable, uninstall) of the bridge."""
        if self.bridge_status() != {"disable": "disabled", "enable": "installed",
                                    "uninstall": "uninstalled"}[action]:
            self.php_retrying(f"civicrm_api3('Extension', '{action}', ['keys' => '{KEY}']);"
                              " echo json_encode(TRUE);")
        # A rebuild cut short by the race above leaves managed entities to reconcile.
        self.php_retrying("civicrm_api3('System', 'flush', []); echo json_encode(TRUE);")

    def bridge_status(self) -> str:
        """installed, disabled, uninstalled... as CiviCRM's extension manager says."""
        return str(self.php(
            f"echo json_encode(CRM_Extension_System::singleton()->getManager()"
            f"->getStatus('{KEY}'));"
        ))


def real_site() -> RealSite:
    """The site ``CIVISMS_REAL_SITE`` names; skips the test when it is unset."""
    path = os.environ.get("CIVISMS_REAL_SITE")
    if not path:
        pytest.skip("CIVISMS_REAL_SITE is unset (the path of a real CiviCRM site's site.env)")
    if shutil.which("php") is None:
        pytest.skip("php is not installed")
    return site_from_env(path)


def site_from_env(path: str) -> RealSite:
    """The site a ``site.env`` file (``KEY=value`` lines) describes."""
    env = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    return RealSite(env)
