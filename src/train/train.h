/* train.h - the training loop and its epoch records.
 *
 * train_run owns nothing it is given: it trains m->params in place on the
 * training rows, evaluates the validation rows (if any) after every epoch,
 * writes the epoch records to out (unless quiet) flushing each one, and
 * reports how the run ended.  Its scratch (workspace, row sources,
 * gradients, optimizer state, shuffled order) is allocated and freed
 * inside.
 */
#ifndef DESCENT_TRAIN_H
#define DESCENT_TRAIN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "model.h"
#include "optim.h"
#include "prng.h"
#include "schedule.h"
#include "source.h"

/*
 * Where a run stands after an epoch, all the loop needs to go on as if it
 * had never stopped (--save-state, --init): written and read as state
 * records by train_state.c.  present is 0 for "no state, start afresh".
 */
struct train_state {
	int present;
	const struct optimizer *optimizer;
	long epoch;             /* epochs done; the next is epoch + 1 */
	long step;              /* steps done; the next is step + 1 */
	struct prng random;     /* the shuffling generator */
	size_t *order;          /* n_order: the training rows in the last shuffled order */
	size_t n_order;
	double factor_now, plateau_best;        /* the plateau schedule's memory */
	long bad_epochs;
	double best_loss;       /* the best monitored loss so far (--patience) */
	long best_epoch;
	double *best_weights;   /* n_params, or NULL when best_epoch == epoch */
	size_t n_params;
	double *optimizer_values;       /* optim_state_get's, n_optimizer_values */
	size_t n_optimizer_values;
};

void train_state_free(struct train_state *s);

struct train_config {
	const struct optimizer *optimizer;
	struct optim_hyper hyper;
	struct schedule schedule;
	long epochs;
	size_t batch_size;      /* 0 = full batch */
	uint64_t seed;
	int shuffle;
	long patience;          /* 0 = off; watches the validation loss when there is one */
	int quiet;
	int progress;           /* draw a progress bar on stderr */
	/* --log FILE: the epoch records go there as a CSV table instead of to out. */
	FILE *log;
	/*
	 * Written to out (and flushed) once the data is accepted, that is once
	 * the initial loss is finite, before any record: the comment lines.
	 * NULL: none.  Bad data then leaves out empty.
	 */
	const char *preamble;
	/*
	 * --curvature[=ROWS]: after epoch 0 and every epoch, a curvature record
	 * (curvature.h) on out right after the epoch record, even when quiet;
	 * curvature_rows 0 = every training row.
	 */
	int curvature;
	size_t curvature_rows;
	/* Continue from this state (NULL: start afresh): epochs count on from it. */
	const struct train_state *resume;
	/* Filled in (present = 1) when the run completes or converges; NULL: not wanted. */
	struct train_state *save_state;
};

enum train_stop {
	TRAIN_COMPLETED,
	TRAIN_CONVERGED,        /* lbfgs: the gradient vanished */
	TRAIN_EARLY_STOPPED,    /* --patience ran out; best weights restored */
	TRAIN_DIVERGED,
	TRAIN_INTERRUPTED,
	TRAIN_LINE_SEARCH_FAILED        /* lbfgs: no step lowered the objective; with a message */
};

struct train_result {
	enum train_stop stop;
	long epoch;             /* the epoch the final weights belong to */
	char message[2048];     /* diverged, line-search-failed: what happened, what to try */
};

/*
 * Set by the SIGINT and SIGTERM handler, to the signal's number; the loop
 * stops after the current step.  0 until then.
 */
extern volatile sig_atomic_t train_interrupted;

const char *train_stop_name(enum train_stop stop);

/*
 * validation may be NULL (no validation rows).
 * Returns 0 when the weights in m are worth writing (every stop reason),
 * -1 on a write error (EXIT_IO) or lack of memory.
 */
int train_run(struct model *m, const struct data_view *training,
	      const struct data_view *validation, const struct train_config *config, FILE *out,
	      struct train_result *result, struct error *err);

/*
 * Largest eigenvalue of the Hessian of the full-batch objective at params,
 * by power iteration on exact Hessian-vector products (curvature.h).
 * Returns a negative value when it cannot be estimated.
 */
double train_largest_curvature(const struct model *m, const double *params,
			       const struct data_view *training, double weight_decay, uint64_t seed);

#endif
