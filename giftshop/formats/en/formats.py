# "Dec 2, 2026" and "Dec 2, 2026, 18:16" everywhere (24-hour clock: no "p.m." to run into a full stop).
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "M j"  # "Dec 2": the statistics chart's day labels
