"""Background jobs (arq). Each takes primitive ids, is idempotent, and calls app.services."""
