"""``civicrm_sms_provider.api_params``: the free-text ``key=value`` lines, parsed as CiviCRM does.

Both backends call :func:`parse_api_params` so that a provider row means the same thing
whichever way civisms reads it.
"""

from __future__ import annotations

# PHP's trim() strips exactly these characters; Python's str.strip() would also eat
# Unicode spaces (NBSP ...) that CiviCRM keeps.
_PHP_TRIM = " \t\n\r\0\x0b"


def parse_api_params(text: str | None) -> dict[str, str]:
    """Parse ``api_params`` exactly as ``CRM_SMS_BAO_SmsProvider::getProviderInfo()`` does.

    COMPAT §1.2 item 4: split on ``"\\n"``, skip empty lines, ``explode("=", $line)`` and
    keep the first two pieces (a value containing ``=`` is truncated at its first ``=``),
    ``trim()`` key and value; a later duplicate key wins. Quirks kept on purpose:

    * PHP's ``empty()`` is also true for the line ``"0"``, so that line is skipped too;
    * a line without ``=`` yields its key with the value ``""`` (PHP reads a missing
      piece as NULL, and ``trim(NULL)`` is ``""``);
    * a line of blanks or a lone ``"\\r"`` (CRLF text) is not empty for PHP: it yields the
      key ``""``, harmless because no provider reads it.
    """
    params: dict[str, str] = {}
    if not text:
        return params
    for line in text.split("\n"):
        if line in ("", "0"):
            continue
        pieces = line.split("=")
        key = pieces[0].strip(_PHP_TRIM)
        value = pieces[1].strip(_PHP_TRIM) if len(pieces) > 1 else ""
        params[key] = value
    return params


def raw_api_param(text: str | None, key: str) -> str | None:
    """The *untruncated* value of ``key`` in raw ``api_params`` text (last occurrence wins).

    CiviCRM's parser cuts values at their second ``=``, which destroys base64 secrets such
    as Clickatell API keys (``...==``); an adapter that has the raw text can recover them.
    """
    found: str | None = None
    if not text:
        return found
    for line in text.split("\n"):
        name, sep, value = line.partition("=")
        if sep and name.strip(_PHP_TRIM) == key:
            found = value.strip(_PHP_TRIM)
    return found
