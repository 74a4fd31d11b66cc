"""civisms settings: ``CIVISMS_*`` environment variables and an optional TOML file.

Precedence, highest first: explicit overrides, environment, the TOML file named by
``civisms --config PATH`` or ``CIVISMS_CONFIG``. In the TOML file keys are the setting
names in lower case without the prefix (``backend = "db"``). Secrets are ``SecretStr``
and never leave this module unmasked except through ``reveal()`` at the point of use.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

import phonenumbers
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from civisms.dbparams import DbParams
from civisms.errors import ConfigError
from civisms.files import FileRefused, read_bounded
from civisms.redact import MASK, mask_url

__all__ = ["MASK", "DbParams", "Settings", "load_settings", "mask_url", "parse_db_url"]

ENV_PREFIX = "CIVISMS_"
MAX_CONFIG_FILE = 1_000_000


def parse_db_url(url: str) -> DbParams:
    """Parse ``mysql://user:password@host:port/database[?unix_socket=/path]``."""
    parts = urlsplit(url)
    shown = mask_url(url)
    if parts.scheme not in ("mysql", "mariadb"):
        raise ConfigError(
            "CIVISMS_DB_URL", repr(shown), "mysql://user:password@host:port/database"
        )
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ConfigError(
            "CIVISMS_DB_URL", f"{shown!r} (no database name)",
            "mysql://user:password@host:port/database",
        )
    try:
        port = parts.port or 3306
    except ValueError:
        raise ConfigError(
            "CIVISMS_DB_URL", f"{shown!r} (bad port)", "a port number such as 3306"
        ) from None
    query = parse_qs(parts.query)
    return DbParams(
        host=parts.hostname or "localhost",
        port=port,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        database=database,
        unix_socket=query.get("unix_socket", [None])[0],
    )


class Settings(BaseSettings):
    """Every civisms setting, validated once at start-up."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", case_sensitive=False, validate_default=True
    )

    backend: Literal["db", "api4"] = Field("db", description="how civisms talks to CiviCRM")
    db_url: SecretStr | None = Field(None, description="mysql://user:password@host:port/db")
    api_url: str | None = Field(None, description="site base URL or full API v4 endpoint")
    api_key: SecretStr | None = Field(None, description="API key of the CiviCRM user")
    site_key: SecretStr | None = Field(None, description="CIVICRM_SITE_KEY, when required")
    api_timeout: float = Field(30.0, gt=0, description="seconds per API request")
    domain_id: int = Field(1, ge=1, description="CiviCRM domain id")
    default_region: str | None = Field(None, description="ISO country for numbers without +")
    source_contact_id: int | None = Field(None, ge=1, description="contact recorded as sender")
    max_segments: int = Field(1, ge=1, le=10, description="segments allowed per message")
    dedupe_numbers: bool = Field(True, description="text a number shared by contacts once")
    outbox: Path = Field(Path("var/outbox.jsonl"), description="the local provider's outbox")
    public_url: str | None = Field(None, description="base URL gateways reach civisms at")
    inbound_unknown: Literal["create", "domain"] = Field(
        "create", description="an unknown texter: create a contact, or record on the domain's")
    stop_keywords: str = Field(
        "STOP,STOPALL,UNSUBSCRIBE,CANCEL,END,QUIT,ARRET,DESABONNER,DESINSCRIRE",
        description="one-word replies that set do_not_sms (comma-separated)")
    start_keywords: str = Field("START,UNSTOP,YES,SUBSCRIBE",
                                description="one-word replies that clear do_not_sms")
    help_keywords: str = Field("HELP,INFO,AIDE", description="one-word replies asking for help")
    stop_reply: str = Field(
        "You will receive no more SMS from us. Reply START to subscribe again.",
        description="answer to a STOP (empty: none)")
    start_reply: str = Field("You are subscribed again. Reply STOP to unsubscribe.",
                             description="answer to a START (empty: none)")
    help_reply: str = Field("Reply STOP to unsubscribe, START to subscribe again.",
                            description="answer to a HELP (empty: none)")
    journal: Path | None = Field(
        None, description="api4 backend: SQLite file journaling one-off sends "
                          "(default: journal.sqlite3 beside the outbox)")
    quiet_hours: str | None = Field(
        None, description="jobs run sends nothing between these local times (21:00-08:00)")
    timezone: str | None = Field(None, description="zone of quiet_hours (default: the host's)")

    @property
    def journal_path(self) -> Path:
        """Where the api4 backend journals one-off sends (the db backend: in CiviCRM)."""
        return self.journal or self.outbox.parent / "journal.sqlite3"

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("an ISO 3166 country code such as FR, BE, GB or US")
        return region

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("the http(s):// base URL gateways reach civisms at, "
                             "e.g. https://sms.example.org")
        return value.rstrip("/")

    @field_validator("db_url")
    @classmethod
    def _parsable_db_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_db_url(value.get_secret_value())
        return value

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL of the CiviCRM site")
        return value or None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)

    # -- derived values -------------------------------------------------------------------

    def db_params(self) -> DbParams:
        """Parsed database parameters; a clear error when the URL is missing."""
        if self.db_url is None:
            raise ConfigError(
                "CIVISMS_DB_URL", "nothing", "mysql://user:password@host:port/database "
                "(required when CIVISMS_BACKEND=db)"
            )
        return parse_db_url(self.db_url.get_secret_value())

    def require_api(self) -> tuple[str, str]:
        """The API URL and key; a clear error when either is missing."""
        if not self.api_url:
            raise ConfigError(
                "CIVISMS_API_URL", "nothing",
                "the CiviCRM site URL, e.g. https://example.org "
                "(required when CIVISMS_BACKEND=api4)",
            )
        if self.api_key is None or not self.api_key.get_secret_value():
            raise ConfigError(
                "CIVISMS_API_KEY", "nothing",
                "the API key of a CiviCRM user (required when CIVISMS_BACKEND=api4)",
            )
        return self.api_url, self.api_key.get_secret_value()

    def masked(self) -> dict[str, Any]:
        """Effective settings for display, every secret masked."""
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name == "db_url" and value is not None:
                value = mask_url(value.get_secret_value())
            elif name in _URL_FIELDS and isinstance(value, str):
                value = mask_url(value)
            elif isinstance(value, SecretStr):
                value = MASK if value.get_secret_value() else ""
            elif isinstance(value, Path):
                value = str(value)
            shown[name] = value
        return shown


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(read_bounded(path, MAX_CONFIG_FILE).decode("utf-8"))
    except FileRefused as exc:
        raise ConfigError("CIVISMS_CONFIG", f"{str(path)!r} ({exc})",
                          "an existing TOML file") from None
    except UnicodeDecodeError:
        raise ConfigError("CIVISMS_CONFIG", repr(str(path)), "a UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("CIVISMS_CONFIG", f"{path} ({exc})", "a valid TOML file") from None
    section = data.get("civisms", data)
    values = {str(k).lower(): v for k, v in section.items() if not isinstance(v, dict)}
    for key in values:
        if key not in Settings.model_fields:
            raise ConfigError(f"{path}: key {key!r}", "an unknown setting", _closest(key))
    return values


def _closest(key: str) -> str:
    """What an unknown TOML key most likely meant, and where every setting is listed."""
    import difflib

    names = list(Settings.model_fields)
    stripped = key.removeprefix(ENV_PREFIX.lower())
    match = difflib.get_close_matches(stripped, names, n=1, cutoff=0.5)
    hint = f"{match[0]!r} ({ENV_PREFIX}{match[0].upper()})" if match else "a setting name"
    return f"{hint}; every setting: civisms config, or the README's Configuration table"


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from the environment and an optional TOML file.

    A validation failure becomes one ``ConfigError`` line naming the setting, what was
    found (masked if secret) and what is expected.
    """
    path = config or os.environ.get(f"{ENV_PREFIX}CONFIG")
    file_values = _read_toml(Path(path)) if path else {}
    env_names = {
        k[len(ENV_PREFIX) :].lower() for k in os.environ if k.upper().startswith(ENV_PREFIX)
    }
    init = {k: v for k, v in file_values.items() if k not in env_names}
    init.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**init)
    except ValidationError as exc:
        raise _config_error(exc) from None
    except ConfigError:
        raise


_SECRET_FIELDS = {"db_url", "api_key", "site_key"}
_URL_FIELDS = {"api_url"}


def _config_error(exc: ValidationError) -> ConfigError:
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err["loc"] else "?"
    setting = f"{ENV_PREFIX}{name.upper()}"
    found = MASK if name in _SECRET_FIELDS else repr(err.get("input"))
    if name in _URL_FIELDS and isinstance(err.get("input"), str):
        found = repr(mask_url(err["input"]))
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, ConfigError):
        return ctx_error
    message = str(err["msg"])
    expected = message.removeprefix("Value error, ")
    if name == "backend":
        expected = "db or api4"
    return ConfigError(setting, found, expected)
