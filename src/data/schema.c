/* schema.c - allocation, ownership and the standardisation of a schema. */
#include "schema.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lanes.h"
#include "parse.h"
#include "rotation.h"

int schema_allocate(struct schema *s, size_t n_features, size_t n_classes, struct error *err)
{
	memset(s, 0, sizeof *s);
	s->n_features = n_features;
	s->n_classes = n_classes;
	s->feature_names = calloc(n_features ? n_features : 1, sizeof *s->feature_names);
	s->feature_mean = calloc(n_features ? n_features : 1, sizeof *s->feature_mean);
	s->feature_scale = malloc((n_features ? n_features : 1) * sizeof *s->feature_scale);
	s->class_labels = n_classes ? calloc(n_classes, sizeof *s->class_labels) : NULL;
	if (!s->feature_names || !s->feature_mean || !s->feature_scale ||
	    (n_classes && !s->class_labels)) {
		schema_free(s);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	for (size_t j = 0; j < n_features; j++)
		s->feature_scale[j] = 1.0;
	return 0;
}

void schema_free(struct schema *s)
{
	free_strings(s->feature_names, s->n_features);
	free_strings(s->class_labels, s->n_classes);
	free_strings(s->feature_category, s->n_features);
	free(s->feature_fill);
	free(s->rotation);
	free(s->feature_mean);
	free(s->feature_scale);
	free(s->target_name);
	memset(s, 0, sizeof *s);
}

void schema_move(struct schema *to, struct schema *from)
{
	*to = *from;
	memset(from, 0, sizeof *from);
}

/*
 * One value: (x - mean) / scale.  x - mean overflows for values near
 * +-1e308 of opposite signs; dividing first cannot (for a row of the
 * training data each part is at most the square root of the row count).
 * Only then: every other value keeps the bits of the subtraction first.
 */
static double standardized(double x, double mean, double scale)
{
	double centred = (x - mean) / scale;

	if (!isfinite(centred) && isfinite(x))
		centred = x / scale - mean / scale;
	return centred;
}

void schema_standardize(const struct schema *s, double *x, size_t rows)
{
	size_t features = s->n_features, wide = features - features % 4;
	const double *mean = s->feature_mean, *scale = s->feature_scale;

	for (size_t i = 0; i < rows; i++) {
		double *row = x + i * features;
		if (s->feature_fill)
			for (size_t j = 0; j < features; j++)
				if (isnan(row[j]))
					row[j] = s->feature_fill[j];
		size_t j = 0;
		/* Four at a time (lanes.h): the bits of standardized() lane by lane. */
		for (; j < wide; j += 4) {
			lanes4 value = *(const lanes4 *)(row + j);
			lanes4 centred = (value - *(const lanes4 *)(mean + j)) / *(const lanes4 *)(scale + j);
			/* centred - centred is 0 in a lane where centred is finite. */
			lanes4 zero = centred - centred;
			if (zero[0] != 0.0 || zero[1] != 0.0 || zero[2] != 0.0 || zero[3] != 0.0) {
				for (size_t k = j; k < j + 4; k++)
					row[k] = standardized(row[k], mean[k], scale[k]);
				continue;
			}
			*(lanes4 *)(row + j) = centred;
		}
		for (; j < features; j++)
			row[j] = standardized(row[j], mean[j], scale[j]);
		if (s->rotation) {
			double *scratch = s->rotation + features * features;
			memcpy(scratch, row, features * sizeof *row);
			rotation_apply(s->rotation, features, scratch, row);
		}
	}
}

int schema_allocate_rotation(struct schema *s, struct error *err)
{
	size_t n = s->n_features;

	if (!s->rotation) {
		if (n > 0 && n > (SIZE_MAX / sizeof *s->rotation - 1) / (n + 1))
			return error_set(err, EXIT_SOFTWARE, "out of memory");
		s->rotation = calloc(n * n + n + 1, sizeof *s->rotation);
	}
	if (!s->rotation)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	return 0;
}

int schema_set_rotation(struct schema *s, uint64_t seed, struct error *err)
{
	if (schema_allocate_rotation(s, err) != 0)
		return -1;
	return rotation_random(s->rotation, s->n_features, seed, err);
}

int schema_allocate_categories(struct schema *s, struct error *err)
{
	if (!s->feature_category)
		s->feature_category = calloc(s->n_features ? s->n_features : 1,
					     sizeof *s->feature_category);
	if (!s->feature_category)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	return 0;
}

int schema_allocate_fill(struct schema *s, struct error *err)
{
	if (!s->feature_fill)
		s->feature_fill = calloc(s->n_features ? s->n_features : 1, sizeof *s->feature_fill);
	if (!s->feature_fill)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	return 0;
}

size_t schema_column_width(const struct schema *s, size_t first)
{
	size_t width = 1;

	if (!s->feature_category || !s->feature_category[first])
		return 1;
	while (first + width < s->n_features && s->feature_category[first + width] &&
	       strcmp(s->feature_names[first + width], s->feature_names[first]) == 0)
		width++;
	return width;
}
