/* metrics.h - how good predictions are, against known targets.
 *
 * --predict on data that carries the target column adds every batch of
 * network outputs to a struct metrics: for classifiers the log-loss (the
 * head's own loss, so the same number training reports), the accuracy and
 * the confusion matrix; for regression the squared and absolute errors and
 * the spread of the targets, for RMSE, MAE and R^2.  Sums in row order,
 * so results do not depend on the batch size.  metrics_free releases the
 * confusion matrix.
 */
#ifndef DESCENT_METRICS_H
#define DESCENT_METRICS_H

#include <stddef.h>

#include "error.h"
#include "head.h"

/* Classes up to which the confusion matrix is kept and reported. */
#define METRICS_MAX_CONFUSION 20

struct metrics {
	const struct head *head;
	size_t n_classes;       /* classifiers */
	size_t count;           /* rows */
	double loss;            /* sum of the head's loss: log-loss, or squared error */
	/* classifiers */
	size_t correct;
	size_t *confusion;      /* [true x predicted], n_classes^2; NULL past the limit */
	/* regression */
	double absolute_error;  /* sum of |prediction - target| */
	double target_mean;     /* running mean and sum of squared deviations */
	double target_squares;  /* of the targets (Welford) */
};

/* Returns 0, or -1 with EXIT_SOFTWARE when memory runs out. */
int metrics_init(struct metrics *m, const struct head *head, size_t n_classes,
		 struct error *err);
/*
 * Add a batch: outputs z[rows x outputs] against targets y[rows] (class
 * indices for classifiers).  p is scratch for n_classes probabilities.
 */
void metrics_add(struct metrics *m, const double *z, const double *y, size_t rows,
		 size_t outputs, double *p);
void metrics_free(struct metrics *m);

double metrics_accuracy(const struct metrics *m);
double metrics_log_loss(const struct metrics *m);      /* mean cross-entropy, natural log */
double metrics_rmse(const struct metrics *m);
double metrics_mae(const struct metrics *m);
/* 1 - SSE/SST; for constant targets 1 when every prediction is exact, else 0. */
double metrics_r2(const struct metrics *m);

#endif
