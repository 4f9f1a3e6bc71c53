"""Who is calling: installs (token exchange, auth-code grant), session tokens, embedded requests."""
