"""What a baked copy shows, kept beside it so a later update can rewrite only what changed.

A small SQLite file next to each version folder (`.<name>.<stamp>.sqlite3`, outside the
folder, so it is never served or sent to a mirror) holds:

- for each listing (its first page's address), the cursors of its "older" pages in the
  copy, so an update finds the page an article is on without walking the listing;
- for each article in the copy, its footprint: its address, its place in lists and every
  page that shows it, so an update knows where an edited or unpublished article was;
- the SHA-256 of every file of the copy, so a mirror sync after an update hashes only the
  files that update wrote;
- a journal of what each update wrote and removed, numbered, so a mirror that has the copy
  up to a number is sent what came after it and nothing else (mirrors/sync.py); the
  journal is trimmed once every mirror has it.
"""

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS chain (
    listing TEXT NOT NULL, micros INTEGER NOT NULL, pk INTEGER NOT NULL,
    PRIMARY KEY (listing, micros, pk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS article (id INTEGER PRIMARY KEY, footprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS file (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, sha256 TEXT);
"""

Key = tuple[int, int]  # (published_at in microseconds, id): an article's place in lists


@dataclass
class Footprint:
    """Where a published article shows in the copy."""

    path: str  # its own page
    key: Key
    listings: list[str] = field(default_factory=list)  # first pages of lists holding it
    pages: list[str] = field(default_factory=list)  # other pages: home, feeds, sitemaps

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> "Footprint":
        data = json.loads(text)
        return cls(data["path"], tuple(data["key"]), data["listings"], data["pages"])


def path_for(folder: Path) -> Path:
    return folder.with_name(folder.name + ".sqlite3")


class State:
    def __init__(self, folder: Path):
        self.db = sqlite3.connect(path_for(folder), isolation_level=None)
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        self.db.execute("BEGIN")
        return self

    def __exit__(self, kind, error, traceback):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        self.close()

    # --- listings ---
    def add_chain(self, listing: str, keys: Iterable[Key]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO chain VALUES (?, ?, ?)",
                            ((listing, m, pk) for m, pk in keys))

    def remove_chain(self, listing: str, keys: Iterable[Key]) -> None:
        self.db.executemany("DELETE FROM chain WHERE listing = ? AND micros = ? AND pk = ?",
                            ((listing, m, pk) for m, pk in keys))

    def page_holding(self, listing: str, key: Key) -> tuple[Key | None, Key | None]:
        """The cursor of the page of `listing` that holds `key` (None: the first page), and
        the cursor of the page before that one (None: the first page)."""
        rows = self.db.execute(
            "SELECT micros, pk FROM chain WHERE listing = ? AND (micros, pk) > (?, ?) "
            "ORDER BY micros, pk LIMIT 2", (listing, *key)).fetchall()
        holding = tuple(rows[0]) if rows else None
        before = tuple(rows[1]) if len(rows) > 1 else None
        return holding, before

    def in_chain(self, listing: str, key: Key) -> bool:
        return self.db.execute("SELECT 1 FROM chain WHERE listing = ? AND micros = ? AND pk = ?",
                               (listing, *key)).fetchone() is not None

    def chain_between(self, listing: str, newer: Key | None, older: Key | None) -> list[Key]:
        """The cursors strictly between `newer` and `older` (None: no bound), newest first."""
        newer = newer or (2**63 - 1, 2**63 - 1)
        older = older or (-1, -1)
        return [tuple(r) for r in self.db.execute(
            "SELECT micros, pk FROM chain WHERE listing = ? AND (micros, pk) < (?, ?) "
            "AND (micros, pk) > (?, ?) ORDER BY micros DESC, pk DESC",
            (listing, *newer, *older))]

    # --- articles ---
    def footprints(self, ids: Iterable[int]) -> dict[int, Footprint]:
        found = {}
        for pk in ids:
            row = self.db.execute("SELECT footprint FROM article WHERE id = ?", (pk,)).fetchone()
            if row:
                found[pk] = Footprint.load(row[0])
        return found

    def set_footprints(self, footprints: dict[int, Footprint | None]) -> None:
        self.db.executemany("DELETE FROM article WHERE id = ?",
                            ((pk,) for pk, f in footprints.items() if f is None))
        self.db.executemany("INSERT OR REPLACE INTO article VALUES (?, ?)",
                            ((pk, f.dump()) for pk, f in footprints.items() if f is not None))

    # --- files ---
    def set_files(self, digests: dict[str, str | None]) -> None:
        self.db.executemany("DELETE FROM file WHERE path = ?",
                            ((p,) for p, d in digests.items() if d is None))
        self.db.executemany("INSERT OR REPLACE INTO file VALUES (?, ?)",
                            ((p, d) for p, d in digests.items() if d is not None))

    # --- journal ---
    def record(self, changes: dict[str, str | None]) -> None:
        """Note what an update wrote (path: SHA-256) and removed (path: None)."""
        self.db.executemany("INSERT INTO journal (path, sha256) VALUES (?, ?)",
                            sorted(changes.items()))

    def changes_since(self, seq: int) -> tuple[dict[str, str | None], int]:
        """What changed after entry `seq` (each path's last change), and the last entry's
        number; ({}, seq) when nothing did."""
        changes, last = {}, seq
        for number, path, digest in self.db.execute(
                "SELECT seq, path, sha256 FROM journal WHERE seq > ? ORDER BY seq", (seq,)):
            changes[path], last = digest, number
        return changes, last

    def last_entry(self) -> int:
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'journal'"
                              ).fetchone()
        return row[0] if row else 0

    def forget_until(self, seq: int) -> None:
        self.db.execute("DELETE FROM journal WHERE seq <= ?", (seq,))

    def files(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT path, sha256 FROM file"))

    def file_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM file").fetchone()[0]

    def has_files(self) -> bool:
        return self.db.execute("SELECT 1 FROM file LIMIT 1").fetchone() is not None


def digests(root: Path, skip: str = "") -> dict[str, str]:
    """{relative path: SHA-256} of every file under `root` (but `skip`)."""
    files = {}
    for folder, _dirs, names in os.walk(root, followlinks=True):
        for name in names:
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if relative != skip:
                files[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files
