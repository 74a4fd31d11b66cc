"""Boundary 1: CiviCRM, behind one interface (``base.CiviCRM``) with two backends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from civisms.civicrm.base import CiviCRM

if TYPE_CHECKING:
    from civisms.config import Settings


def connect(settings: Settings) -> CiviCRM:
    """Open the backend named by ``CIVISMS_BACKEND``."""
    if settings.backend == "api4":
        from civisms.civicrm.api4 import Api4CiviCRM

        return Api4CiviCRM.from_settings(settings)
    from civisms.civicrm.db import DbCiviCRM

    return DbCiviCRM.from_settings(settings)


__all__ = ["CiviCRM", "connect"]
