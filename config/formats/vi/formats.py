"""Vietnamese formats: Django's own, and dates typed day first (dd/mm/yyyy).

Django's Vietnamese locale sets no input formats, so a date typed "01/02/2020" in a form (the
admin's included) was read month first, as the 2nd of January. Vietnamese write the day
first; ISO dates (what a browser's date picker sends) are still read.
"""

from django.conf.locale.vi.formats import *  # noqa: F403

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
