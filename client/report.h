/*
 * report.h: `simmer report [--days N] [--html FILE]`: one view of what
 * simmer has found, for the person and for a clinician.
 *
 * The report is built in the client from the daemon's existing replies
 * (status, triggers, backtest, factors, export): report.c gathers them
 * into a struct report and words the findings; report_text.c prints it
 * for a terminal (80 columns), report_html.c writes one self-contained
 * HTML file (inline SVG, no scripts, no outside resources, A4 and Letter).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_CLIENT_REPORT_H
#define SIMMER_CLIENT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "client/commands.h"

#define REPORT_DEFAULT_DAYS 90
#define REPORT_MAX_DAYS 3660
/* What a report of an empty period says. */
#define REPORT_EMPTY_TEXT "No entries in this period yet. Log a few days first (simmer pain 4, " \
	"simmer sleep 7, simmer stress 5, or import a diary) and the report fills in."
/* Medicines named separately in the medication table. */
#define REPORT_MAX_MEDICINES 12

/* One day of the period. */
struct report_day {
	int32_t day;            /* days since 1970-01-01 */
	double load;            /* NAN when simmer has no load for it */
	bool entries;           /* anything was logged */
	bool onset;             /* a flare began */
	bool in_flare;
	bool nsaid;             /* an NSAID was taken */
	bool medicine;          /* any medicine was taken */
};

/* A medicine and how often it was taken in the period. */
struct report_medicine {
	char name[40];
	bool nsaid;             /* counts as an NSAID */
	unsigned days, recent_days;  /* days taken; of them in the last 30 */
	double doses;
};

struct report {
	int32_t first_day, last_day;
	size_t n_days;
	struct report_day *days;
	unsigned days_with_entries, onsets;
	bool onsets_known;          /* the daemon said where flares began */
	double threshold;
	bool threshold_personal;
	struct report_medicine medicines[REPORT_MAX_MEDICINES];
	size_t n_medicines;
	unsigned nsaid_days, nsaid_recent_days, recent_days, medicine_days;
	double nsaid_doses;
	/* Factors logged in the period on fewer days than a comparison needs. */
	char sparse[8][40];
	unsigned sparse_days[8];
	size_t n_sparse;
	/* The replies as JSON, for the parts that are shown as they come. */
	json_t *status, *triggers, *backtest;
	json_t *experiments;        /* experiment_list's "experiments" reply */
};

/* The three lists of findings, in the order both renderings show them. */
struct report_section {
	const char *title, *key, *none;
};
#define REPORT_FINDING_SECTIONS 3
extern const struct report_section report_finding_sections[REPORT_FINDING_SECTIONS];

/* Reads --days N and --html FILE; returns 0 or -SIMMER_E_USAGE after saying why. */
int report_parse_args(int argc, char **argv, long *days, const char **html);
/* Asks simmerd for everything the report shows. 0 or an exit code. */
int report_gather(const struct options *o, long days, struct report *r);
void report_free(struct report *r);

/* Words for a finding: "dairy, two days before: about 3 times the usual
 * flare rate; fairly certain, 14 flares". */
void report_finding_what(const json_t *f, char *out, size_t outlen);
void report_finding_when(const json_t *f, char *out, size_t outlen);
void report_finding_strength(const json_t *f, char *out, size_t outlen);
void report_finding_certainty(const json_t *f, char *out, size_t outlen);
void report_finding_sentence(const json_t *f, char *out, size_t outlen);
/* simmerd's suggestion under a finding a trial could settle (its "trial"):
 * "possible; a trial of 14 days without it and 14 with it could settle it
 * (...)"; false
 * for others. */
bool report_finding_trial(const json_t *f, char *out, size_t outlen);
/* Each experiment in one sentence: its factor, days, where it stands or its
 * verdict, and the days that broke it; returns how many. */
#define REPORT_EXPERIMENT_TEXT 1024
size_t report_experiments(const struct report *r, char lines[][REPORT_EXPERIMENT_TEXT],
    size_t max);

/* "NSAIDs on 23 of 90 days (26%), 31 doses; on 9 of the last 30 days." */
void report_nsaid_sentence(const struct report *r, char *out, size_t outlen);
/* Associations with the daily level of pain and symptoms between flares,
 * and the personal flare level when pain never reaches the set one, one
 * sentence each; returns how many. */
#define REPORT_LEVELS_NONE "No food or habit stands out yet against the daily level of " \
	"pain or a symptom."
size_t report_levels(const struct report *r, char lines[][400], size_t max);
/* What simmer cannot tell yet, one sentence each; returns how many. */
size_t report_limits(const struct report *r, char lines[][400], size_t max);
/* The forecast track record in sentences; returns how many. */
size_t report_track_record(const struct report *r, char lines[][400], size_t max);
/* "2026-08-25" */
void report_day_text(int32_t day, char out[11]);

void report_print_text(FILE *out, const struct report *r);
int report_write_html(FILE *out, const struct report *r);

#endif
