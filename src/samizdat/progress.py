"""Progress reporting for long work: a bar on a terminal, plain lines in logs and CI."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import OutputWrapper
from tqdm import tqdm


class _Unended:
    """A management command's stdout or stderr as a plain stream: Django's OutputWrapper
    ends every write with a newline, which would break a bar redrawn with carriage returns."""

    def __init__(self, wrapper: OutputWrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")

    def __getattr__(self, name):  # flush, isatty, fileno: the wrapper's (its stream's)
        return getattr(self.wrapper, name)


class _Lines:
    """Prints "desc: done/total (pct%)" at most every `every` seconds and at the end."""

    def __init__(self, total, desc, stream, every=5.0):
        self.total, self.desc, self.stream, self.every = total, desc, stream, every
        self.done = 0
        self._last = time.monotonic()
        self._started = self._last

    def update(self, n=1):
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._print()

    def _print(self):
        pct = f" ({100 * self.done // self.total}%)" if self.total else ""
        total = f"/{self.total}" if self.total else ""
        self.stream.write(f"{self.desc}: {self.done}{total}{pct}\n")
        self.stream.flush()

    def close(self):
        self._print()


@contextmanager
def progress(total: int | None, desc: str, stream=None) -> Iterator:
    """Yield an object with `update(n)`; closes it with a final line."""
    stream = stream or sys.stderr
    if isinstance(stream, OutputWrapper):
        stream = _Unended(stream)
    if stream.isatty():
        bar = tqdm(total=total, desc=desc, file=stream, unit="", dynamic_ncols=True)
    else:
        bar = _Lines(total, desc, stream)
    try:
        yield bar
    finally:
        bar.close()
