/* dataset.h - a data set read from CSV, and the reader.
 *
 * Features are stored row-major in one array x[rows * features].  For a
 * classifier, y holds the class index (0 .. n_classes-1) into the schema's
 * class_labels; for a regression, y holds the target value and the schema
 * has no classes.  The dataset owns its arrays and its schema (until the
 * schema is moved into a model); dataset_free releases what it still owns.
 */
#ifndef DESCENT_DATASET_H
#define DESCENT_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "schema.h"

struct dataset {
	size_t rows;
	size_t features;
	double *x;              /* rows x features, row-major */
	double *y;              /* rows; NULL when the data has no target */
	/*
	 * rows: the input line each row starts on, for a message about a row
	 * found after reading (a loss that overflows, --predict); may be NULL.
	 */
	size_t *lines;
	const char *source;     /* the input's name for messages ("<stdin>", a path); not owned */
	/* Names, target, classes (statistics unset); empty once moved away. */
	struct schema schema;
	size_t n_classes;       /* classes of y, kept when the schema moves */
	/*
	 * What the reader did that the user should hear of (rows dropped,
	 * row names taken, values unseen in training): lines for stderr,
	 * owned, NULL when there is nothing to say.
	 */
	char *notes;
};

/* --missing: what a missing value (an empty field, NA, NaN, nan, null) does. */
enum missing_policy {
	MISSING_REFUSE,         /* refuse the input (empty fields only; NA is not a number) */
	MISSING_DROP,           /* drop the row */
	MISSING_MEAN,           /* NaN now; dataset_fill_missing puts the training mean */
};

/* What the caller knows before reading. */
struct csv_read_options {
	const char *source;     /* name for messages: "<stdin>" or a path */
	char delimiter;         /* ',' unless --delimiter */
	int blank_runs;         /* -d space: runs of blanks separate fields */
	int has_header;         /* 0 with --no-header */
	int threads;            /* --threads: 1 reads on this thread only (csv_records.h) */
	const char *target;     /* --target NAME or 1-based N; NULL = last column */
	int classification;     /* target holds class labels (strings or numbers) */
	int max_classes;        /* refuse more classes than this; 0 = no limit */
	const char *too_many_classes_hint; /* appended to that refusal */
	const char *model_name; /* for that refusal: "logistic needs 2"; may be NULL */
	/*
	 * Training: --features COLS (exactly these feature columns, in this
	 * order) or --ignore COLS (every column but these and the target),
	 * and --categorical COLS or "auto" (one-hot encode these, or every
	 * column whose first present value is not a number).  COLS are names
	 * or 1-based numbers separated by commas (column_list_valid).  NULL:
	 * not given.  Unused in schema mode, where the model decides.
	 */
	const char *features, *ignore, *categorical;
	enum missing_policy missing;
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
	/*
	 * In schema mode, the model's schema when it has one: its categorical
	 * columns (schema_features then holds one name per input, as the
	 * schema does) and its missing-value fill.
	 */
	const struct schema *model_schema;
	/*
	 * --stream (stream.h): when stream_row is set, no row is kept.  Once
	 * the plan is made (header and first row read), stream_start gets the
	 * data set as it will be, without rows: features, and a schema with
	 * the names, the target and the classes (it may take the schema).
	 * Then every row, converted and encoded into the inputs, goes to
	 * stream_row and is forgotten; a -1 from either stops the reading
	 * with their err.  The inputs must be known before the first row:
	 * schema mode, or numeric columns only (no --categorical); a
	 * classifier's labels are schema_classes (in schema mode or not) and
	 * any other label is refused at its line.  csv_read_dataset then
	 * returns a data set without rows: its notes, the schema if not taken.
	 */
	int (*stream_start)(void *context, struct dataset *data, struct error *err);
	int (*stream_row)(void *context, const double *x, double y, struct error *err);
	void *stream_context;
};

/*
 * Whether text is a well-formed --features/--ignore/--categorical list:
 * items separated by commas, none empty, none "0" or a number of leading
 * zeros.  Returns 1 or 0.
 */
int column_list_valid(const char *text);

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
 * --missing mean: the mean of the present (non-NaN) values of every input
 * over rows rows[0..count) of d (every row when rows is NULL) into
 * s->feature_fill (allocated here), then every NaN of d replaced by it.
 * Returns 0, or -1 with EXIT_DATA when an input has no value in those rows
 * (the message starts with d->source).
 */
int dataset_fill_missing(struct dataset *d, const size_t *rows, size_t count, struct schema *s,
			 struct error *err);

/*
 * Column statistics for --standardize over the rows rows[0..count) of d
 * (every row when rows is NULL): mean and population standard deviation
 * (divide by count).  scale[j] is the deviation, or 1 for a constant
 * column so that it is centred but never divided by zero.
 */
void dataset_column_stats(const struct dataset *d, const size_t *rows, size_t count,
			  double *mean, double *scale);

/*
 * Largest over smallest standard deviation of the columns that vary, over
 * the same rows; 0 when fewer than two columns vary.  A divergence message
 * asks for it (to suggest --standardize), so it costs nothing until then.
 */
double dataset_scale_ratio(const struct dataset *d, const size_t *rows, size_t count);

/*
 * A seeded random split of rows 0..rows-1 for --holdout: round(fraction *
 * rows) rows are held out, the rest train; both lists in file order.
 */
struct holdout {
	size_t *training, *holdout;     /* owned; dataset_holdout_free */
	size_t n_training, n_holdout;
};

/*
 * Split with the generator seeded by seed.  Returns 0, or -1 with
 * EXIT_DATA when either side would be empty, EXIT_SOFTWARE for memory.
 */
int dataset_holdout(size_t rows, double fraction, uint64_t seed, struct holdout *split,
		    struct error *err);
void dataset_holdout_free(struct holdout *split);

#endif
