"""The civisms exception tree, classified by what the caller does next.

    CivismsError                      anything civisms raises on purpose; str() is one clear line
    ├── ConfigError                   a setting is missing or malformed: fix the configuration
    ├── InputError                    bad user input (unknown contact, unreadable file ...): exit 2
    ├── ConflictError                 someone else changed the same record meanwhile: exit 1
    ├── Cancelled                     the user answered "no" at a prompt: nothing done, exit 1
    ├── CiviCRMError                  talking to CiviCRM failed
    │   ├── CiviCRMValueRefused       a value too long for its column (also an InputError: exit 2)
    │   ├── CiviCRMUnreachable        network / database server not reachable: try again later
    │   ├── CiviCRMAuthError          wrong API key, DB password ...: fix credentials
    │   ├── CiviCRMPermissionDenied   the API user lacks a permission
    │   ├── CiviCRMNotFound           an id / name that does not exist on the site
    │   ├── CiviCRMAPIError           the API answered with an error message
    │   └── NotSupportedByBackend     this backend has no write path for that operation
    ├── TextError                     message text problems (tokens, length policy)
    └── ProviderError                 an SMS gateway refused or failed
        ├── TransientError            network error, timeout, 5xx: try again later
        │   └── RateLimitedError      429 and friends: retry after ``retry_after`` seconds
        ├── RecipientError            this message fails, the rest go on (``opted_out`` flags STOP)
        └── FatalProviderError        authentication, configuration, credit: stop the whole run

A ``ProviderError`` with ``maybe_sent`` set came after the request may have reached the
gateway (read timeout, connection lost after writing, an undocumented 5xx, a 2xx civisms
cannot read): the message is never sent again on its own. ``verdict`` is the one place that
turns a gateway's answer into a state and a retry decision (docs/sending.md).

Foreign exceptions (requests, MySQLdb) are translated once, at the boundary that
raised them, with ``raise ... from``; none escapes its folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


class CivismsError(Exception):
    """Base of every error civisms raises on purpose."""


class ConfigError(CivismsError):
    """A setting is missing or malformed."""

    def __init__(self, setting: str, found: str, expected: str) -> None:
        self.setting = setting
        self.found = found
        self.expected = expected
        super().__init__(f"{setting}: found {found}; expected {expected}")


class InputError(CivismsError):
    """Bad input from the user, reported before anything is sent or written."""


class ConflictError(CivismsError):
    """Another command or user changed the record first (a mailing scheduled meanwhile)."""


class Cancelled(CivismsError):
    """The user answered "no" at a confirmation prompt: nothing was done."""


class CiviCRMError(CivismsError):
    """Talking to CiviCRM failed."""


class CiviCRMValueRefused(CiviCRMError, InputError):
    """The database refused a value the user gave (too long for its column...): exit 2."""


class CiviCRMConflict(CiviCRMError):
    """The database chose this transaction as a deadlock's victim and rolled all of it
    back: running the whole transaction again is safe (``Database.retrying``)."""


class CiviCRMUnreachable(CiviCRMError):
    """The CiviCRM database or web server could not be reached."""


class CiviCRMAuthError(CiviCRMError):
    """CiviCRM refused the credentials."""


class CiviCRMPermissionDenied(CiviCRMError):
    """The API user lacks a permission."""


class CiviCRMNotFound(CiviCRMError):
    """No such record on the site."""


class CiviCRMAPIError(CiviCRMError):
    """The API answered with an error."""


class NotSupportedByBackend(CiviCRMError):
    """The configured backend cannot perform this operation."""


class TextError(CivismsError):
    """Message text problems: unknown tokens, over the length policy."""


class ProviderError(CivismsError):
    """An SMS gateway refused or failed; ``maybe_sent``: it may have taken the message."""

    def __init__(self, message: str, *, code: str | None = None, raw: object = None,
                 maybe_sent: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.raw = raw
        self.maybe_sent = maybe_sent


class TransientError(ProviderError):
    """Worth retrying: network error, timeout, 5xx."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        raw: object = None,
        retry_after: float | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message, code=code, raw=raw, maybe_sent=maybe_sent)
        self.retry_after = retry_after


class RateLimitedError(TransientError):
    """The gateway asked us to slow down."""


class RecipientError(ProviderError):
    """This recipient cannot be texted (invalid number, opted out); others go on."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        raw: object = None,
        opted_out: bool = False,
    ) -> None:
        super().__init__(message, code=code, raw=raw)
        self.opted_out = opted_out


class FatalProviderError(ProviderError):
    """Authentication, configuration or credit problem: stop the whole run."""


#: What becomes of a message: ``release`` means never handed over, pending again.
State = Literal["sent", "failed", "unknown", "release"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The state a gateway's answer leaves a message in, and what may happen next.

    ``retry``: the same message may be sent again automatically (only when the gateway
    certainly did not take it); ``stop``: stop sending (credentials, configuration, credit).
    """

    state: State
    retry: bool = False
    stop: bool = False


SENT = Verdict("sent")


def verdict(error: BaseException | None) -> Verdict:
    """The never-twice rule: a gateway's answer (None = accepted) as a state and a decision.

    ==============================================  =========  =====  ====
    answer                                          state      retry  stop
    ==============================================  =========  =====  ====
    accepted                                        sent       no     no
    may have reached the gateway (``maybe_sent``)   unknown    no     if fatal
    refused for this recipient                      failed     no     no
    refused before taking it: connect error, 429,   release    yes    no
    a documented "not accepted" answer
    credentials, configuration, credit              release    no     yes
    anything unexpected (a bug)                     unknown    no     no
    ==============================================  =========  =====  ====
    """
    if error is None:
        return SENT
    if not isinstance(error, ProviderError):
        return Verdict("unknown")
    fatal = isinstance(error, FatalProviderError)
    if error.maybe_sent:
        return Verdict("unknown", stop=fatal)
    if isinstance(error, RecipientError):
        return Verdict("failed")
    if fatal:
        return Verdict("release", stop=True)
    if isinstance(error, TransientError):
        return Verdict("release", retry=True)
    return Verdict("unknown")
