"""Agreement coefficients checked against published reference values.

Sources (cited per test):

* Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
  Communication, University of Pennsylvania. Reliability data matrix of 4 coders x 12 units with
  missing values; alpha nominal .743, ordinal .815, interval .849, ratio .797. The same matrix
  is the irrCAC package's ``cac.raw4raters`` data set.
* Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed.; the irrCAC R package
  (github.com/kgwet/irrCAC: README and vignettes "overview" and "weighting") prints, for
  ``cac.raw4raters``: percent agreement 0.8181818, AC1 0.77544, Fleiss 0.76117, Krippendorff
  0.74342, Brennan-Prediger 0.77273; with quadratic weights: percent agreement 0.9753788,
  AC2 0.914, Fleiss 0.86494, Brennan-Prediger 0.90152. For the 2-rater contingency table
  ``cont3x3abstractors``: Cohen 0.7964094, Scott 0.7962397, AC1 0.8493305, Brennan-Prediger
  0.835, Krippendorff 0.7972585, percent agreement 0.89. For ``distrib.6raters`` (the first 15
  subjects of Fleiss 1971): AC1 0.4448007, Fleiss 0.4139265, Krippendorff 0.4204384,
  Brennan-Prediger 0.4388889; quadratic: AC2 0.4837438, Fleiss 0.2511909, BP 0.4177778.
* Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
  Bulletin 76, 378-382: 30 patients x 6 psychiatrists, kappa = .430 (R package irr,
  ``kappam.fleiss(diagnoses)`` = 0.4302445; data as in statsmodels' test_inter_rater.py).
* Wikipedia, "Fleiss' kappa", worked example: 10 subjects x 14 raters x 5 categories, kappa = 0.210.
* Wikipedia, "Cohen's kappa", examples: 20/5/10/15 of 50 -> 0.40; 45/15/25/15 of 100 -> 0.1304;
  25/35/5/35 of 100 -> 0.2593.
* SAS PROC FREQ example reproduced in statsmodels' test_inter_rater.py: 3x3 table
  [[0, 4, 1], [0, 8, 0], [0, 1, 5]], simple kappa 0.4842.
* R package irr, ``kappa2(anxiety[, 2:3])`` (values in statsmodels' test_inter_rater.py):
  unweighted -0.006289308, "equal" (linear) 0.1459075, "squared" (quadratic) 0.2520325.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from temaer.agreement import (
    UndefinedAgreementWarning,
    bootstrap_ci,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    jaccard_distance,
    krippendorff_alpha,
    masi_distance,
    percent_agreement,
    scott_pi,
)

N = None

# Krippendorff (2011), p. 8 / irrCAC cac.raw4raters: 4 coders (rows) x 12 units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]

# Fleiss (1971), Table 1: 30 patients (rows here) x 6 diagnoses each; 1 Depression,
# 2 Personality disorder, 3 Schizophrenia, 4 Neurosis, 5 Other.
FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])

# Wikipedia "Fleiss' kappa": number of the 14 raters assigning each subject to categories 1..5.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]

# irrCAC cont3x3abstractors (rows: rater 1, columns: rater 2; Ectopic, AIU, NIU).
CONT3X3 = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]

# irrCAC distrib.6raters: 15 subjects x counts over 5 categories (6 raters each).
DISTRIB_6RATERS = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
]


def from_counts(counts) -> list[list]:
    """Subjects x category counts -> coders x units raw data (categories 1..q)."""
    units = [[k + 1 for k, c in enumerate(row) for _ in range(c)] for row in counts]
    m = max(len(u) for u in units)
    return [[u[j] if j < len(u) else None for u in units] for j in range(m)]


def from_table(table) -> list[list]:
    """q x q contingency table (rows coder 1, columns coder 2) -> 2 x units raw data."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i + 1] * count
            b += [j + 1] * count
    return [a, b]


def two_by_two(yy: int, yn: int, ny: int, nn: int) -> tuple[list[str], list[str]]:
    a = ["yes"] * (yy + yn) + ["no"] * (ny + nn)
    b = ["yes"] * yy + ["no"] * yn + ["yes"] * ny + ["no"] * nn
    return a, b


# ----------------------------------------------------------------------------- Krippendorff


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_reliability_data(level, expected):
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C.
    assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(expected, abs=5e-4)


def test_krippendorff_matches_irrcac_digits():
    # irrCAC krippen.alpha.raw(cac.raw4raters): 0.74342; quadratic weights 0.84911 (= interval).
    assert krippendorff_alpha(KRIPPENDORFF_2011) == pytest.approx(0.74342, abs=5e-6)
    assert krippendorff_alpha(KRIPPENDORFF_2011, "interval") == pytest.approx(0.84911, abs=5e-6)


def test_krippendorff_accepts_dataframe_strings_and_ordinal_categories():
    labels = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    frame = pd.DataFrame(KRIPPENDORFF_2011).map(lambda v: labels.get(v) if pd.notna(v) else None)
    assert krippendorff_alpha(frame) == pytest.approx(0.743, abs=5e-4)
    ordinal = krippendorff_alpha(frame, "ordinal", categories=list(labels.values()))
    assert ordinal == pytest.approx(0.815, abs=5e-4)


def test_krippendorff_contingency_and_distribution_examples():
    # irrCAC krippen2.table(cont3x3abstractors) and krippen.alpha.dist(distrib.6raters).
    assert krippendorff_alpha(from_table(CONT3X3)) == pytest.approx(0.7972585, abs=1e-6)
    assert krippendorff_alpha(from_counts(DISTRIB_6RATERS)) == pytest.approx(0.4204384, abs=1e-6)


def test_interval_level_rejects_text():
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha(KRIPPENDORFF_2011, "cardinal")


# ----------------------------------------------------------------------------- Gwet / irrCAC


def test_irrcac_raw4raters_unweighted():
    # irrCAC README: pa.coeff.raw, gwet.ac1.raw, fleiss.kappa.raw, bp.coeff.raw(cac.raw4raters).
    assert percent_agreement(KRIPPENDORFF_2011) == pytest.approx(0.8181818, abs=1e-7)
    assert gwet_ac1(KRIPPENDORFF_2011) == pytest.approx(0.77544, abs=5e-6)
    assert fleiss_kappa(KRIPPENDORFF_2011) == pytest.approx(0.76117, abs=5e-6)
    assert brennan_prediger(KRIPPENDORFF_2011) == pytest.approx(0.77273, abs=5e-6)


def test_irrcac_raw4raters_quadratic_weights():
    # irrCAC vignette "weighting": cac.raw4raters with weights = "quadratic".
    data = KRIPPENDORFF_2011
    assert percent_agreement(data, "quadratic") == pytest.approx(0.9753788, abs=1e-7)
    assert gwet_ac1(data, "quadratic") == pytest.approx(0.914, abs=5e-6)
    assert fleiss_kappa(data, "quadratic") == pytest.approx(0.86494, abs=5e-6)
    assert brennan_prediger(data, "quadratic") == pytest.approx(0.90152, abs=5e-6)


def test_irrcac_cont3x3abstractors_two_raters():
    # irrCAC README: kappa2/scott2/gwet.ac1/bp2/pa2 .table(cont3x3abstractors).
    data = from_table(CONT3X3)
    assert cohen_kappa(*data) == pytest.approx(0.7964094, abs=1e-7)
    assert scott_pi(data) == pytest.approx(0.7962397, abs=1e-7)
    assert gwet_ac1(data) == pytest.approx(0.8493305, abs=1e-7)
    assert brennan_prediger(data) == pytest.approx(0.835, abs=1e-9)
    assert percent_agreement(data) == pytest.approx(0.89, abs=1e-9)


def test_irrcac_distrib_6raters():
    # irrCAC README (.dist functions) and vignette "weighting" (quadratic weights).
    data = from_counts(DISTRIB_6RATERS)
    assert gwet_ac1(data) == pytest.approx(0.4448007, abs=1e-7)
    assert fleiss_kappa(data) == pytest.approx(0.4139265, abs=1e-7)
    assert brennan_prediger(data) == pytest.approx(0.4388889, abs=1e-7)
    assert gwet_ac1(data, "quadratic") == pytest.approx(0.4837438, abs=1e-7)
    assert fleiss_kappa(data, "quadratic") == pytest.approx(0.2511909, abs=1e-7)
    assert brennan_prediger(data, "quadratic") == pytest.approx(0.4177778, abs=1e-7)


# ----------------------------------------------------------------------------- Fleiss


def test_fleiss_1971_psychiatric_diagnoses():
    # Fleiss (1971): kappa = .430; irr::kappam.fleiss(diagnoses) = 0.4302445.
    data = FLEISS_1971.T  # coders x units
    assert fleiss_kappa(data) == pytest.approx(0.4302445, abs=1e-7)
    # Without missing values Scott's pi generalised to m coders is Fleiss' kappa.
    assert scott_pi(data) == pytest.approx(0.4302445, abs=1e-7)


def test_wikipedia_fleiss_example():
    # Wikipedia "Fleiss' kappa": P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
    assert fleiss_kappa(from_counts(WIKIPEDIA_FLEISS)) == pytest.approx(0.210, abs=5e-4)


# ----------------------------------------------------------------------------- Cohen


@pytest.mark.parametrize(
    ("cells", "expected"),
    [((20, 5, 10, 15), 0.4), ((45, 15, 25, 15), 0.1304), ((25, 35, 5, 35), 0.2593)],
)
def test_wikipedia_cohen_examples(cells, expected):
    # Wikipedia "Cohen's kappa": the grant-reading example and the two tables with 60 %
    # observed agreement but different marginals.
    assert cohen_kappa(*two_by_two(*cells)) == pytest.approx(expected, abs=5e-5)


def test_cohen_sas_example():
    # SAS PROC FREQ example (statsmodels test_inter_rater.py): simple kappa 0.4842.
    assert cohen_kappa(*from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])) == pytest.approx(
        0.4842, abs=5e-5
    )


ANXIETY = np.array([
    3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3, 3, 6, 4,
    6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4, 2, 1, 4, 4, 3, 2,
    1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2,
]).reshape(20, 3, order="F")


@pytest.mark.parametrize(
    ("weights", "expected"),
    [(None, -0.006289308), ("linear", 0.1459075), ("quadratic", 0.2520325)],
)
def test_cohen_weighted_irr_anxiety(weights, expected):
    # R irr::kappa2(anxiety[, 2:3], weight = "unweighted" / "equal" / "squared"); irr uses the
    # observed categories (level 5 is unused by both raters), as our default does.
    a, b = ANXIETY[:, 1], ANXIETY[:, 2]
    assert cohen_kappa(a, b, weights=weights) == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_sklearn(weights):
    rng = np.random.default_rng(7)
    a = rng.integers(0, 5, 200)
    b = np.clip(a + rng.integers(-1, 2, 200), 0, 4)
    labels = [0, 1, 2, 3, 4]
    expected = cohen_kappa_score(a, b, weights=weights, labels=labels)
    assert cohen_kappa(a, b, weights=weights, categories=labels) == pytest.approx(expected)


def test_cohen_drops_units_missing_for_either_coder():
    a = [1, 1, 0, 0, None, 1]
    b = [1, 0, 0, 0, 1, np.nan]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]))
    assert cohen_kappa([a, b]) == cohen_kappa(a, b)  # a 2 x n matrix works too


def test_categories_control_domain_and_order():
    # Linear weights by position in categories: reversing the order does not change kappa,
    # inserting an unused middle category does.
    a, b = [1, 2, 3, 3], [1, 3, 3, 2]
    k = cohen_kappa(a, b, weights="linear")
    assert cohen_kappa(a, b, weights="linear", categories=[3, 2, 1]) == pytest.approx(k)
    assert cohen_kappa(a, b, weights="linear", categories=[1, 2, 2.5, 3]) != pytest.approx(k)
    with pytest.raises(ValueError, match="not in categories"):
        cohen_kappa(a, b, categories=[1, 2])


# ----------------------------------------------------------------------------- set-valued


def test_masi_alpha_matches_nltk():
    # Set-valued alpha cross-checked against NLTK's AnnotationTask(distance=masi_distance).
    agreement = importlib.import_module("nltk.metrics.agreement")
    distance = importlib.import_module("nltk.metrics.distance")
    data = [
        [{"a"}, {"a", "b"}, {"c"}, {"a", "c"}, {"b"}, None, {"a", "b", "c"}, {"c"}],
        [{"a"}, {"b"}, {"c"}, {"a"}, {"b", "c"}, {"a"}, {"a", "b"}, None],
        [{"a", "b"}, {"a", "b"}, {"c"}, {"a", "c"}, None, {"a"}, {"b", "c"}, {"c"}],
    ]
    triples = [
        (f"c{i}", f"u{j}", frozenset(v))
        for i, row in enumerate(data) for j, v in enumerate(row) if v is not None
    ]
    for level, fn in (("masi", distance.masi_distance), ("jaccard", distance.jaccard_distance)):
        expected = agreement.AnnotationTask(data=triples, distance=fn).alpha()
        assert krippendorff_alpha(data, level) == pytest.approx(expected, abs=1e-12)


def test_set_valued_distances():
    # NLTK docstring: masi_distance({1, 2}, {1, 2, 3, 4}) = 0.6667.
    assert masi_distance(frozenset({1, 2}), frozenset({1, 2, 3, 4})) == pytest.approx(2 / 3)
    assert masi_distance(frozenset(), frozenset()) == 0.0
    assert masi_distance(frozenset(), frozenset({"a"})) == 1.0
    assert masi_distance(frozenset({1, 2}), frozenset({2, 3})) == pytest.approx(1 - 1 / 9)
    assert jaccard_distance(frozenset(), frozenset()) == 0.0


def test_empty_set_is_a_value_not_missing():
    # Hand computation: values {a},{a,b},{} / {a},{b},{} -> Do = 2/9, De = 24/30, alpha = 13/18.
    data = [[{"a"}, {"a", "b"}, set()], [{"a"}, {"b"}, set()]]
    assert krippendorff_alpha(data, "masi") == pytest.approx(13 / 18)
    # The same with ';'-joined strings ("" = coded, no theme) and a missing unit added.
    strings = [["a", "a;b", "", None], ["a", "b", "", "a"]]
    assert krippendorff_alpha(strings, "masi") == pytest.approx(13 / 18)
    # Treating the empty set as missing would change the result.
    assert krippendorff_alpha([[{"a"}, {"a", "b"}], [{"a"}, {"b"}]], "masi") != pytest.approx(
        13 / 18
    )


# ----------------------------------------------------------------------------- undefined cases


@pytest.mark.parametrize(
    "fn", [cohen_kappa, fleiss_kappa, scott_pi, krippendorff_alpha, gwet_ac1, brennan_prediger]
)
def test_all_values_identical_is_nan_with_warning(fn):
    data = [[1, 1, 1], [1, 1, 1]]
    with pytest.warns(UndefinedAgreementWarning):
        assert np.isnan(fn(data))


def test_gwet_defined_with_explicit_categories_when_one_value_used():
    # AC1 stays defined under extreme prevalence when the category set is known (Gwet 2008).
    assert gwet_ac1([[0, 0, 0], [0, 0, 0]], categories=[0, 1]) == 1.0
    assert brennan_prediger([[0, 0, 0], [0, 0, 0]], categories=[0, 1]) == 1.0


@pytest.mark.parametrize(
    "fn", [percent_agreement, fleiss_kappa, scott_pi, gwet_ac1, brennan_prediger,
           krippendorff_alpha, cohen_kappa]
)
def test_no_pairable_units_or_one_coder_is_nan(fn):
    with pytest.warns(UndefinedAgreementWarning):
        assert np.isnan(fn([[1, None], [None, 2]]))
    if fn is not cohen_kappa:
        with pytest.warns(UndefinedAgreementWarning):
            assert np.isnan(fn([[1, 2, 1]]))


def test_malformed_input_raises():
    with pytest.raises(ValueError, match="different numbers of units"):
        fleiss_kappa([[1, 2], [1]])
    with pytest.raises(ValueError, match="2-D"):
        fleiss_kappa(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="exactly two coders"):
        cohen_kappa([[1, 2], [1, 2], [1, 1]])
    with pytest.raises(ValueError, match="weights"):
        gwet_ac1(KRIPPENDORFF_2011, weights="cubic")


def test_accepts_arrays_dataframes_and_pandas_missing():
    frame = pd.DataFrame(KRIPPENDORFF_2011, dtype="Int64")  # pd.NA for missing
    assert percent_agreement(frame) == pytest.approx(0.8181818, abs=1e-7)
    arr = np.array(KRIPPENDORFF_2011, dtype=float)  # NaN for missing
    assert gwet_ac1(arr) == pytest.approx(0.77544, abs=5e-6)


# ----------------------------------------------------------------------------- bootstrap


def test_bootstrap_ci_contains_estimate_and_is_reproducible():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2, 120)
    b = np.where(rng.random(120) < 0.8, a, 1 - a)
    data = [a, b]
    first = bootstrap_ci(cohen_kappa, data, n_boot=200, random_state=3)
    assert first == bootstrap_ci(cohen_kappa, data, n_boot=200, random_state=3)
    est, low, high = first
    assert est == pytest.approx(cohen_kappa(a, b))
    assert low < est < high
    est2, low2, high2 = bootstrap_ci(gwet_ac1, data, n_boot=200, categories=[0, 1])
    assert est2 == pytest.approx(gwet_ac1(data, categories=[0, 1]))
    assert low2 < est2 < high2


def test_cluster_bootstrap_resamples_whole_clusters():
    # Two clusters: one in perfect agreement, one in perfect disagreement. Resampling whole
    # clusters can only give percent agreement 0, 0.5 or 1 (each cluster has 4 units).
    a = [1, 0, 1, 0, 1, 0, 1, 0]
    b = [1, 0, 1, 0, 0, 1, 0, 1]
    cluster = ["i1"] * 4 + ["i2"] * 4
    est, low, high = bootstrap_ci(percent_agreement, [a, b], n_boot=300, cluster=cluster)
    assert est == 0.5
    assert (low, high) == (0.0, 1.0)
    # Unit resampling gives a narrower interval.
    _, ulow, uhigh = bootstrap_ci(percent_agreement, [a, b], n_boot=300)
    assert 0.0 < ulow and uhigh < 1.0
    with pytest.raises(ValueError, match="one label per unit"):
        bootstrap_ci(percent_agreement, [a, b], cluster=["x"])


def test_bootstrap_drops_undefined_resamples_with_warning():
    data = [[1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]]
    with pytest.warns(UndefinedAgreementWarning, match="bootstrap resamples"):
        est, low, high = bootstrap_ci(cohen_kappa, data, n_boot=100)
    assert est == 1.0 and low == high == 1.0


def test_bootstrap_validates_arguments():
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_ci(cohen_kappa, [[1, 0], [1, 0]], n_boot=0)
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci(cohen_kappa, [[1, 0], [1, 0]], level=95)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError):
            bootstrap_ci("kappa", [[1, 0], [1, 0]])


def test_text_and_number_codes_are_flagged():
    with pytest.warns(UserWarning, match="mix text and numbers"):
        assert cohen_kappa(["1", "0", "1"], [1, 0, 1]) <= 0
