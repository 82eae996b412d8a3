/*
 * test_alerts.c: the alert policy (hysteresis, cooldown, quiet hours, red
 * flags, wording) and the configuration file (defaults, errors with line
 * numbers, set/get, atomic save).
 *
 * SPDX-License-Identifier: ISC
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/alert_policy.h"
#include "daemon/config.h"

#define HOUR 3600000LL

static const struct alert_policy_config policy = {12, 22 * 60, 8 * 60};

static struct analysis_outcome
outcome(int level, double load, double threshold, double risk)
{
	struct analysis_outcome o;
	memset(&o, 0, sizeof o);
	o.level = level;
	o.load = load;
	o.threshold = threshold;
	o.risk = risk;
	o.n_contributors = 2;
	snprintf(o.contributors[0].factor, sizeof o.contributors[0].factor, "sleep");
	o.contributors[0].contribution = 0.8;
	snprintf(o.contributors[0].detail, sizeof o.contributors[0].detail, "15 load points lately");
	snprintf(o.contributors[1].factor, sizeof o.contributors[1].factor, "alcohol");
	o.contributors[1].contribution = 0.4;
	snprintf(o.contributors[1].detail, sizeof o.contributors[1].detail, "2 in the last 2 days");
	return o;
}

static void
test_rise_alerts_once_with_hysteresis_and_cooldown(void **state)
{
	(void)state;
	struct alert_state st = {.armed = true};
	struct alert a;
	int64_t retry, t = 1000 * HOUR;
	struct analysis_outcome watch = outcome(LEVEL_WATCH, 68, 75, 0.45);
	assert_int_equal(alert_policy_decide(&policy, &st, &watch, t, 14 * 60, &a, &retry), ALERT_NOW);
	assert_string_equal(a.summary, "Flare risk rising: about 1 in 2 within 48 hours");
	assert_string_equal(a.level, "watch");
	assert_int_equal(a.urgency, URGENCY_NORMAL);
	assert_non_null(strstr(a.body, "sleep (15 load points lately)"));
	assert_non_null(strstr(a.body, "early night"));     /* drawn from the top contributor */
	assert_non_null(strstr(a.body, "not a diagnosis"));
	/* The chance in coarse words, never as a precise percentage. */
	assert_non_null(strstr(a.body, "about 1 in 2"));
	assert_null(strstr(a.body, "%"));
	/* The same episode does not alert again, even much later... */
	assert_int_equal(alert_policy_decide(&policy, &st, &watch, t + 20 * HOUR, 14 * 60, &a, &retry),
	    ALERT_NONE);
	/* ... until the level fell back to ok; then the cooldown still holds. */
	struct analysis_outcome ok = outcome(LEVEL_OK, 30, 75, 0.05);
	assert_int_equal(alert_policy_decide(&policy, &st, &ok, t + 2 * HOUR, 14 * 60, &a, &retry), ALERT_NONE);
	struct analysis_outcome warn = outcome(LEVEL_WARNING, 80, 75, 0.8);
	assert_int_equal(alert_policy_decide(&policy, &st, &warn, t + 3 * HOUR, 15 * 60, &a, &retry),
	    ALERT_NONE);
	assert_int_equal(alert_policy_decide(&policy, &st, &warn, t + 13 * HOUR, 15 * 60, &a, &retry),
	    ALERT_NOW);
	assert_int_equal(a.urgency, URGENCY_CRITICAL);
	assert_string_equal(a.summary, "Flare risk high: about 8 in 10 within 48 hours");
}

static void
test_quiet_hours_wait_for_morning(void **state)
{
	(void)state;
	struct alert_state st = {.armed = true};
	struct alert a;
	int64_t retry = 0, t = 2000 * HOUR;
	struct analysis_outcome watch = outcome(LEVEL_WATCH, 68, 75, 0.45);
	/* 23:30: deferred to 08:00, 8.5 hours later. */
	assert_int_equal(alert_policy_decide(&policy, &st, &watch, t, 23 * 60 + 30, &a, &retry), ALERT_DEFER);
	assert_int_equal(retry - t, 8 * HOUR + HOUR / 2);
	assert_true(st.armed); /* nothing was said yet */
	/* 07:59:40: the retry is 08:00:00 sharp, not a minute after now. */
	int64_t late = t + 8 * HOUR + 29 * 60000 + 40000, at = 0;
	assert_int_equal(alert_policy_decide(&policy, &st, &watch, late, 7 * 60 + 59, &a, &at),
	    ALERT_DEFER);
	assert_int_equal(at, t + 8 * HOUR + HOUR / 2);
	assert_int_equal(alert_policy_decide(&policy, &st, &watch, retry, 8 * 60, &a, &retry), ALERT_NOW);
	int left;
	assert_true(alert_in_quiet_hours(&policy, 2 * 60, &left));
	assert_int_equal(left, 6 * 60);
	assert_false(alert_in_quiet_hours(&policy, 12 * 60, NULL));
	struct alert_policy_config none = {12, 0, 0};
	assert_false(alert_in_quiet_hours(&none, 3 * 60, NULL));
	/* Snoozed today: silent. */
	st.armed = true;
	st.last_alert_ms = 0;
	st.snoozed_until_ms = t + 5 * HOUR;
	assert_int_equal(alert_policy_decide(&policy, &st, &watch, t + HOUR, 12 * 60, &a, &retry), ALERT_NONE);
}

static void
test_red_flag_words(void **state)
{
	(void)state;
	struct alert a;
	alert_red_flag("night_pain", 1, &a);
	assert_int_equal(a.urgency, URGENCY_CRITICAL);
	assert_string_equal(a.kind, "red_flag");
	assert_non_null(strstr(a.summary, "medical evaluation"));
	assert_non_null(strstr(a.summary, "severe pain at night"));
	assert_non_null(strstr(a.body, "cannot assess"));
	assert_null(strstr(a.body, "you have")); /* never a diagnosis */
}

static void
test_config_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/simmer-conf-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/simmer.conf", dir);
	struct simmer_config c;
	char err[256], v[64];
	/* Missing file: defaults. */
	assert_int_equal(config_load(path, &c, err, sizeof err), 0);
	assert_int_equal(c.day_start_hour, 4);
	assert_int_equal(c.evening_min, 20 * 60);
	assert_true(c.checkin_enabled); /* the evening reminder is on by default */
	FILE *f = fopen(path, "w");
	fprintf(f, "# mine\n[schedule]\nevening = 19:30\n\n[alerts]\ncooldown_hours = 24\nquiet_start = 23:00\n");
	fclose(f);
	assert_int_equal(config_load(path, &c, err, sizeof err), 0);
	assert_int_equal(c.evening_min, 19 * 60 + 30);
	assert_int_equal(c.cooldown_hours, 24);
	assert_int_equal(c.quiet_end_min, 8 * 60);
	f = fopen(path, "w");
	fprintf(f, "[day]\nstart_hour = 4\n[alerts]\nquiet_end = 8 o'clock\n");
	fclose(f);
	struct simmer_config keep = c;
	assert_int_not_equal(config_load(path, &c, err, sizeof err), 0);
	assert_non_null(strstr(err, "line 4"));
	assert_non_null(strstr(err, "HH:MM"));
	assert_memory_equal(&c, &keep, sizeof c); /* a bad file changes nothing */
	assert_int_not_equal(config_set(&c, "alerts.nope", "1", err, sizeof err), 0);
	assert_non_null(strstr(err, "unknown key"));
	assert_int_not_equal(config_set(&c, "day.start_hour", "13", err, sizeof err), 0);
	assert_int_equal(config_set(&c, "schedule.checkin_enabled", "yes", err, sizeof err), 0);
	assert_int_equal(config_save(path, &c, err, sizeof err), 0);
	struct simmer_config back;
	assert_int_equal(config_load(path, &back, err, sizeof err), 0);
	for (int i = 0; config_keys[i]; i++) {
		char a[64], b[64];
		config_get(&c, config_keys[i], a, sizeof a);
		config_get(&back, config_keys[i], b, sizeof b);
		assert_string_equal(a, b);
	}
	assert_int_equal(config_get(&back, "schedule.checkin_enabled", v, sizeof v), 0);
	assert_string_equal(v, "true");
	unlink(path);
	rmdir(dir);
	/* The documented example is a valid file with the defaults. */
	struct simmer_config example, defaults;
	assert_int_equal(config_load("docs/simmer.conf.example", &example, err, sizeof err), 0);
	config_defaults(&defaults);
	for (int i = 0; config_keys[i]; i++) {
		char a[64], b[64];
		config_get(&example, config_keys[i], a, sizeof a);
		config_get(&defaults, config_keys[i], b, sizeof b);
		assert_string_equal(a, b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rise_alerts_once_with_hysteresis_and_cooldown),
		cmocka_unit_test(test_quiet_hours_wait_for_morning),
		cmocka_unit_test(test_red_flag_words),
		cmocka_unit_test(test_config_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
