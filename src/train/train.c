/* train.c - epochs, mini-batches, validation, divergence, early stopping,
 * records.
 *
 * Every pass over rows goes through objective_add: a mini-batch step reads
 * a slice of the shuffled training order (objective_add_gradient: the
 * gradient alone, the loss only when it may not be finite), an epoch's figures read the
 * training rows and the validation rows in file order, and the full-batch
 * objective of lbfgs and of the curvature estimate reads the training rows.
 */
#define _POSIX_C_SOURCE 200809L
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "curvature.h"
#include "dataset.h"
#include "kernel.h"
#include "objective.h"
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
	case TRAIN_LINE_SEARCH_FAILED: return "line-search-failed";
	}
	return "unknown";
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
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
	for (size_t i = 0; i < m->net.n_params; i++)
		if (m->is_weight[i])
			g[i] += lambda * w[i];
}

/* Rows per pass through the network: bigger batches go through in pieces. */
#define PASS_ROWS 256

/*
 * Everything a pass over rows needs: the model, a workspace and a source.
 * Each caller that evaluates at the same time as another has its own.
 */
struct pass {
	const struct model *m;
	struct workspace ws;
	struct memory_source rows;
};

static int pass_init(struct pass *p, const struct model *m, const struct data_view *view,
		     struct error *err)
{
	size_t capacity = view->count < PASS_ROWS ? view->count : PASS_ROWS;

	memset(p, 0, sizeof *p);
	p->m = m;
	if (workspace_create(&p->ws, &m->net, capacity, err) != 0)
		return -1;
	if (memory_source_init(&p->rows, view, capacity, err) != 0) {
		workspace_free(&p->ws);
		return -1;
	}
	return 0;
}

static void pass_free(struct pass *p)
{
	workspace_free(&p->ws);
	memory_source_free(&p->rows);
}

/*
 * Mean loss of params over the pass's rows, from the first; with grad, the
 * gradient of that mean overwrites grad.  The in-memory source never
 * fails, so neither does this.
 */
static double pass_mean(struct pass *p, const double *params, double *grad,
			struct objective_sums *sums)
{
	size_t n = p->m->net.n_params;

	memset(sums, 0, sizeof *sums);
	if (grad)
		memset(grad, 0, n * sizeof *grad);
	memory_source_rewind(&p->rows);
	objective_add(p->m, params, &p->rows.source, &p->ws, grad, sums, NULL);
	if (sums->count == 0)
		return 0.0;
	if (grad)
		objective_divide(grad, n, sums->count);
	return sums->loss / (double)sums->count;
}

/*
 * The gradient of the mean loss over the pass's rows overwrites grad, as
 * pass_mean's does, bit for bit.  Returns 1 when the mean loss is certainly
 * finite, 0 when it may not be (pass_mean then tells).
 */
static int pass_gradient(struct pass *p, const double *params, double *grad)
{
	size_t n = p->m->net.n_params, count = 0;

	memset(grad, 0, n * sizeof *grad);
	memory_source_rewind(&p->rows);
	int finite = objective_add_gradient(p->m, params, &p->rows.source, &p->ws, grad,
					    &count, NULL);
	if (count > 0)
		objective_divide(grad, n, count);
	return finite == 1;
}

/*
 * The loss of a pass over many rows (an epoch's evaluation) on the pool's
 * threads (kernel_parallel): thread t takes a run of the whole batches the
 * one-thread pass makes, with its own workspace and source, and keeps each
 * batch's loss apart; the batch losses are then added in order, as the
 * one-thread pass adds them, so the result is the same bits whatever the
 * number of threads.
 */
#define PARALLEL_MOST 8
#define PARALLEL_BATCHES 8      /* fewer batches than this stay on one thread */

struct parallel_pass {
	struct pass *main;      /* thread 0's, the pass evaluated */
	struct pass helpers[PARALLEL_MOST - 1];
	size_t n_helpers;
	size_t batches, batch_rows;
	double *batch_loss;     /* batches */
	size_t count[PARALLEL_MOST], correct[PARALLEL_MOST];
	const double *params;
};

static int parallel_init(struct parallel_pass *pp, struct pass *main,
			 const struct data_view *view, struct error *err)
{
	size_t threads = kernel_threads();

	memset(pp, 0, sizeof *pp);
	pp->main = main;
	pp->batch_rows = main->ws.capacity;
	pp->batches = (view->count + pp->batch_rows - 1) / pp->batch_rows;
	if (threads < 2 || pp->batches < PARALLEL_BATCHES)
		return 0;
	if (threads > PARALLEL_MOST)
		threads = PARALLEL_MOST;
	pp->batch_loss = malloc(pp->batches * sizeof *pp->batch_loss);
	if (!pp->batch_loss)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	for (; pp->n_helpers + 1 < threads; pp->n_helpers++)
		if (pass_init(&pp->helpers[pp->n_helpers], main->m, view, err) != 0)
			return -1;
	return 0;
}

static void parallel_free(struct parallel_pass *pp)
{
	for (size_t i = 0; i < pp->n_helpers; i++)
		pass_free(&pp->helpers[i]);
	free(pp->batch_loss);
	memset(pp, 0, sizeof *pp);
}

static void evaluate_part(void *context, size_t t, size_t threads)
{
	struct parallel_pass *pp = context;
	struct pass *p = t == 0 ? pp->main : &pp->helpers[t - 1];
	size_t first = pp->batches * t / threads, last = pp->batches * (t + 1) / threads;

	pp->count[t] = pp->correct[t] = 0;
	for (size_t b = first; b < last; b++) {
		struct objective_sums sums = { 0 };
		memory_source_range(&p->rows, b * pp->batch_rows, pp->batch_rows);
		objective_add(p->m, pp->params, &p->rows.source, &p->ws, NULL, &sums, NULL);
		pp->batch_loss[b] = sums.loss;
		pp->count[t] += sums.count;
		pp->correct[t] += sums.correct;
	}
}

/* pass_mean without a gradient, bit for bit, on several threads when it pays. */
static double parallel_mean(struct parallel_pass *pp, const double *params,
			    struct objective_sums *sums)
{
	if (pp->n_helpers == 0)
		return pass_mean(pp->main, params, NULL, sums);
	pp->params = params;
	size_t threads = kernel_parallel(pp->n_helpers + 1, evaluate_part, pp);
	memset(sums, 0, sizeof *sums);
	for (size_t b = 0; b < pp->batches; b++)
		sums->loss += pp->batch_loss[b];
	for (size_t t = 0; t < threads; t++) {
		sums->count += pp->count[t];
		sums->correct += pp->correct[t];
	}
	return sums->count ? sums->loss / (double)sums->count : 0.0;
}

/* The full-batch objective: mean loss + lambda/2 |weights|^2. */
struct objective_context {
	struct pass *pass;
	double lambda;
};

static double full_objective(void *context, const double *w, double *grad)
{
	const struct objective_context *c = context;
	const struct model *m = c->pass->m;
	struct objective_sums sums;
	double value = pass_mean(c->pass, w, grad, &sums);

	if (c->lambda != 0.0) {
		double squares = 0.0;
		for (size_t i = 0; i < m->net.n_params; i++)
			if (m->is_weight[i])
				squares += w[i] * w[i];
		value += 0.5 * c->lambda * squares;
		if (grad)
			add_weight_decay(m, w, grad, c->lambda);
	}
	return value;
}

double train_largest_curvature(const struct model *m, const double *params,
			       const struct data_view *training, double weight_decay, uint64_t seed)
{
	struct curvature c;
	double estimate = -1.0;

	if (curvature_init(&c, m, training, 0, weight_decay, seed, NULL) != 0)
		return -1.0;
	if (curvature_largest(&c, params, 1e-6, 100, &estimate, NULL) != 0)
		estimate = -1.0;
	curvature_free(&c);
	return isfinite(estimate) ? estimate : -1.0;
}

/* State of one run, so helpers need not pass a dozen arguments. */
struct run {
	struct model *m;
	const struct data_view *training;
	const struct train_config *c;
	FILE *out;
	struct timespec start;
	struct pass train_pass;         /* the training rows in file order */
	struct pass batch_pass;         /* slices of the shuffled order */
	struct pass validation_pass;    /* when has_validation */
	struct parallel_pass train_parallel, validation_parallel;       /* over those two */
	int has_validation;
	size_t *order;                  /* the training rows, shuffled each epoch */
	double *grad;                   /* n_params */
	struct optim_run *optimizer;
	double *initial;        /* weights at the start, for the curvature */
	double *epoch_weights;  /* weights at the end of the last finite epoch */
	double last_finite_loss;
	long last_finite_epoch;
	double lr;              /* the step size in force at the latest step */
	struct train_result *result;
	struct curvature curvature;     /* --curvature, when has_curvature */
	int has_curvature;
	int curvature_warned;   /* the lr * lambda_max > 2 warning, once */
	/* What the loop remembers from epoch to epoch (finish_epoch). */
	struct schedule *schedule;      /* the run's copy: its plateau memory changes */
	double start_loss, lowest_loss; /* the divergence rule's */
	int growing_epochs;
	double best_loss;               /* --patience's, and the saved state's */
	long best_epoch;
	double *best;                   /* the weights of best_epoch */
	int status;                     /* an error: an exit status, with err set */
	struct error *err;
	long start_epoch;               /* 0, or the saved epoch a run continues from */
	/* An epoch evaluated ahead, on the pool, while the next one trains. */
	int may_evaluate_ahead;
	struct ahead *ahead;
};

/* What an epoch record reports. */
struct epoch_figures {
	double train_loss, train_accuracy;
	double val_loss, val_accuracy;
	double seconds;                 /* since the run's start, when they were known */
};

/*
 * The epoch evaluated ahead: its weights, and what its record and a
 * message about it need from the moment it ended.
 */
struct ahead {
	int active;                     /* started, its record not yet written */
	long epoch, step;
	double lr, gradient_norm;
	double *weights;                /* n_params */
	struct epoch_figures figures;
};

static void evaluate(struct run *r, struct epoch_figures *f)
{
	struct objective_sums sums;

	f->train_loss = parallel_mean(&r->train_parallel, r->m->params, &sums);
	f->train_accuracy = sums.count ? (double)sums.correct / (double)sums.count : 0.0;
	if (r->has_validation) {
		f->val_loss = parallel_mean(&r->validation_parallel, r->m->params, &sums);
		f->val_accuracy = sums.count ? (double)sums.correct / (double)sums.count : 0.0;
	}
	f->seconds = seconds_since(&r->start);
}

/* evaluate for the epoch ahead, on a worker of the pool, on one thread (the same bits). */
static void evaluate_ahead_task(void *context, size_t t, size_t threads)
{
	struct run *r = context;
	struct ahead *a = r->ahead;
	struct epoch_figures *f = &a->figures;
	struct objective_sums sums;

	(void)t;
	(void)threads;
	f->train_loss = pass_mean(&r->train_pass, a->weights, NULL, &sums);
	f->train_accuracy = sums.count ? (double)sums.correct / (double)sums.count : 0.0;
	if (r->has_validation) {
		f->val_loss = pass_mean(&r->validation_pass, a->weights, NULL, &sums);
		f->val_accuracy = sums.count ? (double)sums.correct / (double)sums.count : 0.0;
	}
	f->seconds = seconds_since(&r->start);
}

/* The loss --patience and the plateau schedule watch. */
static double monitored_loss(const struct run *r, const struct epoch_figures *f)
{
	return r->has_validation ? f->val_loss : f->train_loss;
}

/* An epoch record on out, or with --log a row of the log's table (no kind field). */
static int write_epoch(struct run *r, long epoch, const struct epoch_figures *f, double lr)
{
	int classifier = r->m->head->classifier;
	FILE *out = r->c->log ? r->c->log : r->out;

	if (r->c->quiet && !r->c->log)
		return 0;
	fprintf(out, "%s%ld,", r->c->log ? "" : "epoch,", epoch);
	output_write_shortest(out, f->train_loss);
	putc(',', out);
	if (r->has_validation)
		output_write_shortest(out, f->val_loss);
	putc(',', out);
	if (classifier)
		output_write_shortest(out, f->train_accuracy);
	putc(',', out);
	if (classifier && r->has_validation)
		output_write_shortest(out, f->val_accuracy);
	putc(',', out);
	output_write_shortest(out, lr);
	fprintf(out, ",%.6f\n", f->seconds);
	return output_flush(out);
}

/*
 * --curvature: the record after epoch's record, even when quiet, and the
 * warning (once) when plain gradient descent's step exceeds 2/lambda_max.
 */
static int write_curvature(struct run *r, long epoch, double lr, struct error *err)
{
	struct curvature_figures f;
	FILE *out = r->out;

	if (!r->has_curvature)
		return 0;
	if (curvature_estimate(&r->curvature, r->m->params, &f, err) != 0)
		return -1;
	fprintf(out, "curvature,%ld,", epoch);
	output_write_shortest(out, f.lambda_max);
	putc(',', out);
	output_write_shortest(out, f.lambda_min);
	putc(',', out);
	output_write_shortest(out, f.trace);
	putc(',', out);
	output_write_shortest(out, lr * f.lambda_max);
	fprintf(out, ",%ld\n", f.products);
	if (output_flush(out) != 0)
		return error_set(err, EXIT_IO, "write error");
	if (!r->curvature_warned && strcmp(r->c->optimizer->name, "sgd") == 0 &&
	    lr * f.lambda_max > 2.0) {
		/* The only message the library prints itself, like the progress bar. */
		fprintf(stderr, "descent: warning: lr * lambda_max = %.6g > 2 at epoch %ld: plain "
			"gradient descent is unstable here (try --lr below 2/lambda_max = %.6g)\n",
			lr * f.lambda_max, epoch, 2.0 / f.lambda_max);
		r->curvature_warned = 1;
	}
	return 0;
}

/*
 * Divergence caught before overflow: the epoch's training loss exceeds
 * DIVERGENCE_GROWTH times the lowest so far (and the starting loss) in
 * DIVERGENCE_EPOCHS consecutive epochs.
 */
#define DIVERGENCE_GROWTH 1e3
#define DIVERGENCE_EPOCHS 2

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
	double lr = r->lr;      /* the step in force at the diverging step, not --lr */
	char norm_text[48] = "";
	/* Only figures that were computed: a NaN or inf norm says nothing. */
	if (isfinite(gradient_norm))
		snprintf(norm_text, sizeof norm_text, ", gradient norm %.6g", gradient_norm);
	int used = snprintf(text, size,
			    "diverged at epoch %ld, step %ld: %s (last finite loss %.6g at epoch %ld%s)",
			    epoch, step, what, r->last_finite_loss, r->last_finite_epoch, norm_text);
	double lambda_max = train_largest_curvature(r->m, r->initial, r->training,
						    h->weight_decay, r->c->seed);
	if (used < 0 || (size_t)used >= size)
		return;
	double scale_ratio = dataset_scale_ratio(r->training->data, r->training->rows,
						 r->training->count);
	if (scale_ratio > 100) {
		/* Uneven scales make uneven curvature: no one step size suits every weight. */
		int more = snprintf(text + used, size - (size_t)used,
				    "\nthe standard deviations of the features differ by a factor of "
				    "%.3g: try --standardize first", scale_ratio);
		if (more < 0 || (size_t)(used + more) >= size)
			return;
		used += more;
	}
	if (lambda_max > 0 && 2.0 / lambda_max < lr) {
		double limit = 2.0 / lambda_max;
		snprintf(text + used, size - (size_t)used,
			 "\nthe largest Hessian eigenvalue at the initial weights is about %.3g, so "
			 "gradient descent is stable only for a step size below 2/lambda_max = %.3g "
			 "(this run's step size then: %.6g)\ntry --lr %.3g or smaller", lambda_max,
			 limit, lr, round_down(0.9 * limit));
	} else if (lambda_max > 0) {
		/* The full-batch bound holds, yet the run diverged: blame the noise. */
		snprintf(text + used, size - (size_t)used,
			 "\nthe step size %.6g is below 2/lambda_max at the initial weights, but "
			 "mini-batch noise or growing curvature made the run diverge\n"
			 "try --lr %.3g or smaller", lr, round_down(lr / 10));
	} else {
		/* No estimate (the curvature overflowed too): no bound to compare with. */
		snprintf(text + used, size - (size_t)used, "\ntry --lr %.3g or smaller",
			 round_down(lr / 10));
	}
}

static void diverge(struct run *r, long epoch, long step, const char *what, double gradient_norm)
{
	memcpy(r->m->params, r->epoch_weights, r->m->net.n_params * sizeof *r->m->params);
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
 * After epoch's evaluation: its record, then every rule that may end the
 * run there (a loss that is not finite or keeps growing, --patience, a
 * converged lbfgs).  weights are the epoch's, step its last step, lr and
 * gradient_norm those of that step.  Returns 1 to go on, 0 when the run
 * stops at this epoch (result filled in, the weights to keep in m->params),
 * -1 on an error (r->status).
 */
static int finish_epoch(struct run *r, long epoch, long step, double lr, double gradient_norm,
			const double *weights, const struct epoch_figures *f)
{
	struct train_result *result = r->result;
	size_t p = r->m->net.n_params;

	if (!isfinite(f->train_loss)) {
		diverge(r, epoch, step, "the training loss is not finite", gradient_norm);
		return 0;
	}
	if (write_epoch(r, epoch, f, lr) != 0) {
		r->status = error_set(r->err, EXIT_IO, "write error");
		return -1;
	}
	if ((r->status = write_curvature(r, epoch, lr, r->err)) != 0)
		return -1;
	r->last_finite_loss = f->train_loss;
	r->last_finite_epoch = epoch;
	memcpy(r->epoch_weights, weights, p * sizeof *weights);
	result->epoch = epoch;
	if (f->train_loss > DIVERGENCE_GROWTH * r->lowest_loss && f->train_loss > r->start_loss) {
		if (++r->growing_epochs == DIVERGENCE_EPOCHS) {
			char what[256];
			snprintf(what, sizeof what, "the training loss %.6g exceeds %g times "
				 "the lowest so far (%.6g), %d epochs in a row",
				 f->train_loss, DIVERGENCE_GROWTH, r->lowest_loss, DIVERGENCE_EPOCHS);
			diverge(r, epoch, step, what, gradient_norm);
			return 0;
		}
	} else {
		r->growing_epochs = 0;
	}
	if (f->train_loss < r->lowest_loss)
		r->lowest_loss = f->train_loss;
	double watched = monitored_loss(r, f);
	schedule_epoch_end(r->schedule, watched);
	if (result->stop == TRAIN_CONVERGED)
		return 0;
	if (watched < r->best_loss) {
		r->best_loss = watched;
		r->best_epoch = epoch;
		memcpy(r->best, weights, p * sizeof *r->best);
	} else if (r->c->patience > 0 && epoch - r->best_epoch >= r->c->patience) {
		memcpy(r->m->params, r->best, p * sizeof *r->best);
		result->stop = TRAIN_EARLY_STOPPED;
		result->epoch = r->best_epoch;
		return 0;
	}
	return 1;
}

static int refuse_nonfinite_start(struct run *r, const double *params, struct error *err);

/*
 * After the evaluation of the starting point (epoch 0, or the saved epoch):
 * the run is refused when its loss is not finite; otherwise the comment
 * lines, its record, and the divergence rule's and --patience's memory
 * start from it.  Returns 1, or -1 on an error (r->status).
 */
static int finish_start(struct run *r, double lr, const double *weights,
			const struct epoch_figures *f)
{
	const struct train_config *c = r->c;

	if (!isfinite(f->train_loss)) {
		r->status = refuse_nonfinite_start(r, weights, r->err);
		return -1;
	}
	/* The data is accepted: only now does anything reach out. */
	if ((c->preamble && (fputs(c->preamble, r->out) == EOF || output_flush(r->out) != 0)) ||
	    write_epoch(r, r->start_epoch, f, lr) != 0) {
		r->status = error_set(r->err, EXIT_IO, "write error");
		return -1;
	}
	if ((r->status = write_curvature(r, r->start_epoch, lr, r->err)) != 0)
		return -1;
	if (!c->resume)         /* the saved plateau memory has seen this loss */
		schedule_epoch_end(r->schedule, monitored_loss(r, f));
	r->last_finite_loss = f->train_loss;
	/* The divergence rule watches the lowest training loss (DIVERGENCE in the man page). */
	r->start_loss = r->lowest_loss = f->train_loss;
	r->growing_epochs = 0;
	r->best_loss = c->resume ? c->resume->best_loss : monitored_loss(r, f);
	r->best_epoch = c->resume ? c->resume->best_epoch : r->start_epoch;
	return 1;
}

/*
 * Evaluate the epoch just trained on a worker of the pool while the next
 * one trains on this thread.  Only when nothing the next epoch computes
 * depends on the record (no plateau schedule, no --curvature): the record
 * can then only go on or stop the run, and every stop puts the weights it
 * keeps back itself (diverge: the last finite epoch's; --patience: the
 * best), so the epoch trained meanwhile is simply dropped.  Returns 1 when
 * started, 0 when the caller should evaluate now.
 */
static int evaluate_ahead(struct run *r, long epoch, long step, double lr)
{
	struct ahead *a = r->ahead;
	size_t p = r->m->net.n_params;

	if (!r->may_evaluate_ahead)
		return 0;
	memcpy(a->weights, r->m->params, p * sizeof *a->weights);
	a->epoch = epoch;
	a->step = step;
	a->lr = lr;
	a->gradient_norm = norm(r->grad, p);
	if (!kernel_start(evaluate_ahead_task, r))
		return 0;
	a->active = 1;
	return 1;
}

/*
 * The record of the epoch evaluated ahead, if any, as finish_epoch for it
 * (which sees the step size of that epoch); 1 also when there is none.
 */
static int finish_ahead(struct run *r)
{
	struct ahead *a = r->ahead;

	if (!a || !a->active)
		return 1;
	kernel_join();
	a->active = 0;
	double lr_now = r->lr;
	r->lr = a->lr;
	int next = a->epoch == r->start_epoch ?
		   finish_start(r, a->lr, a->weights, &a->figures) :
		   finish_epoch(r, a->epoch, a->step, a->lr, a->gradient_norm, a->weights,
				&a->figures);
	if (next == 1)
		r->lr = lr_now;
	return next;
}

/*
 * One epoch of mini-batch steps.  Returns 1 to go on, 0 when the run has
 * stopped (result filled in, or r->status set by the epoch before's record).
 */
static int first_order_epoch(struct run *r, long epoch, long *t, double *lr)
{
	struct model *m = r->m;
	const struct train_config *c = r->c;
	size_t n = r->training->count, batch = c->batch_size ? c->batch_size : n;
	size_t p = m->net.n_params;
	struct timespec epoch_start;
	int drawing = 0;
	double next_draw = 1.0;         /* seconds into the epoch; redraw 10 times a second */

	clock_gettime(CLOCK_MONOTONIC, &epoch_start);
	for (size_t start = 0, steps = 0; start < n; start += batch, steps++) {
		size_t count = n - start < batch ? n - start : batch;
		struct objective_sums sums;
		++*t;
		*lr = schedule_step_size(&c->schedule, epoch, *t);
		r->lr = *lr;
		memory_source_select(&r->batch_pass.rows, r->order + start, count, n - start);
		/*
		 * The step needs only the gradient; the loss is computed (with
		 * the same gradient again) only when it may not be finite.
		 */
		double loss = 0.0;
		if (!pass_gradient(&r->batch_pass, m->params, r->grad))
			loss = pass_mean(&r->batch_pass, m->params, r->grad, &sums);
		if (!c->optimizer->decoupled_weight_decay)
			add_weight_decay(m, m->params, r->grad, c->hyper.weight_decay);
		if (!isfinite(loss) || !objective_all_finite(r->grad, p)) {
			clear_progress_bar(drawing);
			if (finish_ahead(r) != 1)
				return 0;       /* the run ended at the epoch before */
			diverge(r, epoch, *t, isfinite(loss) ? "the gradient is not finite"
				: "the mini-batch loss is not finite", norm(r->grad, p));
			return 0;
		}
		optim_step(r->optimizer, m->params, r->grad, *t, *lr, m->is_weight);
		if (!objective_all_finite(m->params, p)) {
			clear_progress_bar(drawing);
			if (finish_ahead(r) != 1)
				return 0;
			diverge(r, epoch, *t, "the step made the weights non-finite", norm(r->grad, p));
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

/*
 * One full-batch iteration (lbfgs).  Returns 1 to go on, 0 when the run has
 * stopped (result filled in); *value and r->grad carry the objective from
 * one iteration to the next.
 */
static int full_batch_epoch(struct run *r, long epoch, long *t, double *lr, double *value)
{
	struct objective_context context = { &r->train_pass, r->c->hyper.weight_decay };
	struct optim_objective objective = { full_objective, &context };

	*lr = schedule_step_size(&r->c->schedule, epoch, ++*t);
	r->lr = *lr;
	int outcome = optim_iterate(r->optimizer, &objective, *lr, r->m->params, value, r->grad);
	if (outcome == OPTIM_ITERATE_NONFINITE) {
		diverge(r, epoch, *t, "the objective or its gradient is not finite",
			norm(r->grad, r->m->net.n_params));
		return 0;
	}
	if (outcome == OPTIM_ITERATE_SEARCH_FAILED) {
		/* Not converged: the weights did not move because every step tried overshot. */
		r->result->stop = TRAIN_LINE_SEARCH_FAILED;
		r->result->epoch = r->last_finite_epoch;
		snprintf(r->result->message, sizeof r->result->message,
			 "the lbfgs line search found no step that lowers the objective at epoch %ld, "
			 "step %ld (step size %.6g): the weights did not move\ntry --lr %.3g or smaller",
			 epoch, *t, *lr, round_down(fmin(*lr / 10, 1.0)));
		return 0;
	}
	if (outcome == OPTIM_ITERATE_CONVERGED)
		r->result->stop = TRAIN_CONVERGED;
	else if (train_interrupted)
		r->result->stop = TRAIN_INTERRUPTED;
	return 1;
}

static int run_setup(struct run *r, const struct data_view *validation, struct error *err)
{
	const struct data_view *training = r->training;
	size_t p = r->m->net.n_params, n = training->count;

	r->has_validation = validation != NULL;
	if (pass_init(&r->train_pass, r->m, training, err) != 0 ||
	    pass_init(&r->batch_pass, r->m, training, err) != 0 ||
	    (validation && pass_init(&r->validation_pass, r->m, validation, err) != 0) ||
	    parallel_init(&r->train_parallel, &r->train_pass, training, err) != 0 ||
	    (validation && parallel_init(&r->validation_parallel, &r->validation_pass,
					 validation, err) != 0))
		return -1;
	r->order = malloc((n ? n : 1) * sizeof *r->order);
	r->grad = calloc(p, sizeof *r->grad);
	r->initial = malloc(p * sizeof *r->initial);
	r->epoch_weights = malloc(p * sizeof *r->epoch_weights);
	r->optimizer = optim_create(r->c->optimizer, p, &r->c->hyper);
	r->ahead = calloc(1, sizeof *r->ahead);
	if (r->ahead)
		r->ahead->weights = malloc(p * sizeof *r->ahead->weights);
	if (!r->order || !r->grad || !r->initial || !r->epoch_weights || !r->optimizer ||
	    !r->ahead || !r->ahead->weights)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	for (size_t i = 0; i < n; i++)
		r->order[i] = training->rows ? training->rows[i] : i;
	memcpy(r->initial, r->m->params, p * sizeof *r->initial);
	memcpy(r->epoch_weights, r->m->params, p * sizeof *r->epoch_weights);
	if (r->c->curvature) {
		if (curvature_init(&r->curvature, r->m, training, r->c->curvature_rows,
				   r->c->hyper.weight_decay, r->c->seed, err) != 0)
			return -1;
		r->has_curvature = 1;
	}
	return 0;
}

static void run_free(struct run *r)
{
	if (r->ahead && r->ahead->active)
		kernel_join();         /* its task reads the passes freed below */
	if (r->ahead)
		free(r->ahead->weights);
	free(r->ahead);
	pass_free(&r->train_pass);
	pass_free(&r->batch_pass);
	pass_free(&r->validation_pass);
	parallel_free(&r->train_parallel);
	parallel_free(&r->validation_parallel);
	if (r->has_curvature)
		curvature_free(&r->curvature);
	optim_free(r->optimizer);
	free(r->order);
	free(r->grad);
	free(r->initial);
	free(r->epoch_weights);
}

void train_state_free(struct train_state *s)
{
	free(s->order);
	free(s->best_weights);
	free(s->optimizer_values);
	memset(s, 0, sizeof *s);
}

/*
 * Put the run where the saved state left it: the shuffled order (which
 * must hold the same training rows), the generator, the plateau memory,
 * the optimizer's state and the best weights so far.
 */
static int resume_run(struct run *r, const struct train_state *s, struct prng *random,
		      struct schedule *schedule, double *best, struct error *err)
{
	const struct data_view *training = r->training;
	size_t n = training->count, rows = training->data->rows;
	unsigned char *seen = calloc(rows ? rows : 1, 1);

	if (!seen)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	for (size_t i = 0; i < n; i++)
		seen[training->rows ? training->rows[i] : i] = 1;
	int same_rows = s->n_order == n;
	for (size_t i = 0; same_rows && i < n; i++) {
		same_rows = s->order[i] < rows && seen[s->order[i]] == 1;
		if (same_rows)
			seen[s->order[i]] = 2;
	}
	free(seen);
	if (!same_rows)
		return error_set(err, EXIT_DATA, "the saved state was trained on %zu rows that are not "
				 "the %zu training rows of this data (continue on the same data and "
				 "--holdout, or drop the state records)", s->n_order, n);
	if (s->optimizer != r->c->optimizer || s->n_params != r->m->net.n_params ||
	    optim_state_set(r->optimizer, s->optimizer_values, s->n_optimizer_values) != 0)
		return error_set(err, EXIT_DATA, "the saved %s state does not fit this %s optimizer "
				 "and model", s->optimizer->name, r->c->optimizer->name);
	memcpy(r->order, s->order, n * sizeof *r->order);
	*random = s->random;
	schedule->factor_now = s->factor_now;
	schedule->best = s->plateau_best;
	schedule->bad_epochs = s->bad_epochs;
	if (s->best_weights)
		memcpy(best, s->best_weights, s->n_params * sizeof *best);
	return 0;
}

/* The state at the end of epoch: everything resume_run puts back. */
static int capture_state(const struct run *r, struct train_state *s, long epoch, long step,
			 const struct prng *random, const struct schedule *schedule,
			 double best_loss, long best_epoch, const double *best, struct error *err)
{
	size_t n = r->training->count, p = r->m->net.n_params;
	size_t values = optim_state_size(r->optimizer);

	*s = (struct train_state){
		.present = 1, .optimizer = r->c->optimizer, .epoch = epoch, .step = step,
		.random = *random, .n_order = n, .factor_now = schedule->factor_now,
		.plateau_best = schedule->best, .bad_epochs = schedule->bad_epochs,
		.best_loss = best_loss, .best_epoch = best_epoch, .n_params = p,
		.n_optimizer_values = values,
	};
	s->order = malloc((n ? n : 1) * sizeof *s->order);
	s->optimizer_values = malloc((values ? values : 1) * sizeof *s->optimizer_values);
	if (best_epoch < epoch)
		s->best_weights = malloc(p * sizeof *s->best_weights);
	if (!s->order || !s->optimizer_values || (best_epoch < epoch && !s->best_weights)) {
		train_state_free(s);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	memcpy(s->order, r->order, n * sizeof *s->order);
	optim_state_get(r->optimizer, s->optimizer_values);
	if (s->best_weights)
		memcpy(s->best_weights, best, p * sizeof *best);
	return 0;
}

/*
 * The initial loss is not finite: bad data (or weights from --init), refused
 * like any other with the first training row whose own loss is not finite,
 * its line, its largest input and its target.
 */
static int refuse_nonfinite_start(struct run *r, const double *params, struct error *err)
{
	const struct data_view *view = r->training;
	const struct dataset *d = view->data;
	const struct model *m = r->m;
	struct objective_sums sums;

	for (size_t i = 0; i < view->count; i++) {
		size_t row = view->rows ? view->rows[i] : i, largest = 0;
		memory_source_select(&r->batch_pass.rows, &row, 1, 1);
		if (isfinite(pass_mean(&r->batch_pass, params, NULL, &sums)))
			continue;
		const double *x = d->x + row * d->features;
		for (size_t j = 1; j < d->features; j++)
			if (fabs(x[j]) > fabs(x[largest]))
				largest = j;
		char where[64], target[64] = "";
		if (d->lines)
			snprintf(where, sizeof where, "%s:%zu", d->source ? d->source : "<stdin>",
				 d->lines[row]);
		else
			snprintf(where, sizeof where, "row %zu", row + 1);
		if (d->y && !m->head->classifier)
			snprintf(target, sizeof target, ", target %.6g", d->y[row]);
		const char *name = d->features && m->schema.feature_names ?
				   m->schema.feature_names[largest] : NULL;
		return error_set(err, EXIT_DATA, "%s: the loss of this row is not finite at the "
				 "starting weights (largest input %.6g%s%s%s%s): numbers this large "
				 "overflow the loss (try --standardize, or rescale the data)", where,
				 d->features ? x[largest] : 0.0, name ? ", column '" : "",
				 name ? name : "", name ? "'" : "", target);
	}
	return error_set(err, EXIT_DATA, "the initial loss is not finite, though the loss of "
			 "every row is: their sum overflows (try --standardize, or rescale the "
			 "data)");
}

int train_run(struct model *m, const struct data_view *training,
	      const struct data_view *validation, const struct train_config *c, FILE *out,
	      struct train_result *result, struct error *err)
{
	const struct optimizer *optimizer = c->optimizer;
	int full_batch = optim_full_batch(optimizer);
	size_t n = training->count, p = m->net.n_params;
	size_t batch = c->batch_size && c->batch_size < n ? c->batch_size : n;
	long steps_per_epoch = full_batch ? 1 : (long)((n + batch - 1) / batch);
	struct run r = { .m = m, .training = training, .c = c, .out = out, .result = result };
	struct train_config config = *c;        /* its schedule keeps plateau state */
	struct epoch_figures figures = { 0 };
	struct prng random;
	double *best = NULL;
	int status = 0;

	memset(result, 0, sizeof *result);
	result->stop = TRAIN_COMPLETED;
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	best = malloc(p * sizeof *best);
	if (!best || run_setup(&r, validation, err) != 0) {
		status = error_set(err, EXIT_SOFTWARE, "out of memory");
		goto done;
	}
	memcpy(best, m->params, p * sizeof *m->params);
	r.best = best;
	r.schedule = &config.schedule;
	r.err = err;
	prng_seed(&random, c->seed);
	/* A continued run numbers its epochs and steps on from the saved ones. */
	long start = c->resume ? c->resume->epoch : 0, t = c->resume ? c->resume->step : 0;
	config.epochs = start + c->epochs;      /* the last epoch, for the progress bar */
	schedule_start(&config.schedule, c->hyper.lr, config.epochs, steps_per_epoch);
	r.c = &config;
	if (c->resume && (status = resume_run(&r, c->resume, &random, &config.schedule, best,
					      err)) != 0)
		goto done;
	result->epoch = r.last_finite_epoch = start;

	/*
	 * Epoch 0 (or the saved epoch): the starting point, before any step;
	 * evaluated while the first epoch trains when it may be.
	 */
	r.start_epoch = start;
	double lr = schedule_step_size(&config.schedule, start + 1, t + 1);
	double value = 0.0;
	r.lr = lr;
	r.may_evaluate_ahead = !full_batch && !r.has_curvature && kernel_threads() >= 2 &&
			       !schedule_watches_loss(&config.schedule);
	if (c->epochs == 0 || !evaluate_ahead(&r, start, t, lr)) {
		evaluate(&r, &figures);
		if (finish_start(&r, lr, m->params, &figures) != 1) {
			status = r.status;
			goto done;
		}
	}
	if (full_batch) {
		struct objective_context context = { &r.train_pass, c->hyper.weight_decay };
		value = full_objective(&context, m->params, r.grad);
	}

	long last = start + c->epochs;
	for (long epoch = start + 1; epoch <= last; epoch++) {
		int go_on;
		if (full_batch) {
			go_on = full_batch_epoch(&r, epoch, &t, &lr, &value);
		} else {
			if (c->shuffle)
				prng_shuffle(&random, r.order, n);
			go_on = first_order_epoch(&r, epoch, &t, &lr);
		}
		/* The record of the epoch before, when evaluated ahead, comes first. */
		int before = r.status ? -1 : finish_ahead(&r);
		if (before < 0) {
			status = r.status;
			goto done;
		}
		if (before == 0 || !go_on || result->stop == TRAIN_INTERRUPTED)
			break;
		if (epoch < last && evaluate_ahead(&r, epoch, t, lr))
			continue;
		evaluate(&r, &figures);
		int next = finish_epoch(&r, epoch, t, lr, norm(r.grad, p), m->params, &figures);
		if (next < 0) {
			status = r.status;
			goto done;
		}
		if (next == 0)
			break;
	}
	if (c->save_state && (result->stop == TRAIN_COMPLETED || result->stop == TRAIN_CONVERGED))
		status = capture_state(&r, c->save_state, result->epoch, t, &random, &config.schedule,
				       r.best_loss, r.best_epoch, r.best, err);
done:
	run_free(&r);
	free(best);
	return status;
}
