/* optim.c - the optimizer registry.
 *
 * The table below is the list of optimizers the tool offers: --help prints it
 * in this order, and --optimizer NAME is looked up here.  Each entry lives in
 * its own file (optim_NAME.c) next to its update rule.
 */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct optimizer *const optimizers[] = {
	&optim_sgd,
	&optim_momentum,
	&optim_nesterov,
	&optim_adagrad,
	&optim_rmsprop,
	&optim_adadelta,
	&optim_adadelta_w,
	&optim_adam,
	&optim_adamw,
	&optim_amsgrad,
	&optim_lbfgs,
	NULL
};

/* The optimizer called NAME, or NULL when there is none. */
const struct optimizer *optimizer_find(const char *name)
{
	for (const struct optimizer *const *o = optimizers; *o; o++)
		if (strcmp((*o)->name, name) == 0)
			return *o;
	return NULL;
}

struct optim_run {
	const struct optimizer *optimizer;
	struct optim_hyper hyper;
	size_t n;
	double *state;          /* first-order: state_arrays x n, zeroed */
	void *full_batch_state; /* full-batch: the optimizer's own */
};

int optim_full_batch(const struct optimizer *o)
{
	return o->iterate != NULL;
}

struct optim_run *optim_create(const struct optimizer *o, size_t n, const struct optim_hyper *h)
{
	struct optim_run *run = calloc(1, sizeof *run);

	if (!run)
		return NULL;
	run->optimizer = o;
	run->hyper = *h;
	run->n = n;
	if (optim_full_batch(o))
		run->full_batch_state = o->create(n, h);
	else
		/* +1: sgd keeps no state, and calloc(0) may return NULL */
		run->state = calloc((size_t)o->state_arrays * n + 1, sizeof *run->state);
	if (!run->state && !run->full_batch_state) {
		free(run);
		return NULL;
	}
	return run;
}

void optim_free(struct optim_run *run)
{
	if (!run)
		return;
	if (run->full_batch_state)
		run->optimizer->destroy(run->full_batch_state);
	free(run->state);
	free(run);
}

void optim_step(struct optim_run *run, double *w, const double *g, long t, double lr,
		const unsigned char *is_weight)
{
	struct optim_step_args args = {
		.hyper = &run->hyper, .lr = lr, .t = t, .w = w, .g = g, .state = run->state,
		.n = run->n, .is_weight = is_weight,
	};

	run->optimizer->step(&args);
}

int optim_iterate(struct optim_run *run, const struct optim_objective *f, double lr, double *w,
		  double *value, double *grad)
{
	return run->optimizer->iterate(run->full_batch_state, f, lr, w, value, grad);
}

size_t optim_state_size(const struct optim_run *run)
{
	if (run->full_batch_state)
		return run->optimizer->state_size(run->full_batch_state);
	return (size_t)run->optimizer->state_arrays * run->n;
}

void optim_state_get(const struct optim_run *run, double *values)
{
	if (run->full_batch_state)
		run->optimizer->state_get(run->full_batch_state, values);
	else
		memcpy(values, run->state, optim_state_size(run) * sizeof *values);
}

int optim_state_set(struct optim_run *run, const double *values, size_t count)
{
	if (run->full_batch_state)
		return run->optimizer->state_set(run->full_batch_state, values, count);
	if (count != optim_state_size(run))
		return -1;
	for (size_t i = 0; i < count; i++)
		if (!isfinite(values[i]))
			return -1;
	if (count)      /* sgd keeps no state, and values may then be NULL */
		memcpy(run->state, values, count * sizeof *values);
	return 0;
}
