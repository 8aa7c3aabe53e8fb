"""The statsforecast orchestrator: numeric warnings silenced inside a run and nowhere
else, and no module of ours changes the process when imported."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
from statsforecast.models import AutoETS

from callscope.forecast.frame import cross_validate, forecast_frame, long_frame, run_forecast
from callscope.forecast.models import DailyProfile
from callscope.forecast.series import IntervalSeries

#: Daily totals 1, 2, ..., 12 on weekdays: AutoETS (season 5) divides by zero on them
#: (statsforecast/ets.py); constant totals: statsmodels' ACF behind AutoTheta does.
TREND = np.arange(1.0, 13.0)
FLAT = np.full(21, 5.0)


def _daily(y: np.ndarray, weekdays_only: bool) -> IntervalSeries:
    d = np.datetime64("2024-01-01", "D") + np.arange(60)
    if weekdays_only:
        d = d[(d.astype(np.int64) + 3) % 7 < 5]
    t = d[: y.size].astype("datetime64[us]") + np.timedelta64(9, "h")
    return IntervalSeries(t, y, 3600)


def test_numeric_warnings_are_silenced_inside_a_run_and_only_there() -> None:
    series = {"u0": _daily(TREND, True), "u1": _daily(TREND * 2, True)}
    flat = {"u0": _daily(FLAT, False)}
    with warnings.catch_warnings():
        # any RuntimeWarning that is not explicitly silenced becomes an error, in the
        # forked statsforecast workers too (they inherit the filters)
        warnings.filterwarnings("error", category=RuntimeWarning, append=True)
        for models, group in (([DailyProfile("ets")], series), ([DailyProfile("theta")], flat)):
            df = long_frame(group)
            X = pd.concat(
                [
                    forecast_frame(uid, s.start[-5:] + np.timedelta64(7, "D"), 3600, len(s))
                    for uid, s in group.items()
                ],
                ignore_index=True,
            )
            fc = run_forecast(df, X, models, 5, n_jobs=2)
            assert np.isfinite(fc[models[0].alias].to_numpy()).all()
        cv = cross_validate(long_frame(series), [DailyProfile("ets")], 1, 1, n_jobs=2)
        assert len(cv.frame) == 2
    # outside a run the same numerics still warn: no filter was left behind
    with warnings.catch_warnings(record=True) as seen:
        warnings.filterwarnings("always", category=RuntimeWarning, append=True)
        AutoETS(season_length=5).forecast(y=TREND, h=5)
    assert any("statsforecast" in w.filename for w in seen)


_PROBE = r"""
import importlib, logging, os, pkgutil, sys, warnings
import callscope
try:
    import matplotlib
    rc = dict(matplotlib.rcParams)
except ImportError:
    matplotlib = None
# who sets a warning filter: our code, or a library we import (statsmodels, numpy and
# scipy set their own at import; that is theirs, not ours)
ours = os.path.dirname(callscope.__file__)
set_by_us = []
def spy(real):
    def wrapper(*args, **kwargs):
        caller = sys._getframe(1).f_code.co_filename
        if caller.startswith(ours):
            set_by_us.append(caller)
        return real(*args, **kwargs)
    return wrapper
warnings.filterwarnings = spy(warnings.filterwarnings)
warnings.simplefilter = spy(warnings.simplefilter)
names = ["callscope.store.forecasts"]
for pkg in ("callscope.forecast", "callscope.synth"):
    mod = importlib.import_module(pkg)
    names.append(pkg)
    names += [f"{pkg}.{m.name}" for m in pkgutil.iter_modules(mod.__path__)]
bad = []
for name in names:
    env, log = dict(os.environ), (logging.root.level, list(logging.root.handlers))
    importlib.import_module(name)
    if set_by_us:
        bad.append(f"{name}: warning filter set in {set_by_us}")
        set_by_us.clear()
    if dict(os.environ) != env:
        bad.append(f"{name}: os.environ")
    if (logging.root.level, list(logging.root.handlers)) != log:
        bad.append(f"{name}: logging")
    if matplotlib is not None and dict(matplotlib.rcParams) != rc:
        bad.append(f"{name}: matplotlib rcParams")
print(len(names))
for line in bad:
    print(line)
"""


def test_importing_forecast_and_synth_changes_nothing_in_the_process() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert int(out[0]) > 20  # every module was imported
    assert out[1:] == []
