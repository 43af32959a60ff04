/* stream_train.h - --stream: one pass of mini-batch steps over rows as
 * they arrive, in constant memory.
 *
 * The data reader pushes each row (csv_read.c, stream_row) into
 * stream_train_row: it is standardised in the model's schema, passes
 * through the shuffle buffer (stream.h), and the rows that leave it fill
 * a batch; every full batch is one step, exactly as train.c takes it
 * (objective_add over the batch's row source, the mean gradient, weight
 * decay, optim_step, the schedule's step size for epoch 1 and step t).
 * At the end stream_train_finish drains the buffer, steps on the last,
 * partial batch and writes the last record.
 *
 * Output: the comment lines (stream_config.preamble) once the first row
 * is in, so that a stream refused at its first row writes nothing; then
 * records: progress,ROWS,LOSS,ACCURACY,LR,SECONDS after the step at which
 * the rows since the last record reach report_every (and after the last
 * step): ROWS trained so far, LOSS and ACCURACY the progressive figures
 * (each batch measured before its step, averaged over the rows since the
 * last record; ACCURACY empty for a regression), LR the step size of the
 * latest step.  With a log (--log) they go there as a CSV table without
 * the kind field; quiet without a log writes none.
 *
 * Stopping: a non-finite batch loss, gradient or step keeps the weights
 * from before that step (TRAIN_DIVERGED, with a message); SIGINT
 * (train_interrupted) stops after the current step (TRAIN_INTERRUPTED).
 * Either way stream_train_row returns -1 with stopped set, so that the
 * reader stops reading.
 *
 * Memory: the model, a workspace, the gradient, a copy of the weights,
 * the optimizer state, the shuffle buffer and one batch; no row is kept
 * after its step.
 */
#ifndef DESCENT_STREAM_TRAIN_H
#define DESCENT_STREAM_TRAIN_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "error.h"
#include "model.h"
#include "network.h"
#include "optim.h"
#include "stream.h"
#include "train.h"

struct stream_config {
	/* optimizer, hyper, schedule (started here), batch_size (>= 1), seed, quiet, log */
	const struct train_config *train;
	size_t shuffle_buffer;  /* rows; 0 = file order */
	uint64_t shuffle_seed;  /* the shuffle buffer's generator */
	size_t report_every;    /* rows between records; 0 = only the last */
	/*
	 * The comment lines, written to out (and flushed) with the first row
	 * the reader hands in, or at the end if none came: a stream refused
	 * at its first row leaves out empty.  NULL: none.
	 */
	const char *preamble;
};

struct stream_trainer {
	struct model *m;
	const struct stream_config *c;
	struct schedule schedule;
	FILE *out;
	struct workspace ws;
	struct shuffle_buffer buffer;
	struct stream_batch batch;
	double *row;            /* features + 1: the row being put in */
	double *grad;           /* n_params */
	double *before;         /* n_params: the weights before the step */
	struct optim_run *optimizer;
	struct timespec start;
	long step;
	double lr;
	size_t rows;            /* rows stepped on */
	/* Since the last record. */
	size_t record_rows, record_correct;
	double record_loss;
	int preamble_written;
	int stopped;            /* diverged or interrupted: no more steps */
	struct train_result result;
};

/*
 * Ready to train m->params in place (the model, and its schema's
 * statistics, fixed from now on).  Returns 0, or -1 with EXIT_SOFTWARE;
 * stream_train_free releases it either way.
 */
int stream_train_start(struct stream_trainer *s, struct model *m, const struct stream_config *c,
		       FILE *out, struct error *err);
/*
 * A row of raw inputs (n_inputs values) and its target.  Returns 0, or -1
 * with err set: EXIT_IO for a write error, or with stopped set when the
 * run has stopped (diverged or interrupted; err then says so).
 */
int stream_train_row(struct stream_trainer *s, const double *x, double y, struct error *err);
/*
 * The end of the stream (or the stop): the buffered rows and the last
 * batch unless stopped, the last record; *result says how the run ended
 * (epoch 1).  Returns 0, or -1 with EXIT_IO.
 */
int stream_train_finish(struct stream_trainer *s, struct train_result *result,
			struct error *err);
void stream_train_free(struct stream_trainer *s);

#endif
