"""The C statistics against an independent implementation: Debian's
python3-scipy and numpy compute the same quantities for fixed inputs, and
the C results must agree to the stated tolerance."""
import os
import subprocess
import sys

import numpy as np
from scipy import optimize, stats

BUILD = os.environ.get("SIMMER_BUILD", "build")
TOOL = os.path.join(BUILD, "tools", "stats_tool")
TOL = 1e-9          # closed-form quantities
TOL_FIT = 1e-5      # iterative fits, compared on coefficients

results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def run_tool(lines):
    p = subprocess.run([TOOL], input="\n".join(lines) + "\n", capture_output=True, text=True,
                       timeout=60, check=True)
    return [list(map(float, l.split())) for l in p.stdout.splitlines()]


def katz(a, b, c, d):
    if 0 in (a, b, c, d):
        a, b, c, d = a + .5, b + .5, c + .5, d + .5
    rr = (a / (a + b)) / (c / (c + d))
    se = np.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    z = stats.norm.ppf(0.975)
    return rr, np.exp(np.log(rr) - z * se), np.exp(np.log(rr) + z * se)


def bh(p):
    p = np.asarray(p)
    n = len(p)
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1)
    return out


def main():
    rng = np.random.default_rng(20261122)
    tables = [(3, 1, 1, 3), (0, 10, 5, 5), (12, 88, 4, 296), (7, 30, 20, 300), (1, 0, 0, 1),
              (25, 340, 30, 900), (0, 0, 3, 4), (50, 50, 50, 50)]
    tables += [tuple(int(x) for x in rng.integers(0, 60, 4)) for _ in range(40)]
    out = run_tool([f"fisher {a} {b} {c} {d}" for a, b, c, d in tables])
    worst = 0
    for (a, b, c, d), (p,) in zip(tables, out):
        ref = stats.fisher_exact([[a, b], [c, d]], alternative="two-sided")[1]
        worst = max(worst, abs(p - ref) / max(ref, 1e-300) if ref > 1e-12 else abs(p - ref))
    check("fisher exact two-sided p matches scipy.stats.fisher_exact", worst < 1e-6,
          f"worst relative error {worst:.2e} over {len(tables)} tables")

    rr_tables = [t for t in tables if (t[0] + t[1]) > 0 and (t[2] + t[3]) > 0]
    out = run_tool([f"rr {a} {b} {c} {d}" for a, b, c, d in rr_tables])
    worst = max(max(abs(x - y) / y for x, y in zip(got, katz(*t))) for t, got in zip(rr_tables, out))
    check("relative risk and Katz 95% interval match numpy/scipy.stats.norm", worst < TOL,
          f"worst relative error {worst:.2e}")

    for size in (5, 50, 400):
        p = rng.uniform(0, 1, size) ** 3
        (got,) = run_tool(["bh " + " ".join(repr(float(x)) for x in p)])
        ref = bh(p)
        if hasattr(stats, "false_discovery_control"):
            ref = stats.false_discovery_control(p, method="bh")
        err = float(np.max(np.abs(np.array(got) - ref)))
        check(f"Benjamini-Hochberg q-values for {size} p-values", err < TOL, f"max error {err:.2e}")

    for size in (20, 200):
        s = rng.normal(size=size).round(1)  # ties on purpose
        lab = (rng.uniform(size=size) < 1 / (1 + np.exp(-2 * s))).astype(int)
        (got,) = run_tool(["auc " + " ".join(f"{a} {b}" for a, b in zip(s, lab))])
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
        (got,) = run_tool([f"logit {lam} {n} {k} {rows}"])
        err = float(np.max(np.abs(np.array(got) - ref)))
        check(f"ridge logistic fit n={n} k={k} lambda={lam} matches scipy.optimize", err < TOL_FIT,
              f"max coefficient error {err:.2e}")

    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail:
            print(f"# {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
