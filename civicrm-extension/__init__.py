"""The CiviCRM extension org.civisms.bridge, shipped inside civisms for ``civisms bridge build``
(this file only makes the folder importable; it is left out of the zip)."""
