"""Date and time formats of the editions' languages where Django's are missing or unfit for news.

settings.FORMAT_MODULE_PATH puts these modules before Django's: each names only what it
changes, and Django's module for the language supplies the rest. Dates in a sentence use
the genitive month (`E`: "3 траўня 2024", "3 мая 2024"), month titles the nominative
(`F`: "Травень 2024", "Май 2024"), and times the 24-hour clock.
"""
