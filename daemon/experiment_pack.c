/*
 * experiment_pack.c: experiments as reply maps (see experiment_pack.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/experiment_pack.h"
#include "proto/proto.h"

static void
pack_day(msgpack_packer *pk, const char *key, int32_t day)
{
	char s[11];
	proto_day_format(day, s);
	proto_pack_kv_str(pk, key, s);
}

static void
pack_outcome(msgpack_packer *pk, const struct experiment_outcome *o)
{
	msgpack_pack_map(pk, o->tested ? 12 : 4);
	proto_pack_kv_str(pk, "name", o->name);
	proto_pack_kv_bool(pk, "onsets", o->onsets);
	proto_pack_kv_bool(pk, "tested", o->tested);
	if (!o->tested) {
		proto_pack_kv_str(pk, "why_not", o->why_not);
		return;
	}
	proto_pack_kv_int(pk, "lag_days", o->lag_days);
	proto_pack_kv_double(pk, "with_mean", o->with_mean);
	proto_pack_kv_double(pk, "without_mean", o->without_mean);
	proto_pack_kv_double(pk, "effect", o->effect);
	proto_pack_kv_double(pk, "lo", o->lo);
	proto_pack_kv_double(pk, "hi", o->hi);
	proto_pack_kv_int(pk, "days", o->days);
	proto_pack_kv_int(pk, "with_days", o->with_days);
	proto_pack_kv_bool(pk, "harmful", o->harmful);
}

void
experiment_pack(msgpack_packer *pk, const struct experiment_plan *p, int32_t today,
    const struct experiment_result *r)
{
	struct experiment_position pos;
	experiment_phase(p, today, &pos);
	msgpack_pack_map(pk, r != NULL ? 28 : 17);
	proto_pack_kv_int(pk, "id", p->id);
	proto_pack_kv_str(pk, "factor", p->factor);
	pack_day(pk, "start", p->start_day);
	pack_day(pk, "end", experiment_end_day(p));
	proto_pack_kv_int(pk, "eliminate_days", p->eliminate_days);
	proto_pack_kv_int(pk, "reintroduce_days", p->reintroduce_days);
	proto_pack_kv_int(pk, "washout_days", p->washout_days);
	proto_pack_kv_int(pk, "cycles", experiment_cycles(p));
	if (p->stopped)
		pack_day(pk, "stopped_after", p->stopped_day);
	else
		proto_pack_kv_nil(pk, "stopped_after");
	proto_pack_kv_str(pk, "phase", experiment_phase_name(pos.phase));
	proto_pack_kv_int(pk, "cycle", pos.cycle);
	proto_pack_kv_int(pk, "day_of_phase", pos.day_of_phase);
	proto_pack_kv_int(pk, "phase_days", pos.phase_days);
	proto_pack_kv_int(pk, "day_of_trial", pos.day_of_trial);
	proto_pack_kv_int(pk, "trial_days", pos.trial_days);
	proto_pack_kv_str(pk, "phase_text", pos.text);
	if (pos.phase == EXP_PLANNED || pos.phase == EXP_ELIMINATE ||
	    pos.phase == EXP_REINTRODUCE || pos.phase == EXP_WASHOUT)
		pack_day(pk, "phase_ends", pos.phase_end_day);
	else
		proto_pack_kv_nil(pk, "phase_ends");
	if (r == NULL)
		return;
	proto_pack_kv_int(pk, "breaks", r->breaks);
	proto_pack_cstr(pk, "break_days");
	unsigned listed = r->breaks < EXPERIMENT_MAX_BREAK_DAYS ? r->breaks : EXPERIMENT_MAX_BREAK_DAYS;
	msgpack_pack_array(pk, listed);
	for (unsigned i = 0; i < listed; i++) {
		char s[11];
		proto_day_format(r->break_days[i], s);
		proto_pack_cstr(pk, s);
	}
	proto_pack_kv_int(pk, "reintroduced_days", r->reintroduced_days);
	proto_pack_kv_int(pk, "reintroduce_missed", r->reintroduce_missed);
	proto_pack_kv_int(pk, "days_known", r->days_known);
	proto_pack_cstr(pk, "outcomes");
	msgpack_pack_array(pk, r->n_outcomes);
	for (size_t i = 0; i < r->n_outcomes; i++)
		pack_outcome(pk, &r->outcomes[i]);
	if (r->primary >= 0)
		proto_pack_kv_str(pk, "main_outcome", r->outcomes[r->primary].name);
	else
		proto_pack_kv_nil(pk, "main_outcome");
	proto_pack_kv_str(pk, "verdict", experiment_verdict_name(r->verdict));
	if (r->verdict == EXP_V_UNCLEAR)
		proto_pack_kv_int(pk, "more_days", r->more_days);
	else
		proto_pack_kv_nil(pk, "more_days");
	/* What flare onsets would need, when they keep the verdict open. */
	proto_pack_cstr(pk, "onsets_need");
	if (r->cycles_needed > 0) {
		msgpack_pack_map(pk, 6);
		proto_pack_kv_double(pk, "rate", r->onset_rate);
		proto_pack_kv_int(pk, "cycles", r->cycles_needed);
		proto_pack_kv_int(pk, "cycles_done", r->cycles_done);
		proto_pack_kv_int(pk, "days", r->onset_days);
		proto_pack_kv_int(pk, "with_days", r->onset_with_days);
		proto_pack_kv_int(pk, "comparisons", r->comparisons);
	} else {
		msgpack_pack_nil(pk);
	}
	proto_pack_kv_str(pk, "verdict_text", r->verdict_text);
}

int
experiment_pick_current(const struct experiment_plan *plans, size_t n, int32_t today)
{
	int current = -1, last_ended = -1;
	for (size_t i = 0; i < n; i++) {
		const struct experiment_plan *p = &plans[i];
		bool over = p->stopped || experiment_end_day(p) < today;
		if (!over && (current < 0 || p->start_day < plans[current].start_day))
			current = (int)i;
		if (over && (last_ended < 0 || experiment_last_day(p) >=
		    experiment_last_day(&plans[last_ended])))
			last_ended = (int)i;
	}
	return current >= 0 ? current : last_ended;
}

int
experiment_pack_replies(msgpack_packer *status, msgpack_packer *list,
    const struct analysis_input *in, const struct analysis_result *r,
    const struct experiment_plan *plans,
    size_t n, int32_t today, int64_t computed_at)
{
	struct experiment_result *res = calloc(n ? n : 1, sizeof *res);
	if (res == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (experiment_analyze(in, r, &plans[i], today, &res[i]) != 0) {
			free(res);
			return -1;
		}
	}
	int current = experiment_pick_current(plans, n, today);
	msgpack_pack_map(status, 2);
	proto_pack_cstr(status, "experiment");
	if (current >= 0)
		experiment_pack(status, &plans[current], today, &res[current]);
	else
		msgpack_pack_nil(status);
	proto_pack_kv_int(status, "computed_at", computed_at);
	msgpack_pack_map(list, 2);
	proto_pack_cstr(list, "experiments");
	msgpack_pack_array(list, n);
	for (size_t i = 0; i < n; i++)
		experiment_pack(list, &plans[i], today, &res[i]);
	proto_pack_kv_int(list, "computed_at", computed_at);
	free(res);
	return 0;
}
