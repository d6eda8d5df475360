"""Reading a reader's query, and marking what it found, the same way for every engine.

Text is searched by stems: "Минска" finds Минск, "Мінску" finds Мінск and "protests" finds
protest. Russian and English stems come from Snowball (PyStemmer, its C implementation);
Belarusian has no Snowball stemmer, so a short list of its endings is cut off instead.
SQLite's index holds the stems themselves (`stem_text`), so a query looks up exact terms
and never a prefix, whose cost grows with the archive; PostgreSQL stems Russian and English
itself and gets our stems for the rest. The snippets mark the words whose stems matched.
"""

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from markupsafe import Markup, escape

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MIN_STEM = 2

_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

# Longest first; a stem keeps at least three letters.
BELARUSIAN_ENDINGS = sorted("""
    ямі амі ымі імі ага яга ому аму яму ымі ую юю ая яя ое ае ыя ія ых іх ым ім ой ай ей яй
    аў яў ам ям ах ях ом ем ці ць ла лі ло ўся ецца аецца ы і а я у ю е о ь ў
""".split(), key=len, reverse=True)


@lru_cache(maxsize=4)
def _snowball(language: str):
    name = {"ru": "russian", "en": "english"}.get(language)
    return Stemmer.Stemmer(name) if name else None


@lru_cache(maxsize=65536)
def _belarusian(word: str) -> str:
    for ending in BELARUSIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def stem(word: str, language: str) -> str:
    word = word.lower()
    stemmer = _snowball(language)
    if stemmer is not None:
        return stemmer.stemWord(word)  # PyStemmer keeps its own cache of recent words
    return _belarusian(word) if language == "be" else word


def stem_text(text: str, language: str) -> str:
    """The stems of every word of `text`, space-separated: what SQLite's index holds."""
    words = _WORD.findall(text.lower())
    stemmer = _snowball(language)
    if stemmer is not None:
        return " ".join(stemmer.stemWords(words))
    if language == "be":
        return " ".join(_belarusian(w) for w in words)
    return " ".join(words)


@dataclass(frozen=True)
class Query:
    """A reader's query: phrases of words, each word as typed and as a stem per language."""

    phrases: tuple[tuple[str, ...], ...]  # lower-cased words; one-word phrases are words

    @property
    def words(self) -> list[str]:
        return [w for phrase in self.phrases for w in phrase]

    def stems(self, language: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(stem(w, language) for w in phrase) for phrase in self.phrases)


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the reader."""


def parse(text: str) -> Query:
    from django.utils.translation import gettext as _

    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(_("The query is too long: at most %(n)d characters.")
                         % {"n": MAX_QUERY_CHARS})
    phrases: list[tuple[str, ...]] = []
    for match in _PHRASE.finditer(text):
        words = tuple(w.lower() for w in _WORD.findall(match.group(1)))
        if words:
            phrases.append(words)
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    phrases += [(w.lower(),) for w in _WORD.findall(rest)]
    phrases = [p for p in dict.fromkeys(phrases) if len("".join(p)) >= MIN_STEM]
    if not phrases:
        raise QueryError(_("Type a word or two to search for."))
    if sum(len(p) for p in phrases) > MAX_TERMS:
        raise QueryError(_("Too many words: search for at most %(n)d.") % {"n": MAX_TERMS})
    return Query(tuple(phrases))


def plain_text(markup: str) -> str:
    """The words of a sanitised article body, without its tags."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup or ""))).strip()


@lru_cache(maxsize=256)
def _pattern(query: Query, language: str) -> re.Pattern:
    stems = {s for phrase in query.stems(language) for s in phrase if s}
    alternatives = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE | re.UNICODE)


def mark(text: str, query: Query, language: str) -> Markup:
    """`text` escaped, with every word the query matched in <mark>."""
    pattern = _pattern(query, language)
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last:match.start()]), Markup("<mark>%s</mark>") % match.group()]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str, query: Query, language: str, width: int = 240) -> Markup:
    """About `width` characters of `text` around its first match, marked."""
    match = _pattern(query, language).search(text)
    start = max(0, (match.start() if match else 0) - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    piece = mark(text[start:end], query, language)
    return Markup("%s%s%s") % ("… " if start else "", piece, " …" if end < len(text) else "")
