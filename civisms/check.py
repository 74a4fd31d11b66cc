"""``civisms check``: can civisms work with this CiviCRM site, and what does it see?"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from civisms.bridge import CORE_JOB_ACTION, JOB_ACTION, KEY, VIA, is_bridge
from civisms.civicrm.base import REQUIRED_ACTIVITY_TYPES, CiviCRM
from civisms.errors import (
    CiviCRMAuthError,
    CiviCRMError,
    CiviCRMNotFound,
    CiviCRMPermissionDenied,
)
from civisms.model import SmsProvider
from civisms.providers.base import is_secret_param
from civisms.redact import MASK, mask_url, mask_value


@dataclass
class CheckReport:
    """What ``civisms check`` found; ``problems`` empty means civisms can work here."""

    backend: str
    connected: bool = False
    civicrm_version: str | None = None
    domain: dict[str, Any] | None = None
    providers: list[dict[str, Any]] = field(default_factory=list)
    sms_templates: int | None = None
    activity_types: dict[str, int | None] = field(default_factory=dict)
    bridge: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    public_url: str | None = None
    #: Could not connect because of the configuration (credentials, database name, grants):
    #: ``civisms check`` exits 2 then, as for any configuration error.
    misconfigured: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def adapter_name(provider: SmsProvider) -> str | None:
    """The civisms adapter that would serve a provider row, or None when none would
    (a bridge row: ``bridge via N``, the gateway row it names)."""
    if is_bridge(provider):
        via = str(provider.api_params.get(VIA, "")).strip()
        return f"bridge via {via}" if via.isdigit() else None
    try:
        from civisms.providers.registry import adapter_key_for
    except ImportError:  # gateways not installed in this build
        return None
    try:
        return adapter_key_for(provider)
    except Exception:  # an unknown extension key: reported as "no adapter"
        return None


def webhook_urls(provider: SmsProvider, public_url: str | None) -> dict[str, str]:
    """Where the gateway of ``provider`` sends receipts and replies (``civisms serve``),
    its ``webhook_token`` masked; ``<CIVISMS_PUBLIC_URL>`` stands in when unset."""
    from civisms.civicrm.params import raw_api_param

    base = (public_url or "<CIVISMS_PUBLIC_URL>").rstrip("/")
    token = raw_api_param(provider.api_params_raw, "webhook_token") or provider.api_params.get(
        "webhook_token")
    query = f"?civisms_token={MASK}" if token else ""
    return {kind: f"{base}/webhooks/{provider.id}/{kind}{query}"
            for kind in ("status", "inbound")}


def provider_rate(provider: SmsProvider) -> float | None:
    """Segments per second civisms sends through this row: ``civisms_mps`` in its
    ``api_params``, else its adapter's default (None when no adapter serves it)."""
    try:
        from civisms.providers.base import parse_float
        from civisms.providers.registry import adapter_class

        default = adapter_class(provider.name).default_mps
        return parse_float(dict(provider.api_params), "civisms_mps", default)
    except Exception:  # no adapter, or an unreadable civisms_mps: reported elsewhere
        return None


def describe_provider(provider: SmsProvider, public_url: str | None = None) -> dict[str, Any]:
    """A provider row for display, secrets masked (password and secret-looking params)."""
    params = {
        key: (MASK if is_secret_param(key) else mask_value(value))
        for key, value in provider.api_params.items()
    }
    return {
        "id": provider.id,
        "name": provider.name,
        "title": provider.title,
        "username": provider.username,
        "password": MASK if provider.password else None,
        "api_type": provider.api_type,
        "api_url": mask_url(provider.api_url) if provider.api_url else provider.api_url,
        "api_params": params,
        "is_active": provider.is_active,
        "is_default": provider.is_default,
        "adapter": adapter_name(provider),
        "webhooks": webhook_urls(provider, public_url),
        "mps": provider_rate(provider),
    }


def run_check(civicrm: CiviCRM, public_url: str | None = None) -> CheckReport:
    """Connect, read what civisms needs, and list every problem found (never raises for
    CiviCRM errors: they become problems). ``public_url`` (``CIVISMS_PUBLIC_URL``) makes
    each provider's webhook URLs whole."""
    report = CheckReport(backend=civicrm.backend_name, public_url=public_url)
    try:
        domain = civicrm.domain()
    except CiviCRMError as exc:
        report.problems.append(str(exc))
        report.misconfigured = isinstance(
            exc, CiviCRMAuthError | CiviCRMNotFound | CiviCRMPermissionDenied)
        return report
    report.connected = True
    report.civicrm_version = domain.version
    report.domain = {"id": domain.id, "name": domain.name, "contact_id": domain.contact_id}
    steps = (_privileges, _activity_types, _providers, _templates, _components, _bridge,
             _jobs)
    for step in steps:
        try:
            step(civicrm, report)
        except CiviCRMError as exc:
            report.problems.append(str(exc))
    return report


def _privileges(civicrm: CiviCRM, report: CheckReport) -> None:
    """On the db backend: every database privilege civisms needs, probed."""
    db = getattr(civicrm, "db", None)
    if civicrm.backend_name != "db" or db is None:
        return
    from civisms.civicrm.privileges import missing_privileges

    missing = missing_privileges(db.conn)
    if missing:
        report.problems.append(
            f"the database user {db.params.user!r} lacks privileges civisms needs: "
            f"{'; '.join(missing)}; grant them as the README's \"Connect your own "
            "CiviCRM\" shows")


def _activity_types(civicrm: CiviCRM, report: CheckReport) -> None:
    values = civicrm.option_values("activity_type")
    for name in REQUIRED_ACTIVITY_TYPES:
        report.activity_types[name] = values.get(name)
        if name not in values:
            report.problems.append(
                f"activity type {name!r} is missing from option group 'activity_type'; "
                "CiviCRM creates it on install and upgrade — re-run the CiviCRM upgrade"
            )


def _providers(civicrm: CiviCRM, report: CheckReport) -> None:
    providers = civicrm.sms_providers(include_inactive=True)
    report.providers = [describe_provider(p, report.public_url) for p in providers]
    if not any(p.is_active for p in providers):
        report.warnings.append(
            "no active SMS provider: add one in CiviCRM (Administer > System Settings > "
            "SMS Providers) before sending"
        )
    for shown in report.providers:
        if shown["is_active"] and shown["adapter"] is None and _gateways_available():
            report.warnings.append(
                f"provider {shown['id']} {shown['title']!r} ({shown['name']}) has no civisms "
                "adapter; see `civisms providers list`"
            )


def _gateways_available() -> bool:
    try:
        import civisms.providers.registry  # noqa: F401
    except ImportError:
        return False
    return True


def _templates(civicrm: CiviCRM, report: CheckReport) -> None:
    report.sms_templates = len(civicrm.sms_templates())


def _components(civicrm: CiviCRM, report: CheckReport) -> None:
    components = civicrm.enabled_components()
    if components is not None and "CiviMail" not in components:
        report.problems.append(
            "CiviMail is disabled: mass SMS needs it (Administer > System Settings > "
            "Components, enable CiviMail)"
        )


def _bridge(civicrm: CiviCRM, report: CheckReport) -> None:
    """The bridge extension: installed, enabled, its version, and the jobs it governs."""
    try:
        state = civicrm.extension(KEY)
    except CiviCRMError as exc:  # e.g. an API user without 'administer CiviCRM'
        report.warnings.append(f"cannot tell whether the civisms bridge is installed: {exc}")
        state = None
    jobs = civicrm.active_jobs()
    rows = [p for p in report.providers if p["name"] == KEY]
    status = state.status if state else "unknown"
    report.bridge = {
        "key": KEY, "status": status, "version": state.version if state else None,
        "core_job_active": CORE_JOB_ACTION in jobs, "bridge_job_active": JOB_ACTION in jobs,
        "provider_rows": [p["id"] for p in rows],
    }
    if status != "enabled":
        if any(p["is_active"] for p in rows):
            report.warnings.append(
                f"SMS provider rows named {KEY} are active but the civisms bridge extension is "
                f"{status}: CiviCRM cannot send through them (civicrm-extension/README.md)"
            )
        return
    if CORE_JOB_ACTION in jobs:
        report.problems.append(
            "CiviCRM's own 'Send Scheduled SMS' (Job.process_sms) is active beside the bridge's "
            "'Send Scheduled SMS with civisms': both would send the same mailings; disable it "
            "in Administer > System Settings > Scheduled Jobs"
        )
    if JOB_ACTION not in jobs:
        report.warnings.append(
            "the bridge's 'Send Scheduled SMS with civisms' job is inactive: mass SMS made in "
            "CiviCRM are sent only by `civisms jobs run`; enable it in Scheduled Jobs"
        )
    if not any(p["is_active"] for p in rows):
        report.warnings.append(
            "the civisms bridge is enabled but no active SMS provider row uses it: "
            "run `civisms sync providers --via ROW`"
        )


def _jobs(civicrm: CiviCRM, report: CheckReport) -> None:
    if report.bridge and report.bridge["status"] == "enabled":
        return  # _bridge reported the jobs
    if "job.process_sms" in civicrm.active_jobs():
        report.warnings.append(
            "CiviCRM's own scheduled job 'Send Scheduled SMS' (Job.process_sms) is active; "
            "disable it when civisms sends the mailings, or both will compete for them"
        )
