"""The one interface civisms uses to speak to CiviCRM, in business verbs.

Two backends implement it: ``db`` (straight SQL on the CiviCRM database) and ``api4``
(CiviCRM's REST API v4). Nothing outside ``civisms.civicrm`` writes SQL or builds an
API v4 ``where``. Option values are always resolved by *name* (sites differ in ids).

Which operations need which backend (README "Backends" repeats this table):

    operation                                   db    api4
    read contacts, phones, groups, templates    yes   yes
    read SMS providers, domain, version         yes   yes  (SmsProvider needs 'administer CiviCRM')
    write activities, save/update templates     yes   yes
    mailing jobs, recipients, scheduling        yes   no (API v4 cannot write them)
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from typing import Any

from civisms.model import (
    Activity,
    Campaign,
    Contact,
    CustomField,
    Domain,
    ExtensionState,
    Group,
    MessageTemplate,
    Phone,
    ReceiptResult,
    ReceiptUpdate,
    SmsProvider,
)

#: Option groups civisms resolves by name, and the names it needs from them.
REQUIRED_ACTIVITY_TYPES = ("SMS", "Mass SMS", "SMS delivery", "Inbound SMS")
RECORD_TYPES = {
    "assignee": "Activity Assignees",
    "source": "Activity Source",
    "target": "Activity Targets",
}

#: ``civicrm_contact`` columns every contact read returns, besides what tokens ask for.
BASE_CONTACT_FIELDS = (
    "id", "contact_type", "display_name", "do_not_sms", "is_opt_out", "is_deceased", "is_deleted",
)


class CiviCRM(abc.ABC):
    """A CiviCRM site, seen through one backend."""

    backend_name: str = "?"

    # -- site ----------------------------------------------------------------------------

    @abc.abstractmethod
    def civicrm_version(self) -> str | None:
        """The CiviCRM version the site runs, when the backend can tell."""

    @abc.abstractmethod
    def domain(self) -> Domain:
        """The configured domain."""

    def acting_contact_id(self) -> int | None:
        """The contact civisms acts as when ``CIVISMS_SOURCE_CONTACT_ID`` is unset: here
        the domain contact (a database has no logged-in user)."""
        return self.domain().contact_id

    @abc.abstractmethod
    def option_values(self, group: str) -> dict[str, int]:
        """Option ``name`` → integer ``value`` for an option group, cached per process.

        Groups used: ``activity_type``, ``activity_status``, ``activity_contacts``,
        ``phone_type``, ``group_type``, ``sms_api_type``.
        """

    @abc.abstractmethod
    def option_labels(self, group: str) -> dict[str, str]:
        """Option ``value`` (as a string) → ``label`` for an option group, cached per process
        (pseudoconstant tokens such as ``{contact.prefix_id:label}``)."""

    def option_name_labels(self, group: str) -> dict[str, str]:
        """Option ``name`` → ``label`` (``languages``: ``fr_FR`` → ``French (France)``)."""
        return {}

    def option_value(self, group: str, name: str) -> int:
        """The value of one option by name; ``CiviCRMNotFound`` when the site lacks it."""
        from civisms.errors import CiviCRMNotFound

        values = self.option_values(group)
        if name not in values:
            raise CiviCRMNotFound(
                f"option {name!r} not found in option group {group!r} "
                f"(the site has: {', '.join(sorted(values)) or 'none'})"
            )
        return values[name]

    # -- token values beyond civicrm_contact (civisms.text.render) ----------------------

    def related_values(self, ids: Sequence[int], paths: Iterable[str]
                       ) -> dict[int, dict[str, Any]]:
        """Per contact, the API v4 paths of ``civisms.text.catalog.RELATED`` asked for
        (``address_primary.city`` ...); a contact without the record has None values."""
        return {}

    def custom_fields(self, field_ids: Iterable[int]) -> dict[int, CustomField]:
        """The custom fields with these ids (unknown ids are absent)."""
        return {}

    def custom_values(self, ids: Sequence[int], fields: Sequence[CustomField]
                      ) -> dict[int, dict[int, Any]]:
        """Per contact, the stored value of each custom field (None when unset)."""
        return {}

    def setting(self, name: str) -> Any:
        """A CiviCRM setting's value for the domain, or None when unset here."""
        return None

    def enabled_components(self) -> list[str] | None:
        """CiviCRM components enabled on the site (``CiviMail`` ...), or None if unknown."""
        return None

    def active_jobs(self) -> list[str]:
        """``api_entity.api_action`` of the site's active scheduled jobs (``job.process_sms``)."""
        return []

    def extension(self, key: str) -> ExtensionState | None:
        """Whether the CiviCRM extension ``key`` is enabled, disabled or not installed (and
        its version when the backend can tell); None when the backend cannot tell at all."""
        return None

    # -- contacts ------------------------------------------------------------------------

    @abc.abstractmethod
    def contacts(
        self, ids: Sequence[int], fields: Iterable[str] = (), *, include_deleted: bool = True,
        phones: bool = True,
    ) -> list[Contact]:
        """Contacts by id (missing ids are simply absent), with every phone.

        ``fields`` are extra ``civicrm_contact`` columns to put in ``Contact.fields``
        (what the message's tokens need); the result is ordered by id. ``phones=False``
        allows leaving out the phones and the email, for rendering a message whose tokens
        name neither (a backend may load them anyway).
        """

    @abc.abstractmethod
    def group_contact_ids(self, group_id: int) -> list[int]:
        """Members of a group: status ``Added`` for static groups, the cache for smart or
        parent groups (minus contacts ``Removed`` from it). Deleted contacts included;
        callers decide what to skip and why."""

    @abc.abstractmethod
    def find_contacts(self, text: str) -> list[Contact]:
        """Contacts (not in trash) whose email or display name equals ``text``."""

    # -- groups, templates, providers, campaigns -----------------------------------------

    @abc.abstractmethod
    def groups(self) -> list[Group]:
        """Every group of the site, ordered by title."""

    @abc.abstractmethod
    def sms_templates(self, *, include_inactive: bool = False) -> list[MessageTemplate]:
        """SMS templates (``is_sms = 1``, no workflow), ordered by title."""

    @abc.abstractmethod
    def save_sms_template(self, title: str, text: str) -> MessageTemplate:
        """Save ``text`` as a new SMS template, as CiviCRM's "Save As New Template"."""

    @abc.abstractmethod
    def update_sms_template(self, template_id: int, text: str) -> MessageTemplate:
        """Replace a template's text, as CiviCRM's "Update Template" (title unchanged)."""

    @abc.abstractmethod
    def sms_providers(self, *, include_inactive: bool = True) -> list[SmsProvider]:
        """Provider rows of the domain (or with no domain), default first, then by id."""

    def save_sms_provider(self, row: SmsProvider) -> int:
        """Create (``row.id`` 0) or update a ``civicrm_sms_provider`` row; its id.
        ``api_type`` is the option name (``http``); ``api_params_raw`` is written as is."""
        from civisms.errors import NotSupportedByBackend

        raise NotSupportedByBackend(f"the {self.backend_name} backend cannot write SMS providers")

    @abc.abstractmethod
    def campaigns(self) -> list[Campaign]:
        """Campaigns of the site."""

    # -- writing -------------------------------------------------------------------------

    @abc.abstractmethod
    def create_activity(self, activity: Activity) -> int:
        """Write one activity and its contact rows exactly as CiviCRM does; return its id."""

    def create_activities(self, activities: Sequence[Activity]) -> list[int]:
        """Write several activities; backends may batch."""
        return [self.create_activity(a) for a in activities]

    @abc.abstractmethod
    def add_activity_targets(self, activity_id: int, contact_ids: Sequence[int]) -> None:
        """Add ``Activity Targets`` rows to an existing activity (duplicates ignored)."""

    # -- receipts and replies (the webhooks of ``civisms serve``) ------------------------

    def ping(self) -> None:
        """Raise a ``CiviCRMError`` unless the site answers (``/healthz``)."""
        self.domain()

    def prepare_webhooks(self) -> None:  # noqa: B027 - optional hook
        """Create what recording receipts and replies needs (db: civisms' tables, indexes)."""

    def apply_receipt(self, update: ReceiptUpdate) -> ReceiptResult:
        """Move the ``SMS delivery`` activity whose ``result`` is the gateway id, once.

        Idempotent and order-safe: the same or a lower ``rank`` than already recorded
        changes nothing. A failed mass SMS also gets a ``civicrm_mailing_event_bounce`` row
        where the backend can write one (db).
        """
        raise _no_webhooks(self)

    def apply_receipts(self, updates: Sequence[ReceiptUpdate]) -> list[ReceiptResult]:
        """``apply_receipt`` for several receipts (a backend may write them in one go)."""
        return [self.apply_receipt(u) for u in updates]

    def phones_by_numeric(self, numerics: Sequence[str]) -> list[Phone]:
        """Phones of contacts not in the trash whose ``phone_numeric`` is one of ``numerics``."""
        raise _no_webhooks(self)

    def create_sms_contact(self, number: str) -> int:
        """A new Individual whose only detail is ``number`` as its primary Mobile phone."""
        raise _no_webhooks(self)

    def set_do_not_sms(self, contact_ids: Sequence[int], value: bool) -> list[int]:
        """Set ``do_not_sms`` on contacts; return those whose flag actually changed."""
        raise _no_webhooks(self)

    def inbound_part(self, provider_id: int, sender: str, ref: str, part: int, total: int,
                     text: str, message_id: str | None) -> list[tuple[str, str | None]] | None:
        """Keep part ``part`` of ``total`` of a multipart reply; when all have come, every
        part's (text, gateway id) in order, else None."""
        raise _no_webhooks(self)

    def inbound_recorded(self, provider_id: int, message_id: str) -> bool:
        """True when a reply with this gateway id was already recorded."""
        raise _no_webhooks(self)

    def record_inbound(self, provider_id: int, message_id: str | None,
                       activity: Activity) -> int | None:
        """Write a reply's ``Inbound SMS`` activity, once per gateway id (None: already was)."""
        raise _no_webhooks(self)

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> CiviCRM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _no_webhooks(civicrm: CiviCRM) -> Exception:
    from civisms.errors import NotSupportedByBackend

    return NotSupportedByBackend(
        f"the {civicrm.backend_name} backend cannot record delivery receipts or replies; "
        "use CIVISMS_BACKEND=db or api4")
