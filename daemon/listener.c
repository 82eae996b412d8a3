/*
 * listener.c: where simmerd's listening socket comes from: the one systemd
 * passed (socket activation), or one bound at the socket path, replacing a
 * stale socket an earlier run left but never a live one or anything that is
 * not a socket. What arrives on it is server.c's.
 *
 * SPDX-License-Identifier: ISC
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/daemon.h"
#include "daemon/listener.h"
#include "daemon/log.h"

/* Is someone answering on the socket path? */
static bool
socket_is_live(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len >= sizeof sa.sun_path) {
		close(fd);
		return false;
	}
	memcpy(sa.sun_path, path, len + 1);
	bool live = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return live;
}

static int
listener_bind_own(struct simmerd *d, char *err, size_t errlen)
{
	const char *path = d->paths.socket;
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (socket_is_live(path)) {
			snprintf(err, errlen, "another simmerd is already running on %s", path);
			return -EADDRINUSE;
		}
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket; not touching it", path);
			return -EEXIST;
		}
		log_info("removing stale socket %s left by an earlier run", path);
		unlink(path);
	}
	/* The socket is created 0600 from the start: no window where another
	 * user could connect. */
	mode_t old = umask(0177);
	int rc = uv_pipe_bind(&d->listener, path);
	umask(old);
	if (rc != 0) {
		snprintf(err, errlen, "cannot bind %s: %s", path, uv_strerror(rc));
		return rc;
	}
	d->socket_bound = true;
	return 0;
}

int
listener_open(struct simmerd *d, char *err, size_t errlen)
{
	int rc = uv_pipe_init(d->loop, &d->listener, 0);
	if (rc != 0) {
		snprintf(err, errlen, "cannot create the listener: %s", uv_strerror(rc));
		return rc;
	}
	d->listener.data = d;
	d->listener_open = true;
	int n = sd_listen_fds(1);
	if (n > 1) {
		snprintf(err, errlen, "systemd passed %d sockets; simmerd takes exactly one", n);
		return -EINVAL;
	}
	if (n == 1) {
		int fd = SD_LISTEN_FDS_START;
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
			snprintf(err, errlen, "the socket systemd passed is not a listening Unix stream socket");
			return -EINVAL;
		}
		rc = uv_pipe_open(&d->listener, fd);
		if (rc != 0) {
			snprintf(err, errlen, "cannot adopt the socket from systemd: %s", uv_strerror(rc));
			return rc;
		}
		d->socket_adopted = true;
		log_info("listening on the socket passed by systemd");
		return 0;
	}
	rc = listener_bind_own(d, err, errlen);
	if (rc != 0)
		return rc;
	log_info("listening on %s", d->paths.socket);
	return 0;
}

void
listener_close(struct simmerd *d)
{
	if (!d->listener_open)
		return;
	d->listener_open = false;
	uv_close((uv_handle_t *)&d->listener, NULL);
	if (d->socket_bound)
		unlink(d->paths.socket);
}
