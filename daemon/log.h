/*
 * log.h: simmerd's log lines, on stderr with sd-daemon priority prefixes.
 *
 * journald reads "<3>" as err, "<4>" warning, "<6>" info and "<7>" debug, so
 * a line written here lands in `journalctl --user -u simmerd` with the right
 * priority. Debug lines appear only with --verbose. Each line is one write(2),
 * so lines from different threads never interleave.
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_LOG_H
#define SIMMER_DAEMON_LOG_H

#include <stdbool.h>

void log_set_verbose(bool verbose);
bool log_is_verbose(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
