"""Benchmarks and load tests of the app, run as `python -m bench.<name>` (training_speed, app, preview,
compression, digit, pages, classroom): each starts what it measures, prints its figures (beside their bars,
where there are bars) and asserts nothing. bench.harness (a served app, a driven Chromium) and the
protocol-level students (bench.student, bench.class_load) are what the tests reuse to drive the app; the app
itself never imports bench.
"""
