"""Date formats, one per language (settings.FORMAT_MODULE_PATH): the SHORT_* formats are the long
ones, so a date reads the same on every page. What is not set here comes from Django's locale."""
