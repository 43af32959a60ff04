/* dataset.c - what can be done to a data set once it is read.
 *
 * This module owns the lifetime of a struct dataset (csv_read.c builds
 * one, dataset_free releases everything in it) and the statistics used by
 * --standardize.  The caller owns the mean and scale arrays, features
 * entries each.
 */
#include "dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void free_strings(char **strings, size_t count)
{
	if (!strings)
		return;
	for (size_t i = 0; i < count; i++)
		free(strings[i]);
	free(strings);
}

/* Safe on a zeroed or already freed data set; leaves it zeroed. */
void dataset_free(struct dataset *d)
{
	if (!d)
		return;
	free(d->x);
	free(d->y);
	free_strings(d->feature_names, d->features);
	free(d->target_name);
	free_strings(d->class_labels, d->n_classes);
	memset(d, 0, sizeof *d);
}

/*
 * Two passes, the mean first and then the squared deviations from it:
 * the one-pass sum of squares minus the squared sum loses every digit
 * when a column has a large mean and a small spread.  The rows are walked
 * in storage order and the per-column sums kept in mean[] and scale[], so
 * no memory is needed.
 */
void dataset_column_stats(const struct dataset *d, double *mean, double *scale)
{
	size_t features = d->features;

	for (size_t j = 0; j < features; j++) {
		mean[j] = 0.0;
		scale[j] = 0.0;
	}
	if (d->rows == 0) {
		for (size_t j = 0; j < features; j++)
			scale[j] = 1.0;
		return;
	}
	for (size_t i = 0; i < d->rows; i++) {
		const double *row = d->x + i * features;
		for (size_t j = 0; j < features; j++)
			mean[j] += row[j];
	}
	for (size_t j = 0; j < features; j++)
		mean[j] /= (double)d->rows;

	for (size_t i = 0; i < d->rows; i++) {
		const double *row = d->x + i * features;
		for (size_t j = 0; j < features; j++) {
			double deviation = row[j] - mean[j];
			scale[j] += deviation * deviation;
		}
	}
	for (size_t j = 0; j < features; j++) {
		/* Population variance: divide by n, as the spec says. */
		double variance = scale[j] / (double)d->rows;
		/* A constant column is centred, never divided by zero. */
		scale[j] = variance > 0.0 ? sqrt(variance) : 1.0;
	}
}

void dataset_apply_scaling(struct dataset *d, const double *mean, const double *scale)
{
	size_t features = d->features;

	for (size_t i = 0; i < d->rows; i++) {
		double *row = d->x + i * features;
		for (size_t j = 0; j < features; j++)
			row[j] = (row[j] - mean[j]) / scale[j];
	}
}
