"""Which handler a recorded delivery goes to: Shopify's topics and BigCommerce's hook scopes
(``store/…``) never share a name, so one table serves both platforms."""

from __future__ import annotations

from app.models import WebhookStatus
from jobs import bigcommerce_webhooks, webhook_handlers
from jobs.webhook_handlers import Event, Handler, Outcome

HANDLERS: dict[str, Handler] = {**webhook_handlers.HANDLERS, **bigcommerce_webhooks.HANDLERS}


async def dispatch(event: Event) -> Outcome:
    handler = HANDLERS.get(event.topic)
    if handler is not None:
        return await handler(event)
    return Outcome(WebhookStatus.IGNORED, "no handler for this topic")
