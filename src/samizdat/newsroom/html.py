"""The allow-list sanitiser every rich text passes through before it is stored."""

import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "a", "ul", "ol", "li", "blockquote", "hr", "figure", "figcaption", "img",
    "table", "thead", "tbody", "tr", "th", "td", "code", "pre",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
# Relative links and these schemes only: no javascript:, data: or vbscript: survives.
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Return `html` with everything outside the allow-list removed."""
    if not html:
        return ""
    return _cleaner.clean(html).strip()
