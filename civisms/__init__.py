"""civisms: the SMS service for CiviCRM sites."""

__version__ = "0.1.0"
