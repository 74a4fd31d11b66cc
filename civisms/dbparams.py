"""Connection parameters of a CiviCRM database, apart from the settings that parse them
(``civisms.config``): what opens a connection needs no settings machinery (the mass job's
helper processes start without pydantic, docs/jobs.md "Start-up")."""

from __future__ import annotations

from dataclasses import dataclass

from civisms.redact import MASK


@dataclass(frozen=True, slots=True)
class DbParams:
    """Connection parameters parsed from ``CIVISMS_DB_URL``."""

    host: str
    port: int
    user: str
    password: str
    database: str
    unix_socket: str | None = None

    def __repr__(self) -> str:
        return (
            f"DbParams(host={self.host!r}, port={self.port}, user={self.user!r}, "
            f"password={MASK!r}, database={self.database!r}, unix_socket={self.unix_socket!r})"
        )
