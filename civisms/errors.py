"""The civisms exception tree, classified by what the caller does next.

    CivismsError                      anything civisms raises on purpose; str() is one clear line
    ├── ConfigError                   a setting is missing or malformed: fix the configuration
    ├── InputError                    bad user input (unknown contact, unreadable file ...): exit 2
    ├── CiviCRMError                  talking to CiviCRM failed
    │   ├── CiviCRMUnreachable        network / database server not reachable: try again later
    │   ├── CiviCRMAuthError          wrong API key, DB password ...: fix credentials
    │   ├── CiviCRMPermissionDenied   the API user lacks a permission
    │   ├── CiviCRMNotFound           an id / name that does not exist on the site
    │   ├── CiviCRMAPIError           the API answered with an error message
    │   └── NotSupportedByBackend     this backend has no write path for that operation
    ├── TextError                     message text problems (tokens, length policy)
    └── ProviderError                 an SMS gateway refused or failed
        ├── TransientError            network error, timeout, 5xx: retry with backoff
        │   └── RateLimitedError      429 and friends: retry after ``retry_after`` seconds
        ├── RecipientError            this message fails, the rest go on (``opted_out`` flags STOP)
        └── FatalProviderError        authentication, configuration, credit: stop the whole run

Foreign exceptions (requests, MySQLdb) are translated once, at the boundary that
raised them, with ``raise ... from``; none escapes its folder.
"""

from __future__ import annotations


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


class CiviCRMError(CivismsError):
    """Talking to CiviCRM failed."""


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
    """An SMS gateway refused or failed."""

    def __init__(self, message: str, *, code: str | None = None, raw: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.raw = raw


class TransientError(ProviderError):
    """Worth retrying: network error, timeout, 5xx."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        raw: object = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, raw=raw)
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
