/* stream.h - rows as they arrive: the shuffle buffer and the batch source
 * of --stream.
 *
 * A stream is read once and never held.  Its rows pass through a shuffle
 * buffer of a fixed number of rows (the reservoir-style buffer of
 * tf.data's shuffle): the first capacity rows fill it; then each arriving
 * row takes the place of a uniformly chosen buffered row, which leaves
 * the buffer; at the end the rows still buffered leave in random order.
 * Every row leaves exactly once, and a row can leave at most capacity
 * rows early, never later than the end; with capacity 0 rows leave in
 * file order.  The choices come from the seeded generator (prng.h), so
 * the same seed gives the same order.
 *
 * The rows that leave are gathered into a stream_batch: a row source
 * (source.h) over the rows of one step, so the objective reads them the
 * way it reads rows in memory.  Memory: capacity + 1 rows for the buffer,
 * the batch's rows for the batch; nothing grows with the stream.
 */
#ifndef DESCENT_STREAM_H
#define DESCENT_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "prng.h"
#include "source.h"

/* A row is width doubles (the inputs, then the target). */
struct shuffle_buffer {
	size_t capacity;        /* rows; 0 = file order */
	size_t width;           /* doubles per row */
	size_t count;           /* rows buffered */
	double *rows;           /* capacity x width, owned */
	double *leaving;        /* width: the row that left, owned */
	struct prng random;
};

/* Returns 0, or -1 with EXIT_SOFTWARE.  shuffle_buffer_free releases it. */
int shuffle_buffer_init(struct shuffle_buffer *b, size_t capacity, size_t width, uint64_t seed,
			struct error *err);
/*
 * Put a row in.  Returns the row that leaves (valid until the next call),
 * or NULL while the buffer is still filling.  With capacity 0 the row
 * itself leaves.
 */
const double *shuffle_buffer_put(struct shuffle_buffer *b, const double *row);
/* At the end: the buffered rows one by one in random order, then NULL. */
const double *shuffle_buffer_drain(struct shuffle_buffer *b);
void shuffle_buffer_free(struct shuffle_buffer *b);

/* The rows of one step, handed out by its row source. */
struct stream_batch {
	struct row_source source;
	size_t features;
	size_t capacity;        /* rows */
	size_t rows;            /* gathered */
	size_t position;        /* handed out since the last rewind */
	double *x;              /* capacity x features, owned */
	double *y;              /* capacity, owned */
};

/* Returns 0, or -1 with EXIT_SOFTWARE.  stream_batch_free releases it. */
int stream_batch_init(struct stream_batch *b, size_t features, size_t capacity,
		      struct error *err);
/* Add a row (features inputs, target y); the batch must not be full. */
void stream_batch_add(struct stream_batch *b, const double *x, double y);
/* Hand the gathered rows out again from the first. */
void stream_batch_rewind(struct stream_batch *b);
/* Forget the gathered rows. */
void stream_batch_clear(struct stream_batch *b);
void stream_batch_free(struct stream_batch *b);

#endif
