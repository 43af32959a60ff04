/* metrics.c - accuracy, log-loss, confusion, RMSE, MAE and R^2. */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int metrics_init(struct metrics *m, const struct head *head, size_t n_classes,
		 struct error *err)
{
	memset(m, 0, sizeof *m);
	m->head = head;
	m->n_classes = n_classes;
	if (head->classifier && n_classes <= METRICS_MAX_CONFUSION) {
		m->confusion = calloc(n_classes * n_classes + 1, sizeof *m->confusion);
		if (!m->confusion)
			return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	return 0;
}

void metrics_add(struct metrics *m, const double *z, const double *y, size_t rows,
		 size_t outputs, double *p)
{
	/* The head's loss, row by row so the sum runs in row order whatever the batch. */
	for (size_t b = 0; b < rows; b++) {
		const double *row = z + b * outputs;
		m->loss += m->head->loss(row, y + b, 1, outputs, NULL);
		m->count++;
		if (m->head->classifier) {
			size_t predicted = head_predict_class(m->head, row, m->n_classes, p);
			size_t truth = (size_t)y[b];
			m->correct += predicted == truth;
			if (m->confusion && truth < m->n_classes)
				m->confusion[truth * m->n_classes + predicted]++;
		} else {
			double delta = y[b] - m->target_mean;
			m->absolute_error += fabs(row[0] - y[b]);
			m->target_mean += delta / (double)m->count;
			m->target_squares += delta * (y[b] - m->target_mean);
		}
	}
}

void metrics_free(struct metrics *m)
{
	free(m->confusion);
	m->confusion = NULL;
}

static double mean(double sum, size_t count)
{
	return count ? sum / (double)count : NAN;
}

double metrics_accuracy(const struct metrics *m)
{
	return mean((double)m->correct, m->count);
}

double metrics_log_loss(const struct metrics *m)
{
	return mean(m->loss, m->count);
}

double metrics_rmse(const struct metrics *m)
{
	return sqrt(mean(m->loss, m->count));
}

double metrics_mae(const struct metrics *m)
{
	return mean(m->absolute_error, m->count);
}

double metrics_r2(const struct metrics *m)
{
	if (m->count == 0)
		return NAN;
	if (m->target_squares == 0.0)
		return m->loss == 0.0 ? 1.0 : 0.0;
	return 1.0 - m->loss / m->target_squares;
}
