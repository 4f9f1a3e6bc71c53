"""The devstore's Shopify: what the app sees of Shopify, under the app's platform URL mapping.

``https://{shop}.myshopify.com/{path}`` is served at ``/shopify/{shop}.myshopify.com/{path}``:
the OAuth authorize page and token endpoint, the admin (which frames the app and issues session
tokens), an App Bridge stand-in, the Admin API's token check, and signed webhook deliveries.
Everything the devstore knows of the app (client id and secret, URL, webhook subscriptions) is
passed in as an ``AppRegistration``: the devstore never imports the app.
"""
