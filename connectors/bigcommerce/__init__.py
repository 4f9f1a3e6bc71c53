"""BigCommerce: REST v2 (orders) and v3 (customers, refunds, hooks) over the caller's ``httpx.AsyncClient``."""
