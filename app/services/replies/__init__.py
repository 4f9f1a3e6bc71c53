"""Canned replies and replying to customers by email.

sandbox (merchant templates in Jinja2's immutable sandbox, with limits) → context (plain dicts of a
shop's customer/order) → rendering (locale version, required variables) → forms/catalog (the editor
and the shop's replies) → outbound (QUEUED message, then SMTP by the ``send_reply`` job).
"""
