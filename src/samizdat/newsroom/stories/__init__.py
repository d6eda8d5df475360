"""Hand-written demo stories: what a new user reads first on a fresh `samizdat up`.

Each story's facts (section, tags, bylines, age, flags) are kept once here; its text in
each edition lives in that language's module (`be.py`, `ru.py`, `en.py`), keyed by the
story's key. A story written in several languages is one translation group. The events,
people and figures are invented; they read like an independent Belarusian newsroom's week.
"""

import datetime
import uuid

from . import be, en, ru

TEXTS = {"be": be.STORIES, "ru": ru.STORIES, "en": en.STORIES}

# Every story's translation group is derived from its key, so loading twice finds them.
NAMESPACE = uuid.UUID("6f1c2a4e-9b1d-4c55-8a43-5a6d1e0c7b21")


def translation_key(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


# Newest first; most in all three editions, a few in one or two. `hours`: age when loaded;
# `updated`: minutes after publication of the last update (a live story's newest entry, a
# correction); section and tags by their English demo names, which stand for the same place
# in every edition's lists.
STORIES = [
    {"key": "prisoners-freed", "hours": 0.7, "section": "politics", "featured": True,
     "breaking": True, "tags": ["political prisoners", "Lithuania", "repression"],
     "authors": ["alesia-shypila", "andrej-melnik"]},
    {"key": "border-queues", "hours": 2, "section": "economy",
     "tags": ["Lithuania", "sanctions"], "authors": ["kastus-viecier"]},
    {"key": "snow-live", "hours": 5, "section": "society", "live": True, "updated": 285,
     "tags": ["Minsk", "weather"], "authors": ["natallia-kruk", "jan-rabchuk"]},
    {"key": "eu-sanctions", "hours": 9, "section": "world", "tags": ["EU", "sanctions"],
     "authors": ["siarhiej-labanau"]},
    {"key": "skier-bronze", "hours": 14, "section": "sport", "tags": ["Poland"],
     "authors": ["aleh-bor"]},
    {"key": "hills-photo-report", "hours": 20, "section": "society", "photo_report": True,
     "tags": ["emigration", "Lithuania"], "authors": ["maryna-biareza"]},
    {"key": "food-prices", "hours": 27, "section": "economy", "updated": 240,
     "tags": ["prices", "wages"], "authors": ["volha-korzun"]},
    {"key": "teacher-sentenced", "hours": 33, "section": "politics",
     "tags": ["Homel", "courts", "political prisoners", "education"],
     "authors": ["iryna-dziadok"]},
    {"key": "youth-hockey", "hours": 35, "section": "sport", "tags": ["ice hockey"],
     "authors": ["aleh-bor"]},
    {"key": "film-prize", "hours": 40, "section": "culture", "tags": ["film", "Poland"],
     "authors": ["taccciana-zorka"]},
    {"key": "insulin-shortage", "hours": 47, "section": "society",
     "tags": ["Vitebsk", "health"], "authors": ["dzmitryj-huk"]},
    {"key": "it-jobs", "hours": 55, "section": "economy", "tags": ["emigration", "wages"],
     "authors": ["paviel-svirydau"]},
    {"key": "book-fair", "hours": 65, "section": "culture",
     "tags": ["literature", "Lithuania", "language"], "authors": ["sviatlana-klion"]},
    {"key": "second-crossing", "hours": 75, "section": "world", "tags": ["Poland", "Brest"],
     "authors": ["kastus-viecier"]},
    {"key": "minsk-rents", "hours": 80, "section": "economy", "tags": ["Minsk", "prices"],
     "authors": ["paviel-svirydau"]},
    {"key": "lawyer-disbarred", "hours": 88, "section": "politics",
     "tags": ["courts", "repression", "media"], "authors": ["iryna-dziadok"]},
    {"key": "doctors-in-bialystok", "hours": 100, "section": "society",
     "tags": ["emigration", "Poland", "health"], "authors": ["maryna-biareza", "correspondent"]},
    {"key": "language-courses", "hours": 110, "section": "culture",
     "tags": ["language", "Poland", "emigration"], "authors": ["sviatlana-klion"]},
    {"key": "school-language", "hours": 120, "section": "belarus",
     "tags": ["Mahilyow", "education", "language"], "authors": ["alesia-shypila"]},
    {"key": "wages-pensions", "hours": 140, "section": "economy", "tags": ["wages", "prices"],
     "authors": ["volha-korzun"]},
    {"key": "prisoners-explainer", "hours": 150, "section": "politics",
     "tags": ["political prisoners", "courts", "repression"], "authors": ["iryna-dziadok"]},
    {"key": "generators-ukraine", "hours": 165, "section": "world",
     "tags": ["Ukraine", "emigration"], "authors": ["jan-rabchuk"]},
    {"key": "band-concert", "hours": 190, "section": "culture", "tags": ["music", "Poland"],
     "authors": ["taccciana-zorka"]},
    {"key": "site-blocked", "hours": 220, "section": "belarus", "tags": ["media", "repression"],
     "authors": ["ihar-listy"]},
    {"key": "buckwheat-opinion", "hours": 260, "section": "opinion", "tags": ["prices", "wages"],
     "authors": ["siarhiej-labanau"]},
    {"key": "letters-opinion", "hours": 300, "section": "opinion",
     "tags": ["political prisoners"], "authors": ["natallia-kruk"]},
    {"key": "hrodna-old-town", "hours": 360, "section": "belarus", "tags": ["Hrodna"],
     "authors": ["andrej-melnik"]},
    {"key": "brest-half-marathon", "hours": 430, "section": "sport", "tags": ["Brest"],
     "authors": ["aleh-bor"]},
]

# The oldest story's age, and a little more: the archive generated under them ends here.
SPAN = datetime.timedelta(hours=max(s["hours"] for s in STORIES) + 24)
