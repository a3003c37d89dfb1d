"""The gallery-wall story's claims, each judged against `evaluation.json` by a stated rule.

A verdict is never written by hand: it follows from the measured figures by the rules below, which the
comparison page states beside them and the tests check on made-up reports.

- uneven: the AE's digits own very different shares of its wall. Holds when the largest digit's area is at
  least UNEVEN_RATIO times the smallest's on the AE's wall and the VAE's wall is more even; partly when the AE's
  ratio reaches UNEVEN_RATIO but the VAE's is no better, or when it is between SOMEWHAT_UNEVEN_RATIO and
  UNEVEN_RATIO; otherwise it does not hold.
- lopsided: the AE's wall is lopsided and unbounded. Lopsided: along some axis the codes reach at least
  LOPSIDED_RATIO times farther on one side of their mean than on the other. Unbounded: nothing pins the codes
  to a scale, so N(0, I)'s +-2 covers at most UNBOUNDED_PRIOR_SHARE of the wall's width. Holds when the AE is
  both, partly when it is one, otherwise not.
- gaps: codes in the AE's gaps decode to nonsense. Of the codes drawn uniformly over the AE's box that land
  far from every test code, the share that both readers do not read as one clear digit: holds at
  GAPS_HOLD or more, partly from GAPS_PARTLY, otherwise not.
- neighbours: neighbouring points can decode to different digits. A step of 1% of the wall's width changes
  the reader's digit for FLIP_SHARE or more of the AE's test codes, and that is at least FLIP_FACTOR times the
  VAE's share: holds; one of the two: partly; neither: not.
- vae_fixes: the VAE fills its wall in. Its N(0, I) samples are read clearly by both readers at least
  VAE_READABLE of the time and land far from data at most VAE_FAR of the time (both: the VAE "bars"), and they
  read clearly at least as often as the AE's samples from its own fitted Gaussian. Holds when both bars are met
  and the VAE does at least as well as the AE; partly when either the bars are met or the VAE does at least as
  well; otherwise not.
"""

from __future__ import annotations

from dataclasses import dataclass

from latentwall import registry

# The report keys of the two models the claims compare.
AE, VAE = registry.AE.name, registry.VAE.name

HOLDS, PARTLY, FAILS = "holds", "partly", "fails"
VERDICTS = (HOLDS, PARTLY, FAILS)
CLAIMS = ("uneven", "lopsided", "gaps", "neighbours", "vae_fixes")

UNEVEN_RATIO = 10.0
SOMEWHAT_UNEVEN_RATIO = 3.0
LOPSIDED_RATIO = 2.0
UNBOUNDED_PRIOR_SHARE = 0.2
GAPS_HOLD = 0.5
GAPS_PARTLY = 0.2
FLIP_SHARE = 0.05
FLIP_FACTOR = 1.5
VAE_READABLE = 0.65
VAE_FAR = 0.10
# The rules' numbers by name, for the page that states the rules.
THRESHOLDS = ("UNEVEN_RATIO", "SOMEWHAT_UNEVEN_RATIO", "LOPSIDED_RATIO", "UNBOUNDED_PRIOR_SHARE", "GAPS_HOLD",
              "GAPS_PARTLY", "FLIP_SHARE", "FLIP_FACTOR", "VAE_READABLE", "VAE_FAR")


@dataclass(frozen=True)
class Claim:
    """One claim: its key (which names its words in the strings files), the verdict, and the figures for each
    model that the words' placeholders take."""

    key: str
    verdict: str
    ae: dict
    vae: dict


def _grade(first: bool, second: bool) -> str:
    """Both conditions: holds; one of them: partly; neither: fails."""
    return HOLDS if first and second else PARTLY if first or second else FAILS


def area_ratio(model: dict) -> float:
    """Largest digit area over the smallest; infinite when one digit owns no cell of the grid at all."""
    shares = model["area"]["shares"]
    return max(shares) / min(shares) if min(shares) > 0 else float("inf")


def asymmetry(model: dict) -> float:
    """Along the worse axis: how many times farther the codes reach on one side of their mean than the other."""
    worst = 1.0
    for axis in model["axes"]:
        reaches = sorted((axis["max"] - axis["mean"], axis["mean"] - axis["min"]))
        worst = max(worst, reaches[1] / reaches[0] if reaches[0] > 0 else float("inf"))
    return worst


def uneven(report: dict) -> Claim:
    ae, vae = area_ratio(report[AE]), area_ratio(report[VAE])
    if ae >= UNEVEN_RATIO:
        verdict = HOLDS if vae < ae else PARTLY
    else:
        verdict = PARTLY if ae >= SOMEWHAT_UNEVEN_RATIO else FAILS
    return Claim("uneven", verdict, {"ratio": ae}, {"ratio": vae})


def lopsided(report: dict) -> Claim:
    figures = {kind: {"asymmetry": asymmetry(report[kind]), "prior_width": report[kind]["gaps"]["prior_width_share"]}
               for kind in (AE, VAE)}
    ae = figures[AE]
    verdict = _grade(ae["asymmetry"] >= LOPSIDED_RATIO, ae["prior_width"] <= UNBOUNDED_PRIOR_SHARE)
    return Claim("lopsided", verdict, figures[AE], figures[VAE])


def gaps(report: dict) -> Claim:
    def figures(model: dict) -> dict:
        box = model["gaps"]["box"]
        readable = box["far_readable_both"]
        return {"far": box["far_share"], "unreadable": 0.0 if readable is None else 1.0 - readable}

    ae = figures(report[AE])
    verdict = HOLDS if ae["unreadable"] >= GAPS_HOLD else PARTLY if ae["unreadable"] >= GAPS_PARTLY else FAILS
    return Claim("gaps", verdict, ae, figures(report[VAE]))


def neighbours(report: dict) -> Claim:
    def figures(model: dict) -> dict:
        step = model["continuity"]
        return {"flip": step["flip_share"], "flip_checker": step["flip_share_checker"],
                "sure_flip": step["sure_flip_share"], "pixels": step["pixel_change_median"]}

    ae, vae = figures(report[AE]), figures(report[VAE])
    verdict = _grade(ae["flip"] >= FLIP_SHARE, ae["flip"] >= FLIP_FACTOR * vae["flip"])
    return Claim("neighbours", verdict, ae, vae)


def vae_fixes(report: dict) -> Claim:
    ae_own = report[AE]["gaps"]["fitted"]
    vae_prior = report[VAE]["gaps"]["prior"]
    bars = vae_prior["readable_both"] >= VAE_READABLE and vae_prior["far_share"] <= VAE_FAR
    verdict = _grade(bars, vae_prior["readable_both"] >= ae_own["readable_both"])
    return Claim("vae_fixes", verdict, {"readable": ae_own["readable_both"], "far": ae_own["far_share"]},
                 {"readable": vae_prior["readable_both"], "far": vae_prior["far_share"]})


def judge(report: dict) -> list[Claim] | None:
    """Every claim with its verdict, in the story's order; None when the report lacks a figure a rule needs
    (an evaluation written by an older version of the command)."""
    try:
        return [uneven(report), lopsided(report), gaps(report), neighbours(report), vae_fixes(report)]
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return None
