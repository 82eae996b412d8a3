/*
 * grow.h: room for one more element in a growing array, the one way the
 * daemon's files collect rows of unknown number (capacity doubles).
 *
 * SPDX-License-Identifier: ISC
 */
#ifndef SIMMER_DAEMON_GROW_H
#define SIMMER_DAEMON_GROW_H

#include <stdlib.h>

/* Makes *items hold at least count + 1 elements of `size` bytes, growing
 * *cap from `first`. 0, or -1 when out of memory (nothing is lost). */
static inline int
grow_for_one(void **items, size_t *cap, size_t count, size_t size, size_t first)
{
	if (count < *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : first;
	void *p = realloc(*items, n * size);
	if (p == NULL)
		return -1;
	*items = p;
	*cap = n;
	return 0;
}

#endif
