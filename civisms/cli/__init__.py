"""The ``civisms`` command line: thin click commands, one module per group.

Every command parses options, calls one library function and prints. Library errors
become one-line messages here, in one place (``CivismsGroup.invoke``); exit codes: 0 ok,
1 the operation ran but did not fully succeed, 2 bad input or configuration.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import sys
import unicodedata
from typing import Any

import click

from civisms.errors import (
    Cancelled,
    CiviCRMAuthError,
    CiviCRMError,
    CiviCRMNotFound,
    CiviCRMPermissionDenied,
    CivismsError,
    ConfigError,
    FatalProviderError,
    InputError,
    NotSupportedByBackend,
    TextError,
)

#: Sub-command modules, each exposing a click command or group named ``command``.
SUBCOMMANDS = (
    "config", "check", "demo", "text", "providers", "send", "mailing", "jobs", "bridge",
    "serve", "sync",
)


class State:
    """What the root group hands to its sub-commands (built lazily)."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._settings: Any = None

    @property
    def settings(self) -> Any:
        from civisms.config import load_settings

        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    def civicrm(self) -> Any:
        from civisms.civicrm import connect

        return connect(self.settings)


#: Errors that mean "fix what you typed or configured" (exit 2): bad input, a setting, an
#: id or name the site does not have, credentials or grants the site refuses, an operation
#: the configured backend cannot do. Everything else that failed exits 1.
USER_ERRORS = (ConfigError, InputError, TextError, CiviCRMNotFound, CiviCRMAuthError,
               CiviCRMPermissionDenied, NotSupportedByBackend)


def exit_code_for(exc: CivismsError) -> int:
    """Bad input and configuration exit 2; everything else that failed exits 1 (so does
    a prompt answered "no": nothing was done)."""
    if isinstance(exc, Cancelled):
        return 1
    if isinstance(exc, USER_ERRORS):
        return 2
    return 1


class CivismsGroup(click.Group):
    """Root group: loads sub-commands lazily and turns civisms errors into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        for module in SUBCOMMANDS:
            if importlib.util.find_spec(f"civisms.cli.{module}") is not None:
                names.add(module)
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None or name not in SUBCOMMANDS:
            return command
        try:
            module = importlib.import_module(f"civisms.cli.{name}")
        except ModuleNotFoundError:
            return None
        return module.command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            # click's own report is four lines (usage, hint, blank, error); the README
            # promises one line naming what is wrong, exit 2.
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            click.echo(
                f"civisms: usage error: {printable(exc.format_message()).rstrip('.')} "
                f"(see '{where} --help')", err=True,
            )
            sys.exit(2)
        except CivismsError as exc:
            prefix = "error"
            if isinstance(exc, Cancelled):
                prefix = "cancelled"
            elif isinstance(exc, ConfigError):
                prefix = "configuration error"
            elif isinstance(exc, CiviCRMError):
                prefix = "CiviCRM error"
            elif isinstance(exc, FatalProviderError):
                prefix = "gateway error"
            click.echo(f"civisms: {prefix}: {printable(exc)}", err=True)
            sys.exit(exit_code_for(exc))


@click.group(cls=CivismsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), envvar="CIVISMS_CONFIG",
    help="TOML settings file (default: CIVISMS_CONFIG).",
)
@click.version_option(package_name="civisms")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """civisms: the SMS service for CiviCRM sites.

    Connect your own CiviCRM: the README's section "Connect your own CiviCRM" walks
    through it (where CIVICRM_DSN is, the MySQL grants, the API v4 alternative, check,
    providers, cron and systemd). Try it first on a sample site: civisms demo.

    \b
    Settings (environment, or a TOML file with --config; civisms config shows them):
      CIVISMS_BACKEND            db (CiviCRM's database) or api4 (its REST API v4)
      CIVISMS_DB_URL             mysql://user:password@host:port/database
      CIVISMS_API_URL            the site's URL (api4)
      CIVISMS_API_KEY            API key of the CiviCRM user civisms acts as (api4)
      CIVISMS_SITE_KEY           the site key, when the API user needs it (api4)
      CIVISMS_API_TIMEOUT        seconds per API request (30)
      CIVISMS_DOMAIN_ID          the CiviCRM domain (1)
      CIVISMS_DEFAULT_REGION     country of numbers typed without +, e.g. FR
      CIVISMS_SOURCE_CONTACT_ID  the contact recorded as the sender
      CIVISMS_MAX_SEGMENTS       SMS segments allowed per message (1)
      CIVISMS_DEDUPE_NUMBERS     text a number shared by contacts once (true)
      CIVISMS_OUTBOX             the local provider's outbox (var/outbox.jsonl)
      CIVISMS_PUBLIC_URL         the base URL gateways reach civisms' webhooks at
      CIVISMS_INBOUND_UNKNOWN    an unknown texter: create a contact, or domain
      CIVISMS_STOP_KEYWORDS      replies that set "Do not SMS" (STOP,ARRET,...)
      CIVISMS_START_KEYWORDS     replies that clear it (START,UNSTOP,...)
      CIVISMS_HELP_KEYWORDS      replies asking for help (HELP,INFO,AIDE)
      CIVISMS_STOP_REPLY         the answer to a STOP (empty: none)
      CIVISMS_START_REPLY        the answer to a START (empty: none)
      CIVISMS_HELP_REPLY         the answer to a HELP (empty: none)
      CIVISMS_JOURNAL            api4: the SQLite journal of sends (beside the outbox)
      CIVISMS_QUIET_HOURS        jobs run sends nothing then, e.g. 21:00-08:00
      CIVISMS_TIMEZONE           zone of the quiet hours (the host's)

    \b
    Exit codes: 0 ok; 1 it ran but something failed (or you answered no);
    2 bad input or configuration (nothing was done).

    \b
    Example:
        CIVISMS_DB_URL=mysql://civisms:secret@127.0.0.1/civicrm civisms check
    """
    ctx.obj = State(config_path)


class FiniteFloat(click.FloatRange):
    """A number within ``min``..``max``; ``nan`` and ``inf`` refused (a plain FloatRange
    lets ``nan`` through: it compares false with both bounds)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


#: Bidirectional overrides and isolates: they reorder what a terminal shows.
_BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def printable(value: object) -> str:
    """``value`` as text safe for a terminal: control characters (an ESC from a contact's
    name or a gateway's id would move the cursor or erase lines) and bidirectional
    overrides are shown escaped (``\\x1b``); emoji joiners and accents are left alone."""
    text = str(value)
    return "".join(_escape(ch) if _unsafe(ch) else ch for ch in text)


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in _BIDI


def _escape(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (non-ASCII kept readable)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
