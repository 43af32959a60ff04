/* stream.c - the shuffle buffer and the batch source of --stream. */
#include "stream.h"

#include <stdlib.h>
#include <string.h>

int shuffle_buffer_init(struct shuffle_buffer *b, size_t capacity, size_t width, uint64_t seed,
			struct error *err)
{
	memset(b, 0, sizeof *b);
	b->capacity = capacity;
	b->width = width ? width : 1;
	if (capacity > SIZE_MAX / sizeof *b->rows / b->width)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	b->rows = malloc((capacity ? capacity : 1) * b->width * sizeof *b->rows);
	b->leaving = malloc(b->width * sizeof *b->leaving);
	if (!b->rows || !b->leaving) {
		shuffle_buffer_free(b);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	prng_seed(&b->random, seed);
	return 0;
}

const double *shuffle_buffer_put(struct shuffle_buffer *b, const double *row)
{
	size_t bytes = b->width * sizeof *b->rows;

	if (b->capacity == 0) {
		memcpy(b->leaving, row, bytes);
		return b->leaving;
	}
	if (b->count < b->capacity) {
		memcpy(b->rows + b->count++ * b->width, row, bytes);
		return NULL;
	}
	double *chosen = b->rows + prng_below(&b->random, b->capacity) * b->width;
	memcpy(b->leaving, chosen, bytes);
	memcpy(chosen, row, bytes);
	return b->leaving;
}

const double *shuffle_buffer_drain(struct shuffle_buffer *b)
{
	size_t bytes = b->width * sizeof *b->rows;

	if (b->count == 0)
		return NULL;
	double *chosen = b->rows + prng_below(&b->random, b->count) * b->width;
	memcpy(b->leaving, chosen, bytes);
	b->count--;
	memcpy(chosen, b->rows + b->count * b->width, bytes);
	return b->leaving;
}

void shuffle_buffer_free(struct shuffle_buffer *b)
{
	free(b->rows);
	free(b->leaving);
	memset(b, 0, sizeof *b);
}

static int batch_next(struct row_source *source, size_t max, struct row_batch *batch,
		      struct error *err)
{
	struct stream_batch *b = (struct stream_batch *)source;
	size_t left = b->rows - b->position;
	size_t rows = left < max ? left : max;

	(void)err;
	batch->rows = rows;
	batch->x = rows ? b->x + b->position * b->features : NULL;
	batch->y = rows ? b->y + b->position : NULL;
	b->position += rows;
	return 0;
}

int stream_batch_init(struct stream_batch *b, size_t features, size_t capacity,
		      struct error *err)
{
	memset(b, 0, sizeof *b);
	b->source.next = batch_next;
	b->features = features;
	b->capacity = capacity ? capacity : 1;
	if (b->capacity > SIZE_MAX / sizeof *b->x / (features ? features : 1))
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	b->x = malloc(b->capacity * (features ? features : 1) * sizeof *b->x);
	b->y = malloc(b->capacity * sizeof *b->y);
	if (!b->x || !b->y) {
		stream_batch_free(b);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	return 0;
}

void stream_batch_add(struct stream_batch *b, const double *x, double y)
{
	memcpy(b->x + b->rows * b->features, x, b->features * sizeof *x);
	b->y[b->rows++] = y;
}

void stream_batch_rewind(struct stream_batch *b)
{
	b->position = 0;
}

void stream_batch_clear(struct stream_batch *b)
{
	b->rows = 0;
	b->position = 0;
}

void stream_batch_free(struct stream_batch *b)
{
	free(b->x);
	free(b->y);
	memset(b, 0, sizeof *b);
}
