"""AE vs VAE: both walls side by side over their decodability maps, their manifolds, the claims and the defects.

The record: the page's widget keys, which the page, the class-load benchmark and the tests share.
"""

PICK_PREFIX, LINK = "compare-pick-", "compare"
CLAIMS_REVEAL = "claims-reveal"


def pick_key(kind: str) -> str:
    return f"{PICK_PREFIX}{kind}"
