"""Delivery receipts and replies: what gateways tell civisms, recorded in CiviCRM.

``handle`` runs one verified webhook request through its provider's parser and the two
recorders, ``receipts.record_receipt`` and ``inbound.record_inbound``, whatever the
gateway. The HTTP side (``civisms.web``) only turns requests and outcomes into HTTP.
"""
