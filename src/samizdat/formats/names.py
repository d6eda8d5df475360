"""Django's month and weekday names, marked again so this project's catalogues can correct them.

Django's Belarusian catalogue gives the genitive for the nominative month ("студзеня 2024"
for an archive title), "сакавік" for the genitive of March, abbreviations that mix cases,
and the classical spelling in places ("верасьня", "сьнежня", "Чацьвер"). The catalogues in
LOCALE_PATHS come before Django's own, so the same messages (same context, same text)
translated there win; listing them here is what keeps `make messages` from dropping them.
The Russian and English catalogues carry Django's own (correct) forms. Nothing imports
this module at run time: Django's `django.utils.dates` asks for these messages.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The nominative, for a month on its own ("Травень 2024"): format character F.
MONTHS = (
    _("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"),
    _("August"), _("September"), _("October"), _("November"), _("December"),
)

# The genitive, for a date in a sentence ("3 траўня 2024"): format character E.
MONTHS_ALT = (
    pgettext_lazy("alt. month", "January"), pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"), pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"), pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"), pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"), pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"), pgettext_lazy("alt. month", "December"),
)

# Short forms: format characters N and b.
MONTHS_AP = (
    pgettext_lazy("abbrev. month", "Jan."), pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"), pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"), pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"), pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."), pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."), pgettext_lazy("abbrev. month", "Dec."),
)
MONTHS_3 = (_("dec"),)

# Format character l.
WEEKDAYS = (_("Thursday"),)
