/*
 * main.c: simmerd's entry point: flags, start-up order, signals, shutdown.
 *
 * Start-up: resolve paths, take the instance lock, open the database and
 * the catalog, start the store thread, listen (or adopt systemd's socket),
 * start the analysis, alerts and schedule, take in the client's spool, then
 * tell systemd we are ready. Shutdown on
 * SIGTERM or SIGINT: stop accepting and reading, let the store thread
 * finish and acknowledge every request already received, close, exit 0.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/alerts.h"
#include "daemon/analysis_service.h"
#include "daemon/backup.h"
#include "common/clock.h"
#include "daemon/config_service.h"
#include "daemon/daemon.h"
#include "daemon/experiments.h"
#include "daemon/log.h"
#include "daemon/methods.h"
#include "daemon/pages.h"
#include "daemon/refused.h"
#include "daemon/schedule.h"
#include "daemon/server.h"
#include "daemon/spool.h"
#include "daemon/store.h"
#include "daemon/watchdog.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: simmerd [--socket PATH] [--db PATH] [--verbose]\n"
	    "       simmerd [--db PATH] --backup [FILE] | --restore FILE\n"
	    "       simmerd --version | --help\n"
	    "\n"
	    "  --socket PATH  listen here (default $XDG_RUNTIME_DIR/simmer/simmer.sock;\n"
	    "                 also SIMMER_SOCKET)\n"
	    "  --db PATH      the database (default $XDG_DATA_HOME/simmer/simmer.db;\n"
	    "                 also SIMMER_DB)\n"
	    "  --verbose      debug log lines\n"
	    "  --backup       copy the database (also while simmerd runs) to FILE or\n"
	    "                 to backups/ beside it, and exit\n"
	    "  --prepare      create the data, state and configuration folders and\n"
	    "                 exit (the unit runs this outside its sandbox)\n"
	    "  --restore FILE put a copy of the backup FILE in place of the database,\n"
	    "                 keeping the replaced one; only while simmerd is stopped\n"
	    "\n"
	    "Logs go to stderr with journald priority prefixes. SIGHUP re-reads\n"
	    "$XDG_CONFIG_HOME/simmer/simmer.conf; SIGTERM finishes pending writes and exits.\n");
}

/* Only one simmerd per socket: a lock beside it, held for the process's life. */
static int
take_instance_lock(struct simmerd *d, char *err, size_t errlen)
{
	/* The default runtime folder must be ours alone before anything goes
	 * in it: a folder another user made could hand our socket to them. */
	int rc = d->paths.runtime_dir[0] != '\0'
	    ? paths_private_dir(d->paths.runtime_dir, true, err, errlen)
	    : paths_make_parent(d->paths.lock, 0700, err, errlen);
	if (rc != 0)
		return rc;
	int fd = open(d->paths.lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %.300s: %s", d->paths.lock, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			snprintf(err, errlen, "another simmerd is already running on %.300s", d->paths.socket);
		else
			snprintf(err, errlen, "cannot lock %.300s: %s", d->paths.lock, strerror(e));
		return -EWOULDBLOCK;
	}
	d->lock_fd = fd;
	return 0;
}

/* simmerd --prepare: the folders simmerd writes in, made before the unit's
 * sandbox starts (it makes the home read-only, and ReadWritePaths= skips a
 * folder that does not exist yet). */
static int
prepare_folders(struct simmerd *d)
{
	const char *files[] = {d->paths.db, d->paths.spool, d->paths.config};
	char err[PROTO_MESSAGE_MAX];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (paths_make_parent(files[i], 0700, err, sizeof err) != 0) {
			log_error("%s", err);
			return -SIMMER_E_CANT_CREATE;
		}
	}
	return 0;
}

static void
on_writer_stopped(void *arg)
{
	struct simmerd *d = arg;
	server_close_all(d);
	schedule_stop(d->schedule);
	analysis_service_stop(d->analysis);
	alerts_stop(d->alerts);
}

static void
on_reader_stopped(void *arg)
{
	(void)arg; /* its last page went out with the others' replies */
}

static void
begin_shutdown(struct simmerd *d, const char *why)
{
	if (d->stopping)
		return;
	d->stopping = true;
	log_info("%s: finishing pending writes, then stopping", why);
	sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
	server_close_listener(d);
	server_stop_reading_all(d);
	backup_stop();
	watchdog_stop();
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	pages_stop(d->pages, on_reader_stopped, d);
	writer_stop(d->writer, on_writer_stopped, d);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct simmerd *d = h->data;
	if (signum == SIGHUP) {
		char err[PROTO_MESSAGE_MAX];
		if (config_service_reload(d, err, sizeof err) != 0)
			log_error("keeping the old configuration: %s", err);
		return;
	}
	begin_shutdown(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static int
open_store(struct simmerd *d, char *err, size_t errlen)
{
	int rc = paths_make_parent(d->paths.db, 0700, err, errlen);
	if (rc != 0)
		return rc;
	rc = store_open(&d->store, d->paths.db, false, err, errlen);
	if (rc != 0)
		return rc;
	rc = catalog_init(&d->catalog);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory building the catalog");
		return rc;
	}
	return store_load_factors(d->store, &d->catalog, err, errlen);
}

static int
keep_last_alert(const struct alert *a, void *arg)
{
	*(int64_t *)arg = a->time_ms;
	return 0;
}

static int
keep_last_day(const struct daily_row *row, void *arg)
{
	int32_t *day = arg;
	if (row->day > *day)
		*day = row->day;
	return 0;
}

/* What the loop must remember from the file before serving. */
struct restored {
	int64_t last_alert;         /* the last risk alert: no repeat within the cooldown */
	int32_t last_checkin_day;   /* the check-in comes once a day ... */
	int32_t last_entry_day;     /* ... on a day with nothing logged */
};

static void
restore_state(struct simmerd *d, struct restored *r)
{
	struct store *st;
	char err[PROTO_MESSAGE_MAX];
	memset(r, 0, sizeof *r);
	if (store_open(&st, d->paths.db, true, err, sizeof err) != 0) {
		log_warn("cannot read the alert history: %s", err);
		return;
	}
	store_alerts_list(st, "risk", 1, keep_last_alert, &r->last_alert, err, sizeof err);
	int64_t last_checkin = 0;
	if (store_alerts_list(st, "checkin", 1, keep_last_alert, &last_checkin, err, sizeof err) == 0 &&
	    last_checkin > 0)
		r->last_checkin_day = clock_local_day(last_checkin, d->day_start_hour);
	int32_t today = clock_local_day(clock_now_ms(), d->day_start_hour);
	store_read_daily(st, today - 1, keep_last_day, &r->last_entry_day, err, sizeof err);
	store_close(st);
}

static void
on_analysis(struct simmerd *d, const struct analysis_outcome *o)
{
	alerts_on_analysis(d->alerts, o);
}

/* The analysis, the alerts and the schedule, once the store and the socket
 * are up. Alerts first: a red flag kept in the spool must still raise one. */
static int
start_services(struct simmerd *d, char *err, size_t errlen)
{
	if (alerts_start(&d->alerts, d) != 0 ||
	    analysis_service_start(&d->analysis, d, on_analysis) != 0) {
		snprintf(err, errlen, "out of memory starting the analysis and alerts");
		return -PROTO_E_INTERNAL;
	}
	config_service_apply(d);
	struct store *st;
	int rc = store_open(&st, d->paths.db, true, err, errlen);
	if (rc == 0) {
		rc = experiments_start(&d->experiments, d, st, err, errlen);
		if (rc == 0)
			rc = refused_start(&d->refused, d, st, err, errlen);
		store_close(st);
	}
	if (rc != 0)
		return rc;
	struct restored r;
	restore_state(d, &r);
	if (r.last_alert > 0)
		alerts_restore(d->alerts, r.last_alert);
	rc = schedule_start(&d->schedule, d, r.last_entry_day, r.last_checkin_day, err, errlen);
	if (rc != 0)
		return rc;
	/* Results for status right after a start. */
	analysis_service_run(d->analysis);
	return 0;
}

static int
start_signals(struct simmerd *d)
{
	uv_signal_t *sigs[] = {&d->sig_term, &d->sig_int, &d->sig_hup};
	int nums[] = {SIGTERM, SIGINT, SIGHUP};
	for (int i = 0; i < 3; i++) {
		int rc = uv_signal_init(d->loop, sigs[i]);
		if (rc != 0)
			return rc;
		sigs[i]->data = d;
		rc = uv_signal_start(sigs[i], on_signal, nums[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Starts simmerd and serves until a signal stops it; returns 0 or a
 * negative error code after logging why. */
static int
run(int argc, char **argv)
{
	static const struct option options[] = {
		{"socket", required_argument, NULL, 's'},
		{"db", required_argument, NULL, 'd'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{"backup", no_argument, NULL, 'B'},
		{"restore", required_argument, NULL, 'R'},
		{"prepare", no_argument, NULL, 'P'},
		{NULL, 0, NULL, 0},
	};
	const char *socket_flag = NULL, *db_flag = NULL, *restore_from = NULL;
	bool backup_now = false, prepare_only = false;
	int opt;
	while ((opt = getopt_long(argc, argv, "s:d:vVh", options, NULL)) != -1) {
		switch (opt) {
		case 'B': backup_now = true; break;
		case 'P': prepare_only = true; break;
		case 'R': restore_from = optarg; break;
		case 's': socket_flag = optarg; break;
		case 'd': db_flag = optarg; break;
		case 'v': log_set_verbose(true); break;
		case 'V': printf("simmerd %s (protocol %d)\n", SIMMER_VERSION, PROTO_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return -SIMMER_E_USAGE;
		}
	}
	/* --backup takes an optional FILE after it. */
	const char *backup_to = backup_now && optind < argc ? argv[optind++] : NULL;
	if (optind < argc) {
		fprintf(stderr, "simmerd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -SIMMER_E_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Past a file-size limit, a write must fail (SQLite reports it as a
	 * storage error and the client spools) instead of killing us. */
	signal(SIGXFSZ, SIG_IGN);
	/* Everything simmerd creates is the user's alone. */
	umask(0077);
	server_memory_policy();

	static struct simmerd daemon;
	struct simmerd *d = &daemon;
	d->lock_fd = -1;
	d->day_start_hour = 4;
	proto_limits_default(&d->limits);
	char err[PROTO_MESSAGE_MAX];
	if (paths_resolve(&d->paths, socket_flag, db_flag, err, sizeof err) != 0) {
		log_error("%s", err);
		return -SIMMER_E_USAGE;
	}
	if (backup_now)
		return backup_command(d, backup_to);
	if (prepare_only)
		return prepare_folders(d);
	if (take_instance_lock(d, err, sizeof err) != 0) {
		if (restore_from != NULL && d->lock_fd < 0 && strstr(err, "already running") != NULL) {
			log_error("simmerd is running; stop it first (systemctl --user stop "
			    "simmerd.socket simmerd, or end the simmerd process), then restore");
			return -SIMMER_E_RUNNING;
		}
		log_error("%s", err);
		return -SIMMER_E_UNAVAILABLE;
	}
	/* Restoring holds the instance lock, so no simmerd starts meanwhile. */
	if (restore_from != NULL)
		return restore_command(d, restore_from);
	d->loop = uv_default_loop();
	if (config_service_load(d, err, sizeof err) != 0) {
		log_error("%s", err);
		return -SIMMER_E_CONFIG;
	}
	sd_notify(0, "STATUS=Opening the database");
	if (open_store(d, err, sizeof err) != 0) {
		log_error("cannot open the database %s: %s", d->paths.db, err);
		return -SIMMER_E_CANT_CREATE;
	}
	log_info("database %s (schema %d)", d->paths.db, store_schema_version(d->store));
	if (writer_start(&d->writer, d->loop, d->store, err, sizeof err) != 0) {
		log_error("%s", err);
		return -SIMMER_E_SYSTEM;
	}
	if (pages_start(&d->pages, d, err, sizeof err) != 0) {
		log_error("cannot start the reader of pages: %s", err);
		return -SIMMER_E_SYSTEM;
	}
	if (start_signals(d) != 0) {
		log_error("cannot install signal handlers");
		return -SIMMER_E_SYSTEM;
	}
	if (server_listen(d, methods_handle_request, err, sizeof err) != 0) {
		log_error("%s", err);
		return -SIMMER_E_UNAVAILABLE;
	}
	if (start_services(d, err, sizeof err) != 0) {
		log_error("%s", err);
		return -SIMMER_E_START;
	}
	spool_take_in(d);
	backup_start(d);
	watchdog_start(d);
	sd_notify(0, "READY=1\nSTATUS=Serving");
	log_info("simmerd %s ready", SIMMER_VERSION);

	uv_run(d->loop, UV_RUN_DEFAULT);

	pages_free(d->pages);
	writer_free(d->writer);
	store_close(d->store);
	experiments_free(d->experiments);
	refused_free(d->refused);
	catalog_free(&d->catalog);
	if (uv_loop_close(d->loop) != 0)
		log_debug("the loop still had handles at exit");
	log_info("stopped");
	return 0;
}

/* The one place an error code becomes simmerd's exit code. */
int
main(int argc, char **argv)
{
	int rc = run(argc, argv);
	if (rc != 0)
		log_debug("exits with %s: %s", proto_error_name(rc), proto_error_message(rc));
	return proto_error_exit_code(rc);
}
