"""The read-only JSON API for partners' apps: published content under /api/v1/."""
