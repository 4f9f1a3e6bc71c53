"""Platform-neutral domain services: what the admin panel and the jobs call."""
