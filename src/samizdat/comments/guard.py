"""Abuse protection without third parties: a proof-of-work challenge (rate limits are in
samizdat.clients).

The challenge asks the browser to find a number whose SHA-256 with a signed puzzle starts with
`bits` zero bits: about a second of a phone's time, nothing for one reader, costly for a
program posting thousands.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

CHALLENGE_AGE = 900
SALT = "samizdat.comments.challenge"


def new_challenge(client: str) -> dict:
    bits = settings.COMMENTS_CHALLENGE_BITS
    puzzle = signing.dumps({"c": client, "r": secrets.token_hex(8), "b": bits}, salt=SALT,
                           compress=True)
    return {"puzzle": puzzle, "bits": bits}


def solved(client: str, puzzle: str, answer: str) -> bool:
    """A fresh puzzle made for this client, solved, and never used before."""
    try:
        data = signing.loads(puzzle, salt=SALT, max_age=CHALLENGE_AGE)
    except signing.BadSignature:
        return False
    if data.get("c") != client or not answer.isdigit() or len(answer) > 20:
        return False
    digest = hashlib.sha256(f"{puzzle}:{answer}".encode()).digest()
    if int.from_bytes(digest, "big") >> (256 - data["b"]) != 0:
        return False
    return cache.add(f"samizdat:puzzle:{hashlib.sha256(puzzle.encode()).hexdigest()}", 1,
                     CHALLENGE_AGE)


def solve(puzzle: str, bits: int) -> str:
    """What the browser does (comments.js); here for tests and the benchmark."""
    n = 0
    while True:
        digest = hashlib.sha256(f"{puzzle}:{n}".encode()).digest()
        if int.from_bytes(digest, "big") >> (256 - bits) == 0:
            return str(n)
        n += 1
