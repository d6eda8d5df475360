"""Argon2 at the lowest cost it allows, for the suite only.

The site's own parameters (Django's defaults: 100 MiB, two passes, eight lanes) take about a
quarter of a second a hash on a CI machine, and most tests make four staff accounts. The
algorithm and the stored form stay Argon2; a hash made here verifies with the site's hasher,
which reads the parameters from the hash (and upgrades it at the next sign-in).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8  # KiB: Argon2's minimum for one lane
    parallelism = 1
