/* lr_find.c - the step-size range test of --lr-find.
 *
 * Every mini-batch loss is one objective_add over a slice of the shuffled
 * training order, as in the training loop.
 */
#define _POSIX_C_SOURCE 200809L
#include "lr_find.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "objective.h"
#include "output.h"
#include "parse.h"
#include "prng.h"

int lr_find_parse(const char *text, double *min, double *max, struct error *err)
{
	char low[64];
	const char *colon, *why;

	*min = LR_FIND_MIN;
	*max = LR_FIND_MAX;
	if (!text)
		return 0;
	colon = strchr(text, ':');
	if (!colon || (size_t)(colon - text) >= sizeof low)
		goto bad;
	memcpy(low, text, (size_t)(colon - text));
	low[colon - text] = '\0';
	if (parse_finite_double(low, min, &why) != 0 ||
	    parse_finite_double(colon + 1, max, &why) != 0 || !(*min > 0) || !(*max > *min))
		goto bad;
	return 0;
bad:
	return error_set(err, EXIT_USAGE, "invalid --lr-find '%s': expected MIN:MAX, step sizes "
			 "with 0 < MIN < MAX (as in --lr-find=1e-6:1) [%g:%g]", text, LR_FIND_MIN,
			 LR_FIND_MAX);
}

void lr_find_smoother_start(struct lr_find_smoother *s)
{
	s->average = 0.0;
	s->best = INFINITY;
	s->step = 0;
}

double lr_find_smooth(struct lr_find_smoother *s, double loss)
{
	s->step++;
	s->average = LR_FIND_BETA * s->average + (1.0 - LR_FIND_BETA) * loss;
	return s->average / (1.0 - pow(LR_FIND_BETA, (double)s->step));
}

int lr_find_should_stop(struct lr_find_smoother *s, double smoothed)
{
	if (!isfinite(smoothed) || smoothed > LR_FIND_STOP_FACTOR * s->best)
		return 1;
	if (smoothed < s->best)
		s->best = smoothed;
	return 0;
}

static size_t lowest_point(const double *smoothed, size_t n)
{
	size_t lowest = 0;

	for (size_t i = 1; i < n; i++)
		if (smoothed[i] < smoothed[lowest])
			lowest = i;
	return lowest;
}

long lr_find_suggest(const double *smoothed, size_t n)
{
	size_t lowest = lowest_point(smoothed, n);

	return lowest > 0 ? (long)lowest : -1;
}

long lr_find_steepest(const double *lr, const double *smoothed, size_t n)
{
	size_t lowest = lowest_point(smoothed, n);
	long steepest = -1;
	double steepest_slope = 0.0;

	/* Centred differences need a point on each side: i + 1 <= lowest + 1 < n. */
	for (size_t i = LR_FIND_SKIP; i <= lowest && i + 1 < n; i++) {
		double slope = (smoothed[i + 1] - smoothed[i - 1]) / (log(lr[i + 1]) - log(lr[i - 1]));
		if (slope < steepest_slope) {
			steepest_slope = slope;
			steepest = (long)i;
		}
	}
	return steepest;
}

int lr_find_run(const struct model *m, const double *params, const struct data_view *training,
		const struct train_config *c, double min, double max, FILE *out,
		struct lr_find_result *result, struct error *err)
{
	size_t n = training->count, p = m->net.n_params;
	size_t batch = c->batch_size && c->batch_size < n ? c->batch_size : n;
	long steps_per_epoch = n ? (long)((n + batch - 1) / batch) : 0;
	long epochs = steps_per_epoch >= LR_FIND_MIN_STEPS ? 1 :
		      steps_per_epoch ? (LR_FIND_MIN_STEPS + steps_per_epoch - 1) / steps_per_epoch : 0;
	long total = epochs * steps_per_epoch;
	struct workspace ws = { 0 };
	struct memory_source rows = { 0 };
	struct optim_run *optimizer = NULL;
	struct lr_find_smoother smoother;
	struct prng random;
	double *w = malloc((p ? p : 1) * sizeof *w), *g = malloc((p ? p : 1) * sizeof *g);
	double *lrs = malloc((size_t)(total ? total : 1) * sizeof *lrs);
	double *smoothed = malloc((size_t)(total ? total : 1) * sizeof *smoothed);
	size_t *order = malloc((n ? n : 1) * sizeof *order);
	int status = -1, have_workspace = 0, have_rows = 0;

	memset(result, 0, sizeof *result);
	result->suggested = -1;
	result->planned = total;
	result->epochs = epochs;
	if (!w || !g || !lrs || !smoothed || !order ||
	    !(optimizer = optim_create(c->optimizer, p, &c->hyper))) {
		error_set(err, EXIT_SOFTWARE, "out of memory");
		goto done;
	}
	if (n == 0) {
		error_set(err, EXIT_DATA, "--lr-find: no training rows");
		goto done;
	}
	if (workspace_create(&ws, &m->net, batch < 256 ? batch : 256, err) != 0)
		goto done;
	have_workspace = 1;
	if (memory_source_init(&rows, training, batch < 256 ? batch : 256, err) != 0)
		goto done;
	have_rows = 1;
	memcpy(w, params, p * sizeof *w);
	for (size_t i = 0; i < n; i++)
		order[i] = training->rows ? training->rows[i] : i;
	prng_seed(&random, c->seed);
	lr_find_smoother_start(&smoother);
	double growth = log(max / min) / (double)(total > 1 ? total - 1 : 1);
	long t = 0;
	for (long epoch = 1; epoch <= epochs && !result->stopped; epoch++) {
		if (c->shuffle)
			prng_shuffle(&random, order, n);
		for (size_t start = 0; start < n; start += batch) {
			size_t count = n - start < batch ? n - start : batch;
			struct objective_sums sums = { 0 };
			/* Exactly min at the first step and max at the last. */
			double lr = t + 1 == total ? max : min * exp(growth * (double)t);
			memory_source_select(&rows, order + start, count, n - start);
			memset(g, 0, p * sizeof *g);
			objective_add(m, w, &rows.source, &ws, g, &sums, NULL);
			double loss = sums.loss / (double)sums.count;
			double smooth = lr_find_smooth(&smoother, loss);
			if (!isfinite(loss) || lr_find_should_stop(&smoother, smooth)) {
				result->stopped = 1;
				/* A finite step past 4x still shows where the curve turned. */
				if (!isfinite(loss) || !isfinite(smooth))
					break;
			}
			t++;
			lrs[t - 1] = lr;
			smoothed[t - 1] = smooth;
			fprintf(out, "lrfind,%ld,", t);
			output_write_shortest(out, lr);
			putc(',', out);
			output_write_shortest(out, loss);
			putc(',', out);
			output_write_shortest(out, smooth);
			putc('\n', out);
			if (result->stopped)
				break;
			objective_divide(g, p, sums.count);
			if (!c->optimizer->decoupled_weight_decay && c->hyper.weight_decay != 0.0)
				for (size_t i = 0; i < p; i++)
					if (m->is_weight[i])
						g[i] += c->hyper.weight_decay * w[i];
			/* Non-finite weights give a non-finite loss at the next step. */
			optim_step(optimizer, w, g, t, lr, m->is_weight);
		}
	}
	if (output_flush(out) != 0) {
		error_set(err, EXIT_IO, "write error");
		goto done;
	}
	result->steps = t;
	result->steepest = -1;
	if (t > 0) {
		result->last_lr = lrs[t - 1];
		result->lowest_lr = lrs[lowest_point(smoothed, (size_t)t)];
		result->suggested = lr_find_suggest(smoothed, (size_t)t);
		if (result->suggested >= 0)
			result->suggestion = lrs[result->suggested] / LR_FIND_DIVISOR;
		result->steepest = lr_find_steepest(lrs, smoothed, (size_t)t);
		if (result->steepest >= 0)
			result->steepest_lr = lrs[result->steepest];
	}
	status = 0;
done:
	if (have_workspace)
		workspace_free(&ws);
	if (have_rows)
		memory_source_free(&rows);
	optim_free(optimizer);
	free(w);
	free(g);
	free(lrs);
	free(smoothed);
	free(order);
	return status;
}
