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

/* Prints one experiment map of PROTOCOL.md: the plan and where it stands,
 * and with_results the breaks, the outcomes and the verdict. */
void experiment_print(FILE *out, const msgpack_object *x, bool with_results);

#endif
