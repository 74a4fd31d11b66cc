"""A provider shipped as a separate distribution shows up without any change to civisms."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from provider_helpers import FixedSite, make_row

from civisms.providers import registry

PLUGIN = '''
"""ACME SMS: a third-party civisms provider (writes sends to a list)."""

from civisms.providers.base import DeliveryStatus, Provider, SendResult

SENT = []


class AcmeProvider(Provider):
    key = "acme"
    extension_keys = ("com.acme.sms",)
    default_mps = 7.0

    def send(self, message):
        SENT.append(message)
        return SendResult(provider=self.key, message_id=f"acme-{len(SENT)}",
                          status=DeliveryStatus.QUEUED, to=message.to,
                          sender=self.sender_for(message))

    def verify_webhook(self, request):
        return False

    def parse_webhook(self, request):
        return []
'''


@pytest.fixture
def acme_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``acme-sms`` 1.0 installed in a tmp dir on sys.path: a package and its dist-info."""
    site = tmp_path / "site-packages"
    (site / "acme_sms").mkdir(parents=True)
    (site / "acme_sms" / "__init__.py").write_text(PLUGIN)
    info = site / "acme_sms-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-sms\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent("""\
        [civisms.providers]
        acme = acme_sms:AcmeProvider
        """))
    (info / "RECORD").write_text("")
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("acme_sms", None)
    monkeypatch.undo()
    registry.refresh()


def test_plugin_is_listed_and_used(acme_distribution: Path, fixed_site: FixedSite,
                                   run_cli: Callable[..., Result]) -> None:
    fixed_site.rows = [make_row("com.acme.sms", "from=+15550004000", id=11, title="ACME")]
    listed = run_cli("providers", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    [shown] = json.loads(listed.stdout)
    assert shown["adapter"] == "acme" and shown["problem"] is None
    assert shown["rate_limit"] == 7.0 and shown["from"] == ["+15550004000"]
    text = run_cli("providers", "list")
    assert "ACME  [com.acme.sms → acme]  active" in text.stdout
    sent = run_cli("providers", "test", "ACME", "--to", "+14155550199", "--json")
    assert sent.exit_code == 0, sent.stderr
    assert json.loads(sent.stdout)["message_id"] == "acme-1"
    import acme_sms  # type: ignore[import-not-found]

    assert [m.to for m in acme_sms.SENT] == ["+14155550199"]


def test_without_the_plugin_the_row_has_no_adapter(fixed_site: FixedSite,
                                                   run_cli: Callable[..., Result]) -> None:
    fixed_site.rows = [make_row("com.acme.sms", "", id=11, title="ACME")]
    [shown] = json.loads(run_cli("providers", "list", "--json").stdout)
    assert shown["adapter"] is None


def test_a_broken_plugin_does_not_break_civisms(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "sp"
    info = site / "broken_sms-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-sms\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[civisms.providers]\nbroken = no_such_module:X\n")
    monkeypatch.syspath_prepend(str(site))
    found = registry.discover()
    assert "broken" in found.broken and "twilio" in found.adapters
    with pytest.raises(Exception, match="broken"):
        registry.adapter_class("com.example.unknown")
    monkeypatch.undo()
    registry.refresh()
