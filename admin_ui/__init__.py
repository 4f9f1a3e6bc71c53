"""The embedded admin panel: server-rendered pages that call app.services."""
