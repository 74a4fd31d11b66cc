"""``civisms providers``: the site's SMS provider rows as civisms serves them; one test send."""

from __future__ import annotations

import sys
from typing import Any

import click

from civisms.check import webhook_urls
from civisms.cli import print_json, printable
from civisms.errors import (
    ConfigError,
    FatalProviderError,
    InputError,
    ProviderError,
    RateLimitedError,
    RecipientError,
    verdict,
)
from civisms.model import SmsProvider
from civisms.numbers import to_e164
from civisms.providers.base import (
    OutboundMessage,
    Provider,
    is_secret_param,
)
from civisms.providers.http import RetryPolicy, scrub, send_with_retry
from civisms.providers.registry import adapter_class, adapter_name, provider_for
from civisms.redact import MASK, mask_url, mask_value, secret_forms
from civisms.sending.resolve import parse_id, shorten
from civisms.text.segments import segment

#: A test send retries briefly: a person is waiting at the terminal.
TEST_POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0, max_retry_after=10.0)


@click.group("providers")
def command() -> None:
    """SMS providers: the CiviCRM rows and the civisms adapters that serve them."""


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_command(obj: Any, as_json: bool) -> None:
    """List every SMS provider row: adapter, senders, rate limit, active/default.

    Secrets (passwords, tokens, API keys) are masked.

    \b
    Example:
        civisms providers list --json
    """
    with obj.civicrm() as civicrm:
        rows = civicrm.sms_providers(include_inactive=True)
    shown = [describe(row, obj.settings.outbox, obj.settings.public_url) for row in rows]
    if as_json:
        print_json(shown)
        return
    if not shown:
        click.echo("no SMS provider rows on this site")
    for item in shown:
        flags = ", ".join(f for f in ("active" if item["is_active"] else "inactive",
                                      "default" if item["is_default"] else "") if f)
        adapter = item["adapter"] or "no adapter"
        click.echo(printable(f"{item['id']:>4}  {item['title']}  [{item['name']} → {adapter}]  "
                             f"{flags}"))
        senders = ", ".join(item["from"]) or item.get("messaging_service") or "-"
        mps = item["rate_limit"]
        rate = f"{mps:g} segment{'' if mps == 1 else 's'}/s" if mps else "-"
        click.echo(printable(f"      from: {senders}   rate: {rate}   "
                             f"url: {item['api_url'] or '-'}"))
        click.echo(f"      receipts: {item['webhooks']['status']}")
        click.echo(f"      replies:  {item['webhooks']['inbound']}")
        if item["problem"]:
            click.echo(f"      problem: {printable(item['problem'])}")


def describe(row: SmsProvider, outbox: Any = None, public_url: str | None = None
             ) -> dict[str, Any]:
    """A provider row as shown by ``providers list``, every secret masked, with the URLs
    its gateway sends receipts and replies to."""
    secrets = _row_secrets(row)
    item: dict[str, Any] = {
        "id": row.id, "title": row.title, "name": row.name, "adapter": None,
        "username": row.username, "password": MASK if row.password else None,
        "api_url": mask_url(row.api_url) if row.api_url else None,
        "api_params": {
            k: (MASK if is_secret_param(k) and v else mask_value(v))
            for k, v in row.api_params.items()
        },
        "from": [], "rate_limit": None, "is_active": row.is_active,
        "is_default": row.is_default, "problem": None,
        "webhooks": webhook_urls(row, public_url),
    }
    try:
        cls = adapter_class(row.name)
        item["adapter"] = adapter_name(cls)
        provider = cls.from_row(row, outbox=outbox)
    except ConfigError as exc:
        item["problem"] = scrub(str(exc), secrets)
        return item
    try:
        item["from"] = list(provider.senders)
        item["rate_limit"] = provider.mps
        service = row.api_params.get("MessagingServiceSid")
        if service:
            item["messaging_service"] = service
    finally:
        provider.close()
    return item



def _row_secrets(row: SmsProvider) -> tuple[str, ...]:
    values = [row.password or ""]
    values += [v for k, v in row.api_params.items() if is_secret_param(k)]
    return secret_forms(values, [row.username or "", *values])


@command.command("test")
@click.argument("provider")
@click.option("--to", "to", required=True, help="Recipient phone number (E.164, or national "
              "with CIVISMS_DEFAULT_REGION).")
@click.option("--text", default="civisms test message", show_default=True, help="Message text.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def test_command(obj: Any, provider: str, to: str, text: str, as_json: bool) -> None:
    """Send one real message through PROVIDER (a provider id or title).

    Prints the gateway's message id and status ("accepted" means the gateway took it, not
    that the handset got it), or the classified error; exits 1 when the send failed.

    \b
    Example:
        civisms providers test 2 --to +15551234567 --text "Hello from civisms"
    """
    settings = obj.settings
    if not text.strip():
        raise InputError("--text is empty: give the words of the test message "
                         "(or leave --text out for the default one)")
    number = _e164(to, settings.default_region)
    with obj.civicrm() as civicrm:
        row = _find_row(civicrm.sms_providers(include_inactive=True), provider)
    gateway = provider_for(row, outbox=settings.outbox, public_url=settings.public_url)
    message = OutboundMessage(to=number, text=text,
                              segments=segment(text, cut=gateway.segment_cut).segments)
    head = {"provider_id": row.id, "title": row.title, "adapter": adapter_name(type(gateway)),
            "to": number, "segments": message.segments}
    try:
        result = send_with_retry(gateway, message, TEST_POLICY)
    except ProviderError as exc:
        _report_error(head, exc, gateway, as_json)
        sys.exit(1)  # failed, or unknown: the gateway may have it (never asked twice)
    finally:
        gateway.close()
    shown = {**head, "ok": True, "message_id": result.message_id, "status": result.status.value,
             "sender": result.sender, "gateway_segments": result.segments,
             "price": str(result.price) if result.price is not None else None,
             "currency": result.currency,
             "warning": _fewer_parts(gateway, message, result.segments)}
    if as_json:
        print_json(shown)
        return
    click.echo(f"sent via {printable(row.title)} ({shown['adapter']}) to {number}: "
               f"id {printable(result.message_id or '-')}, status {result.status.value}")
    if shown["warning"]:
        click.echo(f"civisms: warning: {shown['warning']}", err=True)
    if result.price is not None:
        click.echo(f"price: {result.price} {result.currency or ''}".rstrip())


def _fewer_parts(gateway: Provider, message: OutboundMessage, sent: int | None) -> str | None:
    # A Kannel sendsms-user without max-messages sends the first part only and still
    # answers 202: say so when Kannel tells. (Other gateways send every part; a count of
    # theirs below ours means they encoded more tightly, e.g. Twilio's SmartEncoded.)
    if gateway.key != "kannel" or sent is None or sent >= message.segments:
        return None
    return (f"the gateway sent {sent} part{'s' if sent > 1 else ''} of a "
            f"{message.segments}-part message: the rest was dropped; give the Kannel "
            "sendsms-user max-messages and concatenation = true (docs/providers.md)")


def _report_error(head: dict[str, Any], exc: ProviderError, gateway: Provider,
                  as_json: bool) -> None:
    kind = _kind(exc)
    text = gateway.scrub(str(exc))
    outcome = verdict(exc).state
    if as_json:
        print_json({**head, "ok": False, "outcome": "not_sent" if outcome == "release"
                    else outcome, "error": {"kind": kind, "code": exc.code, "message": text}})
        return
    click.echo(f"civisms: {kind.replace('_', ' ')} error: {text}", err=True)
    if outcome == "unknown":
        click.echo("civisms: outcome unknown: the gateway may have taken the message, so it "
                   "was not sent again; check the gateway's log or the phone before retrying",
                   err=True)


def _kind(exc: ProviderError) -> str:
    if isinstance(exc, RecipientError):
        return "opted_out" if exc.opted_out else "recipient"
    if isinstance(exc, RateLimitedError):
        return "rate_limited"
    if isinstance(exc, FatalProviderError):
        return "fatal"
    return "transient"


def _find_row(rows: list[SmsProvider], wanted: str) -> SmsProvider:
    number = parse_id(wanted)
    if number is not None:
        found = [r for r in rows if r.id == number]
    else:
        found = [r for r in rows if r.title.casefold() == wanted.strip().casefold()]
    if len(found) == 1:
        return found[0]
    listing = ", ".join(f"{r.id} {r.title!r}" for r in rows) or "none"
    reason = "several providers are" if found else "no provider is"
    raise InputError(f"{reason} called {shorten(wanted)}; the site has: {listing}")


def _e164(number: str, region: str | None) -> str:
    # The same rule as every recipient's number (civisms.numbers): valid, not just possible.
    found = to_e164(number, region)
    if found is None:
        where = f" (read in {region})" if region and not number.strip().startswith("+") else ""
        raise InputError(f"--to {number!r}: not a valid phone number{where}; give it in "
                         "E.164, e.g. +447700900123, or set CIVISMS_DEFAULT_REGION")
    return found
