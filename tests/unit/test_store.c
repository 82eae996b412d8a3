/*
 * test_store.c: the factor catalog and the SQLite store, on real files:
 * migrations, privacy, idempotent inserts, the rollup, undo and delete,
 * listing and export paging, WAL readers, and crash safety by killing a
 * writer process for real.
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
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "daemon/catalog.h"
#include "daemon/store.h"
#include "daemon/store_internal.h"

static char dir[64], path[128], err[PROTO_MESSAGE_MAX];
static struct catalog cat;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/simmer-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/simmer.db", dir);
	return catalog_init(&cat);
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	catalog_free(&cat);
	return system(cmd);
}

static void
make_entry(struct entry *e, int n, const char *factor, double value, int32_t day)
{
	memset(e, 0, sizeof *e);
	snprintf(e->id, sizeof e->id, "00000000-0000-4000-8000-%012d", n);
	e->time_ms = (int64_t)day * 86400000 + 12 * 3600000 + n;
	e->day = day;
	snprintf(e->factor, sizeof e->factor, "%s", factor);
	e->value = value;
}

static int
insert(struct store *st, const struct entry *e)
{
	const struct factor *f = catalog_find(&cat, e->factor);
	struct factor tmp;
	if (f == NULL) {
		catalog_default_factor(&tmp, e->factor);
		f = &tmp;
	}
	int status = -1;
	assert_int_equal(store_insert_entry(st, e, f, &status, err, sizeof err), 0);
	return status;
}

static int
sql_int(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
test_catalog(void **state)
{
	(void)state;
	const struct factor *f = catalog_find(&cat, "pain");
	assert_non_null(f);
	assert_int_equal(f->kind, FACTOR_SCALE);
	assert_int_equal(f->role, ROLE_OUTCOME);
	assert_int_equal(catalog_find(&cat, "fever")->role, ROLE_RED_FLAG);
	assert_int_equal(catalog_find(&cat, "sleep_quality")->min, 1);
	assert_string_equal(catalog_resolve_alias("sleep"), "sleep_hours");
	assert_string_equal(catalog_resolve_alias("pain"), "pain");
	assert_int_equal(catalog_check_value(f, 12, err, sizeof err), -PROTO_E_OUT_OF_RANGE);
	assert_string_equal(err, "pain must be between 0 and 10 (got 12)");
	assert_int_equal(catalog_check_value(catalog_find(&cat, "sleep_hours"), 25, err, sizeof err),
	    -PROTO_E_OUT_OF_RANGE);
	assert_string_equal(err, "sleep_hours must be between 0 and 24 h (got 25)");
	assert_int_equal(catalog_check_value(f, 10, err, sizeof err), 0);
	/* New names sort in and are found; built-ins cannot be replaced. */
	struct factor x;
	catalog_default_factor(&x, "tomato");
	assert_int_equal(catalog_put(&cat, &x), 0);
	catalog_default_factor(&x, "aaa");
	assert_int_equal(catalog_put(&cat, &x), 0);
	assert_non_null(catalog_find(&cat, "tomato"));
	assert_non_null(catalog_find(&cat, "aaa"));
	assert_non_null(catalog_find(&cat, "weight_loss"));
	for (size_t i = 1; i < cat.count; i++)
		assert_true(strcmp(cat.factors[i - 1].name, cat.factors[i].name) < 0);
	catalog_default_factor(&x, "pain");
	assert_int_equal(catalog_put(&cat, &x), -1); /* -EPERM */
	assert_int_equal(factor_kind_parse("minutes"), FACTOR_MINUTES);
	assert_int_equal(factor_role_parse("red_flag"), ROLE_RED_FLAG);
	assert_int_equal(factor_kind_parse("bogus"), -1);
}

static void
test_open_migrate_private_wal(void **state)
{
	(void)state;
	struct store *st;
	assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
	assert_true(store_schema_version(st) >= 1);
	int version = store_schema_version(st);
	store_close(st);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
	assert_int_equal(store_schema_version(st), version); /* reopening migrates nothing */
	/* Every commit waits for the WAL to reach the disk: synchronous=FULL (2)
	 * on the writing connection. */
	sqlite3_stmt *sync;
	assert_int_equal(sqlite3_prepare_v2(st->db, "PRAGMA synchronous", -1, &sync, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(sync), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(sync, 0), 2);
	sqlite3_finalize(sync);
	store_close(st);
	assert_int_equal(sql_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM sqlite_schema WHERE name = 'entries'"
	    " AND sql LIKE '%STRICT%'"), 1);
	/* A read-only open of a file that does not exist fails clearly. */
	char missing[160];
	snprintf(missing, sizeof missing, "%s/none.db", dir);
	assert_int_not_equal(store_open(&st, missing, true, err, sizeof err), 0);
	assert_non_null(strstr(err, "opening"));
}

static void
test_insert_idempotent_and_rollup(void **state)
{
	(void)state;
	struct store *st;
	assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
	assert_int_equal(store_begin(st, err, sizeof err), 0);
	struct entry e;
	make_entry(&e, 1, "pain", 4, 100);
	assert_int_equal(insert(st, &e), STORE_ADDED);
	assert_int_equal(insert(st, &e), STORE_PRESENT);      /* same id */
	struct entry same = e;
	snprintf(same.id, sizeof same.id, "00000000-0000-4000-8000-999999999999");
	assert_int_equal(insert(st, &same), STORE_PRESENT);   /* same time+factor+value+note */
	snprintf(same.note, sizeof same.note, "different note");
	assert_int_equal(insert(st, &same), STORE_ADDED);
	make_entry(&e, 2, "pain", 7, 100);
	insert(st, &e);
	make_entry(&e, 3, "pain", 2, 100);
	insert(st, &e);
	make_entry(&e, 4, "sleep_hours", 5.5, 100);
	insert(st, &e);
	make_entry(&e, 5, "sleep_hours", 1.5, 100);
	insert(st, &e);
	make_entry(&e, 6, "tomato", 1, 101);
	insert(st, &e);
	assert_int_equal(store_commit(st, err, sizeof err), 0);
	store_close(st);
	assert_int_equal(sql_int("SELECT count FROM daily WHERE day = 100 AND factor = 'pain'"), 4);
	assert_int_equal(sql_int("SELECT max FROM daily WHERE day = 100 AND factor = 'pain'"), 7);
	assert_int_equal(sql_int("SELECT min FROM daily WHERE day = 100 AND factor = 'pain'"), 2);
	assert_int_equal(sql_int("SELECT sum FROM daily WHERE day = 100 AND factor = 'sleep_hours'"), 7);
	assert_int_equal(sql_int("SELECT count(*) FROM factors WHERE name = 'tomato'"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM factors WHERE name = 'pain'"), 0);
}

struct collected {
	struct entry e[64];
	int n;
};

static int
collect(const struct entry *e, void *arg)
{
	struct collected *c = arg;
	if (c->n < 64)
		c->e[c->n++] = *e;
	return 0;
}

static void
test_undo_delete_fix_the_rollup(void **state)
{
	(void)state;
	struct store *st;
	assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
	store_begin(st, err, sizeof err);
	struct entry e, out;
	assert_int_equal(store_undo_last(st, &out, err, sizeof err), -PROTO_E_NOT_FOUND);
	for (int i = 0; i < 5; i++) {
		make_entry(&e, 10 + i, "stress", 2 + i, 200);
		insert(st, &e);
	}
	make_entry(&e, 20, "pain", 3, 201);
	insert(st, &e);
	assert_int_equal(store_undo_last(st, &out, err, sizeof err), 0);
	assert_string_equal(out.factor, "pain");
	assert_true(out.deleted);
	/* The max of the day falls back when its entry goes. */
	assert_int_equal(store_delete_entry(st, "00000000-0000-4000-8000-000000000014", &out, err,
	    sizeof err), 0);
	assert_true(out.value == 6);
	assert_int_equal(store_delete_entry(st, "00000000", &out, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_non_null(strstr(err, "more than one"));
	assert_int_equal(store_delete_entry(st, "0000", &out, err, sizeof err), -PROTO_E_INVALID_PARAMS);
	assert_int_equal(store_delete_entry(st, "ffffffff", &out, err, sizeof err), -PROTO_E_NOT_FOUND);
	store_commit(st, err, sizeof err);
	store_close(st);
	assert_int_equal(sql_int("SELECT max FROM daily WHERE day = 200 AND factor = 'stress'"), 5);
	assert_int_equal(sql_int("SELECT count FROM daily WHERE day = 200 AND factor = 'stress'"), 4);
	assert_int_equal(sql_int("SELECT count(*) FROM daily WHERE day = 201"), 0);
	/* The rollup equals a recomputation from the live entries. */
	assert_int_equal(sql_int("SELECT count(*) FROM daily d WHERE d.count <> (SELECT count(*)"
	    " FROM entries e WHERE e.day = d.day AND e.factor = d.factor AND e.deleted = 0)"), 0);
}

static void
test_list_and_export_pages(void **state)
{
	(void)state;
	struct store *st;
	assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
	store_begin(st, err, sizeof err);
	struct entry e;
	for (int i = 0; i < 30; i++) {
		make_entry(&e, 100 + i, i % 2 ? "pain" : "stress", i % 10, 300 + i / 10);
		e.time_ms = 1000000 + (i / 3) * 1000; /* groups of three share a time */
		insert(st, &e);
	}
	store_commit(st, err, sizeof err);
	struct collected c = {.n = 0};
	struct store_list_query q = {.limit = 5};
	assert_int_equal(store_list(st, &q, collect, &c, err, sizeof err), 0);
	assert_int_equal(c.n, 5);
	for (int i = 1; i < c.n; i++)
		assert_true(c.e[i - 1].time_ms <= c.e[i].time_ms);
	assert_int_equal(c.e[4].time_ms, 1009000); /* the newest, oldest first */
	c.n = 0;
	q.factor = "pain";
	q.limit = 100;
	q.has_since = true;
	q.since_ms = 1005000;
	store_list(st, &q, collect, &c, err, sizeof err);
	for (int i = 0; i < c.n; i++) {
		assert_string_equal(c.e[i].factor, "pain");
		assert_true(c.e[i].time_ms >= 1005000);
	}
	assert_int_equal(c.n, 8); /* odd i from 15 to 29 */
	/* Export in pages of 4 sees every entry exactly once. */
	int seen = 0;
	int64_t after_t = 0;
	char after_id[PROTO_ID_LEN + 1] = "";
	bool first = true;
	for (;;) {
		c.n = 0;
		store_export_page(st, INT64_MIN, after_t, first ? NULL : after_id, 4, collect, &c, err,
		    sizeof err);
		if (c.n == 0)
			break;
		seen += c.n;
		after_t = c.e[c.n - 1].time_ms;
		snprintf(after_id, sizeof after_id, "%s", c.e[c.n - 1].id);
		first = false;
	}
	assert_int_equal(seen, 30);
	store_close(st);
}

static void
test_factors_persist_and_readers_see_commits(void **state)
{
	(void)state;
	struct store *st, *ro;
	assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
	struct factor f;
	catalog_default_factor(&f, "coffee");
	f.kind = FACTOR_EVENT;
	f.role = ROLE_EXPOSURE;
	store_begin(st, err, sizeof err);
	assert_int_equal(store_define_factor(st, &f, err, sizeof err), 0);
	struct entry e;
	make_entry(&e, 500, "coffee", 2, 400);
	insert(st, &e);
	store_commit(st, err, sizeof err);
	assert_int_equal(store_open(&ro, path, true, err, sizeof err), 0);
	/* While the writer holds an open transaction, the reader sees the last commit. */
	store_begin(st, err, sizeof err);
	make_entry(&e, 501, "coffee", 3, 401);
	insert(st, &e);
	struct collected c = {.n = 0};
	struct store_list_query q = {.limit = 100};
	assert_int_equal(store_list(ro, &q, collect, &c, err, sizeof err), 0);
	assert_int_equal(c.n, 1);
	store_commit(st, err, sizeof err);
	struct catalog fresh;
	catalog_init(&fresh);
	assert_int_equal(store_load_factors(ro, &fresh, err, sizeof err), 0);
	assert_non_null(catalog_find(&fresh, "coffee"));
	catalog_free(&fresh);
	store_close(ro);
	store_close(st);
}

/* A child commits entries and reports each committed id on a pipe; it is
 * killed with SIGKILL at a random moment. Every reported id must be in the
 * reopened file, and the file must pass integrity_check. */
static void
test_crash_safety_kill_9(void **state)
{
	(void)state;
	unsigned seed = 20261123;   /* fixed: a failure can be replayed */
	int total_confirmed = 0;
	for (int round = 0; round < 5; round++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			struct store *st;
			if (store_open(&st, path, false, err, sizeof err) != 0)
				_exit(2);
			for (int n = 0;; n++) {
				struct entry e;
				make_entry(&e, round * 1000000 + n, "stress", n % 10, 500 + n / 100);
				store_begin(st, err, sizeof err);
				insert(st, &e);
				if (store_commit(st, err, sizeof err) != 0)
					_exit(3);
				if (write(fds[1], &n, sizeof n) != sizeof n)
					_exit(4);
			}
		}
		close(fds[1]);
		/* The random moment counts from the first commit, so that a slow
		 * start (valgrind, a busy machine) still leaves commits to check. */
		int n, last = -1;
		if (read(fds[0], &n, sizeof n) == sizeof n)
			last = n;
		usleep(20000 + rand_r(&seed) % 200000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while (read(fds[0], &n, sizeof n) == sizeof n)
			last = n;
		close(fds[0]);
		struct store *st;
		assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
		store_close(st);
		char sql[300];
		assert_int_equal(sql_int("SELECT integrity_check = 'ok' FROM pragma_integrity_check"), 1);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM entries WHERE id >= "
		    "'00000000-0000-4000-8000-%012d' AND id < '00000000-0000-4000-8000-%012d'",
		    round * 1000000, (round + 1) * 1000000);
		int stored = sql_int(sql);
		assert_true(stored >= last + 1);
		/* Contents, not only counts: every confirmed entry is there with its
		 * own factor, value, day and time. */
		for (int k = 0; k <= last; k++) {
			struct entry want;
			make_entry(&want, round * 1000000 + k, "stress", k % 10, 500 + k / 100);
			snprintf(sql, sizeof sql, "SELECT count(*) FROM entries WHERE id = '%s' AND"
			    " factor = 'stress' AND value = %d AND day = %d AND time_ms = %lld", want.id,
			    k % 10, (int)want.day, (long long)want.time_ms);
			assert_int_equal(sql_int(sql), 1);
		}
		total_confirmed += last + 1;
	}
	print_message("# %d confirmed commits across 5 kills, none lost\n", total_confirmed);
	assert_true(total_confirmed > 0);
}

static int
keep_refused_row(const struct refused_entry *r, void *arg)
{
	struct refused_entry *rows = arg;
	rows[r->id - 1] = *r;
	return 0;
}

/* Refused spooled entries: kept with what is missing as NULL, known by
 * file and byte (a second take-in of the same file adds nothing), counted,
 * and cleared. */
static void
test_refused_rows(void **state)
{
	(void)state;
	struct store *st;
	assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
	struct refused_entry rows[2];
	memset(rows, 0, sizeof rows);
	for (int i = 0; i < 2; i++) {
		snprintf(rows[i].spool, sizeof rows[i].spool, "/s/spool.msgpack.taking-7");
		rows[i].refused_ms = 1000;
		rows[i].offset = i * 100;
	}
	snprintf(rows[0].entry_id, sizeof rows[0].entry_id, "01a20a7f-572f-776a-9244-e6f9d6f48769");
	rows[0].has_time = true;
	rows[0].time_ms = 1795461647278;
	rows[0].utc_offset_min = 60;
	snprintf(rows[0].factor, sizeof rows[0].factor, "sleep");
	snprintf(rows[0].note, sizeof rows[0].note, "it's late");
	snprintf(rows[0].reason, sizeof rows[0].reason, "sleep_hours needs a value");
	snprintf(rows[0].fix, sizeof rows[0].fix, "value");
	snprintf(rows[1].reason, sizeof rows[1].reason, "not an entry");
	int64_t total = -1;
	assert_int_equal(store_refused_add(st, rows, 2, &total, err, sizeof err), 0);
	assert_int_equal(total, 2);
	assert_int_equal(store_refused_add(st, rows, 2, &total, err, sizeof err), 0);
	assert_int_equal(total, 2);
	store_close(st);

	assert_int_equal(store_open(&st, path, true, err, sizeof err), 0);
	assert_int_equal(store_refused_count(st, &total, err, sizeof err), 0);
	assert_int_equal(total, 2);
	struct refused_entry got[2];
	memset(got, 0, sizeof got);
	assert_int_equal(store_refused_list(st, 10, keep_refused_row, got, err, sizeof err), 0);
	assert_true(got[0].has_time && !got[0].has_value);
	assert_int_equal(got[0].time_ms, 1795461647278);
	assert_int_equal(got[0].utc_offset_min, 60);
	assert_string_equal(got[0].factor, "sleep");
	assert_string_equal(got[0].note, "it's late");
	assert_string_equal(got[0].fix, "value");
	assert_string_equal(got[0].entry_id, rows[0].entry_id);
	assert_false(got[1].has_time);
	assert_int_equal(got[1].offset, 100);
	assert_string_equal(got[1].reason, "not an entry");
	store_close(st);

	assert_int_equal(store_open(&st, path, false, err, sizeof err), 0);
	int64_t cleared = -1;
	assert_int_equal(store_refused_clear(st, &cleared, err, sizeof err), 0);
	assert_int_equal(cleared, 2);
	assert_int_equal(store_refused_count(st, &total, err, sizeof err), 0);
	assert_int_equal(total, 0);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_catalog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_migrate_private_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_idempotent_and_rollup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undo_delete_fix_the_rollup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_and_export_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_factors_persist_and_readers_see_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_safety_kill_9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_rows, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
