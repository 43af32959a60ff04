/* csv_read.c - read a CSV data set into a struct dataset.
 *
 * This module owns the meaning of training and prediction data: naming the
 * columns, choosing the target and the features, converting every value,
 * collecting the class labels of a classifier, and turning every defect of
 * the data into one "SOURCE:LINE: what is wrong" message.
 *
 * Data flow: csv_records.c splits the stream into records and hands each to
 * take_record: the first one is the header (or, with --no-header, the
 * first data row that fixes the column count), the others are data rows
 * converted into the growing arrays of the result.
 *
 * Ownership: everything allocated here belongs to the reader until the end;
 * on success the arrays move into *out (freed by dataset_free), on failure
 * reader_free releases them and *out stays empty.
 */
#include "dataset.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "csv_records.h"
#include "parse.h"

/* Longest piece of a bad field quoted back in a message. */
#define QUOTED_FIELD_MAX 60
/* Longest list of names (columns, classes) written into a message. */
#define NAME_LIST_MAX 400

/*
 * The distinct class labels seen so far, in the order first seen, with an
 * open-addressing hash index so that a target with many distinct values
 * (a regression target read by mistake as labels) stays linear.
 */
struct label_table {
	char **labels;          /* count entries, owned */
	size_t count;
	size_t capacity;
	size_t *slots;          /* slot_count entries: label index or SIZE_MAX */
	size_t slot_count;      /* a power of two, at least twice count */
};

struct csv_reader {
	const struct csv_read_options *options;
	struct error *err;
	int failed;             /* an error is recorded: stop feeding */

	size_t records;         /* records completed, the header included */

	/* The record being handled (csv_records.c owns the fields). */
	char **fields;
	size_t field_count;
	size_t record_line;     /* line where it started */

	/* The header's names; NULL with --no-header. */
	char **header;
	size_t header_count;
	size_t header_end_line; /* line on which the header record ended */
	size_t first_row_line;  /* line where the first data row started */

	/* The column plan, fixed by the first record. */
	int planned;
	size_t columns;         /* fields every data row must have */
	size_t *feature_column; /* data.features entries: column of feature j */
	size_t target_column;   /* SIZE_MAX when the data carries no target */

	struct dataset data;    /* the result being built */
	size_t row_capacity;

	struct label_table classes;
	int classes_fixed;      /* labels must be among the model's classes */
	size_t excess_class_line; /* first row with one class too many, or 0 */
};

/* ------------------------------------------------------------------ */
/* Small helpers */

static int fail_memory(struct csv_reader *r)
{
	r->failed = 1;
	return error_set(r->err, EXIT_SOFTWARE, "out of memory");
}

/* Record a data error at a line; returns -1. */
static int fail_at(struct csv_reader *r, size_t line, const char *format, ...)
{
	char what[sizeof r->err->message];
	va_list ap;

	va_start(ap, format);
	vsnprintf(what, sizeof what, format, ap);
	va_end(ap);
	r->failed = 1;
	return csv_error_at(r->err, r->options->source, line, "%s", what);
}

/* "a, b, c" into buffer, shortened with "..." when too long. */
static const char *join_names(char *buffer, size_t size, char *const *names, size_t count)
{
	size_t used = 0;

	buffer[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		size_t length = strlen(names[i]) + (i ? 2 : 0);
		if (used + length + 4 >= size) {
			snprintf(buffer + used, size - used, "%s...", i ? ", " : "");
			break;
		}
		used += (size_t)snprintf(buffer + used, size - used, "%s%s", i ? ", " : "",
					 names[i]);
	}
	return buffer;
}

/* A field as it is quoted back in a message: at most QUOTED_FIELD_MAX bytes. */
static int quoted_length(const char *field)
{
	size_t length = strlen(field);

	return length > QUOTED_FIELD_MAX ? QUOTED_FIELD_MAX : (int)length;
}

static const char *ellipsis_if_long(const char *field)
{
	return strlen(field) > QUOTED_FIELD_MAX ? "..." : "";
}

/* "column 'name'" with a header, "column 3" without one. */
static const char *column_label(const struct csv_reader *r, size_t column, char *buffer,
				size_t size)
{
	if (r->header)
		snprintf(buffer, size, "column '%s'", r->header[column]);
	else
		snprintf(buffer, size, "column %zu", column + 1);
	return buffer;
}

static int is_all_digits(const char *text)
{
	if (!text || !*text)
		return 0;
	for (; *text; text++)
		if (*text < '0' || *text > '9')
			return 0;
	return 1;
}

/* A 1-based column number written with digits only, 0 when it is not
 * one, SIZE_MAX when it is "0" or too large to be a column. */
static size_t column_number(const char *text)
{
	uint64_t number;

	if (!is_all_digits(text))
		return 0;
	if (parse_whole_number(text, SIZE_MAX, &number) != 0 || number == 0)
		return SIZE_MAX;
	return (size_t)number;
}

/* ------------------------------------------------------------------ */
/* Class labels */

static size_t hash_label(const char *label)
{
	/* FNV-1a */
	uint64_t hash = 14695981039346656037u;

	for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
		hash ^= *p;
		hash *= 1099511628211u;
	}
	return (size_t)hash;
}

/* Index of label, or SIZE_MAX when it is not in the table. */
static size_t label_find(const struct label_table *t, const char *label)
{
	if (!t->slot_count)
		return SIZE_MAX;
	size_t mask = t->slot_count - 1;
	for (size_t slot = hash_label(label) & mask;; slot = (slot + 1) & mask) {
		size_t index = t->slots[slot];
		if (index == SIZE_MAX || strcmp(t->labels[index], label) == 0)
			return index;
	}
}

static void label_place(struct label_table *t, size_t index)
{
	size_t mask = t->slot_count - 1;
	size_t slot = hash_label(t->labels[index]) & mask;

	while (t->slots[slot] != SIZE_MAX)
		slot = (slot + 1) & mask;
	t->slots[slot] = index;
}

/* Append a label known not to be in the table; returns its index or SIZE_MAX. */
static size_t label_add(struct label_table *t, const char *label)
{
	if (array_grow((void **)&t->labels, &t->capacity, t->count + 1, sizeof *t->labels) != 0)
		return SIZE_MAX;
	if (2 * (t->count + 1) > t->slot_count) {
		size_t slot_count = t->slot_count ? 2 * t->slot_count : 16;
		size_t *slots = malloc(slot_count * sizeof *slots);
		if (!slots)
			return SIZE_MAX;
		for (size_t i = 0; i < slot_count; i++)
			slots[i] = SIZE_MAX;
		free(t->slots);
		t->slots = slots;
		t->slot_count = slot_count;
		for (size_t i = 0; i < t->count; i++)
			label_place(t, i);
	}
	t->labels[t->count] = strdup(label);
	if (!t->labels[t->count])
		return SIZE_MAX;
	label_place(t, t->count);
	return t->count++;
}

static void label_table_free(struct label_table *t)
{
	free_strings(t->labels, t->count);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

struct sorted_label {
	char *label;
	double value;           /* the label as a number, when all are numbers */
	size_t first_seen;      /* index before sorting */
};

static int compare_by_bytes(const void *a, const void *b)
{
	const struct sorted_label *left = a, *right = b;

	return strcmp(left->label, right->label);
}

static int compare_by_value(const void *a, const void *b)
{
	const struct sorted_label *left = a, *right = b;

	if (left->value < right->value)
		return -1;
	if (left->value > right->value)
		return 1;
	/* "1" and "1.0" are different labels: keep a fixed order. */
	return strcmp(left->label, right->label);
}

/*
 * Sort the classes (numerically when every label is a number, else in
 * byte order), move them into the data set and renumber y to match.
 */
static int sort_classes(struct csv_reader *r)
{
	struct label_table *t = &r->classes;
	struct sorted_label *sorted = malloc(t->count * sizeof *sorted);
	size_t *new_index = malloc(t->count * sizeof *new_index);
	int all_numbers = 1;

	if (!sorted || !new_index) {
		free(sorted);
		free(new_index);
		return fail_memory(r);
	}
	for (size_t i = 0; i < t->count; i++) {
		const char *reason;
		sorted[i].label = t->labels[i];
		sorted[i].first_seen = i;
		if (parse_finite_double(t->labels[i], &sorted[i].value, &reason) != 0)
			all_numbers = 0;
	}
	qsort(sorted, t->count, sizeof *sorted, all_numbers ? compare_by_value : compare_by_bytes);
	for (size_t i = 0; i < t->count; i++) {
		t->labels[i] = sorted[i].label;
		new_index[sorted[i].first_seen] = i;
	}
	for (size_t row = 0; row < r->data.rows; row++)
		r->data.y[row] = (double)new_index[(size_t)r->data.y[row]];
	free(sorted);
	free(new_index);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The column plan */

/* Column of the header named name, or SIZE_MAX. */
static size_t header_find(const struct csv_reader *r, const char *name)
{
	for (size_t c = 0; c < r->header_count; c++)
		if (strcmp(r->header[c], name) == 0)
			return c;
	return SIZE_MAX;
}

/*
 * The column --target names in a record of `columns` fields: with a header
 * a name first, then a 1-based number; without one only a number.
 * SIZE_MAX when there is no such column.
 */
static size_t find_target(const struct csv_reader *r, const char *target, size_t columns)
{
	size_t number;

	if (r->header) {
		size_t column = header_find(r, target);
		if (column != SIZE_MAX)
			return column;
	}
	number = column_number(target);
	if (number == 0 || number > columns)
		return SIZE_MAX;
	return number - 1;
}

/* find_target, or an error that says why there is no such column. */
static int resolve_target(struct csv_reader *r, const char *target, size_t columns,
			  size_t *column)
{
	char names[NAME_LIST_MAX];

	*column = find_target(r, target, columns);
	if (*column != SIZE_MAX)
		return 0;
	if (!is_all_digits(target)) {
		if (!r->header)
			return fail_at(r, r->record_line,
				       "target '%s' must be a column number: the input has no header",
				       target);
		return fail_at(r, r->record_line, "no column named '%s' (columns: %s)", target,
			       join_names(names, sizeof names, r->header, r->header_count));
	}
	return fail_at(r, r->record_line, "target column %s out of range (%zu columns)", target,
		       columns);
}

static int allocate_features(struct csv_reader *r, size_t features)
{
	r->data.features = features;
	r->feature_column = calloc(features ? features : 1, sizeof *r->feature_column);
	if (!r->feature_column)
		return fail_memory(r);
	if (schema_allocate(&r->data.schema, features, 0, r->err) != 0) {
		r->failed = 1;
		return -1;
	}
	return 0;
}

static int set_target_name(struct csv_reader *r, const char *name)
{
	r->data.schema.target_name = strdup(name);
	if (!r->data.schema.target_name)
		return fail_memory(r);
	return 0;
}

/* Without schema: every column but the target is a feature. */
static int plan_all_columns(struct csv_reader *r, size_t columns)
{
	const struct csv_read_options *o = r->options;
	char name[32];

	r->columns = columns;
	r->target_column = columns - 1;
	if (o->target && resolve_target(r, o->target, columns, &r->target_column) != 0)
		return -1;
	if (columns < 2)
		return fail_at(r, r->record_line,
			       "no feature columns: the only column is the target");
	if (r->header) {
		/* Names must tell the columns apart: prediction matches by name. */
		for (size_t c = 0; c < columns; c++) {
			if (r->header[c][0] == '\0')
				return fail_at(r, r->record_line,
					       "column %zu has no name in the header", c + 1);
			for (size_t other = 0; other < c; other++)
				if (strcmp(r->header[c], r->header[other]) == 0)
					return fail_at(r, r->record_line,
						       "column name '%s' appears twice in the header",
						       r->header[c]);
		}
	}
	if (allocate_features(r, columns - 1) != 0)
		return -1;
	size_t j = 0;
	for (size_t c = 0; c < columns; c++) {
		if (c == r->target_column)
			continue;
		r->feature_column[j] = c;
		/* Without a header a feature is named after its column: x1, x2, ... */
		snprintf(name, sizeof name, "x%zu", c + 1);
		r->data.schema.feature_names[j] = strdup(r->header ? r->header[c] : name);
		if (!r->data.schema.feature_names[j])
			return fail_memory(r);
		j++;
	}
	return set_target_name(r, r->header ? r->header[r->target_column] : "y");
}

/* Schema mode with a header: match the model's features by name. */
static int plan_schema_by_name(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;

	r->columns = r->header_count;
	for (size_t j = 0; j < o->schema_count; j++) {
		size_t column = header_find(r, o->schema_features[j]);
		if (column == SIZE_MAX)
			return fail_at(r, r->record_line, "missing column '%s' required by the model",
				       o->schema_features[j]);
		for (size_t other = column + 1; other < r->header_count; other++)
			if (strcmp(r->header[other], r->header[column]) == 0)
				return fail_at(r, r->record_line,
					       "column name '%s' appears twice in the header",
					       r->header[column]);
		r->feature_column[j] = column;
	}

	r->target_column = SIZE_MAX;
	if (o->target) {
		/* Prediction does not need the target: only training insists. */
		if (o->target_required) {
			if (resolve_target(r, o->target, r->header_count, &r->target_column) != 0)
				return -1;
		} else {
			r->target_column = find_target(r, o->target, r->header_count);
		}
	} else if (o->schema_target) {
		r->target_column = header_find(r, o->schema_target);
		if (r->target_column == SIZE_MAX && o->target_required) {
			char names[NAME_LIST_MAX];
			return fail_at(r, r->record_line,
				       "missing target column '%s' (columns: %s)", o->schema_target,
				       join_names(names, sizeof names, r->header, r->header_count));
		}
	} else if (o->target_required) {
		r->target_column = r->header_count - 1;
	}
	if (r->target_column == SIZE_MAX)
		return 0;
	for (size_t j = 0; j < o->schema_count; j++)
		if (r->feature_column[j] == r->target_column)
			return fail_at(r, r->record_line,
				       "column '%s' cannot be both the target and a feature of the model",
				       r->header[r->target_column]);
	return set_target_name(r, r->header[r->target_column]);
}

/* Schema mode without a header: the model's features by position. */
static int plan_schema_by_position(struct csv_reader *r, size_t columns)
{
	const struct csv_read_options *o = r->options;
	size_t with_target = o->schema_count + 1;

	r->columns = columns;
	r->target_column = SIZE_MAX;
	if (columns == with_target) {
		r->target_column = columns - 1;
		if (o->target && resolve_target(r, o->target, columns, &r->target_column) != 0)
			return -1;
	} else if (columns != o->schema_count || o->target_required) {
		if (o->target_required)
			return fail_at(r, r->record_line, "expected %zu fields, found %zu",
				       with_target, columns);
		return fail_at(r, r->record_line, "expected %zu or %zu fields, found %zu",
			       o->schema_count, with_target, columns);
	}
	size_t j = 0;
	for (size_t c = 0; c < columns; c++)
		if (c != r->target_column)
			r->feature_column[j++] = c;
	if (r->target_column == SIZE_MAX)
		return 0;
	return set_target_name(r, o->schema_target ? o->schema_target : "y");
}

/* Decide, from the first record, which column is what. */
static int plan_columns(struct csv_reader *r, size_t columns)
{
	const struct csv_read_options *o = r->options;
	int result;

	r->planned = 1;
	if (!o->schema_features)
		return plan_all_columns(r, columns);

	if (allocate_features(r, o->schema_count) != 0)
		return -1;
	for (size_t j = 0; j < o->schema_count; j++) {
		r->data.schema.feature_names[j] = strdup(o->schema_features[j]);
		if (!r->data.schema.feature_names[j])
			return fail_memory(r);
	}
	result = r->header ? plan_schema_by_name(r) : plan_schema_by_position(r, columns);
	if (result != 0)
		return result;

	if (o->classification && o->schema_classes) {
		/* The model's classes, in the model's order, are the only ones. */
		r->classes_fixed = 1;
		for (size_t k = 0; k < o->schema_n_classes; k++) {
			if (label_find(&r->classes, o->schema_classes[k]) != SIZE_MAX) {
				r->failed = 1;
				return error_set(r->err, EXIT_DATA, "the model lists class '%s' twice",
						 o->schema_classes[k]);
			}
			if (label_add(&r->classes, o->schema_classes[k]) == SIZE_MAX)
				return fail_memory(r);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Records */

static int take_header(struct csv_reader *r)
{
	r->header = calloc(r->field_count ? r->field_count : 1, sizeof *r->header);
	if (!r->header)
		return fail_memory(r);
	for (size_t c = 0; c < r->field_count; c++) {
		r->header[c] = strdup(r->fields[c]);
		if (!r->header[c])
			return fail_memory(r);
		r->header_count++;
	}
	return plan_columns(r, r->field_count);
}

static int add_row_space(struct csv_reader *r)
{
	size_t capacity = r->row_capacity ? 2 * r->row_capacity : 256;
	size_t features = r->data.features ? r->data.features : 1;
	double *x, *y;

	if (r->row_capacity >= SIZE_MAX / 2 || capacity > SIZE_MAX / sizeof *x / features)
		return fail_memory(r);
	x = realloc(r->data.x, capacity * features * sizeof *x);
	if (!x)
		return fail_memory(r);
	r->data.x = x;
	if (r->target_column != SIZE_MAX) {
		y = realloc(r->data.y, capacity * sizeof *y);
		if (!y)
			return fail_memory(r);
		r->data.y = y;
	}
	r->row_capacity = capacity;
	return 0;
}

static int read_number(struct csv_reader *r, size_t column, double *value)
{
	const char *field = r->fields[column];
	const char *reason;
	char label[256];

	if (parse_finite_double(field, value, &reason) == 0)
		return 0;
	column_label(r, column, label, sizeof label);
	if (strcmp(reason, "empty field") == 0)
		return fail_at(r, r->record_line, "empty field in %s", label);
	if (strcmp(reason, "out of range") == 0)
		return fail_at(r, r->record_line, "%s: '%.*s%s' is out of range", label,
			       quoted_length(field), field, ellipsis_if_long(field));
	return fail_at(r, r->record_line, "%s: '%.*s%s' is %s", label, quoted_length(field),
		       field, ellipsis_if_long(field), reason);
}

/* The class index of this row's label, kept in first-seen order for now. */
static int read_class(struct csv_reader *r, double *class_index)
{
	const struct csv_read_options *o = r->options;
	const char *field = r->fields[r->target_column];
	size_t index;
	char label[256];

	if (field[0] == '\0')
		return fail_at(r, r->record_line, "empty field in %s",
			       column_label(r, r->target_column, label, sizeof label));
	index = label_find(&r->classes, field);
	if (index == SIZE_MAX) {
		if (r->classes_fixed) {
			char names[NAME_LIST_MAX];
			return fail_at(r, r->record_line,
				       "class '%.*s%s' is not known to the model (known: %s)",
				       quoted_length(field), field, ellipsis_if_long(field),
				       join_names(names, sizeof names, r->classes.labels,
						  r->classes.count));
		}
		index = label_add(&r->classes, field);
		if (index == SIZE_MAX)
			return fail_memory(r);
		/* Keep reading so that the message can give the true count. */
		if (o->max_classes > 0 && r->classes.count > (size_t)o->max_classes &&
		    !r->excess_class_line)
			r->excess_class_line = r->record_line;
	}
	*class_index = (double)index;
	return 0;
}

static int take_row(struct csv_reader *r)
{
	size_t row = r->data.rows;
	double *x;

	if (r->field_count != r->columns)
		return fail_at(r, r->record_line, "expected %zu fields, found %zu", r->columns,
			       r->field_count);
	if (row == r->row_capacity && add_row_space(r) != 0)
		return -1;
	x = r->data.x + row * r->data.features;
	for (size_t j = 0; j < r->data.features; j++)
		if (read_number(r, r->feature_column[j], &x[j]) != 0)
			return -1;
	if (r->target_column != SIZE_MAX) {
		int result = r->options->classification ?
			read_class(r, &r->data.y[row]) :
			read_number(r, r->target_column, &r->data.y[row]);
		if (result != 0)
			return -1;
	}
	r->data.rows++;
	return 0;
}

/* csv_records handler: the header, or a data row. */
static int take_record(void *context, const struct csv_record *record, struct error *err)
{
	struct csv_reader *r = context;

	(void)err;
	r->fields = record->fields;
	r->field_count = record->count;
	r->record_line = record->line;
	if (r->records == 0 && r->options->has_header) {
		r->header_end_line = record->end_line;
		take_header(r);
	} else {
		if (r->data.rows == 0)
			r->first_row_line = record->line;
		if (r->planned || plan_columns(r, r->field_count) == 0)
			take_row(r);
	}
	r->records++;
	return r->failed ? -1 : 0;
}

static void reader_free(struct csv_reader *r)
{
	free_strings(r->header, r->header_count);
	free(r->feature_column);
	label_table_free(&r->classes);
	dataset_free(&r->data);
}

/*
 * Many distinct numbers, or numbers with fractions, are a quantity to
 * regress on rather than class labels.
 */
static int looks_like_regression(const struct label_table *t)
{
	int fractions = 0;

	for (size_t i = 0; i < t->count; i++) {
		double value;
		if (parse_finite_double(t->labels[i], &value, NULL) != 0)
			return 0;
		if (value != floor(value))
			fractions = 1;
	}
	return fractions || t->count > 20;
}

/* After the last record: checks that need the whole input. */
static int finish(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;

	if (r->records == 0)
		return fail_at(r, 1, "empty input");
	if (r->data.rows == 0)
		return fail_at(r, r->header_end_line + 1, "no data rows after the header");
	if (!o->classification)
		return 0;
	if (r->excess_class_line) {
		char hint[256] = "";
		if (looks_like_regression(&r->classes))
			snprintf(hint, sizeof hint, " (its values look like a real-valued target: "
				 "try --model linear)");
		else if (o->too_many_classes_hint)
			snprintf(hint, sizeof hint, " (%s)", o->too_many_classes_hint);
		if (o->model_name)
			return fail_at(r, r->excess_class_line,
				       "target '%s' has %zu classes; %s needs %d%s",
				       r->data.schema.target_name, r->classes.count, o->model_name,
				       o->max_classes, hint);
		return fail_at(r, r->excess_class_line,
			       "target '%s' has %zu classes; at most %d allowed%s",
			       r->data.schema.target_name, r->classes.count, o->max_classes, hint);
	}
	if (!r->classes_fixed) {
		if (r->target_column == SIZE_MAX)
			return 0;       /* no target, no classes */
		if (r->classes.count < 2)
			return fail_at(r, r->first_row_line, "only one class '%s' in target '%s'",
				       r->classes.labels[0], r->data.schema.target_name);
		if (sort_classes(r) != 0)
			return -1;
	}
	free(r->data.schema.class_labels);
	r->data.schema.class_labels = r->classes.labels;
	r->data.schema.n_classes = r->classes.count;
	r->data.n_classes = r->classes.count;
	r->classes.labels = NULL;
	r->classes.count = 0;
	return 0;
}

/* Give back the spare capacity of the row arrays. */
static void shrink_rows(struct csv_reader *r)
{
	size_t features = r->data.features ? r->data.features : 1;
	double *smaller;

	smaller = realloc(r->data.x, r->data.rows * features * sizeof *smaller);
	if (smaller)
		r->data.x = smaller;
	if (r->data.y) {
		smaller = realloc(r->data.y, r->data.rows * sizeof *smaller);
		if (smaller)
			r->data.y = smaller;
	}
}

int csv_read_dataset(FILE *in, const struct csv_read_options *options, struct dataset *out,
		     struct error *err)
{
	struct csv_records_options records = {
		.source = options->source, .delimiter = options->delimiter,
	};
	struct csv_reader reader;
	int result;

	memset(out, 0, sizeof *out);
	memset(&reader, 0, sizeof reader);
	reader.options = options;
	reader.err = err;
	reader.target_column = SIZE_MAX;

	result = csv_records_read(in, &records, take_record, &reader, NULL, err);
	if (result == 0)
		result = finish(&reader);
	if (result != 0) {
		reader_free(&reader);
		return -1;
	}
	shrink_rows(&reader);
	*out = reader.data;
	memset(&reader.data, 0, sizeof reader.data);
	reader_free(&reader);
	return 0;
}
