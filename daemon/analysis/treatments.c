/*
 * treatments.c: how often each treatment was used lately, reported on its
 * own (see analysis.h).
 *
 * A medicine taken because pain began goes with pain and explains none of
 * it, so treatments are never tested as triggers; but frequent use matters
 * in its own right (NSAIDs on most days are a load of their own), so the
 * person sees it: "nsaid on 12 of the last 30 days".
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <string.h>

#include "daemon/analysis/internal.h"

void
treatments_use(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r)
{
	r->n_treatments = 0;
	size_t max = sizeof r->treatments / sizeof r->treatments[0];
	size_t from = in->n_days > cfg->treatment_days ? in->n_days - cfg->treatment_days : 0;
	for (size_t f = 0; f < in->n_factors && r->n_treatments < max; f++) {
		if (in->factors[f].role != AR_TREATMENT)
			continue;
		struct treatment_use u = {.factor = (int)f};
		for (size_t d = from; d < in->n_days; d++) {
			double v = in->factors[f].values[d];
			if (!isfinite(v))
				continue;
			u.days_known++;
			u.days_used += v > 0;
		}
		/* Not logged lately is not "not used": leave it out. */
		if (u.days_used > 0)
			r->treatments[r->n_treatments++] = u;
	}
	r->treatment_days = (unsigned)(in->n_days - from);
}
