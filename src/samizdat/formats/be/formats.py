"""Belarusian: Django ships none, and its defaults read "Сту. 3, 2024" and "2:05 папаўдні"."""

DATE_FORMAT = "j E Y"  # 3 траўня 2024
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y, H:i"
YEAR_MONTH_FORMAT = "F Y"  # Травень 2024
MONTH_DAY_FORMAT = "j E"  # 3 траўня
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
