/*
 * log.c: formats and writes simmerd's log lines (see log.h).
 *
 * SPDX-License-Identifier: ISC
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"

/* Longer lines are cut; a log line is for a person, not a data dump. */
#define LOG_LINE_MAX 2048

static atomic_bool log_verbose;

void
log_set_verbose(bool verbose)
{
	atomic_store(&log_verbose, verbose);
}

bool
log_is_verbose(void)
{
	return atomic_load(&log_verbose);
}

static void __attribute__((format(printf, 2, 0)))
log_write(int priority, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n = snprintf(line, sizeof line, "<%d>", priority);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	/* One write per line; a failed log write has nowhere better to go. */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

#define LOG_FUNCTION(name, priority)             \
	void name(const char *fmt, ...)          \
	{                                        \
		va_list ap;                      \
		va_start(ap, fmt);               \
		log_write(priority, fmt, ap);    \
		va_end(ap);                      \
	}

LOG_FUNCTION(log_error, 3)
LOG_FUNCTION(log_warn, 4)
LOG_FUNCTION(log_info, 6)

void
log_debug(const char *fmt, ...)
{
	if (!log_is_verbose())
		return;
	va_list ap;
	va_start(ap, fmt);
	log_write(7, fmt, ap);
	va_end(ap);
}
