/* objective.h - loss, accuracy and gradient of a model over rows.
 *
 * objective_add is the one pass over data that training, evaluation,
 * L-BFGS and the curvature estimate all make: it reads every row a source
 * yields, in batches that fit the workspace, and adds the summed loss, the
 * row count, the number of rows classified right and (when asked) the
 * gradient of the summed loss.  Sums and counts, not means, so that
 * partial results (holdout, streaming, workers) combine by addition; the
 * caller divides.
 */
#ifndef DESCENT_OBJECTIVE_H
#define DESCENT_OBJECTIVE_H

#include <stddef.h>

#include "error.h"
#include "model.h"
#include "network.h"
#include "source.h"

struct objective_sums {
	double loss;            /* sum of the per-row losses */
	size_t count;           /* rows */
	size_t correct;         /* rows whose predicted class is the target (classifiers) */
};

/*
 * Add to *sums the pass of params over every row of rows.  When grad is
 * not NULL, add the gradient of the summed loss into grad[n_params] (the
 * caller zeroes it).  Returns 0, or -1 when the source fails.
 */
int objective_add(const struct model *m, const double *params, struct row_source *rows,
		  struct workspace *ws, double *grad, struct objective_sums *sums,
		  struct error *err);

/*
 * The gradient alone, for a training step: add the gradient of the summed
 * loss over every row of rows into grad[n_params] (the caller zeroes it)
 * and the rows to *count, bit for bit as objective_add would, without the
 * loss or the correct count.  Returns 1 when the summed loss is certainly
 * finite, 0 when it may not be (the caller then computes it with
 * objective_add), -1 when the source fails.
 */
int objective_add_gradient(const struct model *m, const double *params,
			   struct row_source *rows, struct workspace *ws, double *grad,
			   size_t *count, struct error *err);

/*
 * The sums over rows made means: x[i] /= count for i < n, each one
 * division as a loop of them would make it (two at a time, where SSE2 is).
 */
void objective_divide(double *x, size_t n, size_t count);
/* Whether x[0..n) are all finite (no infinity, no NaN). */
int objective_all_finite(const double *x, size_t n);

#endif
