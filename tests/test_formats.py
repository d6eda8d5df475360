"""Dates on reader pages in the case each place needs, for all twelve months.

In a sentence or beside a headline the month is in the genitive ("3 траўня 2024",
"3 мая 2024"); as the title of a month's archive it is in the nominative, capitalised
("Травень 2024", "Май 2024"); times use the 24-hour clock. Django's own Belarusian
catalogue gets several of these wrong (samizdat/formats/names.py), so the expected
forms are written out here rather than read from any catalogue.
"""

import datetime
import re
import zoneinfo

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, time_format

from samizdat.newsroom.models import Article

FORMS = {
    "be": {
        "genitive": ["студзеня", "лютага", "сакавіка", "красавіка", "траўня", "чэрвеня",
                     "ліпеня", "жніўня", "верасня", "кастрычніка", "лістапада", "снежня"],
        "nominative": ["Студзень", "Люты", "Сакавік", "Красавік", "Травень", "Чэрвень",
                       "Ліпень", "Жнівень", "Верасень", "Кастрычнік", "Лістапад", "Снежань"],
        "archive": "Архіў",
    },
    "ru": {
        "genitive": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля",
                     "августа", "сентября", "октября", "ноября", "декабря"],
        "nominative": ["Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль",
                       "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь"],
        "archive": "Архив",
    },
}


@pytest.mark.parametrize("language", FORMS)
def test_every_month_in_both_cases_on_the_month_archive(client, make_article, language):
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for month in range(1, 13):
        article = make_article(language=language, slug=f"month-{month}")
        # 14:05 on the 3rd: a 12-hour clock would write 2:05.
        moment = datetime.datetime(2024, month, 3, 14, 5, tzinfo=tz)
        Article.objects.filter(pk=article.pk).update(published_at=moment, pub_date=moment.date())
    forms = FORMS[language]
    for month in range(1, 13):
        html = client.get(f"/{language}/news/2024/{month:02d}/").content.decode()
        title = f"{forms['nominative'][month - 1]} 2024"
        assert f"<title>{title} — " in html, (month, html[:400])
        assert f"<h1>{forms['archive']}: {title}</h1>" in html, month
        dated = rf"<time [^>]+>3 {forms['genitive'][month - 1]} 2024, [^,<A-Z]+, 14:05</time>"
        assert re.search(dated, html), (month, re.findall(r"<time[^>]*>[^<]*</time>", html))


@pytest.mark.parametrize("language", FORMS)
def test_a_day_archive_is_titled_with_the_genitive(client, make_article, language):
    article = make_article(language=language)
    moment = datetime.datetime(2024, 3, 8, 9, 30, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    Article.objects.filter(pk=article.pk).update(published_at=moment, pub_date=moment.date())
    html = client.get(f"/{language}/news/2024/03/08/").content.decode()
    assert f"<title>8 {FORMS[language]['genitive'][2]} 2024 — " in html
    assert f"8 {FORMS[language]['genitive'][2]} 2024, " in html and ", 09:30</time>" in html


@pytest.mark.parametrize("language", [*FORMS, "en"])
def test_the_desk_uses_the_same_formats(language):
    # The admin shows dates through the same formats: the genitive, no "г.", 24 hours.
    moment = datetime.datetime(2024, 9, 3, 21, 7, tzinfo=datetime.UTC)
    expected = {"be": "3 верасня 2024, 21:07", "ru": "3 сентября 2024, 21:07",
                "en": "3 September 2024, 21:07"}[language]
    with translation.override(language):
        assert date_format(moment, "DATETIME_FORMAT") == expected
        assert time_format(moment, "TIME_FORMAT") == "21:07"
