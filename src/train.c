/* train.c - epochs, mini-batches, divergence, early stopping, records. */
#define _POSIX_C_SOURCE 200809L
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "prng.h"

volatile sig_atomic_t train_interrupted;

const char *train_stop_name(enum train_stop stop)
{
	switch (stop) {
	case TRAIN_COMPLETED: return "completed";
	case TRAIN_CONVERGED: return "converged";
	case TRAIN_EARLY_STOPPED: return "early-stopped";
	case TRAIN_DIVERGED: return "diverged";
	case TRAIN_INTERRUPTED: return "interrupted";
	}
	return "unknown";
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

static int all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

static double norm(const double *x, size_t n)
{
	double sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += x[i] * x[i];
	return sqrt(sum);
}

/* Coupled weight decay: g += lambda w on weights, never on biases. */
static void add_weight_decay(const struct model *m, const double *w, double *g, double lambda)
{
	if (lambda == 0.0)
		return;
	for (size_t i = 0; i < m->n_params; i++)
		if (m->is_weight[i])
			g[i] += lambda * w[i];
}

/* The full-batch objective: mean loss + lambda/2 |weights|^2. */
struct objective_context {
	const struct model *m;
	const struct dataset *d;
	double lambda;
};

static double full_objective(void *context, const double *w, double *grad)
{
	const struct objective_context *c = context;
	double value = model_loss_grad(c->m, w, c->d, NULL, c->d->rows, grad);

	if (c->lambda != 0.0) {
		double squares = 0.0;
		for (size_t i = 0; i < c->m->n_params; i++)
			if (c->m->is_weight[i])
				squares += w[i] * w[i];
		value += 0.5 * c->lambda * squares;
		if (grad)
			add_weight_decay(c->m, w, grad, c->lambda);
	}
	return value;
}

double train_largest_curvature(const struct model *m, const double *params,
			       const struct dataset *d, double weight_decay, uint64_t seed)
{
	struct objective_context context = { m, d, weight_decay };
	size_t n = m->n_params;
	double *v = malloc(4 * n * sizeof *v);
	double estimate = -1.0;
	struct prng random;

	if (!v)
		return -1.0;
	double *point = v + n, *plus = v + 2 * n, *minus = v + 3 * n;
	prng_seed(&random, seed);
	for (size_t i = 0; i < n; i++)
		v[i] = prng_uniform(&random) - 0.5;
	double length = norm(v, n);
	for (int iteration = 0; iteration < 100 && length > 0; iteration++) {
		/* Hv ~ (grad f(w + h v) - grad f(w - h v)) / 2h, with |v| = 1 */
		double h = 1e-5 * (1.0 + norm(params, n));
		for (size_t i = 0; i < n; i++)
			v[i] /= length;
		for (size_t i = 0; i < n; i++)
			point[i] = params[i] + h * v[i];
		full_objective(&context, point, plus);
		for (size_t i = 0; i < n; i++)
			point[i] = params[i] - h * v[i];
		full_objective(&context, point, minus);
		double rayleigh = 0.0;
		for (size_t i = 0; i < n; i++) {
			double hv = (plus[i] - minus[i]) / (2.0 * h);
			rayleigh += v[i] * hv;
			v[i] = hv;
		}
		length = norm(v, n);
		if (!isfinite(length))
			break;
		double previous = estimate;
		estimate = rayleigh;
		if (iteration > 5 && fabs(estimate - previous) <= 1e-6 * fabs(estimate))
			break;
	}
	free(v);
	return isfinite(estimate) ? estimate : -1.0;
}

/* State of one run, so helpers need not pass a dozen arguments. */
struct run {
	struct model *m;
	const struct dataset *d;
	const struct train_config *c;
	FILE *out;
	struct timespec start;
	double *initial;        /* weights at the start, for the curvature */
	double *epoch_weights;  /* weights at the end of the last finite epoch */
	double last_finite_loss;
	long last_finite_epoch;
	struct train_result *result;
};

static int write_epoch(struct run *r, long epoch, double loss, double accuracy, double lr)
{
	if (r->c->quiet)
		return 0;
	fprintf(r->out, "epoch,%ld,", epoch);
	output_write_shortest(r->out, loss);
	fputs(",,", r->out);
	if (r->m->kind->classifier)
		output_write_shortest(r->out, accuracy);
	putc(',', r->out);
	output_write_shortest(r->out, lr);
	fprintf(r->out, ",%.6f\n", seconds_since(&r->start));
	return output_flush(r->out);
}

/* 1, 2 or 5 times a power of ten, at most x: a step size a person would type. */
static double round_down(double x)
{
	double power = pow(10.0, floor(log10(x)));

	if (5 * power <= x)
		return 5 * power;
	if (2 * power <= x)
		return 2 * power;
	return power;
}

static void describe_divergence(struct run *r, long epoch, long step, const char *what,
				double gradient_norm)
{
	char *text = r->result->message;
	size_t size = sizeof r->result->message;
	const struct optim_hyper *h = &r->c->hyper;
	int used = snprintf(text, size,
			    "diverged at epoch %ld, step %ld: %s (last finite loss %.6g at epoch %ld, "
			    "gradient norm %.6g)", epoch, step, what, r->last_finite_loss,
			    r->last_finite_epoch, gradient_norm);
	double lambda_max = train_largest_curvature(r->m, r->initial, r->d, h->weight_decay,
						    r->c->seed);
	if (used < 0 || (size_t)used >= size)
		return;
	if (lambda_max > 0 && 2.0 / lambda_max < h->lr) {
		double limit = 2.0 / lambda_max;
		snprintf(text + used, size - (size_t)used,
			 "\nthe largest Hessian eigenvalue at the initial weights is about %.3g, so "
			 "gradient descent is stable only for a step size below 2/lambda_max = %.3g "
			 "(this run: --lr %.6g)\ntry --lr %.3g or smaller", lambda_max, limit, h->lr,
			 round_down(0.9 * limit));
	} else {
		/* The full-batch bound holds, yet the run diverged: blame the noise. */
		snprintf(text + used, size - (size_t)used,
			 "\nthe step size %.6g is below 2/lambda_max at the initial weights%s, but "
			 "mini-batch noise or growing curvature made the run diverge\n"
			 "try --lr %.3g or smaller", h->lr, lambda_max > 0 ? "" : " (not estimated)",
			 round_down(h->lr / 10));
	}
}

static void diverge(struct run *r, long epoch, long step, const char *what, double gradient_norm)
{
	memcpy(r->m->params, r->epoch_weights, r->m->n_params * sizeof *r->m->params);
	r->result->stop = TRAIN_DIVERGED;
	r->result->epoch = r->last_finite_epoch;
	describe_divergence(r, epoch, step, what, gradient_norm);
}

static void progress_bar(struct run *r, long epoch, size_t done, size_t total)
{
	int width = 30, filled = (int)(width * done / (total ? total : 1));

	fprintf(stderr, "\repoch %ld/%ld [%.*s%*s] %3d%%", epoch, r->c->epochs, filled,
		"##############################", width - filled, "",
		(int)(100 * done / (total ? total : 1)));
}

/* Before anything else goes to stderr, and at the end of the epoch. */
static void clear_progress_bar(int drawing)
{
	if (drawing)
		fputs("\r\033[K", stderr);
}

/*
 * One epoch of mini-batch steps.  Returns 1 to go on, 0 when the run has
 * stopped (result filled in).
 */
static int first_order_epoch(struct run *r, long epoch, size_t *index, double *grad,
			     double *state, long *t, double *lr)
{
	struct model *m = r->m;
	const struct train_config *c = r->c;
	size_t n = r->d->rows, batch = c->batch_size ? c->batch_size : n;
	struct optim_step_args args = {
		.hyper = &c->hyper, .w = m->params, .g = grad, .state = state,
		.n = m->n_params, .is_weight = m->is_weight,
	};
	struct timespec epoch_start;
	int drawing = 0;
	double next_draw = 1.0;         /* seconds into the epoch; redraw 10 times a second */

	clock_gettime(CLOCK_MONOTONIC, &epoch_start);
	for (size_t start = 0, steps = 0; start < n; start += batch, steps++) {
		size_t count = n - start < batch ? n - start : batch;
		++*t;
		*lr = schedule_step_size(&c->schedule, epoch, *t);
		double loss = model_loss_grad(m, m->params, r->d, index + start, count, grad);
		if (!c->optimizer->decoupled_weight_decay)
			add_weight_decay(m, m->params, grad, c->hyper.weight_decay);
		if (!isfinite(loss) || !all_finite(grad, m->n_params)) {
			clear_progress_bar(drawing);
			diverge(r, epoch, *t, isfinite(loss) ? "the gradient is not finite"
				: "the mini-batch loss is not finite", norm(grad, m->n_params));
			return 0;
		}
		args.lr = *lr;
		args.t = *t;
		c->optimizer->step(&args);
		if (!all_finite(m->params, m->n_params)) {
			clear_progress_bar(drawing);
			diverge(r, epoch, *t, "the step made the weights non-finite",
				norm(grad, m->n_params));
			return 0;
		}
		if (train_interrupted) {
			r->result->stop = TRAIN_INTERRUPTED;
			r->result->epoch = epoch;
			break;
		}
		if (c->progress && (steps & 63) == 63) {
			double elapsed = seconds_since(&epoch_start);
			if (elapsed > next_draw) {
				progress_bar(r, epoch, start + count, n);
				drawing = 1;
				next_draw = elapsed + 0.1;
			}
		}
	}
	clear_progress_bar(drawing);
	return r->result->stop == TRAIN_COMPLETED;
}

int train_run(struct model *m, const struct dataset *d, const struct train_config *c,
	      FILE *out, struct train_result *result, struct error *err)
{
	const struct optimizer *optimizer = c->optimizer;
	size_t n = d->rows, p = m->n_params;
	size_t batch = c->batch_size && c->batch_size < n ? c->batch_size : n;
	long steps_per_epoch = optimizer->step ? (long)((n + batch - 1) / batch) : 1;
	struct run r = { .m = m, .d = d, .c = c, .out = out, .result = result };
	struct objective_context objective_context = { m, d, c->hyper.weight_decay };
	struct optim_objective objective = { full_objective, &objective_context };
	struct optim_lbfgs_state *lbfgs = NULL;
	struct train_config config = *c;        /* its schedule keeps plateau state */
	struct prng random;
	int status = 0;

	memset(result, 0, sizeof *result);
	result->stop = TRAIN_COMPLETED;
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	size_t *index = malloc((n ? n : 1) * sizeof *index);
	double *grad = calloc(p, sizeof *grad);
	/* +1: sgd keeps no state, and calloc(0) may return NULL */
	double *state = calloc((size_t)optimizer->state_arrays * p + 1, sizeof *state);
	double *best = malloc(p * sizeof *best);
	r.initial = malloc(p * sizeof *r.initial);
	r.epoch_weights = malloc(p * sizeof *r.epoch_weights);
	if (optimizer->create)
		lbfgs = optimizer->create(p, &c->hyper);
	if (!index || !grad || !state || !best || !r.initial || !r.epoch_weights ||
	    (optimizer->create && !lbfgs)) {
		status = error_set(err, EXIT_SOFTWARE, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		index[i] = i;
	memcpy(r.initial, m->params, p * sizeof *m->params);
	memcpy(best, m->params, p * sizeof *m->params);
	memcpy(r.epoch_weights, m->params, p * sizeof *m->params);
	prng_seed(&random, c->seed);
	schedule_start(&config.schedule, c->hyper.lr, c->epochs, steps_per_epoch);
	r.c = &config;

	/* Epoch 0: the starting point, before any step. */
	double accuracy = 0.0;
	double loss = model_evaluate(m, m->params, d, &accuracy);
	double lr = schedule_step_size(&config.schedule, 1, 1);
	double value = 0.0;
	if (!isfinite(loss)) {
		status = error_set(err, EXIT_DATA, "the initial loss is not finite");
		goto done;
	}
	if (write_epoch(&r, 0, loss, accuracy, lr) != 0) {
		status = error_set(err, EXIT_IO, "write error");
		goto done;
	}
	schedule_epoch_end(&config.schedule, loss);
	r.last_finite_loss = loss;
	double best_loss = loss;
	long best_epoch = 0, t = 0;
	if (lbfgs)
		value = full_objective(&objective_context, m->params, grad);

	for (long epoch = 1; epoch <= c->epochs; epoch++) {
		if (lbfgs) {
			lr = schedule_step_size(&config.schedule, epoch, ++t);
			int outcome = optimizer->iterate(lbfgs, &objective, lr, m->params, &value, grad);
			if (outcome == OPTIM_ITERATE_NONFINITE) {
				diverge(&r, epoch, t, "the objective or its gradient is not finite",
					norm(grad, p));
				break;
			}
			if (outcome == OPTIM_ITERATE_CONVERGED)
				result->stop = TRAIN_CONVERGED;
			else if (train_interrupted)
				result->stop = TRAIN_INTERRUPTED;
		} else {
			if (c->shuffle)
				prng_shuffle(&random, index, n);
			if (!first_order_epoch(&r, epoch, index, grad, state, &t, &lr) &&
			    result->stop != TRAIN_INTERRUPTED)
				break;
		}
		if (result->stop == TRAIN_INTERRUPTED)
			break;
		loss = model_evaluate(m, m->params, d, &accuracy);
		if (!isfinite(loss)) {
			diverge(&r, epoch, t, "the training loss is not finite", norm(grad, p));
			break;
		}
		if (write_epoch(&r, epoch, loss, accuracy, lr) != 0) {
			status = error_set(err, EXIT_IO, "write error");
			goto done;
		}
		r.last_finite_loss = loss;
		r.last_finite_epoch = epoch;
		memcpy(r.epoch_weights, m->params, p * sizeof *m->params);
		result->epoch = epoch;
		schedule_epoch_end(&config.schedule, loss);
		if (result->stop == TRAIN_CONVERGED)
			break;
		if (c->patience > 0) {
			if (loss < best_loss) {
				best_loss = loss;
				best_epoch = epoch;
				memcpy(best, m->params, p * sizeof *best);
			} else if (epoch - best_epoch >= c->patience) {
				memcpy(m->params, best, p * sizeof *best);
				result->stop = TRAIN_EARLY_STOPPED;
				result->epoch = best_epoch;
				break;
			}
		}
	}
done:
	if (lbfgs)
		optimizer->destroy(lbfgs);
	free(index);
	free(grad);
	free(state);
	free(best);
	free(r.initial);
	free(r.epoch_weights);
	return status;
}
