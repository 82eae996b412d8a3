# SPDX-License-Identifier: ISC
"""The C statistics against an independent implementation: Debian's
python3-scipy, python3-statsmodels and numpy compute the same quantities for
fixed inputs, and the C results must agree to the stated tolerance. Every
input line must get exactly one output line of the expected length: a
missing or short answer fails, it is never dropped by a zip."""
import os
import subprocess
import sys

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from tap import check  # noqa: E402

BUILD = os.environ.get("SIMMER_BUILD", "build")
TOOL = os.path.join(BUILD, "tools", "stats_tool")
TOL = 1e-9          # closed-form quantities
TOL_FIT = 1e-5      # iterative fits, compared on coefficients



class ShortAnswer(AssertionError):
    pass


def run_tool(lines, widths):
    """Runs stats_tool on the lines; widths[i] is how many numbers line i
    must answer with. A missing line, an "error" or a short line raises."""
    p = subprocess.run([TOOL], input="\n".join(lines) + "\n", capture_output=True, text=True,
                       timeout=60, check=True)
    out = p.stdout.splitlines()
    if len(out) != len(lines):
        raise ShortAnswer(f"{len(lines)} questions, {len(out)} answers")
    rows = []
    for i, (line, width) in enumerate(zip(out, widths)):
        values = line.split()
        if len(values) != width or "error" in values:
            raise ShortAnswer(f"answer {i} is {line!r}, wanted {width} numbers")
        rows.append(list(map(float, values)))
    return rows


def rr_reference(a, b, c, d):
    """statsmodels' 2x2 table: risk ratio and its 95% log interval. simmer
    documents the Haldane-Anscombe rule (0.5 added to EVERY cell when one is
    zero); statsmodels' own shift_zeros adds it to the zero cells only, so
    the documented rule is applied here and statsmodels does the rest."""
    table = np.array([[a, b], [c, d]], dtype=float)
    if (table == 0).any():
        table += 0.5
    t = Table2x2(table, shift_zeros=False)
    lo, hi = t.riskratio_confint(alpha=0.05)
    return t.riskratio, lo, hi


def main():
    rng = np.random.default_rng(20261122)
    tables = [(3, 1, 1, 3), (0, 10, 5, 5), (12, 88, 4, 296), (7, 30, 20, 300), (1, 0, 0, 1),
              (25, 340, 30, 900), (0, 0, 3, 4), (50, 50, 50, 50),
              # far tails, where the ratio walk gives way to logs
              (40, 2, 3, 800), (0, 300, 200, 0), (100, 0, 0, 100), (9, 140, 0, 2000)]
    tables += [tuple(int(x) for x in rng.integers(0, 60, 4)) for _ in range(40)]
    # Two-sided, and one-sided "greater" (the forecast's exposure screen).
    for cmd, alternative, tol in (("fisher", "two-sided", 1e-6), ("fisherg", "greater", 1e-9)):
        out = run_tool([f"{cmd} {a} {b} {c} {d}" for a, b, c, d in tables], [1] * len(tables))
        worst = 0
        for (a, b, c, d), (p,) in zip(tables, out):
            ref = stats.fisher_exact([[a, b], [c, d]], alternative=alternative)[1]
            worst = max(worst, abs(p - ref) / max(ref, 1e-300) if ref > 1e-12 else abs(p - ref))
        check(f"fisher exact {alternative} p matches scipy.stats.fisher_exact", worst < tol,
              f"worst relative error {worst:.2e} over {len(tables)} tables")

    rr_tables = [t for t in tables if (t[0] + t[1]) > 0 and (t[2] + t[3]) > 0]
    out = run_tool([f"rr {a} {b} {c} {d}" for a, b, c, d in rr_tables], [3] * len(rr_tables))
    worst = max(max(abs(x - y) / y for x, y in zip(got, rr_reference(*t)))
                for t, got in zip(rr_tables, out))
    check("relative risk and its 95% interval match statsmodels' Table2x2", worst < TOL,
          f"worst relative error {worst:.2e} over {len(rr_tables)} tables")

    for size in (5, 50, 400):
        p = rng.uniform(0, 1, size) ** 3
        (got,) = run_tool(["bh " + " ".join(repr(float(x)) for x in p)], [size])
        ref = multipletests(p, method="fdr_bh")[1]
        err = float(np.max(np.abs(np.array(got) - ref)))
        check(f"Benjamini-Hochberg q-values for {size} p-values match statsmodels' multipletests",
              err < TOL, f"max error {err:.2e}")

    samples = [rng.normal(size=n).round(2) for n in (1, 2, 5, 10, 101)]
    samples.append(np.array([3.0, np.nan, 1.0, 2.0, np.nan, 10.0]))
    fmt = lambda v: " ".join("nan" if np.isnan(x) else repr(float(x)) for x in v)
    got = run_tool([f"median {fmt(v)}" for v in samples], [1] * len(samples))
    err = max(abs(g[0] - np.nanmedian(v)) for g, v in zip(got, samples))
    check("median of finite values matches numpy.nanmedian", err < TOL, f"max error {err:.2e}")
    qs = (0.0, 0.1, 0.35, 0.5, 0.65, 0.9, 1.0)
    lines = [f"quantile {q} {fmt(v)}" for v in samples for q in qs]
    got = run_tool(lines, [1] * len(lines))
    ref = [np.nanquantile(v, q, method="linear") for v in samples for q in qs]
    err = max(abs(g[0] - r) for g, r in zip(got, ref))
    check("quantiles with linear interpolation match numpy.nanquantile", err < TOL,
          f"max error {err:.2e} over {len(lines)} quantiles")

    # Newey-West slopes: autocorrelated errors (AR(1), 0.6), an event and a
    # numeric exposure, short and long series, a week of lags.
    for n, event in ((30, True), (120, False), (365, True), (730, False)):
        e = np.zeros(n)
        for i in range(1, n):
            e[i] = 0.6 * e[i - 1] + rng.normal()
        x = (rng.uniform(size=n) < 0.3).astype(float) if event else rng.normal(7, 1, n)
        y = 3 + 0.8 * x + e
        (got,) = run_tool(["hac 7 " + " ".join(f"{a!r} {b!r}" for a, b in zip(x, y))], [4])
        fit = OLS(y, np.column_stack([np.ones(n), x])).fit(
            cov_type="HAC", cov_kwds={"maxlags": 7, "use_correction": True})
        plain = OLS(y, np.column_stack([np.ones(n), x])).fit()
        ref = [fit.params[1], fit.bse[1], fit.params[0], plain.bse[1]]
        err = float(np.max(np.abs(np.array(got) - ref)))
        check(f"Newey-West slope and standard errors, n={n}, match statsmodels' OLS (HAC, plain)",
              err < TOL, f"max error {err:.2e}")

    for size in (20, 200):
        s = rng.normal(size=size).round(1)  # ties on purpose
        lab = (rng.uniform(size=size) < 1 / (1 + np.exp(-2 * s))).astype(int)
        (got,) = run_tool(["auc " + " ".join(f"{a} {b}" for a, b in zip(s, lab))], [1])
        u = stats.mannwhitneyu(s[lab == 1], s[lab == 0], alternative="two-sided").statistic
        ref = u / (lab.sum() * (size - lab.sum()))
        check(f"AUC of {size} scores matches scipy.stats.mannwhitneyu", abs(got[0] - ref) < TOL,
              f"{got[0]:.12f} vs {ref:.12f}")

    for n, k, lam in ((80, 2, 1.0), (300, 5, 2.0), (60, 8, 5.0)):
        x = rng.normal(size=(n, k))
        beta = rng.normal(size=k)
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(x @ beta - 0.5)))).astype(float)

        def objective(b):
            z = b[0] + x @ b[1:]
            return np.sum(np.logaddexp(0, z) - y * z) + lam / 2 * np.sum(b[1:] ** 2)

        def gradient(b):
            pz = 1 / (1 + np.exp(-(b[0] + x @ b[1:])))
            g0 = np.sum(pz - y)
            g = x.T @ (pz - y) + lam * b[1:]
            return np.concatenate([[g0], g])

        ref = optimize.minimize(objective, np.zeros(k + 1), jac=gradient, method="BFGS",
                                options={"gtol": 1e-12, "maxiter": 10000}).x
        rows = " ".join(" ".join(map(repr, list(map(float, x[i])) + [float(y[i])])) for i in range(n))
        (got,) = run_tool([f"logit {lam} {n} {k} {rows}"], [k + 1])
        err = float(np.max(np.abs(np.array(got) - ref)))
        check(f"ridge logistic fit n={n} k={k} lambda={lam} matches scipy.optimize", err < TOL_FIT,
              f"max coefficient error {err:.2e}")

    # Probability forecasts: Brier score and log-loss from their numpy
    # definitions, Platt scaling by scipy.optimize, and the calibration table
    # by numpy.digitize.
    for size in (40, 400):
        score = rng.normal(size=size)
        truth = 1 / (1 + np.exp(-(-1.5 + 1.2 * score)))
        y = (rng.uniform(size=size) < truth).astype(int)
        p = np.clip(truth + rng.normal(0, 0.05, size), 0.001, 0.999)
        pairs = " ".join(f"{a!r} {b}" for a, b in zip(map(float, p), y))
        (got,) = run_tool([f"brier {pairs}"], [2])
        brier = np.mean((p - y) ** 2)
        ll = -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))
        err = max(abs(got[0] - brier), abs(got[1] - ll))
        check(f"Brier score and log-loss of {size} forecasts match numpy", err < TOL,
              f"max error {err:.2e}")

        for lam in (0.0, 1.0):
            def nll(ab):
                z = ab[0] + ab[1] * score
                return np.sum(np.logaddexp(0, z) - y * z) + lam / 2 * ab[1] ** 2
            ref = optimize.minimize(nll, np.zeros(2), method="BFGS",
                                    options={"gtol": 1e-12, "maxiter": 10000}).x
            spairs = " ".join(f"{a!r} {b}" for a, b in zip(map(float, score), y))
            (got,) = run_tool([f"platt {lam} {spairs}"], [2])
            err = float(np.max(np.abs(np.array(got) - ref)))
            check(f"Platt scaling of {size} scores (slope penalty {lam}) matches scipy.optimize",
                  err < TOL_FIT, f"max coefficient error {err:.2e}")

        edges = np.array([0, 0.05, 0.1, 0.2, 0.3, 0.5, 1])
        idx = np.clip(np.digitize(p, edges[1:-1], right=False), 0, len(edges) - 2)
        ref = []
        for b in range(len(edges) - 1):
            sel = idx == b
            if sel.any():
                ref += [p[sel].mean(), y[sel].mean(), sel.sum()]
        (got,) = run_tool(["calib " + " ".join(map(repr, map(float, edges))) + " " + pairs],
                          [len(ref)])
        err = float(np.max(np.abs(np.array(got) - np.array(ref))))
        check(f"calibration table of {size} forecasts matches numpy.digitize", err < TOL,
              f"max error {err:.2e}")

    return tap.report("# ")


if __name__ == "__main__":
    sys.exit(main())
