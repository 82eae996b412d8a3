/*
 * triggers.c: which exposures are followed by flare onsets, with honest
 * statistics.
 *
 * For every exposure factor and lag 0..max_lag, the onset rate on days at
 * risk after exposure is compared with the rate after no exposure (Fisher's
 * exact test, relative risk with a 95% interval). Numeric factors are cut
 * at seven quantiles in both directions, events also at counts of 2 and 3;
 * pairs of conditions are tested for
 * harm together beyond each alone (the interaction itself is tested); symptoms rising one to three days
 * before are warning signs. Treatments (medicines such as NSAIDs, often taken
 * because pain began) are never tested: their use is reported on its own
 * (treatments.c). An exposure counts only where it can have come before the
 * onset it is compared with (see exposure_counts). The search over lags,
 * cut points and directions is paid for inside each factor (or pair), and
 * Benjamini-Hochberg runs across factors and, apart, across pairs (see
 * group_qvalues). Days are bitsets, so a test is a few popcounts.
 *
 * SPDX-License-Identifier: ISC
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/analysis/internal.h"
#include "daemon/analysis/stats.h"

/* A combination must be this much riskier than either condition alone. */
#define COMBINATION_MIN_GAIN 1.5
/* ... and beat each member alone at this one-sided p (the interaction). */
#define COMBINATION_MAX_INTERACTION_P 0.01
/* Two findings whose exposure days correlate this much measure one thing. */
#define OVERLAP_MIN_PHI 0.5
/* Fewest exposed and unexposed days for a comparison to be made at all. */
#define MIN_GROUP_DAYS 3

static const double cut_quantiles[] = {0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9};
#define N_CUTS (sizeof cut_quantiles / sizeof cut_quantiles[0])

typedef uint64_t word;

static size_t
popcount_and(const word *a, const word *b, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += (size_t)__builtin_popcountll(a[i] & b[i]);
	return c;
}

static void
bit_set(word *w, size_t i)
{
	w[i / 64] |= (word)1 << (i % 64);
}

/* One condition on one factor at one lag, as day bitsets. */
struct cond_bits {
	struct condition cond;
	int lag;
	word *known;   /* at-risk days whose lagged value is known */
	word *hit;     /* ... and meet the condition */
	bool symptom;
	bool for_pairs;
};

struct hypothesis {
	int kind;
	int a_idx, b_idx;       /* indices into the condition list (b -1 for singles) */
	unsigned a, b, c, d;    /* exposed onsets, exposed non-onsets, unexposed ... */
	double p, q;
	struct stats_rr rr;
	double rr_alone;        /* combinations: the larger single RR */
	double p_interaction;   /* combinations: the pair against each member alone */
	long group;             /* the factor, or pair of factors, it is about */
};

static bool
meets(const struct condition *c, double v)
{
	if (!isfinite(v))
		return false;
	switch (c->op) {
	case OP_PRESENT: return v > 0;
	case OP_LT: return v < c->value;
	default: return v >= c->value;
	}
}

struct search {
	const struct analysis_input *in;
	const struct analysis_config *cfg;
	const struct analysis_result *r;
	double *outcome_first;  /* n_days: the time of the day's first outcome entry, or NAN */
	size_t words;
	word *risk, *onset;
	struct cond_bits *conds;
	size_t n_conds, cap_conds;
	struct hypothesis *hyp;
	size_t n_hyp, cap_hyp;
	word *arena;
	size_t arena_used, arena_cap;
};

static word *
arena_take(struct search *s)
{
	if (s->arena_used + s->words > s->arena_cap)
		return NULL;
	word *w = s->arena + s->arena_used;
	s->arena_used += s->words;
	memset(w, 0, s->words * sizeof *w);
	return w;
}

/*
 * Whether factor f's value on day e can have preceded the outcome it is
 * compared with (day e + lag). Days already inside a flare come after its
 * onset, so nothing on them counts towards the next one; on an onset day,
 * what was logged after the onset's first entry is inside the flare too;
 * and on the outcome's own day (lag 0), what was logged after that day's
 * first pain entry may have followed it (a medicine taken because pain
 * began), so it is unknown whether the day had a flare or not. Entries
 * logged at the same time count as before.
 */
static bool
exposure_counts(const struct search *s, int f, size_t e, int lag)
{
	if (s->r->in_flare[e] && !s->r->onset[e])
		return false;
	const double *first = s->in->factors[f].first_ms;
	if (first == NULL || !isfinite(first[e]) || !isfinite(s->outcome_first[e]))
		return true;
	bool after = first[e] > s->outcome_first[e];
	return !(after && (lag == 0 || s->r->onset[e]));
}

static int
add_condition(struct search *s, int factor, int op, double value, int lag, bool symptom,
    bool for_pairs)
{
	if (s->n_conds == s->cap_conds)
		return -1;
	struct cond_bits *cb = &s->conds[s->n_conds];
	cb->cond.factor = factor;
	cb->cond.op = op;
	cb->cond.value = value;
	cb->lag = lag;
	cb->symptom = symptom;
	cb->for_pairs = for_pairs;
	cb->known = arena_take(s);
	cb->hit = arena_take(s);
	if (cb->known == NULL || cb->hit == NULL)
		return -1;
	const double *v = s->in->factors[factor].values;
	for (size_t d = (size_t)lag; d < s->in->n_days; d++) {
		if (!(s->risk[d / 64] >> (d % 64) & 1))
			continue;
		double x = v[d - (size_t)lag];
		if (!isfinite(x) || !exposure_counts(s, factor, d - (size_t)lag, lag))
			continue;
		bit_set(cb->known, d);
		if (meets(&cb->cond, x))
			bit_set(cb->hit, d);
	}
	s->n_conds++;
	return 0;
}

static int
add_hypothesis(struct search *s, const struct hypothesis *h)
{
	if (s->n_hyp == s->cap_hyp) {
		size_t cap = s->cap_hyp ? s->cap_hyp * 2 : 1024;
		struct hypothesis *n = realloc(s->hyp, cap * sizeof *n);
		if (n == NULL)
			return -1;
		s->hyp = n;
		s->cap_hyp = cap;
	}
	s->hyp[s->n_hyp++] = *h;
	return 0;
}

/* A single condition against its absence, on days where it is known. */
static int
test_single(struct search *s, size_t i)
{
	struct cond_bits *cb = &s->conds[i];
	size_t known = 0, hit = 0, hit_onset = 0, known_onset = 0;
	for (size_t w = 0; w < s->words; w++) {
		known += (size_t)__builtin_popcountll(cb->known[w]);
		hit += (size_t)__builtin_popcountll(cb->hit[w]);
	}
	hit_onset = popcount_and(cb->hit, s->onset, s->words);
	known_onset = popcount_and(cb->known, s->onset, s->words);
	if (hit < MIN_GROUP_DAYS || known - hit < MIN_GROUP_DAYS)
		return 0;
	struct hypothesis h = {0};
	h.kind = cb->cond.op == OP_PRESENT ? FINDING_SINGLE : FINDING_THRESHOLD;
	h.a_idx = (int)i;
	h.b_idx = -1;
	h.a = (unsigned)hit_onset;
	h.b = (unsigned)(hit - hit_onset);
	h.c = (unsigned)(known_onset - hit_onset);
	h.d = (unsigned)(known - hit - h.c);
	h.p = stats_fisher_exact(h.a, h.b, h.c, h.d);
	h.rr = stats_relative_risk(h.a, h.b, h.c, h.d);
	return add_hypothesis(s, &h);
}

/* Both conditions against neither, on days where both are known. */
static int
test_pair(struct search *s, size_t i, size_t j)
{
	struct cond_bits *x = &s->conds[i], *y = &s->conds[j];
	size_t both_known = 0, both = 0, both_on = 0, x_only = 0, x_only_on = 0, y_only = 0,
	    y_only_on = 0, neither = 0, neither_on = 0;
	for (size_t w = 0; w < s->words; w++) {
		word k = x->known[w] & y->known[w];
		word b = k & x->hit[w] & y->hit[w];
		word xo = k & x->hit[w] & ~y->hit[w];
		word yo = k & ~x->hit[w] & y->hit[w];
		word n = k & ~x->hit[w] & ~y->hit[w];
		both_known += (size_t)__builtin_popcountll(k);
		both += (size_t)__builtin_popcountll(b);
		both_on += (size_t)__builtin_popcountll(b & s->onset[w]);
		x_only += (size_t)__builtin_popcountll(xo);
		x_only_on += (size_t)__builtin_popcountll(xo & s->onset[w]);
		y_only += (size_t)__builtin_popcountll(yo);
		y_only_on += (size_t)__builtin_popcountll(yo & s->onset[w]);
		neither += (size_t)__builtin_popcountll(n);
		neither_on += (size_t)__builtin_popcountll(n & s->onset[w]);
	}
	(void)both_known;
	if (both < MIN_GROUP_DAYS || neither < MIN_GROUP_DAYS || x_only < MIN_GROUP_DAYS ||
	    y_only < MIN_GROUP_DAYS)
		return 0;
	struct hypothesis h = {0};
	h.kind = FINDING_COMBINATION;
	h.a_idx = (int)i;
	h.b_idx = (int)j;
	h.a = (unsigned)both_on;
	h.b = (unsigned)(both - both_on);
	h.c = (unsigned)neither_on;
	h.d = (unsigned)(neither - neither_on);
	h.p = stats_fisher_exact(h.a, h.b, h.c, h.d);
	/* The interaction as such: the pair must beat each member alone, so its
	 * p-value is the larger of the two one-sided comparisons (an
	 * intersection-union test). A trigger with a passenger does not beat
	 * the trigger alone. */
	double px = stats_fisher_greater(h.a, h.b, (unsigned)x_only_on, (unsigned)(x_only - x_only_on));
	double py = stats_fisher_greater(h.a, h.b, (unsigned)y_only_on, (unsigned)(y_only - y_only_on));
	h.p_interaction = fmax(px, py);
	h.rr = stats_relative_risk(h.a, h.b, h.c, h.d);
	struct stats_rr rx = stats_relative_risk((unsigned)x_only_on, (unsigned)(x_only - x_only_on),
	    h.c, h.d);
	struct stats_rr ry = stats_relative_risk((unsigned)y_only_on, (unsigned)(y_only - y_only_on),
	    h.c, h.d);
	h.rr_alone = fmax(rx.rr, ry.rr);
	return add_hypothesis(s, &h);
}

/* The time of each day's first outcome entry (pain or a flare marker). */
static void
outcome_first_times(const struct analysis_input *in, double *first)
{
	int outcomes[2] = {analysis_find_factor(in, "pain"), analysis_find_factor(in, "flare")};
	for (size_t d = 0; d < in->n_days; d++) {
		first[d] = NAN;
		for (int i = 0; i < 2; i++) {
			if (outcomes[i] < 0 || in->factors[outcomes[i]].first_ms == NULL)
				continue;
			double t = in->factors[outcomes[i]].first_ms[d];
			if (isfinite(t) && !(t >= first[d]))
				first[d] = t;
		}
	}
}

/* Counts of an event tested as doses beyond "present": 2 or more, 3 or more. */
#define EVENT_DOSE_MAX 3

/* How many days an event was logged at a count of at least k. */
static size_t
days_at_least(const struct analysis_input *in, const double *v, double k)
{
	size_t n = 0;
	for (size_t d = 0; d < in->n_days; d++)
		n += isfinite(v[d]) && v[d] >= k;
	return n;
}

/* Builds the conditions: events present, and at doses of 2 and 3 when
 * logged so; numeric exposures cut at quantiles both ways; symptoms at or
 * over quantiles, lag 1 on. */
static int
build_conditions(struct search *s)
{
	const struct analysis_input *in = s->in;
	for (size_t f = 0; f < in->n_factors; f++) {
		const struct analysis_factor *af = &in->factors[f];
		bool exposure = af->role == AR_EXPOSURE, symptom = af->role == AR_SYMPTOM;
		if (!exposure && !symptom)
			continue;
		double cuts[N_CUTS];
		size_t n_cuts = 0;
		bool numeric = af->kind != AK_EVENT && af->kind != AK_FLARE;
		if (numeric) {
			for (size_t c = 0; c < N_CUTS; c++) {
				double q = stats_quantile(af->values, in->n_days, cut_quantiles[c]);
				if (!isfinite(q))
					continue;
				/* cuts[n_cuts - 1] was written when n_cuts > 0. */
				/* cppcheck-suppress uninitvar */
				if (n_cuts > 0 && cuts[n_cuts - 1] == q)
					continue;
				cuts[n_cuts++] = q;
			}
		}
		double median = numeric ? stats_median(af->values, in->n_days) : NAN;
		for (int lag = symptom ? 1 : 0; lag <= s->cfg->max_lag_days; lag++) {
			int rc = 0;
			if (!numeric) {
				rc = add_condition(s, (int)f, OP_PRESENT, 0, lag, symptom, exposure);
				for (int k = 2; rc == 0 && exposure && k <= EVENT_DOSE_MAX; k++)
					if (days_at_least(in, af->values, k) >= MIN_GROUP_DAYS)
						rc = add_condition(s, (int)f, OP_GE, k, lag, false, false);
			} else {
				for (size_t c = 0; rc == 0 && c < n_cuts; c++) {
					/* The median cuts also pair up for combinations. */
					bool pairs = exposure && cuts[c] == median;
					if (exposure)
						rc = add_condition(s, (int)f, OP_LT, cuts[c], lag, false, pairs);
					if (rc == 0)
						rc = add_condition(s, (int)f, OP_GE, cuts[c], lag, symptom, pairs);
				}
			}
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* A pair that does clearly better than each of its members alone: riskier
 * than either by COMBINATION_MIN_GAIN, and the interaction itself tested. */
static bool
combination_interacts(const struct hypothesis *h)
{
	return h->rr.rr > 1 && h->rr.rr >= COMBINATION_MIN_GAIN * h->rr_alone &&
	    h->p_interaction <= COMBINATION_MAX_INTERACTION_P;
}

/* Orders hypothesis indices by group, then p. */
static int
by_group_then_p(const void *x, const void *y, void *hyp)
{
	const struct hypothesis *all = hyp;
	const struct hypothesis *a = &all[*(const size_t *)x], *b = &all[*(const size_t *)y];
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return (a->p > b->p) - (a->p < b->p);
}

/*
 * Pays for the search inside each factor (or pair) once: a group's p is its
 * best hypothesis's p times the number it tested (lags, cut points and
 * directions: Bonferroni within the group), and Benjamini-Hochberg runs
 * across groups, the singles' family apart from the pairs'. The best
 * hypothesis of each group carries the group's q; the others carry 1. A
 * pair's best is chosen among the lags where it interacts.
 */
static int
group_qvalues(struct search *s)
{
	size_t n = s->n_hyp;
	size_t *order = malloc((n ? n : 1) * sizeof *order);
	double *gp = malloc((n ? n : 1) * sizeof *gp);
	size_t *gbest = malloc((n ? n : 1) * sizeof *gbest);
	bool *gpair = malloc((n ? n : 1) * sizeof *gpair);
	if (order == NULL || gp == NULL || gbest == NULL || gpair == NULL) {
		free(order);
		free(gp);
		free(gbest);
		free(gpair);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		s->hyp[i].q = 1;
	}
	qsort_r(order, n, sizeof *order, by_group_then_p, s->hyp);
	size_t n_groups = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, best = SIZE_MAX;
		for (; j < n && s->hyp[order[j]].group == s->hyp[order[i]].group; j++) {
			const struct hypothesis *h = &s->hyp[order[j]];
			bool eligible = h->kind != FINDING_COMBINATION || combination_interacts(h);
			if (best == SIZE_MAX && eligible)
				best = order[j];
		}
		/* Every group tested counts in its family, even one with nothing
		 * to report: leaving it out would shrink the family after looking. */
		gp[n_groups] = best == SIZE_MAX ? 1.0 : fmin(1.0, s->hyp[best].p * (double)(j - i));
		gbest[n_groups] = best == SIZE_MAX ? order[i] : best;
		gpair[n_groups] = s->hyp[order[i]].kind == FINDING_COMBINATION;
		n_groups++;
		i = j;
	}
	/* Two families: singles (and warning signs), and pairs. */
	for (int pairs = 0; pairs <= 1; pairs++) {
		size_t m = 0;
		for (size_t g = 0; g < n_groups; g++)
			if (gpair[g] == (bool)pairs)
				order[m++] = g;
		double *q = malloc((m ? m : 1) * sizeof *q);
		if (q == NULL) {
			free(order);
			free(gp);
			free(gbest);
			free(gpair);
			return -1;
		}
		for (size_t k = 0; k < m; k++)
			q[k] = gp[order[k]];
		stats_bh_qvalues(q, q, m);
		for (size_t k = 0; k < m; k++)
			s->hyp[gbest[order[k]]].q = q[k];
		free(q);
	}
	free(order);
	free(gp);
	free(gbest);
	free(gpair);
	return 0;
}

/* 1: reported; 2: significant but resting on too few onsets ("not enough
 * data"); 0: neither. */
static int
reportable(const struct search *s, const struct hypothesis *h)
{
	if (h->q > s->cfg->q_max)
		return 0;
	bool harmful = h->rr.rr > 1;
	if ((harmful && h->a < s->cfg->min_exposed_onsets) ||
	    (!harmful && h->c < s->cfg->min_exposed_onsets))
		return h->kind == FINDING_COMBINATION ? 0 : 2;
	if (h->kind == FINDING_COMBINATION && !combination_interacts(h))
		return 0;
	return 1;
}

/* The factor a finding is "about", for keeping the best lag per factor. */
static long
finding_key(const struct search *s, const struct hypothesis *h)
{
	long a = s->conds[h->a_idx].cond.factor;
	long b = h->b_idx >= 0 ? s->conds[h->b_idx].cond.factor : -1;
	if (b >= 0 && b < a) {
		long t = a;
		a = b;
		b = t;
	}
	return (a + 1) * 100000 + (b + 1) * 2 + (h->rr.rr > 1);
}

static double
phi(const struct search *s, const struct cond_bits *x, const struct cond_bits *y)
{
	double n11 = 0, n10 = 0, n01 = 0, n00 = 0;
	for (size_t w = 0; w < s->words; w++) {
		word k = x->known[w] & y->known[w];
		n11 += __builtin_popcountll(k & x->hit[w] & y->hit[w]);
		n10 += __builtin_popcountll(k & x->hit[w] & ~y->hit[w]);
		n01 += __builtin_popcountll(k & ~x->hit[w] & y->hit[w]);
		n00 += __builtin_popcountll(k & ~x->hit[w] & ~y->hit[w]);
	}
	double den = sqrt((n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00));
	return den > 0 ? (n11 * n00 - n10 * n01) / den : 0;
}

static void
fill_finding(const struct search *s, const struct hypothesis *h, struct finding *f)
{
	memset(f, 0, sizeof *f);
	f->kind = h->kind;
	f->n_conditions = h->b_idx >= 0 ? 2 : 1;
	f->conditions[0] = s->conds[h->a_idx].cond;
	if (h->b_idx >= 0)
		f->conditions[1] = s->conds[h->b_idx].cond;
	f->lag_days = s->conds[h->a_idx].lag;
	f->harmful = h->rr.rr > 1;
	f->warning_sign = s->conds[h->a_idx].symptom;
	f->rr = h->rr.rr;
	f->ci_lo = h->rr.lo;
	f->ci_hi = h->rr.hi;
	f->p = h->p;
	f->q = h->q;
	f->exposed_onsets = h->a;
	f->exposed_days = h->a + h->b;
}

int
triggers_run(const struct analysis_input *in, const struct analysis_config *cfg,
    struct analysis_result *r)
{
	struct search s;
	memset(&s, 0, sizeof s);
	s.in = in;
	s.cfg = cfg;
	s.r = r;
	s.words = (in->n_days + 63) / 64;
	size_t per_factor = (size_t)(cfg->max_lag_days + 1) * (2 * N_CUTS);
	s.cap_conds = in->n_factors * per_factor + 1;
	s.conds = calloc(s.cap_conds, sizeof *s.conds);
	s.arena_cap = (2 * s.cap_conds + 2) * (s.words ? s.words : 1);
	s.arena = malloc(s.arena_cap * sizeof *s.arena);
	s.outcome_first = malloc((in->n_days ? in->n_days : 1) * sizeof *s.outcome_first);
	int rc = -1;
	if (s.conds == NULL || s.arena == NULL || s.outcome_first == NULL)
		goto out;
	outcome_first_times(in, s.outcome_first);
	s.risk = arena_take(&s);
	s.onset = arena_take(&s);
	for (size_t d = 0; d < in->n_days; d++) {
		if (r->at_risk[d])
			bit_set(s.risk, d);
		if (r->onset[d])
			bit_set(s.onset, d);
	}
	if (build_conditions(&s) != 0)
		goto out;
	for (size_t i = 0; i < s.n_conds; i++)
		if (test_single(&s, i) != 0)
			goto out;
	for (size_t i = 0; i < s.n_conds; i++) {
		if (!s.conds[i].for_pairs)
			continue;
		for (size_t j = i + 1; j < s.n_conds; j++) {
			if (!s.conds[j].for_pairs || s.conds[j].lag != s.conds[i].lag ||
			    s.conds[j].cond.factor == s.conds[i].cond.factor)
				continue;
			if (test_pair(&s, i, j) != 0)
				goto out;
		}
	}
	for (size_t i = 0; i < s.n_hyp; i++) {
		struct hypothesis *h = &s.hyp[i];
		long a = s.conds[h->a_idx].cond.factor;
		long b = h->b_idx >= 0 ? s.conds[h->b_idx].cond.factor : -1;
		h->group = b < 0 ? a : (long)in->n_factors * (1 + (a < b ? a : b)) + (a < b ? b : a);
	}
	if (group_qvalues(&s) != 0)
		goto out;
	r->tested = s.n_hyp;

	/* Best hypothesis per factor (or pair) and direction. */
	size_t n_best = 0;
	size_t *best = malloc((s.n_hyp ? s.n_hyp : 1) * sizeof *best);
	if (best == NULL)
		goto out;
	for (size_t i = 0; i < s.n_hyp; i++) {
		int rep = reportable(&s, &s.hyp[i]);
		if (rep == 0)
			continue;
		/* Findings with too few onsets are keyed apart from real ones. */
		long key = finding_key(&s, &s.hyp[i]) * 2 + (rep == 2);
		size_t k = 0;
		while (k < n_best && finding_key(&s, &s.hyp[best[k]]) * 2 +
		    (reportable(&s, &s.hyp[best[k]]) == 2) != key)
			k++;
		if (k == n_best)
			best[n_best++] = i;
		else if (s.hyp[i].p < s.hyp[best[k]].p)
			best[k] = i;
	}
	r->findings = calloc(n_best ? n_best : 1, sizeof *r->findings);
	if (r->findings == NULL) {
		free(best);
		goto out;
	}
	for (size_t k = 0; k < n_best; k++) {
		fill_finding(&s, &s.hyp[best[k]], &r->findings[k]);
		r->findings[k].too_few_onsets = reportable(&s, &s.hyp[best[k]]) == 2;
	}
	r->n_findings = n_best;
	/* Findings that measure one thing say so. */
	for (size_t a = 0; a < n_best; a++) {
		for (size_t b = a + 1; b < n_best; b++) {
			const struct hypothesis *ha = &s.hyp[best[a]], *hb = &s.hyp[best[b]];
			if (fabs(phi(&s, &s.conds[ha->a_idx], &s.conds[hb->a_idx])) < OVERLAP_MIN_PHI)
				continue;
			struct finding *fa = &r->findings[a], *fb = &r->findings[b];
			if (fa->n_overlaps < ANALYSIS_MAX_OVERLAPS)
				fa->overlaps[fa->n_overlaps++] = fb->conditions[0].factor;
			if (fb->n_overlaps < ANALYSIS_MAX_OVERLAPS)
				fb->overlaps[fb->n_overlaps++] = fa->conditions[0].factor;
		}
	}
	free(best);
	rc = 0;
out:
	free(s.outcome_first);
	free(s.conds);
	free(s.arena);
	free(s.hyp);
	return rc;
}
