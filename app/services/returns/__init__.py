"""Returns: a form parsed into a request (``form``), checked against the order and the shop's
policy (``returnable``, ``window``, ``eligibility``), written REQUESTED (``creation``), moved
through its states by staff (``lifecycle``), reviewed oldest first (``review``), refunded through
the refund pages (``refund_link``), and mirrored to the platform's own returns by a job
(``mirror``, run by ``jobs.returns.mirror_return``). ``records`` is what every step writes."""
