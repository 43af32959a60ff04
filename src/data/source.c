/* source.c - the in-memory row source. */
#include "source.h"

#include <stdlib.h>
#include <string.h>

/*
 * Rows in a shuffled order are scattered over the data set: while one is
 * gathered, the one PREFETCH_ROWS further on is asked for, so that its
 * cache lines arrive in time (across batch boundaries too).
 */
#define PREFETCH_ROWS 16

static void prefetch_row(const struct dataset *d, size_t row)
{
	const char *start = (const char *)(d->x + row * d->features);
	size_t bytes = d->features * sizeof *d->x;

	if (bytes == 0)
		return;
	for (size_t b = 0; b < bytes; b += 64)
		__builtin_prefetch(start + b);
	__builtin_prefetch(start + bytes - 1);
	if (d->y)
		__builtin_prefetch(d->y + row);
}

static int memory_next(struct row_source *source, size_t max, struct row_batch *batch,
		       struct error *err)
{
	struct memory_source *s = (struct memory_source *)source;
	const struct dataset *d = s->view.data;
	size_t left = s->end - s->position;
	size_t rows = left < max ? left : max;

	(void)err;
	batch->rows = rows;
	if (rows == 0) {
		batch->x = NULL;
		batch->y = NULL;
		return 0;
	}
	if (!s->view.rows) {
		batch->x = d->x + s->position * d->features;
		batch->y = d->y ? d->y + s->position : NULL;
	} else {
		if (rows > s->capacity)
			rows = batch->rows = s->capacity;
		for (size_t i = 0; i < rows; i++) {
			size_t row = s->view.rows[s->position + i];
			if (s->position + i + PREFETCH_ROWS < s->readable)
				prefetch_row(d, s->view.rows[s->position + i + PREFETCH_ROWS]);
			memcpy(s->gathered_x + i * d->features, d->x + row * d->features,
			       d->features * sizeof *d->x);
			if (d->y)
				s->gathered_y[i] = d->y[row];
		}
		batch->x = s->gathered_x;
		batch->y = d->y ? s->gathered_y : NULL;
	}
	s->position += rows;
	return 0;
}

int memory_source_init(struct memory_source *s, const struct data_view *view,
		       size_t capacity, struct error *err)
{
	size_t features = view->data->features ? view->data->features : 1;

	memset(s, 0, sizeof *s);
	s->source.next = memory_next;
	s->view = *view;
	s->end = s->readable = view->count;
	s->capacity = capacity ? capacity : 1;
	s->gathered_x = malloc(s->capacity * features * sizeof *s->gathered_x);
	s->gathered_y = malloc(s->capacity * sizeof *s->gathered_y);
	if (!s->gathered_x || !s->gathered_y) {
		memory_source_free(s);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	return 0;
}

void memory_source_select(struct memory_source *s, const size_t *rows, size_t count,
			  size_t readable)
{
	s->view.rows = rows;
	s->view.count = count;
	s->position = 0;
	s->end = count;
	s->readable = readable > count ? readable : count;
}

void memory_source_rewind(struct memory_source *s)
{
	s->position = 0;
	s->end = s->view.count;
	if (s->readable < s->end)
		s->readable = s->end;
}

void memory_source_range(struct memory_source *s, size_t first, size_t count)
{
	s->position = first < s->view.count ? first : s->view.count;
	s->end = count < s->view.count - s->position ? s->position + count : s->view.count;
	s->readable = s->view.count;
}

void memory_source_free(struct memory_source *s)
{
	free(s->gathered_x);
	free(s->gathered_y);
	memset(s, 0, sizeof *s);
}
