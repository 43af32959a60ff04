/* source.h - where the rows of a pass come from.
 *
 * A row source hands out batches of rows, each as contiguous arrays
 * x[rows x features] and y[rows], until it is exhausted.  The objective
 * (objective.h) reads every row through this interface and knows nothing
 * else about where rows live, so that a source streaming from a file, or
 * one holding only this process's shard of the data, can be added beside
 * the in-memory source below without touching it.
 */
#ifndef DESCENT_SOURCE_H
#define DESCENT_SOURCE_H

#include <stddef.h>

#include "dataset.h"
#include "error.h"

/* A batch: valid until the next call on its source. */
struct row_batch {
	size_t rows;
	const double *x;        /* rows x features */
	const double *y;        /* rows; NULL when the data has no target */
};

struct row_source {
	/*
	 * The next batch of at most max rows (batch->rows == 0 at the end).
	 * Returns 0, or -1 with err set.
	 */
	int (*next)(struct row_source *source, size_t max, struct row_batch *batch,
		    struct error *err);
};

/* Some rows of an in-memory data set, in a given order. */
struct data_view {
	const struct dataset *data;
	const size_t *rows;     /* count row numbers; NULL means rows 0..count-1 */
	size_t count;
};

/*
 * The in-memory source: the rows of a view, in order.  Rows in file order
 * are handed out in place; others are gathered into its own buffers.
 */
struct memory_source {
	struct row_source source;
	struct data_view view;
	size_t position;
	size_t end;             /* the source ends before this row of the view */
	size_t readable;        /* view.rows[0..readable) may be read ahead */
	double *gathered_x;     /* capacity x features, owned */
	double *gathered_y;     /* capacity, owned */
	size_t capacity;
};

/*
 * A source over view, gathering up to capacity rows at a time.  Returns 0,
 * or -1 with EXIT_SOFTWARE.  memory_source_free releases its buffers.
 */
int memory_source_init(struct memory_source *s, const struct data_view *view,
		       size_t capacity, struct error *err);
/*
 * Start again over count rows of the same data set (no allocation).  rows
 * holds readable >= count row numbers; the ones past count are the rows
 * that will come next, and their memory is asked for ahead of time.
 */
void memory_source_select(struct memory_source *s, const size_t *rows, size_t count,
			  size_t readable);
/* Start again from the first row. */
void memory_source_rewind(struct memory_source *s);
/* Start again at row first of the view, ending after count rows. */
void memory_source_range(struct memory_source *s, size_t first, size_t count);
void memory_source_free(struct memory_source *s);

#endif
