/* stream_train.c - --stream: steps as rows arrive (stream_train.h). */
#define _POSIX_C_SOURCE 200809L
#include "stream_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "objective.h"
#include "output.h"
#include "schema.h"

/* Rows per pass through the network, as in train.c: the same pieces, the same sums. */
#define PASS_ROWS 256

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

int stream_train_start(struct stream_trainer *s, struct model *m, const struct stream_config *c,
		       FILE *out, struct error *err)
{
	const struct train_config *t = c->train;
	size_t p = m->net.n_params, features = m->net.n_inputs;
	size_t batch = t->batch_size ? t->batch_size : 1;

	memset(s, 0, sizeof *s);
	s->m = m;
	s->c = c;
	s->out = out;
	s->schedule = t->schedule;
	/* One epoch of unknown length: only schedules that need neither run. */
	schedule_start(&s->schedule, t->hyper.lr, 1, 0);
	s->result.stop = TRAIN_COMPLETED;
	s->result.epoch = 1;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	if (workspace_create(&s->ws, &m->net, batch < PASS_ROWS ? batch : PASS_ROWS, err) != 0 ||
	    shuffle_buffer_init(&s->buffer, c->shuffle_buffer, features + 1, c->shuffle_seed,
				err) != 0 ||
	    stream_batch_init(&s->batch, features, batch, err) != 0)
		return -1;
	s->row = malloc((features + 1) * sizeof *s->row);
	s->grad = malloc(p * sizeof *s->grad);
	s->before = malloc(p * sizeof *s->before);
	s->optimizer = optim_create(t->optimizer, p, &t->hyper);
	if (!s->row || !s->grad || !s->before || !s->optimizer)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	return 0;
}

/* The comment lines, once: the first row is accepted (or the stream ended). */
static int write_preamble(struct stream_trainer *s, struct error *err)
{
	const char *preamble = s->c->preamble;

	if (s->preamble_written)
		return 0;
	s->preamble_written = 1;
	if (preamble && (fputs(preamble, s->out) == EOF || output_flush(s->out) != 0))
		return error_set(err, EXIT_IO, "write error");
	return 0;
}

/* The record of the rows since the last one (none when there are none). */
static int write_record(struct stream_trainer *s, struct error *err)
{
	const struct train_config *t = s->c->train;
	FILE *out = t->log ? t->log : s->out;
	double rows = (double)s->record_rows;

	if (s->record_rows == 0)
		return 0;
	if (!t->quiet || t->log) {
		fprintf(out, "%s%zu,", t->log ? "" : "progress,", s->rows);
		output_write_shortest(out, s->record_loss / rows);
		putc(',', out);
		if (s->m->head->classifier)
			output_write_shortest(out, (double)s->record_correct / rows);
		putc(',', out);
		output_write_shortest(out, s->lr);
		fprintf(out, ",%.6f\n", seconds_since(&s->start));
		if (output_flush(out) != 0)
			return error_set(err, EXIT_IO, "write error%s", t->log ? " on --log" : "");
	}
	s->record_rows = 0;
	s->record_correct = 0;
	s->record_loss = 0.0;
	return 0;
}

static void diverge(struct stream_trainer *s, const char *what)
{
	s->stopped = 1;
	s->result.stop = TRAIN_DIVERGED;
	snprintf(s->result.message, sizeof s->result.message,
		 "diverged at step %ld (rows %zu to %zu of the stream): %s; the weights before "
		 "that step were kept\ntry --lr %.3g or smaller", s->step, s->rows + 1,
		 s->rows + s->batch.rows, what, s->lr / 10);
}

/*
 * One step on the gathered batch, as train.c's first_order_epoch takes it.
 * Returns 0, or -1 (a write error, or the run stopped).
 */
static int step(struct stream_trainer *s, struct error *err)
{
	struct model *m = s->m;
	const struct train_config *t = s->c->train;
	size_t p = m->net.n_params, count = s->batch.rows;
	struct objective_sums sums = { 0 };

	if (count == 0)
		return 0;
	s->step++;
	s->lr = schedule_step_size(&s->schedule, 1, s->step);
	memset(s->grad, 0, p * sizeof *s->grad);
	stream_batch_rewind(&s->batch);
	if (objective_add(m, m->params, &s->batch.source, &s->ws, s->grad, &sums, err) != 0)
		return -1;
	objective_divide(s->grad, p, sums.count);
	double loss = sums.loss / (double)sums.count;
	if (!t->optimizer->decoupled_weight_decay && t->hyper.weight_decay != 0.0)
		for (size_t i = 0; i < p; i++)
			if (m->is_weight[i])
				s->grad[i] += t->hyper.weight_decay * m->params[i];
	if (!isfinite(loss) || !objective_all_finite(s->grad, p)) {
		diverge(s, isfinite(loss) ? "the gradient is not finite" :
			"the mini-batch loss is not finite");
		return -1;
	}
	memcpy(s->before, m->params, p * sizeof *s->before);
	optim_step(s->optimizer, m->params, s->grad, s->step, s->lr, m->is_weight);
	if (!objective_all_finite(m->params, p)) {
		memcpy(m->params, s->before, p * sizeof *s->before);
		diverge(s, "the step made the weights non-finite");
		return -1;
	}
	s->rows += count;
	s->record_rows += count;
	s->record_loss += sums.loss;
	s->record_correct += sums.correct;
	stream_batch_clear(&s->batch);
	if (s->c->report_every && s->record_rows >= s->c->report_every &&
	    write_record(s, err) != 0)
		return -1;
	if (train_interrupted) {
		s->stopped = 1;
		s->result.stop = TRAIN_INTERRUPTED;
		return -1;
	}
	return 0;
}

/* A row that left the shuffle buffer joins the batch; a full batch is a step. */
static int take(struct stream_trainer *s, const double *row, struct error *err)
{
	size_t features = s->batch.features;

	stream_batch_add(&s->batch, row, row[features]);
	if (s->batch.rows == s->batch.capacity)
		return step(s, err);
	return 0;
}

int stream_train_row(struct stream_trainer *s, const double *x, double y, struct error *err)
{
	size_t features = s->batch.features;
	const double *leaving;

	if (s->stopped)
		return error_set(err, EXIT_OK, "stopped");
	if (write_preamble(s, err) != 0)
		return -1;
	memcpy(s->row, x, features * sizeof *x);
	s->row[features] = y;
	schema_standardize(&s->m->schema, s->row, 1);
	leaving = shuffle_buffer_put(&s->buffer, s->row);
	if (leaving && take(s, leaving, err) != 0) {
		if (s->stopped)
			error_set(err, EXIT_OK, "stopped");
		return -1;
	}
	return 0;
}

int stream_train_finish(struct stream_trainer *s, struct train_result *result,
			struct error *err)
{
	const double *leaving;
	int status = 0;

	if (write_preamble(s, err) != 0)
		return -1;
	while (!s->stopped && (leaving = shuffle_buffer_drain(&s->buffer)) != NULL)
		if (take(s, leaving, err) != 0 && !s->stopped)
			return -1;
	if (!s->stopped && step(s, err) != 0 && !s->stopped)
		return -1;
	/* The rows since the last record (a failed batch was not counted). */
	status = write_record(s, err);
	*result = s->result;
	return status;
}

void stream_train_free(struct stream_trainer *s)
{
	workspace_free(&s->ws);
	shuffle_buffer_free(&s->buffer);
	stream_batch_free(&s->batch);
	optim_free(s->optimizer);
	free(s->row);
	free(s->grad);
	free(s->before);
	memset(s, 0, sizeof *s);
}
