/* objective.c - the one pass over rows. */
#include "objective.h"

#include <math.h>

#include "lanes.h"

int objective_add(const struct model *m, const double *params, struct row_source *rows,
		  struct workspace *ws, double *grad, struct objective_sums *sums,
		  struct error *err)
{
	const struct head *head = m->head;
	size_t outputs = m->net.n_outputs, classes = m->schema.n_classes;
	struct row_batch batch;

	for (;;) {
		if (rows->next(rows, ws->capacity, &batch, err) != 0)
			return -1;
		if (batch.rows == 0)
			return 0;
		const double *z = network_forward(&m->net, params, batch.x, batch.rows, ws);
		sums->loss += head->loss(z, batch.y, batch.rows, outputs,
					 grad ? ws->output_grad : NULL);
		sums->count += batch.rows;
		if (head->classifier)
			for (size_t b = 0; b < batch.rows; b++)
				if ((double)head_predict_class(head, z + b * outputs, classes,
							       ws->row_scratch) == batch.y[b])
					sums->correct++;
		if (grad)
			network_backward(&m->net, params, batch.x, batch.rows, ws, grad);
	}
}

int objective_add_gradient(const struct model *m, const double *params,
			   struct row_source *rows, struct workspace *ws, double *grad,
			   size_t *count, struct error *err)
{
	const struct head *head = m->head;
	size_t outputs = m->net.n_outputs;
	double loss = 0.0;      /* heads without a gradient of their own */
	int bounded = 1;
	struct row_batch batch;

	for (;;) {
		if (rows->next(rows, ws->capacity, &batch, err) != 0)
			return -1;
		if (batch.rows == 0)
			break;
		const double *z = network_forward(&m->net, params, batch.x, batch.rows, ws);
		if (head->gradient) {
			if (!head->gradient(z, batch.y, batch.rows, outputs, ws->output_grad))
				bounded = 0;
		} else {
			loss += head->loss(z, batch.y, batch.rows, outputs, ws->output_grad);
		}
		*count += batch.rows;
		network_backward(&m->net, params, batch.x, batch.rows, ws, grad);
	}
	/* The bound holds for each row: a sum of them overflows only past 1e18 rows. */
	return bounded && isfinite(loss);
}

/*
 * Two values at a time (lanes.h): divpd rounds each lane as divsd does.  A
 * gradient of 101,770 parameters divided one value at a time took a tenth
 * of a 784-128-10 network's training.
 */
void objective_divide(double *x, size_t n, size_t count)
{
	double d = (double)count;
	const lanes2 by = { d, d };
	size_t i = 0;

	for (; i + 2 <= n; i += 2)
		*(lanes2 *)(x + i) /= by;
	for (; i < n; i++)
		x[i] /= d;
}

/* x - x is +0 for a finite x and NaN otherwise; a sum of them is 0 only if all are. */
int objective_all_finite(const double *x, size_t n)
{
	lanes2 sum = { 0.0, 0.0 };
	size_t i = 0;

	for (; i + 2 <= n; i += 2) {
		lanes2 v = *(const lanes2 *)(x + i);
		sum += v - v;
	}
	double total = sum[0] + sum[1];
	for (; i < n; i++)
		total += x[i] - x[i];
	return total == 0.0;
}
