# gunicorn reads this file from the working directory: access logs without card tokens.
logger_class = "giftshop.logfilters.MaskingGunicornLogger"
