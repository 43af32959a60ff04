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
#include "schedule.h"
#include "source.h"

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
};

enum train_stop {
	TRAIN_COMPLETED,
	TRAIN_CONVERGED,        /* lbfgs: the gradient vanished */
	TRAIN_EARLY_STOPPED,    /* --patience ran out; best weights restored */
	TRAIN_DIVERGED,
	TRAIN_INTERRUPTED
};

struct train_result {
	enum train_stop stop;
	long epoch;             /* the epoch the final weights belong to */
	char message[2048];     /* for diverged runs: what happened, what to try */
};

/* Set by the SIGINT handler; the loop stops after the current step. */
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
 * by power iteration on finite-difference Hessian-vector products.
 * Returns a negative value when it cannot be estimated.
 */
double train_largest_curvature(const struct model *m, const double *params,
			       const struct data_view *training, double weight_decay, uint64_t seed);

#endif
