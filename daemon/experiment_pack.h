/*
 * experiment_pack.h: experiments as the reply maps of PROTOCOL.md: the
 * plan, where it stands, the days that broke it, the comparison of each
 * outcome and the verdict. Runs on the analysis job's thread (with the
 * diary) or on the loop (the plan alone, after a start or a stop).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_EXPERIMENT_PACK_H
#define SIMMER_DAEMON_EXPERIMENT_PACK_H

#include <msgpack.h>

#include "daemon/analysis/experiment.h"

/* One experiment's map; r NULL packs the plan and its position only. */
void experiment_pack(msgpack_packer *pk, const struct experiment_plan *p, int32_t today,
    const struct experiment_result *r);

/* The experiment `status` is about: the one running or planned, else the
 * one that ended last; -1 when there is none. */
int experiment_pick_current(const struct experiment_plan *plans, size_t n, int32_t today);

/* The replies of experiment_status ({"experiment": map or nil,
 * "computed_at"}) and experiment_list ({"experiments": [...],
 * "computed_at"}) from the analysis input and result. -1 when out of
 * memory. */
int experiment_pack_replies(msgpack_packer *status, msgpack_packer *list,
    const struct analysis_input *in, const struct analysis_result *r,
    const struct experiment_plan *plans,
    size_t n, int32_t today, int64_t computed_at);

#endif
