/* csv_read.c - read a CSV data set into a struct dataset.
 *
 * This module owns the reading of training and prediction data: splitting
 * the input into records with libcsv, naming the columns, choosing the
 * target and the features, converting every value, collecting the class
 * labels of a classifier, and turning every defect of the input into one
 * "SOURCE:LINE: what is wrong" message.  It also owns parse_finite_double,
 * the one strict number parser that the model file reader shares.
 *
 * Data flow: csv_read_dataset reads the stream one physical line at a time
 * (getline, so a NUL byte is seen and refused with its line number) and
 * feeds each line to libcsv.  libcsv calls field_done for every field and
 * record_done at the end of every record.  field_done copies the field at
 * once, because libcsv reuses its buffer; record_done then handles the
 * whole record: the first one is the header (or, with --no-header, the
 * first data row that fixes the column count), the others are data rows
 * converted into the growing arrays of the result.  libcsv has no way to
 * abort from a callback, so a callback that finds an error records it in
 * the reader and the feeding loop stops at the end of that line.
 *
 * Ownership: everything allocated here belongs to the reader until the end;
 * on success the arrays move into *out (freed by dataset_free), on failure
 * reader_free releases them and *out stays empty.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L     /* getline, newlocale, uselocale */
#endif

#include "dataset.h"

#include <csv.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

	size_t line;            /* physical line being fed, 1-based */
	size_t record_line;     /* line where the current record started */
	int record_open;        /* a record has started and not yet ended */
	size_t records;         /* records completed, the header included */

	/* The current record's fields, copied out of libcsv's buffer. */
	char *text;             /* fields one after the other, each NUL-ended */
	size_t text_used;
	size_t text_capacity;
	size_t *field_start;    /* offset of each field in text */
	size_t field_count;
	size_t field_capacity;

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
/* Numbers */

/*
 * strtod follows LC_NUMERIC; numbers in data and model files always use
 * the C locale's '.' whatever locale the program runs in.
 */
static locale_t c_numeric_locale(void)
{
	static locale_t c_locale = (locale_t)0;

	if (c_locale == (locale_t)0)
		c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c_locale;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Clinger's fast path for the common plain decimal ("-12.345"): with at
 * most 15 significant digits the mantissa is an exact double, and so is
 * 10^k for k <= 22, so one IEEE division rounds the exact quotient
 * correctly, giving the very bits strtod would.  Anything else (exponents,
 * more digits, junk) returns 0 and takes the general path.
 */
static int parse_plain_decimal(const char *start, double *value)
{
	static const double powers_of_ten[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	const char *p = start;
	uint64_t mantissa = 0;
	int significant = 0, decimals = 0, digits = 0, negative = 0;

	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (mantissa == 0 && *p == '0')
			continue;
		if (++significant > 15)
			return 0;
		mantissa = mantissa * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (++decimals > 22)
				return 0;
			if (mantissa == 0 && *p == '0')
				continue;
			if (++significant > 15)
				return 0;
			mantissa = mantissa * 10 + (uint64_t)(*p - '0');
		}
	}
	while (is_blank(*p))
		p++;
	if (digits == 0 || *p != '\0')
		return 0;
	double magnitude = (double)mantissa / powers_of_ten[decimals];
	*value = negative ? -magnitude : magnitude;
	return 1;
}

int parse_finite_double(const char *text, double *value, const char **reason)
{
	const char *ignored;
	const char *start = text;
	const char *digits;
	char *end;
	double parsed;
	int saved_errno;

	if (!reason)
		reason = &ignored;
	if (!start)
		start = "";
	while (is_blank(*start))
		start++;
	if (*start == '\0') {
		*reason = "empty field";
		return -1;
	}
	if (parse_plain_decimal(start, value))
		return 0;
	/* strtod would accept hexadecimal; data files are decimal. */
	digits = start;
	if (*digits == '+' || *digits == '-')
		digits++;
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		*reason = "not a number";
		return -1;
	}

	locale_t c_locale = c_numeric_locale();
	locale_t previous = (locale_t)0;
	if (c_locale != (locale_t)0)
		previous = uselocale(c_locale);
	saved_errno = errno;
	errno = 0;
	parsed = strtod(start, &end);
	int range_error = errno == ERANGE;
	errno = saved_errno;
	if (previous != (locale_t)0)
		uselocale(previous);

	if (end == start) {
		*reason = "not a number";
		return -1;
	}
	while (is_blank(*end))
		end++;
	if (*end != '\0') {
		*reason = "not a number";
		return -1;
	}
	/* Overflow gives HUGE_VAL; underflow to a tiny or zero value is fine. */
	if (range_error && isinf(parsed)) {
		*reason = "out of range";
		return -1;
	}
	if (!isfinite(parsed)) {
		*reason = "not finite";
		return -1;
	}
	*value = parsed;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Small helpers */

static int fail_memory(struct csv_reader *r)
{
	r->failed = 1;
	return error_set(r->err, EXIT_SOFTWARE, "out of memory");
}

/*
 * An error is one line on stderr even when the field it quotes holds line
 * breaks or other control characters: show them as \n, \r, \t or '?'.
 * Rewrites text in place, cutting it short if the escapes make it too long.
 */
static char *one_line(char *text)
{
	char copy[sizeof ((struct error *)0)->message];
	size_t used = 0;

	for (const char *p = text; *p && used + 3 < sizeof copy; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != 0x7f) {
			copy[used++] = (char)c;
			continue;
		}
		copy[used++] = c == '\n' || c == '\r' || c == '\t' ? '\\' : '?';
		if (c == '\n' || c == '\r' || c == '\t')
			copy[used++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
	}
	copy[used] = '\0';
	memcpy(text, copy, used + 1);
	return text;
}

/* Record a data error at a line; returns -1. */
static int fail_at(struct csv_reader *r, size_t line, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct csv_reader *r, size_t line, const char *format, ...)
{
	char what[sizeof r->err->message];
	va_list ap;

	va_start(ap, format);
	vsnprintf(what, sizeof what, format, ap);
	va_end(ap);
	r->failed = 1;
	return error_set(r->err, EXIT_DATA, "%s:%zu: %s", r->options->source, line,
			 one_line(what));
}

/* Grow an array to hold at least `needed` elements, doubling. */
static int grow(void **array, size_t *capacity, size_t needed, size_t element_size)
{
	size_t new_capacity = *capacity ? *capacity : 16;
	void *bigger;

	if (needed <= *capacity)
		return 0;
	while (new_capacity < needed) {
		if (new_capacity > SIZE_MAX / 2)
			return -1;
		new_capacity *= 2;
	}
	if (new_capacity > SIZE_MAX / element_size)
		return -1;
	bigger = realloc(*array, new_capacity * element_size);
	if (!bigger)
		return -1;
	*array = bigger;
	*capacity = new_capacity;
	return 0;
}

static void free_strings(char **strings, size_t count)
{
	if (!strings)
		return;
	for (size_t i = 0; i < count; i++)
		free(strings[i]);
	free(strings);
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

/* A 1-based column number written with digits only, or 0. */
static size_t column_number(const char *text)
{
	size_t number = 0;

	if (!text || !*text)
		return 0;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		if (number > (SIZE_MAX - 9) / 10)
			return SIZE_MAX;        /* surely out of range */
		number = number * 10 + (size_t)(*p - '0');
	}
	return number == 0 ? SIZE_MAX : number; /* "0" is out of range too */
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
	if (grow((void **)&t->labels, &t->capacity, t->count + 1, sizeof *t->labels) != 0)
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
	r->data.feature_names = calloc(features ? features : 1, sizeof *r->data.feature_names);
	if (!r->feature_column || !r->data.feature_names)
		return fail_memory(r);
	return 0;
}

static int set_target_name(struct csv_reader *r, const char *name)
{
	r->data.target_name = strdup(name);
	if (!r->data.target_name)
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
		r->data.feature_names[j] = strdup(r->header ? r->header[c] : name);
		if (!r->data.feature_names[j])
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
		r->data.feature_names[j] = strdup(o->schema_features[j]);
		if (!r->data.feature_names[j])
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
		r->header[c] = strdup(r->text + r->field_start[c]);
		if (!r->header[c])
			return fail_memory(r);
		r->header_count++;
	}
	r->header_end_line = r->line;
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
	const char *field = r->text + r->field_start[column];
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
	const char *field = r->text + r->field_start[r->target_column];
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

/* libcsv callback: a field ended.  Its buffer is reused, so copy it now. */
static void field_done(void *field, size_t length, void *data)
{
	struct csv_reader *r = data;

	if (r->failed)
		return;
	if (!r->record_open) {
		/* A record after a bare CR inside a line (see feed_line). */
		r->record_open = 1;
		r->record_line = r->line;
	}
	if (grow((void **)&r->field_start, &r->field_capacity, r->field_count + 1,
		 sizeof *r->field_start) != 0 ||
	    length > SIZE_MAX - 1 - r->text_used ||
	    grow((void **)&r->text, &r->text_capacity, r->text_used + length + 1, 1) != 0) {
		fail_memory(r);
		return;
	}
	r->field_start[r->field_count++] = r->text_used;
	memcpy(r->text + r->text_used, field, length);
	r->text_used += length;
	r->text[r->text_used++] = '\0';
}

/* libcsv callback: a record ended (c is the CR or LF, or -1 at the end). */
static void record_done(int c, void *data)
{
	struct csv_reader *r = data;

	(void)c;
	if (r->failed)
		return;
	if (r->records == 0 && r->options->has_header) {
		take_header(r);
	} else {
		if (r->data.rows == 0)
			r->first_row_line = r->record_line;
		if (r->planned || plan_columns(r, r->field_count) == 0)
			take_row(r);
	}
	r->records++;
	r->record_open = 0;
	r->field_count = 0;
	r->text_used = 0;
}

/* ------------------------------------------------------------------ */
/* Feeding libcsv */

/* A line that holds no field: only spaces and tabs that do not delimit. */
static int is_blank_line(const char *line, size_t length, char delimiter)
{
	for (size_t i = 0; i < length; i++) {
		char c = line[i];
		if (c == '\r' || c == '\n')
			continue;
		if ((c == ' ' || c == '\t') && c != delimiter)
			continue;
		return 0;
	}
	return 1;
}

static int feed_line(struct csv_reader *r, struct csv_parser *parser, const char *line,
		     size_t length)
{
	/*
	 * The line number of a record is where its first field starts.  A
	 * record not yet open starts on this line if the line holds anything
	 * but blanks; libcsv skips blank lines between records (without
	 * CSV_REPALL_NL), so blank lines in the middle of the data, and
	 * trailing ones, are accepted and only counted.  Inside an open
	 * record (a quoted field spanning lines) the start stays where it is.
	 * libcsv also ends a record at a bare CR inside a line; field_done
	 * then opens the next record on this same line.
	 */
	if (!r->record_open && !is_blank_line(line, length, r->options->delimiter)) {
		r->record_open = 1;
		r->record_line = r->line;
	}
	size_t parsed = csv_parse(parser, line, length, field_done, record_done, r);
	if (r->failed)
		return -1;
	if (parsed == length)
		return 0;

	if (csv_error(parser) != CSV_EPARSE)
		return fail_memory(r);
	/*
	 * Strict mode stopped at line[parsed]: a quote inside an unquoted
	 * field, or something other than a delimiter after a closing quote.
	 * That position is on this line, whatever line the record began on.
	 */
	if (line[parsed] == '"')
		return fail_at(r, r->line,
			       "stray quote in field %zu (quote the whole field and double inner quotes)",
			       r->field_count + 1);
	return fail_at(r, r->line, "unexpected text after the closing quote of field %zu",
		       r->field_count + 1);
}

static void reader_free(struct csv_reader *r)
{
	free(r->text);
	free(r->field_start);
	free_strings(r->header, r->header_count);
	free(r->feature_column);
	label_table_free(&r->classes);
	dataset_free(&r->data);
}

/* Read every line; returns 0 at the end of input or -1 with the error set. */
static int feed_stream(struct csv_reader *r, struct csv_parser *parser, FILE *in)
{
	char *line = NULL;
	size_t line_capacity = 0;
	ssize_t length;
	int result = 0;

	for (;;) {
		errno = 0;
		length = getline(&line, &line_capacity, in);
		if (length < 0)
			break;
		r->line++;
		const char *start = line;
		size_t size = (size_t)length;
		if (r->line == 1 && size >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
			start += 3;     /* UTF-8 byte order mark */
			size -= 3;
		}
		if (memchr(start, '\0', size)) {
			result = fail_at(r, r->line, "NUL byte in input");
			break;
		}
		if (feed_line(r, parser, start, size) != 0) {
			result = -1;
			break;
		}
	}
	if (length < 0) {
		if (ferror(in)) {
			r->failed = 1;
			result = error_set(r->err, EXIT_NOINPUT, "%s: read error: %s",
					   r->options->source, strerror(errno ? errno : EIO));
		} else if (errno == ENOMEM) {
			result = fail_memory(r);
		}
	}
	free(line);
	return result;
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
		if (o->too_many_classes_hint)
			snprintf(hint, sizeof hint, " (%s)", o->too_many_classes_hint);
		if (o->model_name)
			return fail_at(r, r->excess_class_line,
				       "target '%s' has %zu classes; %s needs %d%s",
				       r->data.target_name, r->classes.count, o->model_name,
				       o->max_classes, hint);
		return fail_at(r, r->excess_class_line,
			       "target '%s' has %zu classes; at most %d allowed%s",
			       r->data.target_name, r->classes.count, o->max_classes, hint);
	}
	if (!r->classes_fixed) {
		if (r->target_column == SIZE_MAX)
			return 0;       /* no target, no classes */
		if (r->classes.count < 2)
			return fail_at(r, r->first_row_line, "only one class '%s' in target '%s'",
				       r->classes.labels[0], r->data.target_name);
		if (sort_classes(r) != 0)
			return -1;
	}
	r->data.n_classes = r->classes.count;
	r->data.class_labels = r->classes.labels;
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
	struct csv_reader reader;
	struct csv_parser parser;
	int result;

	memset(out, 0, sizeof *out);
	memset(&reader, 0, sizeof reader);
	reader.options = options;
	reader.err = err;
	reader.target_column = SIZE_MAX;

	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	csv_set_delim(&parser, (unsigned char)options->delimiter);

	result = feed_stream(&reader, &parser, in);
	if (result == 0 && csv_fini(&parser, field_done, record_done, &reader) != 0)
		result = fail_at(&reader, reader.record_line, "unterminated quoted field");
	csv_free(&parser);
	if (result == 0 && reader.failed)
		result = -1;
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
