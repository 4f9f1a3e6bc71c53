"""Shopper-facing pages: no login; a survey's unguessable token is the only credential."""
