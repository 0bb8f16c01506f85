# Amounts as a Chinese clerk writes them: 1,000,000.00 (Django's zh_Hans groups by four with no
# separator, which nobody in a civil-affairs bureau reads). Everything else is Django's zh_Hans.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
