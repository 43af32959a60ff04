/* lr_find.h - the step-size range test of --lr-find (Smith 2017).
 *
 * From the initial weights, one pass of mini-batch steps with the chosen
 * optimizer and batch size while the step size grows exponentially from
 * MIN to MAX: over one epoch, or over ceil(100 / steps) epochs when an
 * epoch has fewer than LR_FIND_MIN_STEPS steps.  Each step writes
 *
 *     lrfind,STEP,LR,LOSS,SMOOTHED_LOSS
 *
 * LOSS being the mini-batch's mean data loss before the update and
 * SMOOTHED_LOSS its bias-corrected exponential average (beta 0.98).  The
 * pass stops when the smoothed loss exceeds 4 times its lowest so far or
 * is not finite.  No model is trained: the weights given are not changed.
 */
#ifndef DESCENT_LR_FIND_H
#define DESCENT_LR_FIND_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "model.h"
#include "source.h"
#include "train.h"

#define LR_FIND_MIN 1e-7
#define LR_FIND_MAX 10.0
#define LR_FIND_BETA 0.98
#define LR_FIND_STOP_FACTOR 4.0
#define LR_FIND_MIN_STEPS 100

/* "MIN:MAX" (0 < MIN < MAX, finite) into *min, *max; NULL: the defaults. */
int lr_find_parse(const char *text, double *min, double *max, struct error *err);

/* The smoothing and stop rule, one step at a time. */
struct lr_find_smoother {
	double average;         /* the biased average, from 0 */
	double best;            /* lowest smoothed loss so far (+inf before the first) */
	long step;              /* steps added */
};

void lr_find_smoother_start(struct lr_find_smoother *s);
/*
 * Add the loss of the next step: average = beta average + (1 - beta) loss,
 * and return the bias-corrected average / (1 - beta^step).
 */
double lr_find_smooth(struct lr_find_smoother *s, double loss);
/*
 * 1 when the pass stops at this smoothed loss: it is not finite or
 * exceeds LR_FIND_STOP_FACTOR times the lowest before it; else 0, keeping
 * the lowest.
 */
int lr_find_should_stop(struct lr_find_smoother *s, double smoothed);

/*
 * The suggestion rule (the man page states it): the step size at the
 * lowest smoothed loss, divided by LR_FIND_DIVISOR.  Returns the index of
 * the lowest point of a curve of n, or -1 when the smoothed loss never
 * fell below its first value.
 */
#define LR_FIND_DIVISOR 10.0
long lr_find_suggest(const double *smoothed, size_t n);

/*
 * The steepest fall, for information: the index where the smoothed loss
 * falls fastest against ln(lr) (centred differences), among points from
 * LR_FIND_SKIP on (the first smoothed values are single noisy mini-batch
 * losses) up to the lowest; -1 when it never falls there.  The smoothing
 * lags the raw loss by tens of steps, so this point comes late; descent
 * does not suggest it.
 */
#define LR_FIND_SKIP 10
long lr_find_steepest(const double *lr, const double *smoothed, size_t n);

struct lr_find_result {
	long steps;             /* records written */
	long planned;           /* steps the full range would have taken */
	long epochs;            /* epochs the range spans */
	int stopped;            /* 1: the 4x rule or a non-finite loss ended it early */
	long suggested;         /* index of the lowest smoothed loss, or -1 */
	double suggestion;      /* the step size there / LR_FIND_DIVISOR */
	double lowest_lr;       /* the step size at the lowest smoothed loss */
	long steepest;          /* lr_find_steepest's index, or -1 */
	double steepest_lr;
	double last_lr;         /* the step size of the last record */
};

/*
 * Run the range test from params (not changed) on the training rows with
 * c's optimizer, hyper-parameters, batch size, seed and shuffling; the
 * records go to out.  Returns 0, or -1 on a write error (EXIT_IO) or lack
 * of memory.
 */
int lr_find_run(const struct model *m, const double *params, const struct data_view *training,
		const struct train_config *c, double min, double max, FILE *out,
		struct lr_find_result *result, struct error *err);

#endif
