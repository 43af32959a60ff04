/* dataset.c - what can be done to a data set once it is read.
 *
 * This module owns the lifetime of a struct dataset (csv_read.c builds
 * one, dataset_free releases everything in it) and the statistics used by
 * --standardize.  The caller owns the mean and scale arrays, features
 * entries each; schema.c applies them.
 */
#include "dataset.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lanes.h"
#include "prng.h"

/* Safe on a zeroed or already freed data set; leaves it zeroed. */
void dataset_free(struct dataset *d)
{
	if (!d)
		return;
	free(d->x);
	free(d->y);
	free(d->lines);
	free(d->notes);
	schema_free(&d->schema);
	memset(d, 0, sizeof *d);
}

int dataset_fill_missing(struct dataset *d, const size_t *rows, size_t count, struct schema *s,
			 struct error *err)
{
	size_t features = d->features;

	if (schema_allocate_fill(s, err) != 0)
		return -1;
	/* Sums in row order, one input at a time: the same order on every machine. */
	for (size_t j = 0; j < features; j++) {
		double sum = 0.0;
		size_t present = 0;
		for (size_t i = 0; i < count; i++) {
			double value = d->x[(rows ? rows[i] : i) * features + j];
			if (!isnan(value)) {
				sum += value;
				present++;
			}
		}
		if (present == 0)
			return error_set(err, EXIT_DATA, "%s: column '%s' has no values in the "
					 "training rows to take a mean of",
					 d->source ? d->source : "<stdin>", s->feature_names[j]);
		s->feature_fill[j] = sum / (double)present;
	}
	for (size_t i = 0; i < d->rows * features; i++)
		if (isnan(d->x[i]))
			d->x[i] = s->feature_fill[i % features];
	return 0;
}

/*
 * Two passes, the mean first and then the squared deviations from it:
 * the one-pass sum of squares minus the squared sum loses every digit
 * when a column has a large mean and a small spread.  The rows are walked
 * in order (the data's order in memory) with the per-column sums kept in
 * mean[] and squares[], four columns at a time (lanes.h): each column's
 * sums in the order of a column-by-column walk, so the same bits, far
 * faster.  count > 0.
 */
static void column_sums(const struct dataset *d, const size_t *rows, size_t count,
			double *mean, double *squares)
{
	size_t features = d->features, wide = features - features % 4;

	for (size_t j = 0; j < features; j++) {
		mean[j] = 0.0;
		squares[j] = 0.0;
	}
	for (size_t i = 0; i < count; i++) {
		const double *row = d->x + (rows ? rows[i] : i) * features;
		size_t j = 0;
		for (; j < wide; j += 4)
			*(lanes4 *)(mean + j) += *(const lanes4 *)(row + j);
		for (; j < features; j++)
			mean[j] += row[j];
	}
	for (size_t j = 0; j < features; j++)
		mean[j] /= (double)count;
	for (size_t i = 0; i < count; i++) {
		const double *row = d->x + (rows ? rows[i] : i) * features;
		size_t j = 0;
		for (; j < wide; j += 4) {
			lanes4 deviation = *(const lanes4 *)(row + j) - *(const lanes4 *)(mean + j);
			*(lanes4 *)(squares + j) += deviation * deviation;
		}
		for (; j < features; j++) {
			double deviation = row[j] - mean[j];
			squares[j] += deviation * deviation;
		}
	}
}

/*
 * Mean and population deviation of column j with every value scaled by
 * 2^-e, e the exponent of the column's largest magnitude: the scaled
 * values lie in (-1, 1), so neither sum can overflow, and scaling by a
 * power of two is exact (the sums round as the unscaled sums would with
 * an unbounded exponent).  For a column whose plain sums overflow.
 */
static void column_stats_scaled(const struct dataset *d, const size_t *rows, size_t count,
				size_t j, double *mean, double *scale)
{
	size_t features = d->features;
	double largest = 0.0, sum = 0.0, squares = 0.0;
	int e;

	for (size_t i = 0; i < count; i++) {
		double x = fabs(d->x[(rows ? rows[i] : i) * features + j]);
		largest = x > largest ? x : largest;
	}
	frexp(largest, &e);
	for (size_t i = 0; i < count; i++)
		sum += ldexp(d->x[(rows ? rows[i] : i) * features + j], -e);
	double scaled_mean = sum / (double)count;
	for (size_t i = 0; i < count; i++) {
		double deviation = ldexp(d->x[(rows ? rows[i] : i) * features + j], -e) - scaled_mean;
		squares += deviation * deviation;
	}
	double variance = squares / (double)count;
	/*
	 * Both are at most the largest magnitude, below DBL_MAX; only a
	 * rounding at the very top of the range could reach 2^1024.
	 */
	*mean = ldexp(scaled_mean, e);
	*scale = variance > 0.0 ? ldexp(sqrt(variance), e) : 1.0;
	if (!isfinite(*mean))
		*mean = copysign(DBL_MAX, scaled_mean);
	if (!isfinite(*scale))
		*scale = DBL_MAX;
}

void dataset_column_stats(const struct dataset *d, const size_t *rows, size_t count,
			  double *mean, double *scale)
{
	size_t features = d->features;

	if (count == 0) {
		for (size_t j = 0; j < features; j++) {
			mean[j] = 0.0;
			scale[j] = 1.0;
		}
		return;
	}
	column_sums(d, rows, count, mean, scale);      /* scale holds the squares first */
	for (size_t j = 0; j < features; j++) {
		/* Population variance: divide by n, as the spec says. */
		double variance = scale[j] / (double)count;
		/* A constant column is centred, never divided by zero. */
		scale[j] = variance > 0.0 ? sqrt(variance) : 1.0;
		/*
		 * Values near +-1e308 overflow the sum or the sum of squares to
		 * inf (or nan), a statistic no model file may hold.  Only such a
		 * column is computed again, scaled: every other keeps the plain
		 * sums above, bit for bit as before.
		 */
		if (!isfinite(mean[j]) || !isfinite(scale[j]))
			column_stats_scaled(d, rows, count, j, &mean[j], &scale[j]);
	}
}

static int compare_rows(const void *a, const void *b)
{
	size_t left = *(const size_t *)a, right = *(const size_t *)b;

	return left < right ? -1 : left > right;
}

int dataset_holdout(size_t rows, double fraction, uint64_t seed, struct holdout *split,
		    struct error *err)
{
	size_t held = (size_t)floor(fraction * (double)rows + 0.5);
	struct prng random;

	memset(split, 0, sizeof *split);
	if (held == 0 || held >= rows)
		return error_set(err, EXIT_DATA, "--holdout %g of %zu rows leaves no row for %s",
				 fraction, rows, held == 0 ? "validation" : "training");
	size_t *order = malloc(rows * sizeof *order);
	if (!order)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	for (size_t i = 0; i < rows; i++)
		order[i] = i;
	prng_seed(&random, seed);
	prng_shuffle(&random, order, rows);
	/* One allocation: the held-out rows first, then the training rows. */
	qsort(order, held, sizeof *order, compare_rows);
	qsort(order + held, rows - held, sizeof *order, compare_rows);
	split->holdout = order;
	split->n_holdout = held;
	split->training = order + held;
	split->n_training = rows - held;
	return 0;
}

void dataset_holdout_free(struct holdout *split)
{
	free(split->holdout);
	memset(split, 0, sizeof *split);
}

double dataset_scale_ratio(const struct dataset *d, const size_t *rows, size_t count)
{
	double smallest = INFINITY, largest = 0.0;
	size_t features = d->features;

	if (count == 0)
		return 0.0;
	double *mean = calloc(2 * (features ? features : 1), sizeof *mean);
	if (!mean)
		return 0.0;
	double *squares = mean + features;
	column_sums(d, rows, count, mean, squares);
	for (size_t j = 0; j < features; j++) {
		double deviation = sqrt(squares[j] / (double)count);
		if (deviation > 0) {
			smallest = fmin(smallest, deviation);
			largest = fmax(largest, deviation);
		}
	}
	free(mean);
	return largest > 0 && smallest < largest ? largest / smallest : 0.0;
}
