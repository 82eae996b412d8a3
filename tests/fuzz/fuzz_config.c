/*
 * fuzz_config.c: simmerd's configuration file (daemon/config.c, inih).
 * The bytes are written to a memory file that config_load reads by its
 * path, as simmerd reads simmer.conf. A file is taken whole or refused
 * with a message; every key of what is taken reads back and sets again.
 *
 * SPDX-License-Identifier: ISC
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/config.h"
#include "tests/fuzz/fuzz.h"

static int conf_fd = -1;
static char conf_path[64];

static void
fuzz_setup(void)
{
	conf_fd = memfd_create("simmer.conf", MFD_CLOEXEC);
	snprintf(conf_path, sizeof conf_path, "/proc/self/fd/%d", conf_fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_require(conf_fd >= 0);
	fuzz_require(ftruncate(conf_fd, 0) == 0);
	fuzz_require(pwrite(conf_fd, data, size, 0) == (ssize_t)size);
	struct simmer_config c;
	config_defaults(&c);
	char err[512] = "";
	if (config_load(conf_path, &c, err, sizeof err) != 0) {
		fuzz_require(err[0] != '\0');
		return 0;
	}
	/* Every key of a configuration that was taken reads back, and sets
	 * to the same value again. */
	for (size_t i = 0; config_keys[i] != NULL; i++) {
		char value[128];
		fuzz_require(config_get(&c, config_keys[i], value, sizeof value) == 0);
		struct simmer_config again = c;
		fuzz_require(config_set(&again, config_keys[i], value, err, sizeof err) == 0);
	}
	return 0;
}
