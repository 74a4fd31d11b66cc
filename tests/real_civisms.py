"""A running ``civisms serve`` on the real CiviCRM site of ``CIVISMS_REAL_SITE`` (db backend
on the site's own database), with the bridge installed from the zip and a bridge row made
by ``civisms sync providers``: what an administrator sets up, for the end-to-end tests and
bench/bench_bridge.py. The gateway is civisms' local outbox (a file of JSON lines)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from real_civicrm import RealSite

from civisms.bridge.build import build

CIVISMS = str(Path(sys.executable).with_name("civisms"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    """civisms serve on a loopback port, and the rows it uses."""

    site: RealSite
    folder: Path
    env: dict[str, str]
    process: subprocess.Popen | None
    gateway_row: int
    bridge_row: int

    @property
    def outbox(self) -> Path:
        return self.folder / "outbox.jsonl"

    def sent(self) -> list[dict[str, Any]]:
        if not self.outbox.exists():
            return []
        return [json.loads(line) for line in self.outbox.read_text().splitlines() if line]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        self.process = None

    def start(self) -> None:
        port = int(self.env["CIVISMS_PUBLIC_URL"].rsplit(":", 1)[1])
        log = (self.folder / "serve.log").open("a")
        self.process = subprocess.Popen([CIVISMS, "serve", "--port", str(port), "--log-level",
                                         "warning"], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("civisms serve did not start: "
                             + (self.folder / "serve.log").read_text()[-2000:])


#: N contacts with a primary mobile each, in a new mailing group, written in bulk (SQL, as
#: an import would) so that thousands take seconds; prints the group id.
GROUP_SQL = r"""
$tag = '%(tag)s';
$n = %(count)d;
$group = civicrm_api4('Group', 'create', ['checkPermissions' => FALSE, 'values' => [
  'title' => "Bridge $tag", 'group_type:name' => ['Mailing List']]])->first()['id'];
$mobile = CRM_Core_PseudoConstant::getKey('CRM_Core_BAO_Phone', 'phone_type_id', 'Mobile');
$insert = function (string $table, string $columns, array $rows) {
  // Rows written by VALUES lists: civicrm_phone's trigger touches civicrm_contact, so
  // INSERT ... SELECT FROM civicrm_contact is refused.
  foreach (array_chunk($rows, 500) as $part) {
    CRM_Core_DAO::executeQuery("INSERT INTO $table ($columns) VALUES " . implode(',', $part));
  }
};
$contacts = [];
for ($i = 0; $i < $n; $i++) {
  $contacts[] = "('Individual', 'B$i', '$tag', 'B$i $tag', '$tag, B$i')";
}
$insert('civicrm_contact', 'contact_type, first_name, last_name, display_name, sort_name',
  $contacts);
$ids = array_column(CRM_Core_DAO::executeQuery(
  "SELECT id FROM civicrm_contact WHERE last_name = '$tag' ORDER BY id")->fetchAll(), 'id');
$phones = $members = [];
foreach ($ids as $id) {
  $number = sprintf('+1415%%03d%%04d', 200 + intdiv($id, 10000) %% 700, $id %% 10000);
  $phones[] = "($id, 1, 1, '$number', $mobile)";
  $members[] = "($group, $id, 'Added')";
}
$insert('civicrm_phone', 'contact_id, location_type_id, is_primary, phone, phone_type_id',
  $phones);
$insert('civicrm_group_contact', 'group_id, contact_id, status', $members);
echo json_encode($group);
"""

#: A mass SMS as CiviCRM's New SMS wizard leaves it after "Submit": the mailing (API v4
#: Mailing.create with the provider and text), its Include group, then Mailing.submit
#: (API v3), which computes the recipients and creates the parent job. Prints its id.
MAILING_SQL = r"""
$mailing = civicrm_api4('Mailing', 'create', ['checkPermissions' => FALSE, 'values' => [
  'name' => '%(name)s', 'body_text' => '%(text)s', 'sms_provider_id' => %(provider)d,
  'from_name' => 'civisms', 'from_email' => 'info@example.org']])->first()['id'];
civicrm_api4('MailingGroup', 'create', ['checkPermissions' => FALSE, 'values' => [
  'mailing_id' => $mailing, 'group_type' => 'Include', 'entity_table' => 'civicrm_group',
  'entity_id' => %(group)d]]);
civicrm_api3('Mailing', 'submit', ['id' => $mailing, 'scheduled_date' => date('YmdHis', time() - 1),
  'approval_date' => date('YmdHis')]);
echo json_encode($mailing);
"""

#: What CiviCRM's mailing report says about a mailing, and its jobs' statuses.
REPORT_SQL = r"""
$report = CRM_Mailing_BAO_Mailing::report(%(mailing)d);
$jobs = CRM_Core_DAO::executeQuery(
  'SELECT status FROM civicrm_mailing_job WHERE mailing_id = %(mailing)d')->fetchAll();
echo json_encode(['delivered' => (int) $report['event_totals']['delivered'],
  'queue' => (int) $report['event_totals']['queue'],
  'recipients' => (int) CRM_Core_DAO::singleValueQuery(
    'SELECT COUNT(*) FROM civicrm_mailing_recipients WHERE mailing_id = %(mailing)d'),
  'jobs' => array_column($jobs, 'status')]);
"""


def make_group(site: RealSite, count: int, tag: str) -> int:
    """A new group of ``count`` contacts with a mobile each; its id."""
    return int(site.php(GROUP_SQL % {"tag": tag, "count": count}))


def make_mailing(site: RealSite, name: str, text: str, provider: int, group: int) -> int:
    """A submitted mass SMS for ``group`` through provider row ``provider``; its id."""
    return int(site.php(MAILING_SQL % {"name": name, "text": text, "provider": provider,
                                        "group": group}))


def mailing_report(site: RealSite, mailing: int) -> dict[str, Any]:
    """CiviCRM's own counts for a mailing: delivered, queued, recipients, job statuses."""
    return site.php(REPORT_SQL % {"mailing": mailing})  # type: ignore[no-any-return]


def drop_test_data(site: RealSite, tag: str, mailings: list[int]) -> None:
    """Delete the mailings and the tagged contacts (and their group) a run made."""
    site.php(f"""
foreach (json_decode('{json.dumps(mailings)}', TRUE) as $m) {{
  civicrm_api4('Mailing', 'delete', ['checkPermissions' => FALSE, 'where' => [['id', '=', $m]]]);
}}
CRM_Core_DAO::executeQuery("DELETE FROM civicrm_contact WHERE last_name = '{tag}'");
CRM_Core_DAO::executeQuery("DELETE FROM civicrm_group WHERE title = 'Bridge {tag}'");
echo json_encode(TRUE);
""")


@contextmanager
def civisms_on(site: RealSite, folder: Path, gateway_params: str = "") -> Iterator[Running]:
    """Bridge installed, gateway and bridge rows made, civisms serve running; all undone
    afterwards (rows deleted, bridge uninstalled, core's job as it was)."""
    zip_path, _ = build(folder)
    core_was = site.api4("Job", "get", {"where": [["api_action", "=", "process_sms"]]})
    site.install_bridge(zip_path)
    gateway = site.api4("SmsProvider", "create", {"values": {
        "name": "org.civisms.local", "title": f"civisms test outbox {folder.name}",
        "username": "outbox", "password": "-", "api_type": 1, "api_url": "",
        "api_params": gateway_params, "is_active": False}})[0]["id"]
    env = {**os.environ, "CIVISMS_BACKEND": "db", "CIVISMS_DB_URL": site.db_url,
           "CIVISMS_OUTBOX": str(folder / "outbox.jsonl"),
           "CIVISMS_PUBLIC_URL": f"http://127.0.0.1:{free_port()}"}
    for name in ("CIVISMS_CONFIG", "CIVISMS_API_URL", "CIVISMS_API_KEY"):
        env.pop(name, None)
    running = Running(site, folder, env, None, gateway, 0)
    try:
        synced = subprocess.run([CIVISMS, "sync", "providers", "--via", str(gateway), "--json"],
                                env=env, capture_output=True, text=True, check=False)
        if synced.returncode != 0:
            raise AssertionError(f"civisms sync providers failed: {synced.stderr[-1000:]}")
        running.bridge_row = json.loads(synced.stdout)["row_id"]
        running.start()
        yield running
    finally:
        running.stop()
        site.api4("SmsProvider", "delete", {"where": [["id", "IN", [gateway,
                                                                      running.bridge_row]]]})
        site.extension("disable")
        site.extension("uninstall")
        site.api4("Job", "update", {"where": [["api_action", "=", "process_sms"]],
                                    "values": {"is_active": core_was[0]["is_active"]}})
