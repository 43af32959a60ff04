/* dataset.h - a data set read from CSV, and the reader.
 *
 * Features are stored row-major in one array x[rows * features].  For a
 * classifier, y holds the class index (0 .. n_classes-1) into class_labels;
 * for a regression, y holds the target value and n_classes is 0.
 * The dataset owns every string and array; dataset_free releases them.
 */
#ifndef DESCENT_DATASET_H
#define DESCENT_DATASET_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

struct dataset {
	size_t rows;
	size_t features;
	double *x;              /* rows x features, row-major */
	double *y;              /* rows; NULL when the data has no target */
	char **feature_names;   /* features entries */
	char *target_name;      /* NULL when the data has no target */
	size_t n_classes;       /* 0 for regression */
	char **class_labels;    /* n_classes entries, sorted */
};

/* What the caller knows before reading. */
struct csv_read_options {
	const char *source;     /* name for messages: "<stdin>" or a path */
	char delimiter;         /* ',' unless --delimiter */
	int has_header;         /* 0 with --no-header */
	const char *target;     /* --target NAME or 1-based N; NULL = last column */
	int classification;     /* target holds class labels (strings or numbers) */
	int max_classes;        /* refuse more classes than this; 0 = no limit */
	const char *too_many_classes_hint; /* appended to that refusal */
	const char *model_name; /* for that refusal: "logistic needs 2"; may be NULL */
	/*
	 * Schema mode (prediction, --init): read exactly these features, matched
	 * by header name (order may differ, extra columns ignored) or, without a
	 * header, by position.  NULL means: every non-target column is a feature.
	 */
	char *const *schema_features;
	size_t schema_count;
	/* In schema mode: the target may be absent (prediction) or is required. */
	int target_required;
	/*
	 * In schema mode with a header and no --target: the model's target
	 * name, read when a column has it (NULL: the target is never looked
	 * for, unless required, when it is the last column).  Without a
	 * header it names a target found by position.
	 */
	const char *schema_target;
	/* In schema mode with a classifier: labels must be among these. */
	char *const *schema_classes;
	size_t schema_n_classes;
};

/*
 * Read a whole CSV data set.  On bad input returns -1 with err->status
 * EXIT_DATA and err->message "SOURCE:LINE: what is wrong"; a failing
 * stream gives EXIT_NOINPUT ("SOURCE: read error: ..."), memory
 * EXIT_SOFTWARE.  On failure *out is left empty (all zero).
 */
int csv_read_dataset(FILE *in, const struct csv_read_options *options,
		     struct dataset *out, struct error *err);

void dataset_free(struct dataset *d);

/*
 * Column statistics for --standardize: mean and population standard
 * deviation (divide by n).  scale[j] is the deviation, or 1 for a constant
 * column so that it is centred but never divided by zero.
 */
void dataset_column_stats(const struct dataset *d, double *mean, double *scale);
/* x[i][j] = (x[i][j] - mean[j]) / scale[j] */
void dataset_apply_scaling(struct dataset *d, const double *mean, const double *scale);

/*
 * Parse a whole field as a finite double (C locale, surrounding spaces
 * allowed, decimal only).  Returns 0 on success, -1 with a reason
 * ("empty field", "not a number", "not finite", "out of range"); underflow
 * to a tiny or zero value is accepted.
 */
int parse_finite_double(const char *text, double *value, const char **reason);

#endif
