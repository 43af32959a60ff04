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

/*
 * Ask the kernel to map the pages of [start, start + bytes) now, in one
 * call, rather than one page fault at a time as they are first written: a
 * large array filled front to back (the data set being read) otherwise
 * spends as long in page faults as in parsing on some virtual machines.
 * Only the whole pages inside the range are touched, and their contents
 * stay as they are.  Advice only: where the system cannot (not Linux, or
 * older than 5.14), nothing happens.
 */
void array_prefault(void *start, size_t bytes);

#endif
