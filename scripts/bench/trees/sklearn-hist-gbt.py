"""scikit-learn's side of the tree-ensemble benchmark (scripts/bench/trees.ts runs it).

Reads the benchmark's data file — float64, little-endian, column after column: FEATURES feature
columns of ROWS values (the first TRAIN rows train, the rest are the holdout), then the regression
target, then the class label (0 … CLASSES − 1) — and fits HistGradientBoostingRegressor or
HistGradientBoostingClassifier with the hyper-parameters given as JSON (early stopping off). Prints
one JSON object: the fit's wall and CPU time (all threads; binning included, reading excluded), the holdout metric (RMSE, or
log loss and accuracy), the number of iterations and the OpenMP threads it ran with.

usage: python3 sklearn-hist-gbt.py DATA_FILE ROWS TRAIN FEATURES regression|classification PARAMS_JSON
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, log_loss
from threadpoolctl import threadpool_info


def main() -> None:
    path, rows, train, features, task, params = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], json.loads(sys.argv[6])
    data = np.fromfile(path, dtype="<f8").reshape(features + 2, rows)
    x = data[:features].T
    target = data[features] if task == "regression" else data[features + 1].astype(np.int64)
    estimator = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    model = estimator(early_stopping=False, random_state=0, **params)
    started, cpu_started = time.perf_counter(), time.process_time()
    model.fit(x[:train], target[:train])
    fit_seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    holdout_x, holdout_y = x[train:], target[train:]
    if task == "regression":
        metrics = {"rmse": float(np.sqrt(np.mean((model.predict(holdout_x) - holdout_y) ** 2)))}
    else:
        metrics = {"logLoss": float(log_loss(holdout_y, model.predict_proba(holdout_x))), "accuracy": float(accuracy_score(holdout_y, model.predict(holdout_x)))}
    openmp = [info.get("num_threads") for info in threadpool_info() if info.get("user_api") == "openmp"]
    print(json.dumps({
        "fitMs": fit_seconds * 1000,
        "cpuMs": cpu_seconds * 1000,
        "metrics": metrics,
        "iterations": int(model.n_iter_),
        "threads": openmp[0] if openmp else None,
        "versions": {"numpy": np.__version__, "sklearn": __import__("sklearn").__version__},
    }))


if __name__ == "__main__":
    main()
