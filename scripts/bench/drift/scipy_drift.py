"""The drift report's statistics for the same 1,000,000 x 20 per side, computed with numpy/SciPy.

What Driftline's default report computes per column (Evidently's choices for a large reference),
done the way a SciPy user would: for each numeric column the finite values sorted, the distinct
count that picks the method, the Wasserstein distance normed by the reference's standard deviation
(scipy.stats.wasserstein_distance), Sturges histograms over both samples (numpy), the summary
(mean, quantiles, min, max) and the calibration bootstrap (200 multinomial draws of 2,000 over
10,000 reference order statistics); for each categorical column the counts, the Jensen-Shannon
distance (scipy.spatial.distance.jensenshannon, base 2), the shares and new categories, and its
bootstrap; then the multivariate PCA reconstruction signal on 20,000-row samples. Reading the CSV
is not timed: the reference gets its data in memory for free.

usage: python3 scipy_drift.py FILE ROWS_PER_SIDE   -> one JSON line
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import scipy
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

REPLICATES = 200
MAX_REPLICATE = 2000
REFERENCE_POINTS = 10_000
QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]
MAX_ROWS = 20_000
CHUNKS = 200


def numeric_column(ref, cur, rng):
    r = np.sort(ref[np.isfinite(ref)])
    c = np.sort(cur[np.isfinite(cur)])
    distinct = 1 + np.count_nonzero(np.diff(r))
    norm = max(r.std(), 0.001)
    statistic = wasserstein_distance(r, c) / norm
    edges = np.histogram_bin_edges(np.concatenate([r, c]), bins="sturges")
    histogram = (np.histogram(r, edges)[0], np.histogram(c, edges)[0])
    summary = [(s.mean(), np.quantile(s, QUANTILES), s[0], s[-1]) for s in (r, c)]
    draws = min(len(c), MAX_REPLICATE)
    points = r[np.floor((np.arange(REFERENCE_POINTS) + 0.5) * len(r) / REFERENCE_POINTS).astype(np.int64)]
    counts = rng.multinomial(draws, np.full(REFERENCE_POINTS, 1 / REFERENCE_POINTS), size=REPLICATES)
    drawn = np.cumsum(counts, axis=1)[:, :-1] / draws
    noise = (np.abs(np.arange(1, REFERENCE_POINTS) / REFERENCE_POINTS - drawn) * np.diff(points)).sum(axis=1) / norm
    scale = (draws * (1 / len(c) + 1 / len(r))) ** 0.5
    driftFrom = max(0.1, np.quantile(noise, 0.99) * scale)
    return {"method": "wasserstein", "statistic": statistic, "driftFrom": driftFrom, "distinct": int(distinct), "bins": len(histogram[0]), "summary": float(summary[1][0])}


def categorical_column(ref, cur, rng):
    categories = ref.cat.categories.union(cur.cat.categories)
    r = ref.cat.set_categories(categories)
    c = cur.cat.set_categories(categories)
    rc = np.bincount(r.cat.codes[r.cat.codes >= 0], minlength=len(categories))
    cc = np.bincount(c.cat.codes[c.cat.codes >= 0], minlength=len(categories))
    statistic = jensenshannon(rc, cc, base=2)
    shares = (rc / rc.sum(), cc / cc.sum())
    top = np.argsort(-np.maximum(*shares), kind="stable")[:10]
    new = np.flatnonzero((rc == 0) & (cc > 0))
    draws = min(cc.sum(), MAX_REPLICATE)
    replicates = rng.multinomial(draws, shares[0], size=REPLICATES)
    noise = np.array([jensenshannon(rc, replicate, base=2) for replicate in replicates])
    scale = (draws * (1 / cc.sum() + 1 / rc.sum())) ** 0.5
    driftFrom = max(0.1, np.quantile(noise, 0.99) * scale)
    return {"method": "jensenshannon", "statistic": statistic, "driftFrom": driftFrom, "top": len(top), "new": len(new)}


def multivariate(ref, cur, rng):
    fit_rows = rng.choice(len(ref), min(len(ref), MAX_ROWS), replace=False)
    fit, held = ref[fit_rows[0::2]], ref[fit_rows[1::2]]
    mean, sd = fit.mean(axis=0), fit.std(axis=0)
    z = (fit - mean) / sd
    values, vectors = np.linalg.eigh(np.cov(z, rowvar=False, bias=True))
    order = np.argsort(values)[::-1]
    explained = np.cumsum(values[order]) / values.sum()
    kept = vectors[:, order[: int(np.searchsorted(explained, 0.9)) + 1]]

    def errors(rows):
        zs = (rows - mean) / sd
        return np.linalg.norm(zs - zs @ kept @ kept.T, axis=1)

    reference_errors = errors(held)
    current_errors = errors(cur[rng.choice(len(cur), min(len(cur), MAX_ROWS), replace=False)])
    chunk = min(len(current_errors), MAX_REPLICATE)
    means = reference_errors[rng.integers(0, len(reference_errors), size=(CHUNKS, chunk))].mean(axis=1)
    spread = means.std() * np.sqrt(chunk * (1 / len(current_errors) + 1 / len(reference_errors)))
    score = current_errors.mean()
    return {"components": kept.shape[1], "score": float(score), "threshold": float(means.mean() + 3 * spread)}


def main():
    path, rows = sys.argv[1], int(sys.argv[2])
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {name: ("category" if name.startswith("c") else np.float64) for name in header}
    frame = pd.read_csv(path, dtype=dtypes)
    reference, current = frame.iloc[:rows], frame.iloc[rows:]
    numeric = [name for name in header if not name.startswith("c")]
    sides = {name: (reference[name].to_numpy(), current[name].to_numpy()) for name in numeric}
    matrices = (reference[numeric].to_numpy(), current[numeric].to_numpy())
    categorical = {name: (reference[name], current[name]) for name in header if name.startswith("c")}
    rng = np.random.default_rng(12)

    started = time.perf_counter()
    statistics = {name: numeric_column(ref, cur, rng) for name, (ref, cur) in sides.items()}
    statistics.update({name: categorical_column(ref, cur, rng) for name, (ref, cur) in categorical.items()})
    signal = multivariate(*matrices, rng)
    ms = (time.perf_counter() - started) * 1000

    def plain(value):
        return float(value) if isinstance(value, (np.floating, float)) else value

    print(
        json.dumps(
            {
                "ms": ms,
                "drifted": sum(1 for s in statistics.values() if s["statistic"] >= s["driftFrom"]),
                "statistics": {name: {k: plain(v) for k, v in s.items()} for name, s in statistics.items()},
                "multivariate": signal,
                "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__},
            }
        )
    )


if __name__ == "__main__":
    main()
