"""English as the newsroom writes it: "3 May 2024" and the 24-hour clock, like its other
editions."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
