"""Models: every model the project trains, its lesson, size and training, and its loss curves epoch by epoch.

The record: the page's widget keys, which the page and the tests share.
"""

CHOICE, TABLE, CURVES = "models-choice", "models-table", "models-curves"
