"""Survey insights for the CSAT dashboard: filters, score formulas, aggregate queries, CSV export.

Every query here is scoped by ``shop_id`` first (tenant isolation) and reads the ``survey`` and
``survey_response`` rows directly, so the dashboard works whoever wrote them.
"""
