"""Russian: Django's, without the "г." a news page does not write, and with "3 мая" in
place of its "3 Май"."""

DATE_FORMAT = "j E Y"  # 3 мая 2024
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y, H:i"
YEAR_MONTH_FORMAT = "F Y"  # Май 2024
MONTH_DAY_FORMAT = "j E"  # 3 мая
