/*
 * fuzz.h: what every fuzz harness in tests/fuzz/ shares. Each harness is
 * one libFuzzer entry point over one reader of outside input; `make fuzz`
 * links it with libFuzzer, and `make test` links it with replay.c, which
 * feeds it the committed corpus (tests/fuzz/corpus/NAME/) without libFuzzer.
 *
 * A harness checks what must hold for every input (a message on every
 * failure, results within their limits) with fuzz_require, which aborts,
 * so that the fuzzer and the replay both report it as a crash.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_TESTS_FUZZ_H
#define SIMMER_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define fuzz_require(cond)                                                                   \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: %s does not hold\n", __FILE__, __LINE__, #cond); \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* A fixed clock: the instant every harness takes as now. */
#define FUZZ_NOW_MS 1795360708349LL

#ifndef FUZZ_REPLAY_MAIN
/* The harness's own setup, run once before the first input. */
static void fuzz_setup(void);

/* Both libFuzzer and replay.c call this first. The clock and the time zone
 * (one with summer time) are fixed, so that a run depends on its input
 * alone. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Berlin", 1);
	setenv("SIMMER_NOW", "1795360708349", 1);
	tzset();
	fuzz_setup();
	return 0;
}
#endif

#endif
