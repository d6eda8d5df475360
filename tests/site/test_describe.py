"""Every reader page has one meta description: its own words, else a sentence about it."""

import html
import re

import pytest

from samizdat.newsroom.models import Edition, Section
from samizdat.site.describe import LENGTH, plain, shorten

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def _descriptions(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404), url
    return [html.unescape(d) for d in DESCRIPTION.findall(response.content.decode())]


def _only(client, url):
    found = _descriptions(client, url)
    assert len(found) == 1, (url, found)
    assert found[0].strip(), url
    return found[0]


def test_every_reader_page_has_one_description(client, make_article, scaffold):
    tag = scaffold["tags"]["be"][0]
    article = make_article(language="be", tag_ids=[tag.pk], lead="Мост адкрылі пасля рамонту.")
    author = scaffold["authors"][0]
    day = article.pub_date
    section = scaffold["sections"]["be"][0]
    expected = {
        "/be/": "Самвыдат: навіны, рэпартажы і аналітыка.",
        "/be/news/": "Самвыдат: усе навіны, спачатку найноўшыя.",
        section.get_absolute_url():
            f"Апошнія матэрыялы рубрыкі «{section.name}» на сайце Самвыдат.",
        tag.get_absolute_url(): f"Матэрыялы з тэгам #{tag.name} на сайце Самвыдат.",
        author.get_absolute_url("be"): f"{author.name}: матэрыялы на сайце Самвыдат.",
        f"/be/news/{day:%Y}/": f"{day:%Y}: матэрыялы ў архіве сайта Самвыдат.",
        article.get_absolute_url(): "Мост адкрылі пасля рамонту.",
        article.get_absolute_url().replace("/be/", "/be/lite/", 1): "Мост адкрылі пасля рамонту.",
        "/be/about/": "Гэта дэманстрацыйная старонка: рэдакцыя напіша тут свой тэкст.",
        "/be/search/?q=мост": "Самвыдат: навіны, рэпартажы і аналітыка.",
        "/be/popular/": "Самвыдат: навіны, рэпартажы і аналітыка.",
        "/be/mirrors/": "Самвыдат: навіны, рэпартажы і аналітыка.",
        "/be/no-such-page/": "Самвыдат: навіны, рэпартажы і аналітыка.",
        "/be/lite/": "Самвыдат: навіны, рэпартажы і аналітыка.",
        "/be/lite/news/": "Самвыдат: усе навіны, спачатку найноўшыя.",
    }
    for url, description in expected.items():
        assert _only(client, url) == description, url
    # A month's archive names the month as a title does.
    month = _only(client, f"/be/news/{day:%Y/%m}/")
    assert re.fullmatch(r"[А-ЯЁІЎ][а-яёіў]+ \d{4}: матэрыялы ў архіве сайта Самвыдат\.", month)


def test_the_home_page_says_the_editions_tagline_escaped(client, scaffold):
    Edition.objects.filter(language="ru").update(tagline='Новости "без цензуры" <b>& факты</b>')
    page = client.get("/ru/").content.decode()
    assert ('<meta name="description" content="Новости &#34;без цензуры&#34; '
            '&lt;b&gt;&amp; факты&lt;/b&gt;">') in page
    assert 'property="og:description" content="Новости &#34;без цензуры&#34;' in page


def test_a_list_page_prefers_its_own_text(client, make_article, scaffold):
    section = scaffold["sections"]["en"][1]
    Section.objects.filter(pk=section.pk).update(description="<Politics>\n\nat  home & abroad")
    assert _only(client, section.get_absolute_url()) == "<Politics> at home & abroad"
    assert 'content="&lt;Politics&gt; at home &amp; abroad"' in client.get(
        section.get_absolute_url()).content.decode()


def test_an_article_without_a_lead_is_described_by_its_text(client, make_article):
    article = make_article(lead="", body="<h2>Bridge</h2><p>The bridge reopened &amp; "
                           "traffic moved. " + "Word " * 80 + "</p>")
    description = _only(client, article.get_absolute_url())
    assert description.startswith("Bridge The bridge reopened & traffic moved. Word Word")
    assert description.endswith("Word…") and len(description) <= LENGTH + 1


@pytest.mark.parametrize("text, expected", [
    ("", ""),
    ("<p>One&nbsp;two</p>\n<p>three</p>", "One two three"),
    ("[photo 3] Caption", "Caption"),
    ("<h2>Bridge</h2><p>The <b>bridge</b></p>", "Bridge The bridge"),
])
def test_plain(text, expected):
    assert plain(text) == expected


def test_shorten_cuts_at_a_word():
    assert shorten("short") == "short"
    assert shorten("alpha beta, gamma", 12) == "alpha beta…"
    assert shorten("x" * 30, 10) == "x" * 10 + "…"
