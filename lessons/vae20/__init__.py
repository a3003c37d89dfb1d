"""The 20-D VAE: codes drawn from N(0, I) decoded by the VAE and, for contrast, by a plain autoencoder.

The record: the page's widget keys and hooks, which the page, the class-load benchmark and the tests share.
"""

DRAWS, DRAW = "vae20-draws", "vae20-draw"
# data-lw hooks of the two sheets of decoded samples.
VAE_SHEET, PLAIN_SHEET = "vae20-samples", "vae20-plain"
