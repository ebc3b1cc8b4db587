"""scikit-learn's side of the ridge benchmark (scripts/bench/training.ts runs it).

Reads the benchmark's data file — float64, little-endian, column after column: FEATURES feature
columns of ROWS values, then the target — and fits StandardScaler + Ridge(alpha), the estimator
Driftline's fitRidge implements, with one BLAS thread. Prints one JSON object: the fit time
(standardizing included, reading excluded), the coefficients on the standardized scale, the
intercept, the training RMSE and the BLAS numpy uses (threadpoolctl).

usage: python3 sklearn-ridge.py DATA_FILE ROWS FEATURES ALPHA
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits


def main() -> None:
    path, rows, features, alpha = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    data = np.fromfile(path, dtype="<f8").reshape(features + 1, rows)
    # The file is column-major; a transposed view is X in Fortran order, as a column store hands it over.
    x, y = data[:features].T, data[features]
    with threadpool_limits(limits=1):
        started = time.perf_counter()
        z = StandardScaler().fit_transform(x)
        model = Ridge(alpha=alpha).fit(z, y)
        fit_seconds = time.perf_counter() - started
        rmse = float(np.sqrt(np.mean((model.predict(z) - y) ** 2)))
        blas = [
            {key: info.get(key) for key in ("internal_api", "version", "architecture", "threading_layer", "num_threads", "filepath")}
            for info in threadpool_info()
            if info.get("user_api") == "blas"
        ]
    print(json.dumps({
        "fitMs": fit_seconds * 1000,
        "coefficients": model.coef_.tolist(),
        "intercept": float(model.intercept_),
        "rmse": rmse,
        "solver": model.solver,
        "blas": blas,
        "versions": {"numpy": np.__version__, "sklearn": __import__("sklearn").__version__},
    }))


if __name__ == "__main__":
    main()
