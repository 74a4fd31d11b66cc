"""What a user asks ``civisms send`` for, as typed, turned into a checked plan.

``SendRequest`` holds the options; ``prepare`` applies the option rules, resolves contacts,
groups, files, template, campaign and provider, picks the sender and plans the send
(``individual.plan``). The CLI and the demo build a request and call ``prepare``; nothing
is sent or written until ``individual.start``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civisms.civicrm.base import CiviCRM
from civisms.errors import InputError
from civisms.model import MessageTemplate
from civisms.sending import individual, resolve


@dataclass(frozen=True)
class SendRequest:
    """The options of ``civisms send``, as the user typed them."""

    name: str | None
    contacts: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    contacts_file: str | None = None
    provider: str | None = None
    text: str | None = None
    text_file: str | None = None
    template: str | None = None
    save_template: str | None = None
    update_template: bool = False
    campaign: str | None = None
    from_contact: int | None = None

    def check(self) -> None:
        """The option rules; ``InputError`` naming what is wrong and what would be right."""
        if not self.name:
            raise InputError("no name: give --name (the SMS activity's subject)")
        if self.text is not None and self.text_file is not None:
            raise InputError("give --text or --file, not both")
        edited = self.text is not None or self.text_file is not None
        if not edited and self.template is None:
            raise InputError("no message: give --text, --file or --template")
        if self.update_template and (self.template is None or not edited):
            raise InputError("--update-template needs --template and the edited --text or "
                             "--file")
        if self.template is not None and edited and not self.update_template:
            raise InputError("--text/--file with --template edits it: add --update-template "
                             "to save the edit into the template, or drop --template")
        if not (self.contacts or self.groups or self.contacts_file):
            raise InputError("no recipients: give --contact, --group or --contacts-file")


@dataclass
class Prepared:
    """A checked plan, with the message and the template it came from."""

    plan: individual.SendPlan
    message: str
    template: MessageTemplate | None


def prepare(civicrm: CiviCRM, request: SendRequest, settings: Any) -> Prepared:
    """Check the request, resolve what was typed and plan the send (nothing written)."""
    request.check()
    template = resolve.template(civicrm, request.template) if request.template else None
    if request.text is not None:
        message = request.text
    elif request.text_file:
        message = resolve.read_text_file(request.text_file)
    else:
        assert template is not None  # check() saw --template
        message = template.text
    if not message.strip():
        raise InputError("the message is empty")
    ids: list[int] = [resolve.contact(civicrm, c).id for c in request.contacts]
    for typed in request.groups:
        ids.extend(civicrm.group_contact_ids(resolve.group(civicrm, typed).id))
    if request.contacts_file:
        ids.extend(resolve.contact_ids_file(request.contacts_file))
    campaign_id = resolve.campaign(civicrm, request.campaign).id if request.campaign else None
    source = resolve.sender(civicrm, request.from_contact, settings)
    if source is None:
        raise InputError("no sender contact: give --from-contact or set "
                         "CIVISMS_SOURCE_CONTACT_ID")
    row = resolve.provider(civicrm, request.provider)  # after the input: its errors first
    plan = individual.plan(
        civicrm, name=request.name or "", text=message, provider=row, contact_ids=ids,
        source_contact_id=source, campaign_id=campaign_id, region=settings.default_region,
        max_segments=settings.max_segments,
    )
    return Prepared(plan, message, template)


def save_templates(civicrm: CiviCRM, request: SendRequest, prepared: Prepared) -> None:
    """Save the text as a new template and/or into the chosen one, as asked."""
    if request.save_template:
        civicrm.save_sms_template(request.save_template, prepared.message)
    if request.update_template and prepared.template is not None:
        civicrm.update_sms_template(prepared.template.id, prepared.message)
