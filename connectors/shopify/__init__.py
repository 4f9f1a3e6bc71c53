"""Shopify: built on Shopify's ``shopifyapp`` package and the caller's ``httpx.AsyncClient``."""
