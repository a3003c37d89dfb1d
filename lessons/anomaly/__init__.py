"""Anomaly detection: reconstruction error as an anomaly score, its threshold, and the hard case.

The record: the page's widget keys and hooks, which the page, the class-load benchmark and the tests share.
"""

KIND, HELD_OUT = "anomaly-kind", "anomaly-held-out"
# The threshold slider's key is this followed by the case the page shows.
THRESHOLD_PREFIX = "anomaly-threshold-"
EXAMPLES_HOOK = "examples"
