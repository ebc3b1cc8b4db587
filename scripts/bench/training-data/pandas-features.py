"""The reference for the training thread's data path: the same columns read by psql COPY into
pandas, put in time order (stable) and turned into the same feature matrix (numeric columns,
one-hot categories, target lags) with its next-step label, rows with a gap dropped.
Reads the COPY CSV on stdin; argv[1] is {"dtypes": {...}, "time": ..., "target": ..., "features": {...}}.
Prints one JSON line. Used by scripts/bench/training-data.ts."""
import json
import resource
import sys
import time

started = time.perf_counter()
import numpy as np
import pandas as pd

spec = json.loads(sys.argv[1])
dtypes = spec["dtypes"]
frame = pd.read_csv(sys.stdin.buffer, header=None, names=list(dtypes), dtype={k: v for k, v in dtypes.items() if v != "bool"}, true_values=["t"], false_values=["f"])
loaded = time.perf_counter()
frame = frame.sort_values(spec["time"], kind="stable", ignore_index=True)
features = spec["features"]
parts = [frame[features["columns"]].astype("float64")]
parts += [pd.get_dummies(frame[c].astype("category"), prefix=c, dtype="float64") for c in features["categorical"]]
target = frame[spec["target"]].astype("float64")
parts += [target.shift(lag).rename(f"target_lag_{lag}") for lag in features["targetLags"]]
x = pd.concat(parts, axis=1)
y = target.shift(-1)
keep = x.notna().all(axis=1) & y.notna()
matrix = np.ascontiguousarray(x[keep].to_numpy(dtype="float64"))
labels = y[keep].to_numpy(dtype="float64")
done = time.perf_counter()
print(json.dumps({"readMs": (loaded - started) * 1000, "featuresMs": (done - loaded) * 1000, "totalMs": (done - started) * 1000, "examples": int(labels.shape[0]), "featureCount": int(matrix.shape[1]), "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
