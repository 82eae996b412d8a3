/*
 * experiment.h: `simmer experiment` and the text of one experiment, which
 * the report also prints.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_EXPERIMENT_H
#define SIMMER_CLIENT_EXPERIMENT_H

#include <stdbool.h>
#include <stdio.h>

#include <msgpack.h>

/* The phase lengths the command line takes; simmerd checks them again. */
#define EXPERIMENT_CLI_MAX_ELIMINATE 180
#define EXPERIMENT_CLI_MAX_REINTRODUCE 60
#define EXPERIMENT_CLI_MAX_WASHOUT 14
#define EXPERIMENT_CLI_MAX_CYCLES 6

/* The length of the default plan, which a suggestion names: three weeks. */
#define EXPERIMENT_CLI_DEFAULT_DAYS 21

/*
 * Whether a harmful finding is worth a trial, and the words for it: a
 * single exposure that is present or not (not a dose, not a pair), whose
 * finding is not quite certain (q above 0.01, the interval's lower end of
 * the rate ratio at 1.5 or less, or fewer than 8 flares behind it).
 * "possible; an elimination trial of 3 weeks could settle it (simmer
 * experiment start dairy)".
 */
bool experiment_suggest(const char *factor, bool single_present, double q, double rr_lo,
    double onsets, char *out, size_t len);

/* Prints one experiment map of PROTOCOL.md: the plan and where it stands,
 * and with_results the breaks, the outcomes and the verdict. */
void experiment_print(FILE *out, const msgpack_object *x, bool with_results);

#endif
