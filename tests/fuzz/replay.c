/*
 * replay.c: runs a fuzz harness without libFuzzer, over files and folders
 * of inputs (the committed corpus, or one crashing input), so that
 * `make test` replays every corpus with the ordinary compiler. An input
 * that breaks a harness's rule aborts, and the sanitizers of
 * `make test SAN=1` catch what libFuzzer's would.
 *
 * usage: replay_NAME PATH...   prints "N inputs" on success
 *
 * SPDX-License-Identifier: ISC
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define FUZZ_REPLAY_MAIN
#include "tests/fuzz/fuzz.h"

static int
replay_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *data = malloc(cap);
	size_t n;
	while (data != NULL && (n = fread(data + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			uint8_t *bigger = realloc(data, cap * 2);
			if (bigger == NULL) {
				free(data);
				data = NULL;
				break;
			}
			data = bigger;
			cap *= 2;
		}
	}
	fclose(f);
	if (data == NULL) {
		fprintf(stderr, "replay: out of memory reading %s\n", path);
		return -1;
	}
	/* An exact copy, so that a harness reading past the input is caught
	 * under the sanitizers as it would be by libFuzzer. */
	uint8_t *exact = malloc(len ? len : 1);
	if (exact == NULL) {
		free(data);
		return -1;
	}
	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	(*count)++;
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
replay_path(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "replay: cannot list %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && names[i]->d_name[0] != '.') {
			char child[4096];
			snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
			rc = replay_path(child, count);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH...\n", argv[0]);
		return 64;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	size_t count = 0;
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			return 66;
	printf("%zu inputs\n", count);
	return 0;
}
