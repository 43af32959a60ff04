/* array.h - growing an array by doubling, with every size checked. */
#ifndef DESCENT_ARRAY_H
#define DESCENT_ARRAY_H

#include <stddef.h>

/*
 * Make *array (of *capacity elements of element_size bytes) hold at least
 * needed elements, doubling from 16.  Returns 0, or -1 when the size would
 * overflow or memory runs out (the array is then unchanged).
 */
int array_grow(void **array, size_t *capacity, size_t needed, size_t element_size);

#endif
