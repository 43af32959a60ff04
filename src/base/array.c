#include "array.h"

#include <stdint.h>
#include <stdlib.h>

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
