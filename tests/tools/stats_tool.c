/*
 * stats_tool.c: prints the C statistics for inputs read from stdin, one
 * command a line, so tests/analysis/test_reference.py can compare them
 * with scipy's:
 *   fisher A B C D           -> p (two-sided)
 *   rr A B C D               -> rr lo hi
 *   bh P1 P2 ...             -> q1 q2 ...
 *   auc S1 L1 S2 L2 ...      -> auc (L is 0 or 1)
 *   logit LAMBDA N K x11 .. x1K y1 ... -> b0 b1 .. bK
 *   hac L X1 Y1 X2 Y2 ...    -> slope se intercept se_iid (Newey-West, L lags)
 *   median V1 V2 ...         -> median of the finite values
 *   quantile Q V1 V2 ...     -> quantile Q of the finite values
 *   fisherg A B C D          -> p (one-sided, "greater")
 *   brier P1 Y1 P2 Y2 ...    -> Brier score and log-loss
 *   platt LAMBDA S1 Y1 ...   -> a b
 *   calib E0 .. E6 P1 Y1 ... -> predicted observed days, per bin with days
 * A value written "nan" is not finite. A line it cannot read prints "error",
 * so every input line gets exactly one output line.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/stats.h"

/* The calibration command's bin edges: seven, so six bins. */
#define CALIB_EDGES 7

int
main(void)
{
	char line[1 << 16];
	while (fgets(line, sizeof line, stdin) != NULL) {
		char *save = NULL, *cmd = strtok_r(line, " \n", &save);
		double v[4096];
		size_t n = 0;
		char *tok;
		while ((tok = strtok_r(NULL, " \n", &save)) != NULL && n < 4096)
			v[n++] = strtod(tok, NULL);
		if (cmd == NULL)
			continue;
		if (strcmp(cmd, "fisher") == 0 && n == 4) {
			printf("%.17g\n", stats_fisher_exact((unsigned)v[0], (unsigned)v[1], (unsigned)v[2],
			    (unsigned)v[3]));
		} else if (strcmp(cmd, "rr") == 0 && n == 4) {
			struct stats_rr r = stats_relative_risk((unsigned)v[0], (unsigned)v[1],
			    (unsigned)v[2], (unsigned)v[3]);
			printf("%.17g %.17g %.17g\n", r.rr, r.lo, r.hi);
		} else if (strcmp(cmd, "bh") == 0) {
			double q[4096];
			stats_bh_qvalues(v, q, n);
			for (size_t i = 0; i < n; i++)
				printf("%.17g%c", q[i], i + 1 < n ? ' ' : '\n');
		} else if (strcmp(cmd, "hac") == 0 && n >= 1) {
			double xs[2048], ys[2048];
			size_t rows = (n - 1) / 2;
			for (size_t i = 0; i < rows; i++) {
				xs[i] = v[1 + 2 * i];
				ys[i] = v[2 + 2 * i];
			}
			struct stats_slope sl;
			if (stats_ols_hac(xs, ys, rows, (int)v[0], &sl) != 0)
				printf("error\n");
			else
				printf("%.17g %.17g %.17g %.17g\n", sl.slope, sl.se, sl.intercept,
				    sl.se_iid);
		} else if (strcmp(cmd, "auc") == 0) {
			double s[2048];
			bool l[2048];
			for (size_t i = 0; i + 1 < n; i += 2) {
				s[i / 2] = v[i];
				l[i / 2] = v[i + 1] != 0;
			}
			printf("%.17g\n", stats_auc(s, l, n / 2));
		} else if (strcmp(cmd, "logit") == 0 && n >= 3) {
			double lambda = v[0];
			size_t rows = (size_t)v[1], k = (size_t)v[2];
			double *x = malloc(rows * k * sizeof *x), *y = malloc(rows * sizeof *y);
			double beta[64];
			for (size_t i = 0; i < rows; i++) {
				for (size_t j = 0; j < k; j++)
					x[i * k + j] = v[3 + i * (k + 1) + j];
				y[i] = v[3 + i * (k + 1) + k];
			}
			stats_logistic_ridge(x, y, NULL, rows, k, lambda, beta, 100);
			for (size_t j = 0; j <= k; j++)
				printf("%.17g%c", beta[j], j < k ? ' ' : '\n');
			free(x);
			free(y);
		} else if (strcmp(cmd, "fisherg") == 0 && n == 4) {
			printf("%.17g\n", stats_fisher_greater((unsigned)v[0], (unsigned)v[1],
			    (unsigned)v[2], (unsigned)v[3]));
		} else if (strcmp(cmd, "brier") == 0 || strcmp(cmd, "platt") == 0 ||
		    (strcmp(cmd, "calib") == 0 && n >= CALIB_EDGES)) {
			bool platt = cmd[0] == 'p', calib = cmd[0] == 'c';
			size_t skip = platt ? 1 : (calib ? CALIB_EDGES : 0), m = (n - skip) / 2;
			double s[2048];
			bool l[2048];
			for (size_t i = 0; i < m; i++) {
				s[i] = v[skip + 2 * i];
				l[i] = v[skip + 2 * i + 1] != 0;
			}
			if (platt) {
				struct stats_platt c;
				stats_platt_fit(s, l, m, v[0], &c);
				printf("%.17g %.17g\n", c.a, c.b);
			} else if (calib) {
				struct stats_calibration_bin bins[CALIB_EDGES - 1];
				size_t used = stats_calibration_table(s, l, m, v, CALIB_EDGES - 1, bins);
				for (size_t b = 0; b < used; b++)
					printf("%.17g %.17g %zu%c", bins[b].predicted, bins[b].observed,
					    bins[b].days, b + 1 < used ? ' ' : '\n');
				if (used == 0)
					printf("\n");
			} else {
				printf("%.17g %.17g\n", stats_brier(s, l, m), stats_log_loss(s, l, m));
			}
		} else if (strcmp(cmd, "median") == 0) {
			printf("%.17g\n", stats_median(v, n));
		} else if (strcmp(cmd, "quantile") == 0 && n >= 1) {
			printf("%.17g\n", stats_quantile(v + 1, n - 1, v[0]));
		} else {
			printf("error\n");
		}
	}
	return 0;
}
