"""Post-purchase and support surveys: scheduling, suppression rules, sending, answering.

The survey row is the state that matters (DESIGN invariant 4): the scheduler writes it, the
send job claims it (SCHEDULED → SENDING) before any email leaves, the public page answers it.
"""
