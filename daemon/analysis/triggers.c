/*
 * triggers.c: which exposures are followed by flare onsets, with honest
 * statistics.
 *
 * For every exposure factor and lag 0..max_lag, the onset rate on days at
 * risk after exposure is compared with the rate after no exposure (Fisher's
 * exact test, relative risk with a 95% interval). Numeric factors are cut
 * at every twentieth quantile from the 10th to the 90th (at the logged
 * value at or above it), both directions;
 * events also at counts of 2 and 3; pairs of conditions are tested for harm
 * together beyond each alone (the interaction itself is tested); symptoms
 * rising one to three days before are warning signs. Treatments (medicines
 * such as NSAIDs, often taken because pain began) are never tested: their
 * use is reported on its own (treatments.c). An exposure counts only where
 * it can have come before the onset it is compared with (see
 * exposure_counts).
 *
 * The search over lags, cut points and directions is paid for inside each
 * factor once: the factor's best p is calibrated by shifting its series
 * circularly against the outcomes (see shift_pvalue), which keeps the
 * series' own autocorrelation and prices the many overlapping cut points at
 * what they really cost, where Bonferroni would charge each one in full.
 * Pairs, too many to shift, pay Bonferroni over their lags. Then
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
#define COMBINATION_MAX_INTERACTION_P 0.05
/* Two findings whose exposure days correlate this much measure one thing. */
#define OVERLAP_MIN_PHI 0.5
/* Fewest exposed and unexposed days for a comparison to be made at all. */
#define MIN_GROUP_DAYS 3
/* Counts of an event tested as doses beyond "present": 2 or more, 3 or more. */
#define EVENT_DOSE_MAX 3
/* Circular shifts: at least a week apart from the diary as logged, at most
 * this many, stopping early once this many have matched the observed best
 * (such a factor is plainly unremarkable: Besag and Clifford's sequential
 * p-value). */
#define SHIFT_MIN_DAYS 7
#define SHIFT_MAX 999
#define SHIFT_STOP_MATCHES 10

static const double cut_quantiles[] = {0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55,
    0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9};
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
	double *factor_p;       /* n_factors: the shift-calibrated p, NAN when none */
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

/* Sets a condition's day bits from its factor's values. */
static void
fill_condition(const struct search *s, struct cond_bits *cb)
{
	size_t n = s->in->n_days, lag = (size_t)cb->lag;
	memset(cb->known, 0, s->words * sizeof *cb->known);
	memset(cb->hit, 0, s->words * sizeof *cb->hit);
	const double *v = s->in->factors[cb->cond.factor].values;
	for (size_t d = lag; d < n; d++) {
		if (!(s->risk[d / 64] >> (d % 64) & 1))
			continue;
		size_t e = d - lag;
		double x = v[e];
		if (!isfinite(x) || !exposure_counts(s, cb->cond.factor, e, cb->lag))
			continue;
		bit_set(cb->known, d);
		if (meets(&cb->cond, x))
			bit_set(cb->hit, d);
	}
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
	fill_condition(s, cb);
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

/* The 2x2 table of a single condition against its absence, on days where
 * it is known: false when either side has too few days to compare. */
static bool
single_table(const struct search *s, const struct cond_bits *cb, unsigned t[4])
{
	size_t known = 0, hit = 0;
	for (size_t w = 0; w < s->words; w++) {
		known += (size_t)__builtin_popcountll(cb->known[w]);
		hit += (size_t)__builtin_popcountll(cb->hit[w]);
	}
	if (hit < MIN_GROUP_DAYS || known - hit < MIN_GROUP_DAYS)
		return false;
	size_t hit_onset = popcount_and(cb->hit, s->onset, s->words);
	size_t known_onset = popcount_and(cb->known, s->onset, s->words);
	t[0] = (unsigned)hit_onset;
	t[1] = (unsigned)(hit - hit_onset);
	t[2] = (unsigned)(known_onset - hit_onset);
	t[3] = (unsigned)(known - hit - t[2]);
	return true;
}

/* A single condition against its absence. */
static int
test_single(struct search *s, size_t i)
{
	struct cond_bits *cb = &s->conds[i];
	unsigned t[4];
	if (!single_table(s, cb, t))
		return 0;
	struct hypothesis h = {0};
	h.kind = cb->cond.op == OP_PRESENT ? FINDING_SINGLE : FINDING_THRESHOLD;
	h.a_idx = (int)i;
	h.b_idx = -1;
	h.a = t[0];
	h.b = t[1];
	h.c = t[2];
	h.d = t[3];
	h.p = stats_fisher_exact(h.a, h.b, h.c, h.d);
	h.rr = stats_relative_risk(h.a, h.b, h.c, h.d);
	return add_hypothesis(s, &h);
}

/* Both conditions against the other days where both are known. */
static int
test_pair(struct search *s, size_t i, size_t j)
{
	struct cond_bits *x = &s->conds[i], *y = &s->conds[j];
	size_t both = 0, both_on = 0, x_only = 0, x_only_on = 0, y_only = 0,
	    y_only_on = 0, neither = 0, neither_on = 0;
	for (size_t w = 0; w < s->words; w++) {
		word k = x->known[w] & y->known[w];
		word b = k & x->hit[w] & y->hit[w];
		word xo = k & x->hit[w] & ~y->hit[w];
		word yo = k & ~x->hit[w] & y->hit[w];
		word n = k & ~x->hit[w] & ~y->hit[w];
		both += (size_t)__builtin_popcountll(b);
		both_on += (size_t)__builtin_popcountll(b & s->onset[w]);
		x_only += (size_t)__builtin_popcountll(xo);
		x_only_on += (size_t)__builtin_popcountll(xo & s->onset[w]);
		y_only += (size_t)__builtin_popcountll(yo);
		y_only_on += (size_t)__builtin_popcountll(yo & s->onset[w]);
		neither += (size_t)__builtin_popcountll(n);
		neither_on += (size_t)__builtin_popcountll(n & s->onset[w]);
	}
	if (both < MIN_GROUP_DAYS || neither < MIN_GROUP_DAYS || x_only < MIN_GROUP_DAYS ||
	    y_only < MIN_GROUP_DAYS)
		return 0;
	/* The pair against every other day, as a single condition is against
	 * its absence. Days with one member only belong to that comparison:
	 * when neither member does anything alone, leaving them out only makes
	 * the reference smaller and noisier. A trigger among the members is
	 * for the interaction test below to tell apart. */
	struct hypothesis h = {0};
	h.kind = FINDING_COMBINATION;
	h.a_idx = (int)i;
	h.b_idx = (int)j;
	h.a = (unsigned)both_on;
	h.b = (unsigned)(both - both_on);
	h.c = (unsigned)(x_only_on + y_only_on + neither_on);
	h.d = (unsigned)(x_only + y_only + neither) - h.c;
	h.p = stats_fisher_exact(h.a, h.b, h.c, h.d);
	/* The interaction as such: the pair must beat each member alone, so its
	 * p-value is the larger of the two one-sided comparisons (an
	 * intersection-union test). A trigger with a passenger does not beat
	 * the trigger alone. */
	double px = stats_fisher_greater(h.a, h.b, (unsigned)x_only_on, (unsigned)(x_only - x_only_on));
	double py = stats_fisher_greater(h.a, h.b, (unsigned)y_only_on, (unsigned)(y_only - y_only_on));
	h.p_interaction = fmax(px, py);
	h.rr = stats_relative_risk(h.a, h.b, h.c, h.d);
	unsigned neither_off = (unsigned)(neither - neither_on);
	struct stats_rr rx = stats_relative_risk((unsigned)x_only_on, (unsigned)(x_only - x_only_on),
	    (unsigned)neither_on, neither_off);
	struct stats_rr ry = stats_relative_risk((unsigned)y_only_on, (unsigned)(y_only - y_only_on),
	    (unsigned)neither_on, neither_off);
	h.rr_alone = fmax(rx.rr, ry.rr);
	return add_hypothesis(s, &h);
}

/* splitmix64: the shifts are drawn from a generator seeded by the diary, so
 * the same diary always gives the same p-values. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/*
 * One factor's conditions seen as nested thresholds: a day's rank is how
 * many of them its value meets, so "meets threshold j" is "rank > j", and
 * the tables of every threshold at one lag come from one pass over the
 * days (a histogram of ranks, summed from the top). A "<" condition is the
 * same partition as the ">=" at its value, with the same two-sided p, so
 * only the ">=" side is counted.
 */
/* A day at risk whose exposure day, `lag` before, has a value and may
 * count: the value's place among the known days, and the time after which
 * an entry of the factor came too late to count (INFINITY: never). */
struct ladder_row {
	size_t at;
	double too_late_ms;
	bool onset;
};

struct ladder {
	size_t n_thresholds;
	struct condition thresholds[N_CUTS + 1 + EVENT_DOSE_MAX];
	bool lag_used[ANALYSIS_MAX_LAG + 1];
	unsigned char *rank;    /* n_days: thresholds met by the day's value */
	struct ladder_row *rows[ANALYSIS_MAX_LAG + 1];
	size_t n_rows[ANALYSIS_MAX_LAG + 1];
	size_t *known;          /* days with a value, in order */
	size_t *pos;            /* n_days: index into known, SIZE_MAX when unknown */
	size_t m;
};

static int
by_threshold(const void *x, const void *y)
{
	const struct condition *a = x, *b = y;
	if ((a->op == OP_PRESENT) != (b->op == OP_PRESENT))
		return a->op == OP_PRESENT ? -1 : 1;
	return (a->value > b->value) - (a->value < b->value);
}

/* The ladder of the conditions [first, end), all on one factor. */
static void
ladder_build(const struct search *s, size_t first, size_t end, struct ladder *l)
{
	const struct analysis_factor *af = &s->in->factors[s->conds[first].cond.factor];
	size_t n = s->in->n_days;
	l->n_thresholds = 0;
	memset(l->lag_used, 0, sizeof l->lag_used);
	for (size_t i = first; i < end; i++) {
		struct condition c = s->conds[i].cond;
		if (c.op == OP_LT)
			c.op = OP_GE;
		l->lag_used[s->conds[i].lag] = true;
		bool seen = false;
		for (size_t k = 0; k < l->n_thresholds && !seen; k++)
			seen = l->thresholds[k].op == c.op && l->thresholds[k].value == c.value;
		if (!seen && l->n_thresholds < sizeof l->thresholds / sizeof l->thresholds[0])
			l->thresholds[l->n_thresholds++] = c;
	}
	qsort(l->thresholds, l->n_thresholds, sizeof l->thresholds[0], by_threshold);
	l->m = 0;
	for (size_t e = 0; e < n; e++) {
		unsigned char r = 0;
		while (r < l->n_thresholds && meets(&l->thresholds[r], af->values[e]))
			r++;
		l->rank[e] = r;
		l->pos[e] = SIZE_MAX;
		if (isfinite(af->values[e])) {
			l->pos[e] = l->m;
			l->known[l->m++] = e;
		}
	}
	for (int lag = 0; lag <= s->cfg->max_lag_days && lag <= ANALYSIS_MAX_LAG; lag++) {
		l->n_rows[lag] = 0;
		if (!l->lag_used[lag])
			continue;
		for (size_t d = (size_t)lag; d < n; d++) {
			size_t e = d - (size_t)lag;
			if (!(s->risk[d / 64] >> (d % 64) & 1) || (s->r->in_flare[e] && !s->r->onset[e]) ||
			    l->pos[e] == SIZE_MAX)
				continue;
			struct ladder_row *row = &l->rows[lag][l->n_rows[lag]++];
			row->at = l->pos[e];
			row->onset = s->onset[d / 64] >> (d % 64) & 1;
			bool check = af->first_ms != NULL && isfinite(s->outcome_first[e]) &&
			    (lag == 0 || s->r->onset[e]);
			row->too_late_ms = check ? s->outcome_first[e] : INFINITY;
		}
	}
}

/*
 * Whether a table's two-sided Fisher p can be at or under `target`. The
 * normal approximation's p is checked first: it is far under Fisher's
 * where counts are small and close to it where they are large, so a table
 * whose approximate p is a hundred times the target cannot reach it, and
 * the exact test (the costly part of a shift) runs only for the few
 * tables that might.
 */
static bool
table_reaches(unsigned a, unsigned b, unsigned c, unsigned d, double target, double *p)
{
	double n = (double)a + b + c + d, r1 = (double)a + b, c1 = (double)a + c;
	double var = r1 * c1 * (n - r1) * (n - c1) / (n * n * (n - 1));
	if (n > 1 && var > 0 && target < 1) {
		double z = fabs((double)a - r1 * c1 / n) / sqrt(var);
		if (erfc(z / M_SQRT2) > 100 * target)
			return false;
	}
	*p = stats_fisher_exact(a, b, c, d);
	return *p <= target;
}

/*
 * The smallest p over the ladder's thresholds and lags when the factor's
 * known values are moved `shift` places along its known days (0: as
 * logged), the other days staying unknown; with `target` under 1, only
 * whether some table reaches it (1 or the p that did).
 */
static double
ladder_best_p(const struct search *s, const struct ladder *l, int factor, size_t shift,
    double target)
{
	const double *first = s->in->factors[factor].first_ms;
	double best = 1;
	for (int lag = 0; lag <= s->cfg->max_lag_days && lag <= ANALYSIS_MAX_LAG; lag++) {
		if (!l->lag_used[lag])
			continue;
		unsigned days[N_CUTS + 2 + EVENT_DOSE_MAX] = {0}, onsets[N_CUTS + 2 + EVENT_DOSE_MAX] = {0};
		const struct ladder_row *rows = l->rows[lag];
		for (size_t k = 0; k < l->n_rows[lag]; k++) {
			size_t at = rows[k].at;
			size_t src = l->known[at >= shift ? at - shift : at + l->m - shift];
			if (first != NULL && first[src] > rows[k].too_late_ms)
				continue;
			days[l->rank[src]]++;
			onsets[l->rank[src]] += rows[k].onset;
		}
		unsigned known = 0, known_on = 0;
		for (size_t r = 0; r <= l->n_thresholds; r++) {
			known += days[r];
			known_on += onsets[r];
		}
		unsigned hit = 0, hit_on = 0;
		for (size_t j = l->n_thresholds; j-- > 0;) {
			hit += days[j + 1];
			hit_on += onsets[j + 1];
			if (hit < MIN_GROUP_DAYS || known - hit < MIN_GROUP_DAYS)
				continue;
			double p = 1;
			if (target < 1) {
				if (table_reaches(hit_on, hit - hit_on, known_on - hit_on,
				    known - hit - (known_on - hit_on), target, &p))
					return p;
				continue;
			}
			p = stats_fisher_exact(hit_on, hit - hit_on, known_on - hit_on,
			    known - hit - (known_on - hit_on));
			if (p < best)
				best = p;
		}
	}
	return best;
}

/*
 * The p-value of one factor's search, all its lags and cut points: the
 * share of circular shifts of the factor's series whose best p is as small
 * as the diary's own. Shifted, the factor keeps its own runs and rhythms
 * but loses any tie to the outcomes. The shift runs over the days on which
 * the factor is known, so its unknown days stay where they are: moving them
 * would take rows out of the shifted tables and make the diary as logged
 * look better than its shifts only by its size. Every shift is tried when
 * there are few; otherwise SHIFT_MAX at random. A factor whose Bonferroni
 * p is already under what SHIFT_MAX shifts can show keeps it (the shifts
 * could only report a larger one). NAN when it cannot be shifted.
 */
static double
shift_pvalue(const struct search *s, size_t first, size_t end, struct ladder *l)
{
	int factor = s->conds[first].cond.factor;
	ladder_build(s, first, end, l);
	if (l->m < 2 * SHIFT_MIN_DAYS + 1)
		return NAN;
	double observed = ladder_best_p(s, l, factor, 0, 1);
	if (observed * (double)(end - first) <= 1.0 / (SHIFT_MAX + 1) || observed > s->cfg->q_max)
		return NAN;
	size_t n_shifts = l->m - 2 * SHIFT_MIN_DAYS + 1;
	bool every = n_shifts <= SHIFT_MAX;
	size_t tries = every ? n_shifts : SHIFT_MAX;
	uint64_t state = (uint64_t)l->m * 0x100000001b3u;
	for (const char *c = s->in->factors[factor].name; *c; c++)
		state = (state ^ (uint64_t)(unsigned char)*c) * 0x100000001b3u;
	size_t matches = 0, done = 0;
	for (; done < tries; done++) {
		size_t shift = SHIFT_MIN_DAYS +
		    (every ? done : (size_t)(next_random(&state) % n_shifts));
		if (ladder_best_p(s, l, factor, shift, observed * (1 + 1e-9)) < 1 &&
		    ++matches == SHIFT_STOP_MATCHES)
			return (double)matches / (double)(done + 1);
	}
	return (double)(matches + 1) / (double)(done + 1);
}

/* Each factor's shift-calibrated p (s->factor_p); a factor's conditions
 * are contiguous in s->conds. */
static int
shift_factors(struct search *s)
{
	size_t n = s->in->n_days ? s->in->n_days : 1;
	struct ladder l;
	l.rank = malloc(n);
	l.known = malloc(n * sizeof *l.known);
	l.pos = malloc(n * sizeof *l.pos);
	struct ladder_row *rows = malloc((ANALYSIS_MAX_LAG + 1) * n * sizeof *rows);
	int rc = -1;
	if (l.rank == NULL || l.known == NULL || l.pos == NULL || rows == NULL)
		goto out;
	for (size_t lag = 0; lag <= ANALYSIS_MAX_LAG; lag++)
		l.rows[lag] = rows + lag * n;
	for (size_t f = 0; f < s->in->n_factors; f++)
		s->factor_p[f] = NAN;
	for (size_t i = 0; i < s->n_conds;) {
		size_t j = i;
		int f = s->conds[i].cond.factor;
		while (j < s->n_conds && s->conds[j].cond.factor == f)
			j++;
		s->factor_p[f] = shift_pvalue(s, i, j, &l);
		i = j;
	}
	rc = 0;
out:
	free(l.rank);
	free(l.known);
	free(l.pos);
	free(rows);
	return rc;
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


/* How many days an event was logged at a count of at least k. */
static size_t
days_at_least(const struct analysis_input *in, const double *v, double k)
{
	size_t n = 0;
	for (size_t d = 0; d < in->n_days; d++)
		n += isfinite(v[d]) && v[d] >= k;
	return n;
}

/* The smallest of n sorted logged values that is at least q (NAN when
 * none): a cut point between logged values splits the days exactly as the
 * next logged value does, and reads as something the person wrote
 * ("stiffness >= 7", not ">= 6.75"). */
static double
logged_at_or_above(const double *sorted, size_t n, double q)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid] < q)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && isfinite(q) ? sorted[lo] : NAN;
}

/* Builds the conditions: events present, and at doses of 2 and 3 when
 * logged so; numeric exposures cut at quantiles both ways; symptoms at or
 * over quantiles, lag 1 on. */
static int
build_conditions(struct search *s)
{
	const struct analysis_input *in = s->in;
	double *sorted = malloc((in->n_days ? in->n_days : 1) * sizeof *sorted);
	if (sorted == NULL)
		return -1;
	for (size_t f = 0; f < in->n_factors; f++) {
		const struct analysis_factor *af = &in->factors[f];
		bool exposure = af->role == AR_EXPOSURE, symptom = af->role == AR_SYMPTOM;
		if (!exposure && !symptom)
			continue;
		double cuts[N_CUTS];
		size_t n_cuts = 0;
		bool numeric = af->kind != AK_EVENT && af->kind != AK_FLARE;
		/* The logged values, sorted once for every cut point. */
		size_t n_logged = 0;
		for (size_t d = 0; numeric && d < in->n_days; d++)
			if (isfinite(af->values[d]))
				sorted[n_logged++] = af->values[d];
		stats_sort(sorted, n_logged);
		if (numeric) {
			for (size_t c = 0; c < N_CUTS; c++) {
				double q = logged_at_or_above(sorted, n_logged,
				    stats_quantile_sorted(sorted, n_logged, cut_quantiles[c]));
				if (!isfinite(q))
					continue;
				/* cuts[n_cuts - 1] was written when n_cuts > 0. */
				/* cppcheck-suppress uninitvar */
				if (n_cuts > 0 && cuts[n_cuts - 1] == q)
					continue;
				cuts[n_cuts++] = q;
			}
		}
		double median = numeric ? logged_at_or_above(sorted, n_logged,
		    stats_quantile_sorted(sorted, n_logged, 0.5)) : NAN;
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
			if (rc != 0) {
				free(sorted);
				return rc;
			}
		}
	}
	free(sorted);
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

/* Whether single hypotheses x and y split the same days at the same cut
 * point, each taking the side the other leaves ("sleep_hours < 5.5" and
 * "sleep_hours >= 5.5" at one lag): one table read both ways. */
static bool
complementary(const struct search *s, const struct hypothesis *x, const struct hypothesis *y)
{
	if (x->kind == FINDING_COMBINATION || y->kind == FINDING_COMBINATION)
		return false;
	const struct cond_bits *a = &s->conds[x->a_idx], *b = &s->conds[y->a_idx];
	return a->cond.factor == b->cond.factor && a->lag == b->lag &&
	    a->cond.value == b->cond.value && ((a->cond.op == OP_LT && b->cond.op == OP_GE) ||
	    (a->cond.op == OP_GE && b->cond.op == OP_LT));
}

/* Of a table read both ways, the side that departs from the usual (fewer
 * exposed days) is the one to report: "sleep_hours < 5.5, 3.7 times the
 * flare rate" rather than "sleep_hours >= 5.5, 73% fewer flares than
 * usual", where "usual" would be the short nights. Their p-values are
 * equal up to rounding. */
static size_t
departing_side(const struct search *s, const size_t *order, size_t from, size_t to, size_t best)
{
	const struct hypothesis *h = &s->hyp[best];
	for (size_t k = from; k < to; k++) {
		const struct hypothesis *o = &s->hyp[order[k]];
		if (complementary(s, h, o) && fabs(o->p - h->p) <= 1e-9 * fmax(h->p, 1e-300) &&
		    o->a + o->b < h->a + h->b)
			return order[k];
	}
	return best;
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
		if (best != SIZE_MAX)
			best = departing_side(s, order, i, j, best);
		/* Every group tested counts in its family, even one with nothing
		 * to report: leaving it out would shrink the family after looking.
		 * A factor's search is priced by its shifts when it could be
		 * shifted, otherwise (and a pair's always) by Bonferroni. */
		const struct hypothesis *first = &s->hyp[order[i]];
		double shifted = first->kind == FINDING_COMBINATION ? NAN :
		    s->factor_p[s->conds[first->a_idx].cond.factor];
		if (best == SIZE_MAX)
			gp[n_groups] = 1.0;
		else if (isfinite(shifted))
			gp[n_groups] = shifted;
		else
			gp[n_groups] = fmin(1.0, s->hyp[best].p * (double)(j - i));
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
	s.factor_p = malloc((in->n_factors ? in->n_factors : 1) * sizeof *s.factor_p);
	int rc = -1;
	if (s.conds == NULL || s.arena == NULL || s.outcome_first == NULL || s.factor_p == NULL)
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
	if (shift_factors(&s) != 0)
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
	free(s.factor_p);
	free(s.conds);
	free(s.arena);
	free(s.hyp);
	return rc;
}
