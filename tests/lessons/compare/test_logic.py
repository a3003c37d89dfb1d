"""The verdict rules on made-up reports: every verdict of every claim is reachable, and each rule turns on the
figure it names."""

import copy

import pytest

from lessons.compare import logic as claims


def model(shares=None, axes=((0.0, 1.0, -2.0, 2.0), (0.0, 1.0, -2.0, 2.0)), prior_width=0.5, box_far=0.3,
          far_readable=0.8, fitted_readable=0.7, prior_readable=0.7, prior_far=0.05, flip=0.02) -> dict:
    """A report for one model with the figures the rules read; everything else is left out."""
    return {
        "area": {"shares": list(shares or [0.1] * 10)},
        "axes": [{"axis": number, "mean": mean, "std": std, "min": low, "max": high}
                 for number, (mean, std, low, high) in enumerate(axes)],
        "gaps": {"prior_width_share": prior_width,
                 "box": {"far_share": box_far, "far_readable_both": far_readable},
                 "fitted": {"readable_both": fitted_readable, "far_share": 0.01},
                 "prior": {"readable_both": prior_readable, "far_share": prior_far}},
        "continuity": {"flip_share": flip, "flip_share_checker": flip, "sure_flip_share": flip / 2,
                       "pixel_change_median": 0.01},
    }


def verdicts(ae: dict, vae: dict) -> dict:
    return {claim.key: claim.verdict for claim in claims.judge({"ae": ae, "vae": vae})}


def uneven_shares(ratio: float) -> list[float]:
    return [ratio] + [1.0] * 9


@pytest.mark.parametrize(("ae_ratio", "vae_ratio", "expected"), [
    (700, 20, claims.HOLDS), (700, 900, claims.PARTLY), (5, 1, claims.PARTLY), (2, 1, claims.FAILS)])
def test_uneven(ae_ratio, vae_ratio, expected):
    assert verdicts(model(uneven_shares(ae_ratio)), model(uneven_shares(vae_ratio)))["uneven"] == expected


def test_a_digit_with_no_area_at_all_is_infinitely_uneven():
    claim = claims.uneven({"ae": model([0.0] + [1 / 9] * 9), "vae": model()})
    assert claim.ae["ratio"] == float("inf")
    assert claim.verdict == claims.HOLDS


@pytest.mark.parametrize(("axes", "prior_width", "expected"), [
    (((6.1, 14.4, -18.3, 100.7), (0, 1, -2, 2)), 0.03, claims.HOLDS),
    (((6.1, 14.4, -18.3, 100.7), (0, 1, -2, 2)), 0.5, claims.PARTLY),
    (((0, 10, -30, 30), (0, 10, -30, 30)), 0.03, claims.PARTLY),
    (((0, 1, -2, 2.5), (0, 1, -2, 2)), 0.5, claims.FAILS)])
def test_lopsided(axes, prior_width, expected):
    assert verdicts(model(axes=axes, prior_width=prior_width), model())["lopsided"] == expected


@pytest.mark.parametrize(("far_readable", "expected"), [(0.3, claims.HOLDS), (0.7, claims.PARTLY),
                                                    (0.9, claims.FAILS)])
def test_gaps(far_readable, expected):
    assert verdicts(model(far_readable=far_readable), model())["gaps"] == expected


@pytest.mark.parametrize(("ae_flip", "vae_flip", "expected"), [
    (0.2, 0.05, claims.HOLDS), (0.2, 0.19, claims.PARTLY), (0.03, 0.01, claims.PARTLY),
    (0.03, 0.03, claims.FAILS)])
def test_neighbours(ae_flip, vae_flip, expected):
    assert verdicts(model(flip=ae_flip), model(flip=vae_flip))["neighbours"] == expected


@pytest.mark.parametrize(("ae_fitted", "vae_readable", "vae_far", "expected"), [
    (0.5, 0.7, 0.05, claims.HOLDS), (0.8, 0.7, 0.05, claims.PARTLY), (0.5, 0.6, 0.05, claims.PARTLY),
    (0.5, 0.7, 0.2, claims.PARTLY), (0.8, 0.6, 0.2, claims.FAILS)])
def test_vae_fixes(ae_fitted, vae_readable, vae_far, expected):
    ae = model(fitted_readable=ae_fitted)
    vae = model(prior_readable=vae_readable, prior_far=vae_far)
    assert verdicts(ae, vae)["vae_fixes"] == expected


def test_every_claim_in_the_story_order_and_an_old_report_gives_none():
    judged = claims.judge({"ae": model(), "vae": model()})
    assert [claim.key for claim in judged] == list(claims.CLAIMS)
    assert all(claim.verdict in claims.VERDICTS for claim in judged)
    old = copy.deepcopy({"ae": model(), "vae": model()})
    del old["ae"]["continuity"]
    assert claims.judge(old) is None
    assert claims.judge({}) is None
