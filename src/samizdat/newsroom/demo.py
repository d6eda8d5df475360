"""Demo content: a multilingual newsroom with 25 years of news, fast enough for a million articles.

Text is composed from small per-language phrase books into a pool of sentences and
paragraphs once, then articles pick from the pool, so generation costs little more than
the inserts. Articles go in with bulk inserts in chronological order, as a real archive
grows; their bodies are built from known-safe markup and skip the per-save sanitiser.
`load_stories` puts the hand-written stories of `stories/` over them, for `samizdat up`.
"""

import datetime
import random
import re
import uuid
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.utils import timezone

from samizdat.photos.demo import create_photos
from samizdat.photos.models import GalleryItem
from samizdat.progress import progress
from samizdat.search.indexing import index_articles

from . import bulk
from .editions import ensure_editions
from .html import sanitize_html
from .models import (
    Article,
    Author,
    Byline,
    DonationMethod,
    Edition,
    Page,
    Section,
    SocialAccount,
    Tag,
    local_date,
)
from .workflow import Status

BATCH = 2000
YEARS = 25

SECTIONS = {
    "be": [("belarus", "Беларусь"), ("palityka", "Палітыка"), ("ekanomika", "Эканоміка"),
           ("svet", "Свет"), ("hramadstva", "Грамадства"), ("kultura", "Культура"),
           ("sport", "Спорт"), ("mierkavanni", "Меркаванні")],
    "ru": [("belarus", "Беларусь"), ("politika", "Политика"), ("ekonomika", "Экономика"),
           ("mir", "Мир"), ("obshchestvo", "Общество"), ("kultura", "Культура"),
           ("sport", "Спорт"), ("mneniya", "Мнения")],
    "en": [("belarus", "Belarus"), ("politics", "Politics"), ("economy", "Economy"),
           ("world", "World"), ("society", "Society"), ("culture", "Culture"),
           ("sport", "Sport"), ("opinion", "Opinion")],
}

TAGS = {
    "be": ["Менск", "Гомель", "Берасце", "Гродна", "Віцебск", "Магілёў", "выбары", "пратэсты",
           "палітвязні", "эміграцыя", "санкцыі", "цэны", "заробкі", "адукацыя", "медыцына",
           "мова", "футбол", "хакей", "кіно", "музыка", "літаратура", "Украіна", "Польшча",
           "Літва", "Расія", "ЕС", "суды", "рэпрэсіі", "СМІ", "надвор'е"],
    "ru": ["Минск", "Гомель", "Брест", "Гродно", "Витебск", "Могилёв", "выборы", "протесты",
           "политзаключённые", "эмиграция", "санкции", "цены", "зарплаты", "образование",
           "медицина", "язык", "футбол", "хоккей", "кино", "музыка", "литература", "Украина",
           "Польша", "Литва", "Россия", "ЕС", "суды", "репрессии", "СМИ", "погода"],
    "en": ["Minsk", "Homel", "Brest", "Hrodna", "Vitebsk", "Mahilyow", "elections", "protests",
           "political prisoners", "emigration", "sanctions", "prices", "wages", "education",
           "health", "language", "football", "ice hockey", "film", "music", "literature",
           "Ukraine", "Poland", "Lithuania", "Russia", "EU", "courts", "repression", "media",
           "weather"],
}

TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "ie", "ё": "io",
    "ж": "zh", "з": "z", "і": "i", "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "h",
    "ц": "c", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "iu", "я": "ia", "'": "", "’": "",
})

PHRASES = {
    "be": {
        "who": ["Жыхары Менска", "Праваабаронцы", "Настаўнікі", "Урач з Гомеля", "Студэнты",
                "Ураджэнцы Берасця", "Журналісты", "Эканамісты", "Фермеры", "Валанцёры",
                "Мясцовыя ўлады", "Выбаршчыкі", "Спартсмены", "Музыкі", "Пенсіянеры"],
        "did": ["распавялі пра", "заявілі пра", "паскардзіліся на", "адзначылі",
                "папярэдзілі пра", "сабралі подпісы супраць", "абмеркавалі",
                "падтрымалі", "патрабуюць спыніць", "звярнулі ўвагу на"],
        "what": ["рост цэн на прадукты", "новыя арышты", "закрыццё школы", "рамонт дарогі",
                 "змены ў законе", "умовы ў турмах", "зарплаты ў бюджэтнай сферы",
                 "чэргі на мяжы", "адмену канцэрта", "будоўлю заводу", "цэнзуру ў СМІ",
                 "становішча палітвязняў", "новыя санкцыі", "недахоп лекаў"],
        "where": ["у Менску", "на Гомельшчыне", "у Берасці", "у Віцебску", "у Гродне",
                  "за мяжой", "у Вільні", "у Варшаве", "у рэгіёнах", "у сталіцы"],
        "when": ["у панядзелак", "на гэтым тыдні", "учора", "сёння раніцай", "у мінулы чацвер",
                 "напрыканцы месяца", "у выхадныя"],
        "quote": ["«Мы не збіраемся маўчаць», — кажа адзін з удзельнікаў.",
                  "«Сітуацыя толькі пагаршаецца», — адзначае эксперт.",
                  "«Людзі баяцца казаць уголас», — распавядае суразмоўца.",
                  "Афіцыйныя асобы адмовіліся ад каментароў."],
    },
    "ru": {
        "who": ["Жители Минска", "Правозащитники", "Учителя", "Врач из Гомеля", "Студенты",
                "Уроженцы Бреста", "Журналисты", "Экономисты", "Фермеры", "Волонтёры",
                "Местные власти", "Избиратели", "Спортсмены", "Музыканты", "Пенсионеры"],
        "did": ["рассказали о", "заявили о", "пожаловались на", "отметили",
                "предупредили о", "собрали подписи против", "обсудили", "поддержали",
                "требуют остановить", "обратили внимание на"],
        "what": ["росте цен на продукты", "новых арестах", "закрытии школы", "ремонте дороги",
                 "изменениях в законе", "условиях в тюрьмах", "зарплатах в бюджетной сфере",
                 "очередях на границе", "отмене концерта", "строительстве завода",
                 "цензуре в СМИ", "положении политзаключённых", "новых санкциях",
                 "нехватке лекарств"],
        "where": ["в Минске", "на Гомельщине", "в Бресте", "в Витебске", "в Гродно",
                  "за границей", "в Вильнюсе", "в Варшаве", "в регионах", "в столице"],
        "when": ["в понедельник", "на этой неделе", "вчера", "сегодня утром",
                 "в прошлый четверг", "в конце месяца", "в выходные"],
        "quote": ["«Мы не собираемся молчать», — говорит один из участников.",
                  "«Ситуация только ухудшается», — отмечает эксперт.",
                  "«Люди боятся говорить вслух», — рассказывает собеседник.",
                  "Официальные лица отказались от комментариев."],
    },
    "en": {
        "who": ["Residents of Minsk", "Human rights defenders", "Teachers", "A doctor from Homel",
                "Students", "People from Brest", "Journalists", "Economists", "Farmers",
                "Volunteers", "Local authorities", "Voters", "Athletes", "Musicians",
                "Pensioners"],
        "did": ["spoke about", "reported", "complained about", "pointed to", "warned of",
                "collected signatures against", "discussed", "backed", "demand an end to",
                "drew attention to"],
        "what": ["rising food prices", "new arrests", "the closure of a school",
                 "road repairs", "changes to the law", "conditions in prisons",
                 "public sector wages", "queues at the border", "a cancelled concert",
                 "a new factory", "media censorship", "the plight of political prisoners",
                 "new sanctions", "a shortage of medicines"],
        "where": ["in Minsk", "in the Homel region", "in Brest", "in Vitebsk", "in Hrodna",
                  "abroad", "in Vilnius", "in Warsaw", "in the regions", "in the capital"],
        "when": ["on Monday", "this week", "yesterday", "this morning", "last Thursday",
                 "at the end of the month", "at the weekend"],
        "quote": ["“We are not going to stay silent,” one of them says.",
                  "“Things are only getting worse,” an expert notes.",
                  "“People are afraid to speak out loud,” a source says.",
                  "Officials declined to comment."],
    },
}

SLUG_WORDS = ["minsk", "prices", "court", "protest", "border", "school", "election", "report",
              "sanctions", "prisoners", "exile", "strike", "factory", "music", "football",
              "budget", "winter", "harvest", "media", "teachers", "doctors", "students",
              "volunteers", "road", "concert", "law", "queue", "region", "capital", "trial"]

AUTHORS = [
    ("Алеся Шыпіла", "alesia-shypila"), ("Андрэй Мельнік", "andrej-melnik"),
    ("Вольга Корзун", "volha-korzun"), ("Сяргей Лабанаў", "siarhiej-labanau"),
    ("Ірына Дзядок", "iryna-dziadok"), ("Павел Свірыд", "paviel-svirydau"),
    ("Наталля Крук", "natallia-kruk"), ("Дзмітрый Гук", "dzmitryj-huk"),
    ("Кастусь Вецер", "kastus-viecier"), ("Марына Бярэза", "maryna-biareza"),
    ("Ян Рабчук", "jan-rabchuk"), ("Таццяна Зорка", "taccciana-zorka"),
    ("Ганна Карэцкая", "correspondent"), ("Ігар Лісты", "ihar-listy"),
    ("Святлана Клён", "sviatlana-klion"), ("Алег Бор", "aleh-bor"),
]


class Phrasebook:
    """A pool of sentences and paragraphs in one language, made once per run."""

    def __init__(self, language: str, rng: random.Random, size: int = 600):
        p = PHRASES[language]
        self.rng = rng
        self.headlines = [
            f"{rng.choice(p['who'])} {rng.choice(p['where'])} {rng.choice(p['did'])} "
            f"{rng.choice(p['what'])}" for _ in range(size)
        ]
        sentences = [
            f"{rng.choice(p['who'])} {rng.choice(p['when'])} {rng.choice(p['did'])} "
            f"{rng.choice(p['what'])} {rng.choice(p['where'])}." for _ in range(size)
        ] + p["quote"] * 20
        self.leads = [" ".join(rng.sample(sentences, 2)) for _ in range(size)]
        self.paragraphs = [
            "<p>" + " ".join(rng.sample(sentences, rng.randint(3, 6))) + "</p>"
            for _ in range(size)
        ]
        self.subheads = [f"<h2>{rng.choice(p['what']).capitalize()}</h2>" for _ in range(50)]

    def body(self) -> str:
        parts = self.rng.sample(self.paragraphs, self.rng.randint(4, 9))
        parts.insert(len(parts) // 2, self.rng.choice(self.subheads))
        if self.rng.random() < 0.3:
            parts.insert(1, f"<blockquote><p>{self.rng.choice(self.leads)}</p></blockquote>")
        return "\n".join(parts)


def slugify_translit(text: str) -> str:
    out = text.lower().translate(TRANSLIT)
    return "-".join("".join(c if c.isalnum() and c.isascii() else " " for c in out).split())


def _staff(username: str, group: str, password: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "email": f"{username}@example.org"}
    )
    if created:
        user.set_password(password)
        if group == "administrator":
            user.is_superuser = True
        user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def create_staff(password: str) -> dict:
    """Demo staff: one account per role, all with `password`."""
    return {role: _staff(role if role != "administrator" else "admin", role, password)
            for role in ("administrator", "editor", "contributor", "moderator")}


def create_scaffolding(rng: random.Random) -> dict:
    """Editions, sections, tags, authors, pages, social accounts and donation methods."""
    editions = {e.language: e for e in ensure_editions()}
    sections, tags = {}, {}
    for lang, edition in editions.items():
        sections[lang] = []
        for pos, (slug, name) in enumerate(SECTIONS.get(lang, SECTIONS["en"])):
            section, _ = Section.objects.get_or_create(
                edition=edition, slug=slug, defaults={"name": name, "position": pos}
            )
            sections[lang].append(section)
        tags[lang] = []
        for name in TAGS.get(lang, TAGS["en"]):
            tag, _ = Tag.objects.get_or_create(
                edition=edition, slug=slugify_translit(name), defaults={"name": name}
            )
            tags[lang].append(tag)
        _pages(edition, lang)
    authors = [Author.objects.get_or_create(slug=slug, defaults={"name": name})[0]
               for name, slug in AUTHORS]
    if not SocialAccount.objects.exists():
        for pos, (network, label, url) in enumerate([
            ("telegram", "Telegram", "https://t.me/samizdat_demo"),
            ("youtube", "YouTube", "https://www.youtube.com/@samizdat_demo"),
            ("instagram", "Instagram", "https://www.instagram.com/samizdat_demo"),
            ("facebook", "Facebook", "https://www.facebook.com/samizdat.demo"),
            ("x", "X", "https://x.com/samizdat_demo"),
        ]):
            SocialAccount.objects.create(network=network, label=label, url=url, position=pos)
    if not DonationMethod.objects.exists():
        for lang, edition in editions.items():
            bank, card = DONATION_TITLES.get(lang, DONATION_TITLES["en"])
            DonationMethod.objects.create(
                edition=edition, kind="bank", title=bank, position=0,
                details="Samizdat Media Foundation\nIBAN: LT12 1000 0111 0100 1000\n"
                        "SWIFT: DEMOLT2X",
            )
            DonationMethod.objects.create(edition=edition, kind="card", title=card, position=1,
                                          url="https://example.org/donate")
        # Shared by every edition: their names are the same in each language.
        DonationMethod.objects.create(kind="crypto", title="Bitcoin", position=2,
                                      address="bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh")
        DonationMethod.objects.create(kind="crypto", title="USDT (TRC20)", position=3,
                                      address="TQ4ELbw3Bn4jXKQ5cQ1z7r7xUxM9m3S8hV")
    return {"editions": editions, "sections": sections, "tags": tags, "authors": authors}


PAGES = {
    "be": [("about", "Пра нас", "about"), ("contacts", "Кантакты", "contacts"),
           ("support", "Падтрымаць сайт", "support")],
    "ru": [("about", "О нас", "about"), ("contacts", "Контакты", "contacts"),
           ("support", "Поддержать сайт", "support")],
    "en": [("about", "About us", "about"), ("contacts", "Contacts", "contacts"),
           ("support", "Support the website", "support")],
}


PAGE_STUBS = {
    "be": "Гэта дэманстрацыйная старонка: рэдакцыя напіша тут свой тэкст.",
    "ru": "Это демонстрационная страница: редакция напишет здесь свой текст.",
    "en": "This is a demonstration page: the newsroom writes its own text here.",
}
DONATION_TITLES = {
    "be": ("Банкаўскі пераказ (EUR)", "Картка або PayPal"),
    "ru": ("Банковский перевод (EUR)", "Карта или PayPal"),
    "en": ("Bank transfer (EUR)", "Card or PayPal"),
}


def _pages(edition: Edition, lang: str) -> None:
    stub = PAGE_STUBS.get(lang, PAGE_STUBS["en"])
    for pos, (slug, title, kind) in enumerate(PAGES.get(lang, PAGES["en"])):
        Page.objects.get_or_create(
            edition=edition, slug=slug,
            defaults={"title": title, "kind": kind, "position": pos, "body": f"<p>{stub}</p>"},
        )


def generate(articles: int, seed: int = 1, stream=None, now=None) -> int:
    """Create `articles` articles spread over 25 years across the editions. Returns the count."""
    rng = random.Random(seed)
    now = now or timezone.now()
    with transaction.atomic():
        scaffold = create_scaffolding(rng)
    languages = list(scaffold["editions"])
    photos = create_photos(languages, stream)
    books = {lang: Phrasebook(lang if lang in PHRASES else "en", rng) for lang in languages}
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = now - datetime.timedelta(days=365 * YEARS)
    author_ids = [a.pk for a in scaffold["authors"]]
    base_id = (Article.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    translation_key = uuid.uuid4()
    made = 0
    indexer = _Indexer() if _parallel() else None
    with progress(articles, "demo articles", stream) as bar, indexer or nullcontext():
        while made < articles:
            count = min(BATCH, articles - made)
            rows = []
            for i in range(made, made + count):
                lang = languages[i % len(languages)]
                # A third of stories come in all editions, linked as translations.
                if i % len(languages) == 0:
                    translation_key = uuid.uuid4() if rng.random() < 0.35 else None
                book = books[lang]
                moment = _moment(i, articles, start, now, rng).replace(microsecond=0)
                status, published_at, publish_at = _status(i, articles, moment, now, rng)
                day = (published_at or publish_at or moment).astimezone(tz).date()
                section = rng.choice(scaffold["sections"][lang])
                headline = rng.choice(book.headlines)
                # Each edition's newest published story is a photo report, so a demo of
                # any size has one.
                photo_report = rng.random() < 0.06 or articles - 14 < i <= articles - 11
                video = not photo_report and rng.random() < 0.05
                rows.append({
                    "id": base_id + i,
                    "edition_id": scaffold["editions"][lang].pk,
                    "headline": headline,
                    "slug": f"{rng.choice(SLUG_WORDS)}-{rng.choice(SLUG_WORDS)}-{base_id + i:x}",
                    "lead": rng.choice(book.leads),
                    "body": book.body() + (VIDEO if video else ""),
                    "hero_photo_id": rng.choice(photos[lang]) if rng.random() < 0.6 else None,
                    "section_id": section.pk,
                    "is_breaking": rng.random() < 0.02 and i > articles - 50,
                    "is_featured": rng.random() < 0.03,
                    "is_photo_report": photo_report,
                    "has_video": video,
                    "status": status.value,
                    "publish_at": publish_at,
                    "published_at": published_at,
                    "pub_date": day if (published_at or publish_at) else None,
                    "updated_at": (published_at + datetime.timedelta(hours=2))
                    if published_at and rng.random() < 0.05 else None,
                    "translation_key": translation_key or uuid.uuid4(),
                    "_language": lang,
                })
            with transaction.atomic():
                bulk.insert(Article, rows)
                _relations(rows, scaffold, author_ids, rng, photos)
                if indexer is None:
                    index_articles([row["id"] for row in rows])
            if indexer is not None:
                indexer.index([row["id"] for row in rows])
            made += count
            bar.update(count)
    with connection.cursor() as cursor:  # ids were given, so the sequence is behind them
        for statement in connection.ops.sequence_reset_sql(no_style(), [Article]):
            cursor.execute(statement)
    from samizdat.comments.demo import create_comments

    create_comments(rng)
    from samizdat.comments.models import Comment
    from samizdat.photos.models import Photo
    from samizdat.search.engines import engine

    from .bulk import analyze

    analyze(Article, Byline, GalleryItem, Photo, Comment, engine().TABLE)
    return made


def load_stories(now=None, stream=None) -> int:
    """Add the hand-written stories (`newsroom/stories/`), the newest dated today.

    A story already in the database (found by its translation group) is left as it is, so
    loading twice adds nothing. Each edition's featured lead is published today in the
    newsroom's time zone, the rest over the three weeks before. Returns the articles made.
    """
    from . import stories

    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with transaction.atomic():
        scaffold = create_scaffolding(random.Random(1))
    languages = [lang for lang in scaffold["editions"] if lang in stories.TEXTS]
    photos = create_photos(languages, stream)
    known = set(Article.objects.filter(
        translation_key__in=[stories.translation_key(s["key"]) for s in stories.STORIES]
    ).values_list("translation_key", flat=True))
    authors = {author.slug: author for author in scaffold["authors"]}
    section_slugs = [slug for slug, _name in SECTIONS["en"]]
    midnight = datetime.datetime.combine(now.astimezone(tz).date(), datetime.time(), tz)
    made = []
    with transaction.atomic():
        for story in stories.STORIES:
            key = stories.translation_key(story["key"])
            if key in known:
                continue
            published = now - datetime.timedelta(hours=story["hours"])
            if story.get("featured"):
                published = max(published, midnight)
            published = published.replace(microsecond=0)
            updated = (min(published + datetime.timedelta(minutes=story["updated"]), now)
                       if "updated" in story else None)
            for lang in languages:
                text = stories.TEXTS[lang].get(story["key"])
                if text is None:
                    continue
                article = Article.objects.bulk_create([Article(
                    edition=scaffold["editions"][lang],
                    headline=text["headline"],
                    slug=_story_slug(text["headline"]),
                    lead=text["lead"],
                    body=sanitize_html(_live_times(text["body"], published, tz)),
                    section=scaffold["sections"][lang][section_slugs.index(story["section"])],
                    hero_photo_id=photos[lang][0] if story.get("photo_report") else None,
                    is_breaking=story.get("breaking", False),
                    is_featured=story.get("featured", False),
                    is_photo_report=story.get("photo_report", False),
                    status=Status.PUBLISHED,
                    published_at=published,
                    pub_date=local_date(published),
                    updated_at=updated,
                    update_note=text.get("update_note", ""),
                    translation_key=key,
                )])[0]
                article.tags.set([scaffold["tags"][lang][TAGS["en"].index(name)]
                                  for name in story["tags"]])
                Byline.objects.bulk_create([
                    Byline(article=article, author=authors[slug], position=pos)
                    for pos, slug in enumerate(story["authors"])])
                if story.get("photo_report"):
                    GalleryItem.objects.bulk_create([
                        GalleryItem(article=article, photo_id=photo, position=pos)
                        for pos, photo in enumerate(photos[lang])])
                made.append(article.pk)
        index_articles(made)
    if made:
        from samizdat.comments.demo import create_comments

        create_comments(random.Random(1))
    return len(made)


_LIVE_TIME = re.compile(r"\[\[\+(\d+)\]\]")


def _live_times(body: str, published: datetime.datetime, tz) -> str:
    """A live story's entries are stamped `[[+minutes]]` after publication; show the clock."""
    return _LIVE_TIME.sub(lambda m: (published + datetime.timedelta(minutes=int(m[1])))
                          .astimezone(tz).strftime("%H:%M"), body)


def _story_slug(headline: str, limit: int = 70) -> str:
    words, slug = slugify_translit(headline).split("-"), ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


# A video is a link in the text; readers see a local placeholder until they follow it.
VIDEO = ('\n<p><a href="https://www.youtube.com/watch?v=aqz-KE-bpKQ">'
         "https://www.youtube.com/watch?v=aqz-KE-bpKQ</a></p>")
RECENT_DAYS = 7
RECENT_PER_DAY = 40


def _moment(i, total, start, now, rng):
    """Dense recent news over the archive's long tail, oldest first.

    The newest stories (a third of a small demo; a week at the archive's own density, at
    least 40 a day, of a large one) fall in the last seven days, so the demo looks like a
    working newsroom today; the rest spreads evenly over 25 years.
    """
    per_day = max(RECENT_PER_DAY, total / (365 * YEARS))
    recent = int(min(total // 3, RECENT_DAYS * per_day))
    boundary = now - datetime.timedelta(days=RECENT_DAYS)
    if i < total - recent:
        return start + (boundary - start) * ((i + rng.random()) / (total - recent))
    position = i - (total - recent)
    return boundary + (now - boundary) * ((position + rng.random()) / recent)


def _status(i, total, moment, now, rng):
    """Almost everything published; the newest few in the other workflow states."""
    from_end = total - i
    if from_end <= 3:
        return Status.SCHEDULED, None, now + datetime.timedelta(hours=from_end * 6)
    if from_end <= 6:
        return Status.REVIEW, None, None
    if from_end <= 10:
        return Status.DRAFT, None, None
    if rng.random() < 0.002:
        return Status.UNPUBLISHED, moment, None
    return Status.PUBLISHED, moment, None


def _relations(rows, scaffold, author_ids, rng, photos) -> None:
    tag_rows, bylines, gallery = [], [], []
    for row in rows:
        article, language = row["id"], row["_language"]
        if row["is_photo_report"]:
            for pos, photo in enumerate(rng.sample(photos[language], len(photos[language]))):
                gallery.append({"article_id": article, "photo_id": photo, "position": pos})
        for tag in rng.sample(scaffold["tags"][language], rng.randint(1, 4)):
            tag_rows.append({"article_id": article, "tag_id": tag.pk})
        for pos, author in enumerate(rng.sample(author_ids, 1 if rng.random() < 0.8 else 2)):
            bylines.append({"article_id": article, "author_id": author, "position": pos})
    bulk.insert(Article.tags.through, tag_rows)
    bulk.insert(Byline, bylines)
    bulk.insert(GalleryItem, gallery)


def _parallel() -> bool:
    """Index on a second connection while the next batch is made: on PostgreSQL the server
    builds the search document (to_tsvector, the costliest part of a row) and can do so on
    the other core. Not inside a transaction (a test's): the second connection would not
    see the rows. Nor with a pool of one connection a process (SAMIZDAT_DB_POOL=1): the
    second would wait for the first until the pool gives up."""
    pool = connection.settings_dict.get("OPTIONS", {}).get("pool")
    if isinstance(pool, dict) and pool.get("max_size", 2) < 2:
        return False
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class _Indexer:
    """One batch at a time indexed in a thread of its own, with its own connection."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-index")
        self.pending = None

    def index(self, ids: list[int]) -> None:
        self.wait()
        self.pending = self.pool.submit(self._run, ids)

    def wait(self) -> None:
        if self.pending is not None:
            self.pending.result()  # an error in the thread is raised here
            self.pending = None

    @staticmethod
    def _run(ids: list[int]) -> None:
        try:
            with transaction.atomic():
                index_articles(ids)
        finally:
            connections.close_all()  # this thread's connections only

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self.pool.shutdown(wait=True)
