"""Denoising: a denoising autoencoder beside a plain one on the same noisy digits.

The record: the page's widget keys and hooks, which the page, the class-load benchmark and the tests share.
"""

KIND, LEVEL = "denoise-kind", "denoise-level"
# data-lw hooks: the examples' block (with its kind and level) and each of its rows (with its role and PSNRs).
EXAMPLES_HOOK, ROW_HOOK = "denoised", "row"
