"""API v4 and route URLs for every CMS URL form of COMPAT §7.1."""

from __future__ import annotations

import pytest

from civisms.civicrm.urls import api4_batch_url, api4_url, route_url, site_host

STANDALONE = "https://host/civicrm/ajax/api4/Contact/get"
DRUPAL_PLAIN = "https://host/index.php?q=civicrm/ajax/api4/Contact/get"
WP_ADMIN = "https://host/wp-admin/admin.php?page=CiviCRM&q=civicrm%2Fajax%2Fapi4%2FContact%2Fget"
WP_FRONT = "https://host/?civiwp=CiviCRM&q=civicrm%2Fajax%2Fapi4%2FContact%2Fget"
JOOMLA = "https://host/administrator/index.php?option=com_civicrm&task=civicrm/ajax/api4/Contact/get"


@pytest.mark.parametrize(("configured", "expected"), [
    # Standalone, Drupal/Backdrop with clean URLs: base or endpoint.
    ("https://host", STANDALONE),
    ("https://host/", STANDALONE),
    ("https://host/civicrm/ajax/api4", STANDALONE),
    ("https://host/civicrm/ajax/api4/Contact/get", STANDALONE),  # copied from the Explorer
    ("https://host/civicrm", STANDALONE),  # the CiviCRM page itself
    ("https://host/drupal/", "https://host/drupal/civicrm/ajax/api4/Contact/get"),
    ("http://host:8080/civicrm/ajax/api4", "http://host:8080/civicrm/ajax/api4/Contact/get"),
    # Drupal without clean URLs.
    ("https://host/index.php", DRUPAL_PLAIN),
    ("https://host/index.php?q=civicrm/ajax/api4", DRUPAL_PLAIN),
    ("https://host/index.php?q=civicrm/ajax/api4/Activity/create", DRUPAL_PLAIN),
    ("https://host/?q=civicrm/ajax/api4", "https://host/?q=civicrm/ajax/api4/Contact/get"),
    # WordPress back-end.
    ("https://host/wp-admin/admin.php?page=CiviCRM&q=civicrm%2Fajax%2Fapi4", WP_ADMIN),
    ("https://host/wp-admin/admin.php?page=CiviCRM", WP_ADMIN),
    ("https://host/wp-admin/admin.php", WP_ADMIN),
    ("https://host/wp-admin/", WP_ADMIN),
    ("https://host/wp-admin", WP_ADMIN),
    # WordPress front-end, and the clean-URL base page (trailing slash kept).
    ("https://host/?civiwp=CiviCRM&q=civicrm%2Fajax%2Fapi4", WP_FRONT),
    ("https://host/?civiwp=CiviCRM", WP_FRONT),
    ("https://host/civicrm/ajax/api4/", "https://host/civicrm/ajax/api4/Contact/get/"),
    ("https://host/crm/ajax/api4/", "https://host/crm/ajax/api4/Contact/get/"),
    ("https://host/civicrm/", STANDALONE),
    # Joomla back-end and front-end.
    ("https://host/administrator/index.php?option=com_civicrm&task=civicrm/ajax/api4", JOOMLA),
    ("https://host/administrator/index.php?option=com_civicrm", JOOMLA),
    ("https://host/administrator/", JOOMLA),
    ("https://host/index.php?option=com_civicrm",
     "https://host/index.php?option=com_civicrm&task=civicrm/ajax/api4/Contact/get"),
])
def test_api4_url(configured: str, expected: str) -> None:
    assert api4_url(configured, "Contact", "get") == expected


@pytest.mark.parametrize(("configured", "expected"), [
    ("https://host", "https://host/civicrm/ajax/rest"),
    ("https://host/civicrm/ajax/api4", "https://host/civicrm/ajax/rest"),
    ("https://host/index.php?q=civicrm/ajax/api4", "https://host/index.php?q=civicrm/ajax/rest"),
    ("https://host/wp-admin/admin.php?page=CiviCRM&q=civicrm%2Fajax%2Fapi4",
     "https://host/wp-admin/admin.php?page=CiviCRM&q=civicrm%2Fajax%2Frest"),
    ("https://host/?civiwp=CiviCRM", "https://host/?civiwp=CiviCRM&q=civicrm%2Fajax%2Frest"),
    ("https://host/crm/ajax/api4/", "https://host/crm/ajax/rest/"),
    ("https://host/administrator/",
     "https://host/administrator/index.php?option=com_civicrm&task=civicrm/ajax/rest"),
])
def test_route_url_for_api3_rest(configured: str, expected: str) -> None:
    assert route_url(configured, "civicrm/ajax/rest") == expected


def test_batch_endpoint() -> None:
    assert api4_batch_url("https://host/civicrm/ajax/api4/Contact/get") == (
        "https://host/civicrm/ajax/api4")
    assert api4_batch_url("https://host/wp-admin/") == (
        "https://host/wp-admin/admin.php?page=CiviCRM&q=civicrm%2Fajax%2Fapi4")


def test_user_info_is_kept_in_urls_but_not_in_the_host() -> None:
    url = "https://user:pa55@host:8443/"
    assert api4_url(url, "Contact", "get") == "https://user:pa55@host:8443/civicrm/ajax/api4/Contact/get"
    assert site_host(url) == "host:8443"


def test_not_an_http_url() -> None:
    with pytest.raises(ValueError, match="http"):
        api4_url("ftp://user:secret@host/", "Contact", "get")
    with pytest.raises(ValueError) as err:
        api4_url("ftp://user:secret@host/", "Contact", "get")
    assert "secret" not in str(err.value)
