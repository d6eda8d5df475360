"""Link rewriting: root-relative links become relative file links, what the copy does not
hold goes to the live site, and everything else passes through byte for byte."""

from samizdat.bake.links import Copy, Rewriter, file_of, relative

LIVE = "https://news.example.org"


def rewriter(**options) -> Rewriter:
    pages = {"/en/", "/en/news/", "/en/news/2024/05/03/story/", "/en/rss.xml", "/en/about/"}
    return Rewriter(Copy(pages=pages, live=LIVE, asset_prefixes=("/static/", "/media/"),
                         **options))


def test_addresses_become_files_relative_to_the_page():
    assert file_of("/en/news/") == "/en/news/index.html"
    assert file_of("/en/rss.xml") == "/en/rss.xml"
    assert relative("/en/news/index.html", "/en/") == "news/index.html"
    assert relative("/en/index.html", "/en/news/2024/05/03/story/") == "../../../../../index.html"
    assert relative("/en/about/index.html", "/en/about/") == "index.html"
    assert relative("/static/site/site.css", "/static/site/other.css") == "site.css"


def test_links_of_a_page_are_rewritten_and_its_assets_collected():
    r = rewriter(aliases={"/en/news/newer/5-5/": "/en/news/"})
    page = "/en/news/2024/05/03/story/"
    html = ('<a href="/en/">home</a><a href="/en/about/#team">about</a>'
            '<a href="/en/news/newer/5-5/">newer</a>'
            '<img src="/media/photos/ab/abcd/480.jpg" '
            'srcset="/media/photos/ab/abcd/480.jpg 480w, /media/photos/ab/abcd/800.jpg 800w">'
            '<link rel="stylesheet" href="/static/site/site.css">'
            '<a href="/en/popular/">most read</a><a href="/en/news/?page=2">query</a>'
            '<form action="/en/search/" method="get"></form>'
            '<a href="https://t.me/share/url?url=x&amp;text=y">share</a><a href="#main">skip</a>')
    out = r.html(html, page)
    up = "../../../../../"
    assert f'<a href="{up}index.html">' in out
    assert f'<a href="{up}about/index.html#team">' in out
    assert '<a href="../../../../index.html">newer' in out  # an alias: the same page
    assert f'src="{up}../media/photos/ab/abcd/480.jpg"' in out
    assert (f'srcset="{up}../media/photos/ab/abcd/480.jpg 480w, '
            f'{up}../media/photos/ab/abcd/800.jpg 800w"') in out
    assert f'href="{up}../static/site/site.css"' in out
    # What the copy cannot answer goes to the live site.
    assert f'<a href="{LIVE}/en/popular/">' in out
    assert f'<a href="{LIVE}/en/news/?page=2">' in out
    assert f'<form action="{LIVE}/en/search/" method="get">' in out
    assert '<a href="https://t.me/share/url?url=x&amp;text=y">' in out
    assert '<a href="#main">' in out
    assert r.assets == {"/media/photos/ab/abcd/480.jpg", "/media/photos/ab/abcd/800.jpg",
                        "/static/site/site.css"}


def test_a_page_without_internal_links_passes_through_unchanged():
    html = ("<!DOCTYPE html>\n<html lang=\"be\"><head><meta charset=\"utf-8\">"
            "<!-- a comment --><script type=\"application/ld+json\">{\"a\": \"<b>&amp;\"}"
            "</script><style>p > a { color: red }</style></head><body>"
            "<p class='x' data-y=\"1\" hidden>Fish &amp; chips &#8212; &copy; <br/>"
            "<input disabled value='a &quot;b&quot;'></p></body></html>")
    assert rewriter().html(html, "/en/") == html


def test_the_reading_beacon_is_left_out_and_the_head_names_the_onion_and_the_icon():
    r = rewriter(drop_scripts=frozenset({"/static/site/read.js"}), onion="abc.onion",
                 icon="data:image/svg+xml;base64,PHN2Zy8+")
    html = ('<html><head><title>t</title></head><body><p>text</p>'
            '<script src="/static/site/read.js" data-url="/read/7/" defer></script>'
            '<script src="/static/comments/comments.js" defer></script></body></html>')
    out = r.html(html, "/en/about/")
    assert "read.js" not in out and "/read/7/" not in out
    assert '<script src="../../static/comments/comments.js" defer></script>' in out
    assert ('<head>\n<meta http-equiv="onion-location" content="http://abc.onion/en/about/">'
            '\n<link rel="icon" href="data:image/svg+xml;base64,PHN2Zy8+"><title>') in out
    assert "/static/site/read.js" not in r.assets


def test_stylesheet_addresses_are_rewritten_too():
    r = rewriter()
    css = ('a{background:url("/static/site/video.svg")} b{background:url(arrow.svg)}'
           " i{background:url(data:image/png;base64,AAA=)}")
    out = r.css(css, "/static/site/site.css")
    assert 'url("video.svg")' in out and "url(arrow.svg)" in out and "url(data:" in out
    assert r.assets == {"/static/site/video.svg", "/static/site/arrow.svg"}


def test_links_are_found_in_any_markup_the_pages_hold_and_nowhere_else():
    r = rewriter(onion="abc.onion")
    html = ("<HTML><head lang=\"en\"><!-- <a href=\"/en/\"> in a comment -->"
            "<script type=\"application/ld+json\">{\"href\": \"<a href=\\\"/en/\\\">\"}</script>"
            "<style>a[href=\"/en/\"] { color: red }</style></head><body><header>"
            "<A\nHREF='/en/news/' title=\"a &gt; b &amp; c\">news</A>"
            "<a data-href=\"/en/\" href=\"/en/about/?a=1&amp;b=2\">q</a>"
            "<img alt=\"&quot;/en/&quot;\" src=\"/media/photos/ab/abcd/480.jpg\"/>"
            "<p>href=\"/en/\" as text</p></header></body></HTML>")
    out = r.html(html, "/en/")
    # The head gets the onion once, after <head …>, not after <header>.
    assert out.count("onion-location") == 1 and '<head lang="en">\n<meta' in out
    # Comments, scripts, styles, other attributes and text pass through as they were.
    for kept in ('<!-- <a href="/en/"> in a comment -->', '{"href": "<a href=\\"/en/\\">"}',
                 'a[href="/en/"] { color: red }', 'data-href="/en/"', 'alt="&quot;/en/&quot;"',
                 '<p>href="/en/" as text</p>', 'title="a &gt; b &amp; c"'):
        assert kept in out, kept
    assert '<A\nHREF="news/index.html" title="a &gt; b &amp; c">' in out
    assert f'href="{LIVE}/en/about/?a=1&amp;b=2"' in out
    assert 'src="../media/photos/ab/abcd/480.jpg"/>' in out
