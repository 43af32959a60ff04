/* name_index.h - find a string among many in constant time.
 *
 * An open-addressing hash index (FNV-1a, linear probing) over an array of
 * strings the caller owns: the index holds only positions in that array,
 * so every call is given the array, which may move (realloc) between
 * calls as long as the entered positions keep their strings.  Used where
 * names are matched by the thousand (a header of 100,000 columns against
 * a model's features, class labels, vocabularies), which a scan of the
 * array would make quadratic.  name_index_free releases the slots.
 */
#ifndef DESCENT_NAME_INDEX_H
#define DESCENT_NAME_INDEX_H

#include <stddef.h>

struct name_index {
	size_t *slots;          /* slot_count entries: a position, or SIZE_MAX */
	size_t slot_count;      /* 0, or a power of two at least twice count */
	size_t count;           /* positions entered */
};

/* The position of a string equal to name, or SIZE_MAX when none is entered. */
size_t name_index_find(const struct name_index *index, char *const *names, const char *name);

/*
 * Enter names[position].  Returns 0 when entered; 1 when an equal string
 * is already entered (it is not entered again, and *first, if not NULL,
 * receives the position of that earlier one); -1 when memory runs out.
 */
int name_index_add(struct name_index *index, char *const *names, size_t position,
		   size_t *first);

/* Forget every position (the slots are kept), e.g. before entering them in a new order. */
void name_index_clear(struct name_index *index);

void name_index_free(struct name_index *index);

#endif
