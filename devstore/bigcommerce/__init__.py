"""The devstore's BigCommerce: what the app sees of BigCommerce, under the app's platform URL mapping.

``https://login.bigcommerce.com/{path}`` is served at ``/bigcommerce/login/{path}`` (the token
endpoint) and ``https://api.bigcommerce.com/{path}`` at ``/bigcommerce/api/{path}`` (the REST v2/v3
subset the app uses, with the store's shared rate limit). ``/bigcommerce/{store_hash}/manage`` is
the store's control panel: it installs the app through its auth callback, frames its load callback
with a ``signed_payload_jwt``, and sends the uninstall and remove_user callbacks. Webhooks are thin
and signed. Everything the devstore knows of the app is passed in as a ``BigCommerceApp``.
"""
