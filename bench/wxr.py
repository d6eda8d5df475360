"""A WordPress export of N posts for measuring `samizdat import_wordpress`.

    python bench/wxr.py 2000 /tmp/big.xml [--media /tmp/uploads]
    /usr/bin/time -v samizdat import_wordpress /tmp/big.xml --edition be --media /tmp/uploads

Posts have Cyrillic slugs, two categories, three tags, a [caption] every tenth post (with
its image in --media), and three comments, one a reply.
"""

import argparse
import datetime
import random
from pathlib import Path
from urllib.parse import quote

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://bench.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example.org</wp:base_site_url>
<wp:base_blog_url>https://bench.example.org</wp:base_blog_url>
<wp:author><wp:author_login><![CDATA[writer]]></wp:author_login>
<wp:author_display_name><![CDATA[Пісьменнік]]></wp:author_display_name></wp:author>
"""
WORDS = ("Менск плошча людзі навіны суд выбары эканоміка цэны школа вуліца рэдакцыя "
         "фота горад вёска чыгунка").split()


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("posts", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--media", type=Path)
    args = parser.parse_args()
    rng = random.Random(1)
    start = datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for n in range(1, 11):
            out.write(f"<wp:category><wp:category_nicename>{cdata(f'cat-{n}')}"
                      f"</wp:category_nicename><wp:cat_name>{cdata(f'Рубрыка {n}')}"
                      "</wp:cat_name></wp:category>\n")
        if args.media:
            from samizdat.photos import samples

            (args.media / "bench").mkdir(parents=True, exist_ok=True)
            (args.media / "bench" / "photo.jpg").write_bytes(samples.jpeg(640, 427))
        for n in range(1, args.posts + 1):
            when = start + datetime.timedelta(hours=n * 3)
            words = [rng.choice(WORDS) for _ in range(6)]
            slug = quote("-".join(words[:4]) + f"-{n}").lower()
            paragraphs = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60))
                                     for _ in range(6))
            if n % 10 == 0 and args.media:
                out.write(f"""<item><title>photo {n}</title><wp:post_id>{10**6 + n}</wp:post_id>
<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
<wp:attachment_url>https://bench.example.org/wp-content/uploads/bench/photo.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>bench/photo.jpg</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>Плошча</wp:meta_value></wp:postmeta>
</item>
""")
                paragraphs += (f'\n\n[caption id="attachment_{10**6 + n}" width="640"]'
                               f'<img class="wp-image-{10**6 + n}" src="https://bench.example.org'
                               f'/wp-content/uploads/bench/photo.jpg"> Подпіс[/caption]')
            comments = "".join(f"""<wp:comment><wp:comment_id>{n * 10 + c}</wp:comment_id>
<wp:comment_author>{cdata('Чытач')}</wp:comment_author>
<wp:comment_author_email>reader@mail.example</wp:comment_author_email>
<wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>
<wp:comment_date_gmt>{(when + datetime.timedelta(hours=1)):%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt>
<wp:comment_content>{cdata(' '.join(words))}</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type>
<wp:comment_parent>{n * 10 if c == 2 else 0}</wp:comment_parent></wp:comment>
""" for c in range(3))
            out.write(f"""<item><title>{cdata(' '.join(words).capitalize())}</title>
<link>https://bench.example.org/{when:%Y/%m/%d}/{slug}/</link>
<dc:creator>{cdata('writer')}</dc:creator>
<content:encoded>{cdata(paragraphs)}</content:encoded>
<excerpt:encoded>{cdata(' '.join(words))}</excerpt:encoded>
<wp:post_id>{n}</wp:post_id>
<wp:post_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>
<wp:post_name>{cdata(slug)}</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><wp:is_sticky>0</wp:is_sticky>
<category domain="category" nicename="cat-{n % 10 + 1}">{cdata('x')}</category>
<category domain="category" nicename="cat-{(n + 3) % 10 + 1}">{cdata('x')}</category>
<category domain="post_tag" nicename="tag-{n % 50}">{cdata(f'тэг {n % 50}')}</category>
<category domain="post_tag" nicename="tag-{n % 7}">{cdata(f'тэг {n % 7}')}</category>
<category domain="post_tag" nicename="tag-{n % 13}">{cdata(f'тэг {n % 13}')}</category>
{comments}</item>
""")
        out.write("</channel></rss>\n")


if __name__ == "__main__":
    main()
