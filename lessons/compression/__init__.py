"""Compression: a code as a compressed file, beside JPEG and PCA at the same size.

The record: the page's widget keys, which the page, the class-load benchmark and the tests share.
"""

SIZE, SEED, FIRST, DRAW = "comp-size", "comp-seed", "comp-first", "comp-draw"
