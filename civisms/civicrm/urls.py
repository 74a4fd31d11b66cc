"""CiviCRM route URLs built from ``CIVISMS_API_URL``, for every CMS's URL form (COMPAT §7.1).

``CIVISMS_API_URL`` may be the site's base URL or a full API v4 endpoint, as the API4
Explorer shows it (with or without a trailing ``/{Entity}/{action}``). Base → endpoint:

* Standalone, Drupal with clean URLs: ``https://host`` → ``https://host/civicrm/ajax/api4``
* Drupal without clean URLs: ``https://host/index.php`` →
  ``https://host/index.php?q=civicrm/ajax/api4``
* WordPress back-end: ``https://host/wp-admin/`` →
  ``https://host/wp-admin/admin.php?page=CiviCRM&q=civicrm%2Fajax%2Fapi4``
* WordPress front-end: ``https://host/?civiwp=CiviCRM`` →
  ``https://host/?civiwp=CiviCRM&q=civicrm%2Fajax%2Fapi4``
* WordPress clean URLs, base page ``<slug>``: ``https://host/<slug>/ajax/api4/`` (give the
  endpoint; a base ending in ``/civicrm`` works as is)
* Joomla: ``https://host/administrator/`` →
  ``https://host/administrator/index.php?option=com_civicrm&task=civicrm/ajax/api4``

A CiviCRM route is ``civicrm/<path>``. Path forms put it after the site's prefix (the
WordPress base page replaces the ``civicrm`` segment with its own slug); query forms put
it in ``q`` (Drupal, WordPress) or ``task`` (Joomla). A full endpoint ending in ``/``
keeps the slash after the action (WordPress clean URLs add one).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

API4_ROUTE = "civicrm/ajax/api4"
API3_REST_ROUTE = "civicrm/ajax/rest"

# Query parameters that carry the CiviCRM route, by CMS.
_ROUTE_KEYS = ("q", "task")


@dataclass(frozen=True, slots=True)
class _SiteForm:
    """How one site spells a CiviCRM route."""

    scheme: str
    netloc: str
    path: str  # path form: prefix before the civicrm segment; query form: the script path
    query: tuple[tuple[str, str], ...] = ()  # other query parameters, kept in order
    route_key: str | None = None  # "q" / "task" for query forms, None for path forms
    civicrm_segment: str = "civicrm"  # WordPress base page slug replaces "civicrm"
    encode_slashes: bool = False  # WordPress spells q=civicrm%2Fajax%2F...
    trailing_slash: bool = False

    def url(self, route: str) -> str:
        """The URL of ``route`` (``civicrm/...``) on this site."""
        rest = route.strip("/").removeprefix("civicrm").strip("/")
        if self.route_key is None:
            parts = [self.civicrm_segment, *(p for p in rest.split("/") if p)]
            path = self.path.rstrip("/") + "/" + "/".join(quote(p, safe="") for p in parts)
            if self.trailing_slash:
                path += "/"
            return urlunsplit((self.scheme, self.netloc, path, urlencode(self.query), ""))
        value = "civicrm/" + rest if rest else "civicrm"
        safe = "" if self.encode_slashes else "/"
        query = urlencode(self.query)
        route_part = f"{self.route_key}={quote(value, safe=safe)}"
        query = f"{query}&{route_part}" if query else route_part
        return urlunsplit((self.scheme, self.netloc, self.path, query, ""))


def api4_url(api_url: str, entity: str, action: str) -> str:
    """The API v4 endpoint of ``entity``/``action`` on the site ``api_url`` names."""
    return route_url(api_url, f"{API4_ROUTE}/{entity}/{action}")


def api4_batch_url(api_url: str) -> str:
    """The API v4 batch endpoint (form field ``calls``) of the site."""
    return route_url(api_url, API4_ROUTE)


def route_url(api_url: str, route: str) -> str:
    """The URL of any CiviCRM route (e.g. ``civicrm/ajax/rest`` for API v3) on the site."""
    return _site_form(api_url).url(route)


def _site_form(api_url: str) -> _SiteForm:
    parts = urlsplit(api_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {_without_userinfo(api_url)!r}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    base = {"scheme": parts.scheme, "netloc": parts.netloc}

    # A full endpoint or base given through a route parameter (?q=... / ?task=...).
    for key, value in query:
        if key in _ROUTE_KEYS and (value.startswith("civicrm") or value == ""):
            others = tuple((k, v) for k, v in query if k != key)
            encoded = "%2f" in parts.query.lower()
            return _SiteForm(**base, path=parts.path or "/", query=others, route_key=key,
                             encode_slashes=encoded or _is_wordpress(parts.path, others))

    segments = parts.path.split("/")
    endpoint = _find_api4(segments)
    if endpoint is not None:
        prefix, slug = "/".join(segments[: endpoint - 1]), segments[endpoint - 1]
        trailing = parts.path.endswith("/")
        return _SiteForm(**base, path=prefix, query=tuple(query), civicrm_segment=slug,
                         trailing_slash=trailing)

    return _base_form(parts.path, tuple(query), base)


def _base_form(path: str, query: tuple[tuple[str, str], ...], base: dict[str, str]) -> _SiteForm:
    """The form of a site base URL (no route in it)."""
    keys = {k for k, _ in query}
    lower = path.lower().rstrip("/")
    if "page" in keys or "civiwp" in keys or lower.endswith("/wp-admin/admin.php"):
        page = query if keys & {"page", "civiwp"} else (*query, ("page", "CiviCRM"))
        return _SiteForm(**base, path=path or "/", query=page, route_key="q", encode_slashes=True)
    if lower.endswith("/wp-admin"):
        return _SiteForm(**base, path=path.rstrip("/") + "/admin.php",
                         query=(*query, ("page", "CiviCRM")), route_key="q", encode_slashes=True)
    if "option" in keys:  # Joomla: index.php?option=com_civicrm
        return _SiteForm(**base, path=path or "/", query=query, route_key="task")
    if lower.endswith("/administrator") or lower.endswith("/administrator/index.php"):
        script = path.rstrip("/") if lower.endswith(".php") else path.rstrip("/") + "/index.php"
        return _SiteForm(**base, path=script, query=(*query, ("option", "com_civicrm")),
                         route_key="task")
    if lower.endswith(".php"):  # Drupal without clean URLs
        return _SiteForm(**base, path=path, query=query, route_key="q")
    segments = [s for s in path.split("/") if s]
    if segments and segments[-1].lower() == "civicrm":
        # The CiviCRM page itself (Standalone/Drupal) or a WordPress base page: either
        # way its last segment is the one that stands for "civicrm/".
        return _SiteForm(**base, path="/" + "/".join(segments[:-1]), query=query,
                         civicrm_segment=segments[-1])
    return _SiteForm(**base, path="/" + "/".join(segments), query=query)


def _find_api4(segments: list[str]) -> int | None:
    """Index of ``ajax`` in ``.../<civicrm or slug>/ajax/api4[/Entity/action]``."""
    for i in range(1, len(segments) - 1):
        if segments[i] == "ajax" and unquote(segments[i + 1]) == "api4" and segments[i - 1]:
            return i
    return None


def _is_wordpress(path: str, query: tuple[tuple[str, str], ...]) -> bool:
    keys = {k for k, _ in query}
    return "page" in keys or "civiwp" in keys or "/wp-admin/" in path


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def site_host(api_url: str) -> str:
    """The host (and port) of the site, without any user:password, for messages."""
    parts = urlsplit(api_url.strip())
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return netloc or _without_userinfo(api_url)
