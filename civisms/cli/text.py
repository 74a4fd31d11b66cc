"""``civisms text check``: what a recipient will read, and what it costs, before sending."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from civisms.cli import print_json, printable
from civisms.cli.words import LIST_CAP, capped
from civisms.errors import InputError
from civisms.providers.registry import discover
from civisms.sending.resolve import read_text_file
from civisms.text import judge, parse, segment, smart_replacements, token_values
from civisms.text.catalog import API4_TYPE_ONLY
from civisms.text.segments import GSM7, Cut, Segmentation


@click.group("text")
def command() -> None:
    """Message text: tokens, SMS segments and the length policy."""


def _gateway_cut(name: str | None) -> Cut:
    if name is None:
        return "grapheme"
    adapters = discover().adapters
    cls = adapters.get(name.strip().lower())
    if cls is None:
        known = ", ".join(sorted(adapters))
        raise InputError(f"--gateway {name!r}: no such adapter; one of {known}")
    return cls.segment_cut


@command.command("check")
@click.argument("text", required=False)
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the message from a UTF-8 text file (one final newline is ignored).")
@click.option("--contact", "contact_id", type=click.IntRange(min=1),
              help="Render the tokens for this contact id (needs a CiviCRM connection).")
@click.option("--smart-encoding", is_flag=True,
              help="Replace curly quotes, dashes, ellipses ... by GSM look-alikes first.")
@click.option("--keep-unknown", is_flag=True,
              help="Leave unknown tokens as typed (CiviCRM's behaviour) instead of refusing.")
@click.option("--gateway", metavar="ADAPTER",
              help="Count parts as this adapter's gateway cuts them (kannel, jasmin: an "
                   "emoji may be cut in two); default: Twilio's rule, never fewer parts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def check(
    ctx: click.Context, text: str | None, path: Path | None, contact_id: int | None,
    smart_encoding: bool, keep_unknown: bool, gateway: str | None, as_json: bool,
) -> None:
    """Show encoding, segments, characters and the verdict against CIVISMS_MAX_SEGMENTS.

    Exit code 0 when the message is within the policy, 1 when it is over, 2 for bad input
    (unknown token, unreadable file ...).

    \b
    Examples:
        civisms text check 'Hi {contact.first_name}, see you Saturday!'
        civisms text check --contact 9 --json --file spring.txt
    """
    source = _read_source(text, path)
    template = parse(source, unknown="keep" if keep_unknown else "error")
    rendered = source
    if contact_id is not None:
        rendered = _render_for(ctx, template, contact_id)
    cut = _gateway_cut(gateway)
    plain = segment(rendered, cut=cut)
    smart = segment(rendered, smart_encoding=True, cut=cut)
    seg = smart if smart_encoding else plain
    max_segments = ctx.obj.settings.max_segments
    verdict = judge(seg, max_segments)
    report: dict[str, Any] = {
        **seg.as_dict(),
        "within_policy": verdict.within_policy,
        "max_segments": max_segments,
        "reason": verdict.reason,
        "contact_id": contact_id,
        "rendered": contact_id is not None or not template.tokens,
        "tokens": [t.text for t in template.tokens],
        "unknown_tokens": [t.text for t in template.unknown],
        "backend_limits": _backend_limits(ctx, template),
        "smart_encoding": _smart_report(rendered, plain, smart, smart_encoding),
    }
    if as_json:
        print_json(report)
    else:
        _print_report(report, seg)
    if not verdict.within_policy:
        sys.exit(1)


def _backend_limits(ctx: click.Context, template: Any) -> list[str]:
    """Tokens whose value CiviCRM reaches but this backend cannot (docs/tokens.md)."""
    if ctx.obj.settings.backend != "api4":
        return []
    return [f"{t.text}: CiviCRM's API v4 returns it only for "
            f"{'Households' if t.field == 'household_name' else 'Organizations'}; "
            "other contacts get it empty on CIVISMS_BACKEND=api4"
            for t in template.tokens if t.entity == "contact" and t.field in API4_TYPE_ONLY]


def _read_source(text: str | None, path: Path | None) -> str:
    if (text is None) == (path is None):
        raise InputError("give the message either as TEXT or with --file PATH (exactly one)")
    if path is None:
        assert text is not None
        if not text:
            raise InputError("the message is empty")
        return text
    return read_text_file(path, "message file")


def _render_for(ctx: click.Context, template: Any, contact_id: int) -> str:
    with ctx.obj.civicrm() as civicrm:
        values = token_values(civicrm, template, [contact_id])
    if contact_id not in values:
        raise InputError(f"no contact with id {contact_id} on this site")
    return str(template.render(values[contact_id]))


def _smart_report(
    rendered: str, plain: Segmentation, smart: Segmentation, applied: bool
) -> dict[str, Any]:
    changes = smart_replacements(rendered)
    return {
        "applied": applied,
        "changes_encoding": plain.encoding != smart.encoding,
        "encoding": smart.encoding,
        "segments": smart.segments,
        "replacements": [{"char": c, "by": r, "position": i} for c, r, i in changes],
    }


#: Characters of the text shown before "... and N more characters".
TEXT_CAP = 480


def _print_report(report: dict[str, Any], seg: Segmentation) -> None:
    unit = "septets" if seg.encoding == GSM7 else "UTF-16 code units"
    shown = seg.text if len(seg.text) <= TEXT_CAP else (
        f"{seg.text[:TEXT_CAP]}... and {len(seg.text) - TEXT_CAP:,} more characters")
    click.echo(f"text:        {printable(shown)}")
    if report["tokens"] and not report["rendered"]:
        click.echo("tokens:      " + ", ".join(dict.fromkeys(report["tokens"])))
        click.echo("             (not rendered: counts are for the text as typed; "
                   "use --contact ID)")
    if report["unknown_tokens"]:
        click.echo("left as typed: " + ", ".join(report["unknown_tokens"]))
    for limit in report["backend_limits"]:
        click.echo(f"note:        {limit}")
    click.echo(f"encoding:    {seg.encoding}")
    sizes = " + ".join(capped([str(s) for s in seg.part_sizes[:LIST_CAP]],
                              total=len(seg.part_sizes)))
    click.echo(f"segments:    {seg.segments}" + (f" ({sizes})" if seg.segments > 1 else ""))
    click.echo(f"characters:  {seg.characters} ({unit}); {seg.bits} bits")
    non_gsm = [f"{ch.char!r} ({' '.join(f'U+{ord(c):04X}' for c in ch.char)}) at {ch.position}"
               for ch in seg.non_gsm[:LIST_CAP]]
    for line in capped(non_gsm, total=len(seg.non_gsm)):
        click.echo(f"non-GSM:     {line}")
    smart = report["smart_encoding"]
    if smart["changes_encoding"]:
        swaps = ", ".join(capped(
            [f"{r['char']!r}→{r['by']!r} at {r['position']}"
             for r in smart["replacements"][:LIST_CAP]], total=len(smart["replacements"])))
        verb = "applied" if smart["applied"] else "would send"
        click.echo(
            f"smart encoding {verb}: {smart['encoding']}, {smart['segments']} segment(s); {swaps}"
        )
        if not smart["applied"]:
            click.echo("             (use --smart-encoding to send it that way)")
    if report["within_policy"]:
        limit = report["max_segments"]
        click.echo(f"verdict:     within policy ({seg.segments} of at most {limit})")
    else:
        click.echo(f"verdict:     OVER POLICY: {report['reason']}")
