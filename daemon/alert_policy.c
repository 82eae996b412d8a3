/*
 * alert_policy.c: the decisions and the words of alerts (see
 * alert_policy.h). Wording shows associations in the person's own diary
 * and never claims a cause or a diagnosis.
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdio.h>
#include <string.h>

#include "daemon/alert_policy.h"
#include "proto/proto.h"

bool
alert_in_quiet_hours(const struct alert_policy_config *cfg, int m, int *left)
{
	int s = cfg->quiet_start_min, e = cfg->quiet_end_min;
	bool in;
	if (s == e)
		in = false;
	else if (s < e)
		in = m >= s && m < e;
	else
		in = m >= s || m < e;
	if (in && left != NULL)
		*left = ((e - m) % 1440 + 1440) % 1440;
	return in;
}

/* One concrete suggestion drawn from what drives the load. */
static const char *
suggestion_for(const char *factor)
{
	static const struct {
		const char *prefix, *text;
	} table[] = {
		{"sleep", "Aim for an early night tonight."},
		{"stress", "Plan a calm evening: a walk, or a few minutes of slow breathing."},
		{"activity", "Keep tomorrow light and rest between efforts."},
		{"recovery", "Keep tomorrow light and rest between efforts."},
		{"alcohol", "Consider skipping the drink tonight."},
		{"foods", "Consider skipping your usual trigger foods for a day or two."},
		{"dairy", "Consider skipping dairy for a day or two."},
		{"gluten", "Consider skipping gluten for a day or two."},
		{"sugar", "Consider skipping sweets for a day or two."},
		{"processed_food", "Consider a simple home-cooked meal instead of processed food."},
		{"meals", "Eat regular meals and avoid a late dinner."},
		{"late_meal", "Avoid a late dinner tonight."},
		{"skipped_meal", "Eat regular meals today."},
		{"nsaid", "Frequent NSAID use is itself a warning sign; talk to your clinician if you need them often."},
		{"gut", "Go easy on your gut: simple meals today."},
		{"bloating", "Go easy on your gut: simple meals today."},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strncmp(factor, table[i].prefix, strlen(table[i].prefix)) == 0)
			return table[i].text;
	return "Pace yourself today and rest early.";
}

/* An empty alert with what every kind of alert says first. */
static void
alert_start(struct alert *a, int64_t now_ms, const char *kind, const char *level, int urgency,
    const char *category)
{
	memset(a, 0, sizeof *a);
	a->time_ms = now_ms;
	snprintf(a->kind, sizeof a->kind, "%s", kind);
	snprintf(a->level, sizeof a->level, "%s", level);
	a->urgency = urgency;
	snprintf(a->category, sizeof a->category, "%s", category);
}

static void
fill_risk_alert(const struct analysis_outcome *o, int64_t now_ms, struct alert *a)
{
	bool warning = o->level >= LEVEL_WARNING;
	alert_start(a, now_ms, "risk", warning ? "warning" : "watch",
	    warning ? URGENCY_CRITICAL : URGENCY_NORMAL, "x-simmer.risk");
	char chance[32];
	proto_risk_words(o->risk, chance, sizeof chance);
	snprintf(a->summary, sizeof a->summary, "%s: %s within 48 hours",
	    warning ? "Flare risk high" : "Flare risk rising", chance);
	char drivers[256] = "";
	const char *first = NULL;
	size_t shown = 0;
	for (size_t i = 0; i < o->n_contributors && shown < 3; i++) {
		const struct contributor *c = &o->contributors[i];
		if (c->contribution <= 0)
			continue;
		if (first == NULL)
			first = c->factor;
		size_t len = strlen(drivers);
		snprintf(drivers + len, sizeof drivers - len, "%s%s (%s)", shown ? ", " : "", c->factor,
		    c->detail);
		shown++;
	}
	snprintf(a->body, sizeof a->body, "%s%s%s Chance of a flare starting in the next 48 hours: "
	    "%s. This is a pattern in your own diary, not a diagnosis.",
	    shown ? "Driven by " : "", drivers, shown ? "." : "", chance);
	size_t len = strlen(a->body);
	snprintf(a->body + len, sizeof a->body - len, " %s", suggestion_for(first ? first : "load"));
}

int
alert_policy_decide(const struct alert_policy_config *cfg, struct alert_state *st,
    const struct analysis_outcome *o, int64_t now_ms, int local_minute, struct alert *out,
    int64_t *retry_ms)
{
	if (o->level == LEVEL_OK) {
		st->armed = true;
		return ALERT_NONE;
	}
	if (!st->armed)
		return ALERT_NONE; /* this episode was announced already */
	if (now_ms < st->snoozed_until_ms)
		return ALERT_NONE;
	int64_t cooldown = (int64_t)cfg->cooldown_hours * 3600000;
	if (st->last_alert_ms > 0 && now_ms - st->last_alert_ms < cooldown)
		return ALERT_NONE;
	int left;
	if (alert_in_quiet_hours(cfg, local_minute, &left)) {
		/* At the start of the minute the quiet hours end, not a whole
		 * minute after now: local offsets are whole minutes. */
		*retry_ms = now_ms - now_ms % 60000 + (int64_t)left * 60000;
		return ALERT_DEFER;
	}
	fill_risk_alert(o, now_ms, out);
	st->armed = false;
	st->last_alert_ms = now_ms;
	return ALERT_NOW;
}

void
alert_red_flag(const char *factor, int64_t now_ms, struct alert *a)
{
	static const struct {
		const char *factor, *words;
	} names[] = {
		{"fever", "a fever"}, {"numbness", "numbness"}, {"weakness", "weakness"},
		{"night_pain", "severe pain at night"}, {"weight_loss", "unexplained weight loss"},
	};
	const char *words = factor;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].factor, factor) == 0)
			words = names[i].words;
	alert_start(a, now_ms, "red_flag", "critical", URGENCY_CRITICAL, "x-simmer.red-flag");
	snprintf(a->summary, sizeof a->summary, "Please seek medical evaluation: you logged %s", words);
	snprintf(a->body, sizeof a->body, "You logged %s. This symptom needs to be assessed by a "
	    "doctor, especially if it is new, getting worse, or comes with other symptoms. simmer "
	    "cannot assess it and does not count it as part of a flare pattern. If it is severe or "
	    "sudden, contact urgent care now.", words);
}

void
alert_checkin(int64_t now_ms, const char *trial, bool logged_today, struct alert *a)
{
	alert_start(a, now_ms, "checkin", "info", URGENCY_LOW, "x-simmer.checkin");
	snprintf(a->summary, sizeof a->summary, "How was today?");
	snprintf(a->body, sizeof a->body, "Nothing is logged today yet. A few seconds now, such as "
	    "'simmer sleep 7 stress 4 pain 3', keeps your patterns accurate.");
	if (trial == NULL)
		return;
	/* A trial's day: what it asks leads, and the body says why logging
	 * every day matters for it. */
	snprintf(a->summary, sizeof a->summary, "Trial: %.140s", trial);
	snprintf(a->body, sizeof a->body, "%s Your trial compares the days with and without it, so "
	    "each day's pain and symptoms count; 'simmer experiment status' shows how it stands.",
	    logged_today ? "Today is logged." : "Nothing is logged today yet.");
}
