"""HTTP transport of the ``api4`` backend: one pooled session, CiviCRM's errors as civisms errors.

Every call is ``POST {endpoint}/{Entity}/{action}`` with the single form field
``params=<json>`` (COMPAT §7.2: a JSON body is silently ignored by CiviCRM), the AuthX
header ``X-Civi-Auth: Bearer <key>`` and ``X-Requested-With: XMLHttpRequest`` (§7.3), plus
``X-Civi-Key`` when a site key is configured. No ``requests`` exception leaves this module,
and no error text carries the API key or the site key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import requests
import urllib3

from civisms import __version__
from civisms.civicrm.urls import api4_url, site_host
from civisms.errors import (
    CiviCRMAPIError,
    CiviCRMAuthError,
    CiviCRMError,
    CiviCRMPermissionDenied,
    CiviCRMUnreachable,
    ConfigError,
)
from civisms.providers import deadline
from civisms.providers.bounded import TooLarge
from civisms.providers.watched import WatchedAdapter, read_urllib3
from civisms.redact import scrub, secret_forms

#: Most bytes of one API answer civisms reads (after decompression): a page of 500 rows
#: is a few hundred KB; a site answering gigabytes must not take civisms' memory.
MAX_ANSWER = 8 << 20

#: Rows per ``get`` page: big enough for few round trips, small enough for PHP's memory.
PAGE_SIZE = 500

#: Permissions CiviCRM checks, for a 403 that does not say (COMPAT §1.2, §5, §7.6).
PERMISSIONS: dict[tuple[str, str], str] = {
    ("SmsProvider", "*"): "'administer CiviCRM'",
    ("MessageTemplate", "get"): "'access CiviCRM'",
    ("MessageTemplate", "*"): "'edit message templates' (or 'edit user-driven message templates')",
    ("Activity", "get"): "'access CiviCRM'",
    ("Activity", "*"): "'access CiviCRM' and 'view all activities' (and edit rights on contacts)",
    ("ActivityContact", "*"): "'access CiviCRM' and 'view all activities'",
    ("Mailing", "*"): "'access CiviCRM' and 'access CiviMail' (or 'create mailings')",
    ("MailingGroup", "*"): "'access CiviCRM' and 'access CiviMail' (or 'create mailings')",
    ("Campaign", "*"): "'administer CiviCampaign'",
}

#: API v4 entities newer than some sites, for "does not exist" errors (COMPAT §8).
SINCE = {"SmsProvider": "5.69", "Mailing": "5.48", "MailingJob": "5.48",
         "MessageTemplate": "5.26", "MailingEventQueue": "5.57"}

_ERROR_ID = re.compile(r"Error ID:\s*([\w-]+)")
_URL_FORMS = (
    "https://host/civicrm/ajax/api4 (Standalone, Drupal), "
    "https://host/wp-admin/admin.php?page=CiviCRM&q=civicrm/ajax/api4 (WordPress), "
    "https://host/administrator/index.php?option=com_civicrm&task=civicrm/ajax/api4 (Joomla)"
)


class Api4Client:
    """A CiviCRM API v4 endpoint reached over HTTP."""

    def __init__(
        self, api_url: str, api_key: str, *, site_key: str | None = None, timeout: float = 30.0
    ) -> None:
        try:
            api4_url(api_url, "Contact", "get")
        except ValueError:
            raise ConfigError(
                "CIVISMS_API_URL", repr(site_host(api_url)), "an http:// or https:// URL of the "
                "CiviCRM site or of its API v4 endpoint"
            ) from None
        self.api_url = api_url
        self.host = site_host(api_url)
        self.timeout = timeout
        for setting, value in (("CIVISMS_API_KEY", api_key), ("CIVISMS_SITE_KEY", site_key)):
            if value and not value.isascii():
                raise ConfigError(setting, "a value with non-ASCII characters",
                                  "the key exactly as CiviCRM shows it (ASCII)")
        self._secrets = secret_forms([s for s in (api_key, site_key) if s])
        self.session = requests.Session()
        adapter = WatchedAdapter(pool_connections=2, pool_maxsize=8, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({
            "X-Civi-Auth": f"Bearer {api_key}",
            "X-Requested-With": "XMLHttpRequest",
            "Accept": "application/json",
            "User-Agent": f"civisms/{__version__}",
        })
        if site_key:
            self.session.headers["X-Civi-Key"] = site_key

    def close(self) -> None:
        """Release the pooled connections."""
        self.session.close()

    # -- calls ---------------------------------------------------------------------------

    def call(self, entity: str, action: str, params: Mapping[str, Any] | None = None) -> dict:
        """Run one API v4 action; the decoded response body (``values``, ``count``, ...)."""
        body = json.dumps(params or {}, separators=(",", ":"), ensure_ascii=False)
        url = api4_url(self.api_url, entity, action)
        # One deadline for the whole call (a site trickling its answer never holds us
        # longer), and at most MAX_ANSWER bytes read, however compressed.
        with deadline.watch(self.timeout) as ticket, deadline.as_current(ticket):
            response = self._post(url, body, entity, action, ticket)
        return self._decode(response, entity, action)

    def _post(self, url: str, body: str, entity: str, action: str,
              ticket: deadline.Ticket) -> requests.Response:
        late = CiviCRMUnreachable(
            f"CiviCRM at {self.host} did not answer {entity}.{action} within "
            f"{self.timeout:g} s (CIVISMS_API_TIMEOUT)")
        try:
            # Redirects are refused: requests would turn the POST into a GET and drop
            # the params, and a get without its where answers with the wrong rows.
            response = self.session.post(
                url, data={"params": body}, allow_redirects=False, stream=True,
                timeout=(min(10.0, ticket.remaining()), ticket.remaining()),
            )
        except requests.exceptions.SSLError:
            raise CiviCRMUnreachable(
                f"TLS error talking to CiviCRM at {self.host}: check the certificate or the "
                "scheme of CIVISMS_API_URL"
            ) from None
        except requests.Timeout:
            raise late from None
        except requests.ConnectionError as exc:
            if ticket.expired:
                raise late from None
            raise CiviCRMUnreachable(
                f"cannot connect to CiviCRM at {self.host} ({_connection_reason(exc)})"
            ) from None
        except requests.RequestException as exc:
            raise CiviCRMUnreachable(
                f"request to CiviCRM at {self.host} failed ({type(exc).__name__})"
            ) from None
        try:
            response._content = read_urllib3(response.raw, MAX_ANSWER)
        except TooLarge as exc:
            raise CiviCRMAPIError(
                f"CiviCRM at {self.host} answered {entity}.{action} with {exc}: not read "
                "(is CIVISMS_API_URL the API v4 endpoint?)") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            raise late if ticket.expired else CiviCRMUnreachable(
                f"CiviCRM at {self.host} closed the connection while answering "
                f"{entity}.{action}") from None
        finally:
            response.close()
        return response

    def values(self, entity: str, action: str, params: Mapping[str, Any] | None = None) -> list:
        """The ``values`` of one call."""
        return list(self.call(entity, action, params)["values"])

    def get_all(
        self, entity: str, params: Mapping[str, Any], *, page_size: int = PAGE_SIZE
    ) -> list[dict]:
        """Every row of a ``get``, fetched ``page_size`` at a time (``params`` must order)."""
        return list(self.iter_get(entity, params, page_size=page_size))

    def iter_get(
        self, entity: str, params: Mapping[str, Any], *, page_size: int = PAGE_SIZE
    ) -> Iterator[dict]:
        """Rows of a ``get``, one page per request; a short page is the last."""
        offset = 0
        while True:
            page = self.values(entity, "get", {**params, "limit": page_size, "offset": offset})
            yield from page
            if len(page) < page_size:
                return
            offset += page_size

    # -- answers -------------------------------------------------------------------------

    def _decode(self, response: requests.Response, entity: str, action: str) -> dict:
        status = response.status_code
        what = f"{entity}.{action}"
        if 300 <= status < 400:
            target = site_host(response.headers.get("Location", "")) or "elsewhere"
            raise CiviCRMAPIError(
                f"CiviCRM at {self.host} redirected {what} (HTTP {status}) to {target}: set "
                "CIVISMS_API_URL to the final URL (https, www., trailing slash)"
            )
        body = _json(response)
        if status == 401:
            raise CiviCRMAuthError(self._auth_message(response.text))
        if body is None:
            raise self._not_json(response, what)
        if isinstance(body, dict) and ("error_message" in body or "status_message" in body):
            # WordPress before 6.9 answered errors with HTTP 200 (COMPAT §7.4).
            raise self._api_error(body, status, entity, action)
        if status != 200:
            raise self._api_error(body if isinstance(body, dict) else {}, status, entity, action)
        if not isinstance(body, dict) or not isinstance(body.get("values"), list):
            raise CiviCRMAPIError(
                f"CiviCRM at {self.host} answered {what} without 'values': is "
                "CIVISMS_API_URL an API v4 endpoint?"
            )
        return body

    def _auth_message(self, text: str) -> str:
        reason = self._scrub(text.strip().removeprefix("HTTP 401").strip()) or "refused"
        message = f"CiviCRM at {self.host} refused the credentials (HTTP 401 {reason})"
        if "guard" in text:
            return (
                f"{message}: the key is valid but its user lacks the permission "
                "'authenticate with api key'; grant it to the user's role, or set "
                "CIVISMS_SITE_KEY to the site's CIVICRM_SITE_KEY"
            )
        return f"{message}: check CIVISMS_API_KEY (and CIVISMS_SITE_KEY if the site needs it)"

    def _not_json(self, response: requests.Response, what: str) -> CiviCRMError:
        kind = response.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
        if response.status_code in (502, 503, 504):
            return CiviCRMUnreachable(
                f"CiviCRM at {self.host} is unavailable (HTTP {response.status_code}): "
                "try again later"
            )
        if response.status_code == 404:
            return CiviCRMAPIError(
                f"no CiviCRM API v4 at {self.host} for {what} (HTTP 404): check CIVISMS_API_URL, "
                f"e.g. {_URL_FORMS}"
            )
        if response.status_code >= 500:
            return CiviCRMAPIError(
                f"CiviCRM at {self.host} failed on {what} (HTTP {response.status_code}, {kind}): "
                "see the web server's error log"
            )
        return CiviCRMAPIError(
            f"CiviCRM at {self.host} answered {what} with {kind}, not JSON (HTTP "
            f"{response.status_code}; a login or CMS page?): CIVISMS_API_URL is probably not the "
            f"API v4 endpoint; give the site base URL or the endpoint, e.g. {_URL_FORMS}"
        )

    def _api_error(self, body: dict, status: int, entity: str, action: str) -> CiviCRMError:
        what = f"{entity}.{action}"
        status = _status(body.get("status") or body.get("status_code"), status)
        message = self._scrub(str(body.get("error_message") or body.get("status_message") or ""))
        error_id = _ERROR_ID.search(message)
        generic = error_id is not None and message.startswith("Sorry an error occurred")
        if status == 403:
            needed = _permission(entity, action)
            detail = f"Error ID {error_id.group(1)}" if generic and error_id else message
            hint = f": it needs {needed}" if needed else ": check the role of the API user"
            return CiviCRMPermissionDenied(
                f"the CiviCRM API user may not run {what} (HTTP 403, {detail}){hint}"
            )
        if status == 400:
            return CiviCRMAPIError(
                f"CiviCRM at {self.host} refused {what} as a cross-site request (HTTP 400): a "
                "proxy may be stripping the X-Requested-With or X-Civi-Auth header"
            )
        if status == 405:
            return CiviCRMAPIError(
                f"CiviCRM at {self.host} received {what} as a GET (HTTP 405): something between "
                "civisms and the site rewrites POST requests; check CIVISMS_API_URL"
            )
        if status == 503:
            return CiviCRMUnreachable(
                f"CiviCRM at {self.host} is unavailable (HTTP 503: {message or 'maintenance'}): "
                "try again later"
            )
        if generic and error_id:
            return CiviCRMAPIError(
                f"CiviCRM API error on {what} (Error ID {error_id.group(1)}; the details are in "
                "the CiviCRM log because the API user lacks 'view debug output')"
            )
        if "does not exist" in message and entity in SINCE:
            message += f" (API v4 {entity} needs CiviCRM {SINCE[entity]} or later)"
        return CiviCRMAPIError(f"CiviCRM API error on {what}: {message or f'HTTP {status}'}")

    def _scrub(self, text: str) -> str:
        return scrub(text, self._secrets)[:300]


def _json(response: requests.Response) -> Any:
    kind = response.headers.get("Content-Type", "")
    if "json" not in kind and not response.text.lstrip().startswith(("{", "[")):
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _status(value: object, http_status: int) -> int:
    """The status an error body claims (``"403"``, 403), else the HTTP one."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) == 3 else http_status


def _permission(entity: str, action: str) -> str | None:
    return PERMISSIONS.get((entity, action)) or PERMISSIONS.get((entity, "*"))


def _connection_reason(exc: requests.ConnectionError) -> str:
    # The exception text repeats the URL; keep only the cause, by its well-known words.
    text = str(exc)
    for needle, reason in (
        ("Connection refused", "connection refused"),
        ("Name or service not known", "unknown host name"),
        ("nodename nor servname", "unknown host name"),
        ("Temporary failure in name resolution", "host name lookup failed"),
        ("No route to host", "no route to host"),
        ("Network is unreachable", "network unreachable"),
        ("Connection reset", "connection reset"),
        ("RemoteDisconnected", "connection closed by the server"),
    ):
        if needle in text:
            return reason
    return "network error"
