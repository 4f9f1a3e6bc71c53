"""Refunds: a form checked into a plan, quoted by the platform, written as an intent, executed
once by a job (``jobs.refunds.execute_refund``). Modules: ``form`` (parsing), ``plan`` (checks
against the order), ``availability`` (what is left), ``quote`` (the platform's computation),
``intents`` (confirm/approve), ``execution`` (the job's work), ``marker`` (finding ours)."""
