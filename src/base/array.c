#define _DEFAULT_SOURCE     /* madvise */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int array_grow(void **array, size_t *capacity, size_t needed, size_t element_size)
{
	size_t new_capacity = *capacity ? *capacity : 16;
	void *bigger;

	if (needed <= *capacity)
		return 0;
	while (new_capacity < needed) {
		if (new_capacity > SIZE_MAX / 2)
			return -1;
		new_capacity *= 2;
	}
	if (new_capacity > SIZE_MAX / element_size)
		return -1;
	bigger = realloc(*array, new_capacity * element_size);
	if (!bigger)
		return -1;
	*array = bigger;
	*capacity = new_capacity;
	return 0;
}

void array_prefault(void *start, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
	static long page;
	if (!page)
		page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return;
	uintptr_t mask = (uintptr_t)page - 1;
	uintptr_t first = ((uintptr_t)start + mask) & ~mask;
	uintptr_t last = ((uintptr_t)start + bytes) & ~mask;
	if (last > first)
		(void)madvise((void *)first, last - first, MADV_POPULATE_WRITE);
#else
	(void)start;
	(void)bytes;
#endif
}
