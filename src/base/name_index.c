/* name_index.c - open addressing over positions in the caller's array. */
#include "name_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash_name(const char *name)
{
	/* FNV-1a */
	uint64_t hash = 14695981039346656037u;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		hash ^= *p;
		hash *= 1099511628211u;
	}
	return (size_t)hash;
}

/* The slot holding a string equal to name, or the empty slot where it would go. */
static size_t probe(const struct name_index *index, char *const *names, const char *name)
{
	size_t mask = index->slot_count - 1;
	size_t slot = hash_name(name) & mask;

	while (index->slots[slot] != SIZE_MAX && strcmp(names[index->slots[slot]], name) != 0)
		slot = (slot + 1) & mask;
	return slot;
}

size_t name_index_find(const struct name_index *index, char *const *names, const char *name)
{
	if (index->slot_count == 0)
		return SIZE_MAX;
	return index->slots[probe(index, names, name)];
}

/* Twice the slots (16 at first), every entered position placed again. */
static int grow(struct name_index *index, char *const *names)
{
	size_t slot_count = index->slot_count ? 2 * index->slot_count : 16;
	size_t *old = index->slots, old_count = index->slot_count;

	if (slot_count > SIZE_MAX / sizeof *index->slots)
		return -1;
	index->slots = malloc(slot_count * sizeof *index->slots);
	if (!index->slots) {
		index->slots = old;
		return -1;
	}
	index->slot_count = slot_count;
	for (size_t i = 0; i < slot_count; i++)
		index->slots[i] = SIZE_MAX;
	for (size_t i = 0; i < old_count; i++)
		if (old[i] != SIZE_MAX)
			index->slots[probe(index, names, names[old[i]])] = old[i];
	free(old);
	return 0;
}

int name_index_add(struct name_index *index, char *const *names, size_t position,
		   size_t *first)
{
	if (2 * (index->count + 1) > index->slot_count && grow(index, names) != 0)
		return -1;
	size_t slot = probe(index, names, names[position]);
	if (index->slots[slot] != SIZE_MAX) {
		if (first)
			*first = index->slots[slot];
		return 1;
	}
	index->slots[slot] = position;
	index->count++;
	return 0;
}

void name_index_clear(struct name_index *index)
{
	for (size_t i = 0; i < index->slot_count; i++)
		index->slots[i] = SIZE_MAX;
	index->count = 0;
}

void name_index_free(struct name_index *index)
{
	free(index->slots);
	memset(index, 0, sizeof *index);
}
