"""English date and time formats, as the front desk reads them everywhere in the admin.

The same style as appointments.timefmt ("Tue, Nov 24 at 9:30 AM EST"), with the year, since a
record's dates (created, sent, cancelled) may be from another year. Only display formats are set:
what a form accepts stays Django's.
"""

DATE_FORMAT = "D, M j, Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = r"D, M j, Y \a\t g:i A T"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, g:i A"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
