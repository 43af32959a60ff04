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
#include "name_index.h"
#include "parse.h"

/* Longest piece of a bad field quoted back in a message. */
#define QUOTED_FIELD_MAX 60
/* Longest list of names (columns, classes) written into a message. */
#define NAME_LIST_MAX 400

/*
 * The distinct class labels seen so far, in the order first seen, with a
 * hash index so that a target with many distinct values (a regression
 * target read by mistake as labels) stays linear.
 */
struct label_table {
	char **labels;          /* count entries, owned */
	size_t count;
	size_t capacity;
	struct name_index index; /* positions in labels */
};

/*
 * A column the data set reads as a feature.  While reading, each row holds
 * one value per use (data.x is rows x n_uses): a number, NaN when missing,
 * or for a categorical column the index of its value in the vocabulary
 * (-1 for a value the model has not seen).  finish() expands the uses into
 * the model's inputs (a one-hot block per categorical column).
 */
struct column_use {
	size_t column;          /* field of the record */
	const char *name;       /* schema mode: the model's name for it (borrowed) */
	int categorical;        /* 1 categorical, 0 numeric, -1 decided by its first value */
	struct label_table vocabulary;
	size_t unseen;          /* schema mode: values not in the vocabulary */
};

struct csv_reader {
	const struct csv_read_options *options;
	struct error *err;
	int failed;             /* an error is recorded: stop feeding */
	enum missing_policy missing; /* the policy in force */

	size_t records;         /* records completed, the header included */
	size_t prefaulted_rows; /* rows of data.x whose pages are mapped (prefault_rows) */

	/* The record being handled (csv_records.c owns the fields). */
	char **fields;
	size_t field_count;
	size_t record_line;     /* line where it started */
	int padded;             /* its fields may be read 8 bytes past their end */
	const unsigned char *is_number; /* NULL, or fields already read as numbers */
	const double *numbers;

	/* The header's names; NULL with --no-header. */
	char **header;
	size_t header_count;
	/*
	 * Made with the plan: the header's names by hash (the first column of
	 * each name), and for each column whether its name is there more than
	 * once.  So a header of many columns is matched in linear time.
	 */
	struct name_index header_index;
	unsigned char *header_repeated;
	size_t header_line;     /* line on which the header record started */
	size_t header_end_line; /* line on which the header record ended */
	size_t first_row_line;  /* line where the first data row started */
	int row_names;          /* the first column is R's row names */

	/* The column plan, fixed by the header and the first row. */
	int planned;
	size_t columns;         /* fields every data row must have */
	struct column_use *uses;
	size_t n_uses;
	size_t target_column;   /* SIZE_MAX when the data carries no target */
	char *target_name;      /* owned until it moves into the schema */
	/*
	 * Whether the uses are numeric columns side by side (their values
	 * then copied at once when all are plain numbers): RUN_UNKNOWN while
	 * a --categorical auto column has not shown what it is.
	 */
	enum { RUN_UNKNOWN, RUN_YES, RUN_NO } run;

	struct dataset data;    /* the result being built */
	size_t row_capacity;
	size_t lines_ahead;     /* csv_lines_ahead: the first capacity, when known */
	size_t dropped;         /* rows dropped for a missing value */

	struct label_table classes;
	int classes_fixed;      /* labels must be among the model's classes */
	size_t excess_class_line; /* first row with one class too many, or 0 */

	/* --stream (options->stream_row): rows handed on, and one row of inputs. */
	size_t streamed;
	double *stream_x;
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

/* Index of label, or SIZE_MAX when it is not in the table. */
static size_t label_find(const struct label_table *t, const char *label)
{
	return name_index_find(&t->index, t->labels, label);
}

/* Append a label known not to be in the table; returns its index or SIZE_MAX. */
static size_t label_add(struct label_table *t, const char *label)
{
	if (array_grow((void **)&t->labels, &t->capacity, t->count + 1, sizeof *t->labels) != 0)
		return SIZE_MAX;
	t->labels[t->count] = strdup(label);
	if (!t->labels[t->count])
		return SIZE_MAX;
	if (name_index_add(&t->index, t->labels, t->count, NULL) != 0) {
		free(t->labels[t->count]);
		return SIZE_MAX;
	}
	return t->count++;
}

static void label_table_free(struct label_table *t)
{
	free_strings(t->labels, t->count);
	name_index_free(&t->index);
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
 * Sort a table's labels (numerically when by_value and every label is a
 * number, else in byte order); *new_index (allocated, count entries) maps
 * each label's index before the sort to its index after.  The hash index
 * is rebuilt.  Returns 0, or -1 for memory.
 */
static int sort_labels(struct label_table *t, int by_value, size_t **new_index)
{
	struct sorted_label *sorted = malloc((t->count ? t->count : 1) * sizeof *sorted);
	int all_numbers = by_value;

	*new_index = malloc((t->count ? t->count : 1) * sizeof **new_index);
	if (!sorted || !*new_index) {
		free(sorted);
		free(*new_index);
		*new_index = NULL;
		return -1;
	}
	for (size_t i = 0; i < t->count; i++) {
		const char *reason;
		sorted[i].label = t->labels[i];
		sorted[i].first_seen = i;
		if (all_numbers && parse_finite_double(t->labels[i], &sorted[i].value, &reason) != 0)
			all_numbers = 0;
	}
	qsort(sorted, t->count, sizeof *sorted, all_numbers ? compare_by_value : compare_by_bytes);
	for (size_t i = 0; i < t->count; i++) {
		t->labels[i] = sorted[i].label;
		(*new_index)[sorted[i].first_seen] = i;
	}
	/* The slots are there already: entering the same labels again cannot fail. */
	name_index_clear(&t->index);
	for (size_t i = 0; i < t->count; i++)
		name_index_add(&t->index, t->labels, i, NULL);
	free(sorted);
	return 0;
}

/* Sort the classes and renumber y to match. */
static int sort_classes(struct csv_reader *r)
{
	size_t *new_index;

	if (sort_labels(&r->classes, 1, &new_index) != 0)
		return fail_memory(r);
	for (size_t row = 0; row < r->data.rows; row++)
		r->data.y[row] = (double)new_index[(size_t)r->data.y[row]];
	free(new_index);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Notes for stderr */

/* Append one line to the data set's notes.  Memory failure drops the note. */
static void add_note(struct csv_reader *r, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static void add_note(struct csv_reader *r, const char *format, ...)
{
	char line[512];
	size_t used = r->data.notes ? strlen(r->data.notes) : 0;
	va_list ap;

	va_start(ap, format);
	vsnprintf(line, sizeof line, format, ap);
	va_end(ap);
	char *notes = realloc(r->data.notes, used + strlen(line) + 2);
	if (!notes)
		return;
	snprintf(notes + used, strlen(line) + 2, "%s\n", line);
	r->data.notes = notes;
}

/* ------------------------------------------------------------------ */
/* Missing values */

static int is_blank(const char *field)
{
	for (; *field; field++)
		if (*field != ' ' && *field != '\t')
			return 0;
	return 1;
}

/* NA (R), NaN and nan (pandas, numpy), null (JSON, SQL), spaces around allowed. */
static int is_missing_spelling(const char *field)
{
	static const char *const spellings[] = { "NA", "NaN", "nan", "null" };
	size_t length;

	while (*field == ' ' || *field == '\t')
		field++;
	length = strlen(field);
	while (length && (field[length - 1] == ' ' || field[length - 1] == '\t'))
		length--;
	for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++)
		if (strlen(spellings[i]) == length && strncmp(field, spellings[i], length) == 0)
			return 1;
	return 0;
}

/* A missing value under the policy in force: spellings count only when not refusing. */
static int is_missing(const struct csv_reader *r, const char *field)
{
	return is_blank(field) || (r->missing != MISSING_REFUSE && is_missing_spelling(field));
}

/* The refusal of a missing value, with the option that would accept it. */
static int refuse_missing(struct csv_reader *r, size_t column)
{
	const char *field = r->fields[column];
	const char *hint = " (try --missing drop or --missing mean)";
	char label[256];

	if (r->options->schema_features && r->options->target_required == 0 &&
	    column != r->target_column)
		hint = " (the model was trained without --missing mean)";
	column_label(r, column, label, sizeof label);
	if (is_blank(field))
		return fail_at(r, r->record_line, "empty field in %s%s", label, hint);
	return fail_at(r, r->record_line, "%s: '%.*s%s' is not a number%s", label,
		       quoted_length(field), field, ellipsis_if_long(field), hint);
}

/* ------------------------------------------------------------------ */
/* The column plan */

/* Enter the header's names into header_index and mark the repeated ones. */
static int index_header(struct csv_reader *r)
{
	r->header_repeated = calloc(r->header_count ? r->header_count : 1, 1);
	if (!r->header_repeated)
		return fail_memory(r);
	for (size_t c = 0; c < r->header_count; c++) {
		size_t first;
		int added = name_index_add(&r->header_index, r->header, c, &first);
		if (added < 0)
			return fail_memory(r);
		if (added == 1)
			r->header_repeated[first] = r->header_repeated[c] = 1;
	}
	return 0;
}

/* The first column of the header named name, or SIZE_MAX. */
static size_t header_find(const struct csv_reader *r, const char *name)
{
	return name_index_find(&r->header_index, r->header, name);
}

/*
 * The column --target (or an item of a column list) names in a record of
 * `columns` fields: with a header a name first, then a 1-based number;
 * without one only a number.  SIZE_MAX when there is no such column.
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

int column_list_valid(const char *text)
{
	const char *p = text;

	for (;;) {
		size_t length = strcspn(p, ",");
		if (length == 0 || strspn(p, "0") == length)
			return 0;
		if (p[length] == '\0')
			return 1;
		p += length + 1;
	}
}

/*
 * The columns a list option (--features, --ignore, --categorical) names,
 * in its order, into *out (allocated; *count entries).  An item that names
 * no column, or a column named twice, is an error at the current line.
 */
static int resolve_list(struct csv_reader *r, const char *option, const char *list,
			size_t columns, size_t **out, size_t *count)
{
	char names[NAME_LIST_MAX], item[256];
	const char *p = list;
	unsigned char *named = calloc(columns ? columns : 1, 1); /* per column: listed already */
	int result = -1;

	*count = 0;
	*out = malloc((strlen(list) / 2 + 1) * sizeof **out);
	if (!*out || !named) {
		free(named);
		return fail_memory(r);
	}
	for (;;) {
		size_t length = strcspn(p, ",");
		snprintf(item, sizeof item, "%.*s", (int)length, p);
		size_t column = find_target(r, item, columns);
		if (column == SIZE_MAX) {
			if (r->header)
				fail_at(r, r->record_line, "--%s: no column '%s' (columns: %s)", option,
					item, join_names(names, sizeof names, r->header,
							 r->header_count));
			else if (!is_all_digits(item))
				fail_at(r, r->record_line, "--%s: '%s' must be a column number: the "
					"input has no header", option, item);
			else
				fail_at(r, r->record_line, "--%s: no column %s (the rows have %zu "
					"columns)", option, item, columns);
			break;
		}
		if (named[column]) {
			fail_at(r, r->record_line, "--%s names column %zu twice", option, column + 1);
			break;
		}
		named[column] = 1;
		(*out)[(*count)++] = column;
		if (p[length] == '\0') {
			result = 0;
			break;
		}
		p += length + 1;
	}
	free(named);
	return result;
}

/* In schema mode, a header field that is one of the model's names. */
static int names_model_column(const struct csv_reader *r, const char *field)
{
	const struct csv_read_options *o = r->options;

	if (!r->header || !o->schema_features)
		return 0;
	if (o->schema_target && strcmp(field, o->schema_target) == 0)
		return 1;
	for (size_t i = 0; i < o->schema_count; i++)
		if (strcmp(field, o->schema_features[i]) == 0)
			return 1;
	return 0;
}

/*
 * A first line that is one long field holding tabs, semicolons, commas
 * or spaces was split with the wrong delimiter.  Semicolons before
 * commas: a semicolon-separated file often has decimal commas.  Under
 * -d space no tab or space is left inside an unquoted field.  A header
 * naming the model's one column (a quoted "a,b") is what it says.
 */
static int check_one_field(struct csv_reader *r, size_t columns)
{
	const struct csv_read_options *o = r->options;
	const char *field = r->header ? r->header[0] : r->fields[0];
	const char *what = NULL, *option = NULL;

	if (columns != 1 || names_model_column(r, field))
		return 0;
	if (strchr(field, '\t') && o->delimiter != '\t' && !o->blank_runs) {
		what = "tabs";
		option = "-d tab";
	} else if (strchr(field, ';') && o->delimiter != ';') {
		what = "semicolons";
		option = "-d ';'";
	} else if (strchr(field, ',') && o->delimiter != ',') {
		what = "commas";
		option = "-d ,";
	} else if (!is_blank(field) && !o->blank_runs) {
		size_t start = strspn(field, " "), length = strlen(field);
		while (length > start && field[length - 1] == ' ')
			length--;
		if (memchr(field + start, ' ', length - start)) {
			what = "spaces";
			option = "-d space";
		}
	}
	if (!what)
		return 0;
	return fail_at(r, r->record_line, "the first line is one field holding %s: the fields "
		       "are probably separated by %s (try %s)", what, what, option);
}

/*
 * A header made only of numbers is probably the first data row, unless
 * it is the column numbers 0..n-1 or 1..n that pandas writes for a frame
 * without names.
 */
static int header_is_numbers(const struct csv_reader *r)
{
	int from_zero = 1, from_one = 1;

	for (size_t c = 0; c < r->header_count; c++) {
		double value;
		if (parse_finite_double(r->header[c], &value, NULL) != 0)
			return 0;
		if (value != (double)c)
			from_zero = 0;
		if (value != (double)(c + 1))
			from_one = 0;
	}
	return r->header_count > 0 && !from_zero && !from_one;
}

/* A name the --categorical hint can show unquoted, else the column number. */
static void column_reference(const struct csv_reader *r, size_t column, char *buffer,
			     size_t size)
{
	const char *name = r->header ? r->header[column] : "";

	if (*name && strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_.-") == strlen(name) && !is_all_digits(name))
		snprintf(buffer, size, "%s", name);
	else
		snprintf(buffer, size, "%zu", column + 1);
}

static int set_target_name(struct csv_reader *r, const char *name)
{
	free(r->target_name);
	r->target_name = strdup(name);
	if (!r->target_name)
		return fail_memory(r);
	return 0;
}

static int allocate_uses(struct csv_reader *r, size_t count)
{
	r->uses = calloc(count ? count : 1, sizeof *r->uses);
	if (!r->uses)
		return fail_memory(r);
	r->n_uses = count;
	r->data.features = count;
	return 0;
}

/*
 * Header names of the target and the feature columns must be there and
 * distinct: checked in column-use order, so the message names the same
 * pair a pairwise comparison would, with a hash index of the names seen.
 */
static int check_names(struct csv_reader *r)
{
	size_t count = r->n_uses + 1;
	struct name_index seen = { 0 };
	int result = 0;

	for (size_t i = 0; i < count && result == 0; i++) {
		size_t c = i < r->n_uses ? r->uses[i].column : r->target_column, other;
		if (r->header[c][0] == '\0') {
			if (c == 0)
				result = fail_at(r, r->record_line, "column 1 has no name in the "
						 "header: it is probably the row index that pandas' "
						 "to_csv or R's write.csv writes (try --ignore 1, or "
						 "write the file with index=False)");
			else
				result = fail_at(r, r->record_line, "column %zu has no name in the "
						 "header (try --ignore %zu)", c + 1, c + 1);
			break;
		}
		int added = name_index_add(&seen, r->header, c, &other);
		if (added < 0) {
			result = fail_memory(r);
		} else if (added == 1) {
			size_t later = c > other ? c : other;
			result = fail_at(r, r->record_line, "column name '%s' appears twice in the "
					 "header (try --ignore %zu)", r->header[c], later + 1);
		}
	}
	name_index_free(&seen);
	return result;
}

/* Without schema: the target, then the features the options leave. */
static int plan_all_columns(struct csv_reader *r, size_t columns)
{
	const struct csv_read_options *o = r->options;
	size_t *listed = NULL, n_listed = 0, *use_of = NULL;
	char *skip = NULL;
	int result = -1;

	r->columns = columns;
	r->target_column = columns - 1;
	if (r->header && header_is_numbers(r))
		return fail_at(r, r->record_line, "the first line holds only numbers: it is "
			       "probably data, not column names (try --no-header)");
	if (o->target && resolve_target(r, o->target, columns, &r->target_column) != 0)
		return -1;
	if (columns < 2)
		return fail_at(r, r->record_line,
			       "no feature columns: the only column is the target");
	skip = calloc(columns, 1);
	if (!skip)
		return fail_memory(r);
	skip[r->target_column] = 1;
	if (r->row_names)
		skip[0] = 1;
	if (o->ignore) {
		if (resolve_list(r, "ignore", o->ignore, columns, &listed, &n_listed) != 0)
			goto done;
		for (size_t i = 0; i < n_listed; i++) {
			if (listed[i] == r->target_column) {
				fail_at(r, r->record_line, "--ignore names the target column %zu",
					listed[i] + 1);
				goto done;
			}
			skip[listed[i]] = 1;
		}
		free(listed);
		listed = NULL;
	}
	if (o->features) {
		if (resolve_list(r, "features", o->features, columns, &listed, &n_listed) != 0 ||
		    allocate_uses(r, n_listed) != 0)
			goto done;
		for (size_t i = 0; i < n_listed; i++) {
			if (listed[i] == r->target_column) {
				fail_at(r, r->record_line, "--features names the target column %zu",
					listed[i] + 1);
				goto done;
			}
			r->uses[i].column = listed[i];
		}
		free(listed);
		listed = NULL;
	} else {
		size_t count = 0;
		for (size_t c = 0; c < columns; c++)
			count += !skip[c];
		if (count == 0) {
			fail_at(r, r->record_line, "no feature columns left: every column is "
				"ignored or the target");
			goto done;
		}
		if (allocate_uses(r, count) != 0)
			goto done;
		count = 0;
		for (size_t c = 0; c < columns; c++)
			if (!skip[c])
				r->uses[count++].column = c;
	}
	/* Names must tell the columns apart: prediction matches by name. */
	if (r->header && check_names(r) != 0)
		goto done;
	if (o->categorical && strcmp(o->categorical, "auto") == 0) {
		for (size_t u = 0; u < r->n_uses; u++)
			r->uses[u].categorical = -1;
	} else if (o->categorical) {
		if (resolve_list(r, "categorical", o->categorical, columns, &listed, &n_listed) != 0)
			goto done;
		/* The use of each column (SIZE_MAX: none), so a long list stays linear. */
		use_of = malloc(columns * sizeof *use_of);
		if (!use_of) {
			fail_memory(r);
			goto done;
		}
		for (size_t c = 0; c < columns; c++)
			use_of[c] = SIZE_MAX;
		for (size_t u = 0; u < r->n_uses; u++)
			use_of[r->uses[u].column] = u;
		for (size_t i = 0; i < n_listed; i++) {
			size_t u = use_of[listed[i]];
			if (u == SIZE_MAX) {
				fail_at(r, r->record_line, "--categorical names column %zu, which is "
					"not a feature", listed[i] + 1);
				goto done;
			}
			r->uses[u].categorical = 1;
		}
	}
	if (r->header)
		result = set_target_name(r, r->header[r->target_column]);
	else
		result = set_target_name(r, "y");
done:
	free(listed);
	free(use_of);
	free(skip);
	return result;
}

/*
 * Schema mode: the model's columns.  A categorical column of the model is
 * several inputs of one name (schema_column_width); its vocabulary, in the
 * model's order, is the only one.
 */
static int plan_model_uses(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;
	const struct schema *m = o->model_schema;
	size_t n = 0;

	if (allocate_uses(r, o->schema_count) != 0)
		return -1;
	for (size_t j = 0; j < o->schema_count;) {
		size_t width = m ? schema_column_width(m, j) : 1;
		struct column_use *use = &r->uses[n++];
		use->name = o->schema_features[j];
		use->categorical = m && m->feature_category && m->feature_category[j];
		for (size_t k = 0; use->categorical && k < width; k++)
			if (label_find(&use->vocabulary, m->feature_category[j + k]) == SIZE_MAX &&
			    label_add(&use->vocabulary, m->feature_category[j + k]) == SIZE_MAX)
				return fail_memory(r);
		j += width;
	}
	r->n_uses = n;
	r->data.features = n;
	return 0;
}

/* Schema mode with a header: match the model's features by name. */
static int plan_schema_by_name(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;

	r->columns = r->header_count;
	for (size_t u = 0; u < r->n_uses; u++) {
		const char *name = r->uses[u].name;
		size_t column = header_find(r, name);
		if (column == SIZE_MAX)
			return fail_at(r, r->record_line, "missing column '%s' required by the model%s",
				       name, header_is_numbers(r) ? " (try --no-header)" : "");
		if (r->header_repeated[column])
			return fail_at(r, r->record_line,
				       "column name '%s' appears twice in the header",
				       r->header[column]);
		r->uses[u].column = column;
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
	for (size_t u = 0; u < r->n_uses; u++)
		if (r->uses[u].column == r->target_column)
			return fail_at(r, r->record_line,
				       "column '%s' cannot be both the target and a feature of the model",
				       r->header[r->target_column]);
	return set_target_name(r, r->header[r->target_column]);
}

/* Schema mode without a header: the model's features by position. */
static int plan_schema_by_position(struct csv_reader *r, size_t columns)
{
	const struct csv_read_options *o = r->options;
	size_t with_target = r->n_uses + 1;

	r->columns = columns;
	r->target_column = SIZE_MAX;
	if (columns == with_target) {
		r->target_column = columns - 1;
		if (o->target && resolve_target(r, o->target, columns, &r->target_column) != 0)
			return -1;
	} else if (columns != r->n_uses || o->target_required) {
		if (o->target_required)
			return fail_at(r, r->record_line, "expected %zu fields, found %zu",
				       with_target, columns);
		return fail_at(r, r->record_line, "expected %zu or %zu fields, found %zu",
			       r->n_uses, with_target, columns);
	}
	size_t u = 0;
	for (size_t c = 0; c < columns; c++)
		if (c != r->target_column)
			r->uses[u++].column = c;
	if (r->target_column == SIZE_MAX)
		return 0;
	return set_target_name(r, o->schema_target ? o->schema_target : "y");
}

/* Decide, from the header and the first row, which column is what. */
static int plan_columns(struct csv_reader *r, size_t columns)
{
	const struct csv_read_options *o = r->options;
	int result;

	r->planned = 1;
	if (check_one_field(r, columns) != 0)
		return -1;
	if (!o->schema_features)
		return plan_all_columns(r, columns);

	if (plan_model_uses(r) != 0)
		return -1;
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

/*
 * Plan with messages at the header's line (or the first row's without a
 * header).  A header one field shorter than the first row is R's
 * write.table convention: the first column holds row names.
 */
static int plan_from_first_row(struct csv_reader *r)
{
	size_t line = r->record_line;
	int result;

	if (r->header && r->field_count == r->header_count + 1 && r->records > 1) {
		char **header = realloc(r->header, (r->header_count + 1) * sizeof *header);
		if (!header)
			return fail_memory(r);
		memmove(header + 1, header, r->header_count * sizeof *header);
		r->header = header;
		r->header_count++;
		r->header[0] = strdup("");
		if (!r->header[0])
			return fail_memory(r);
		r->row_names = 1;
		add_note(r, "the header has one field fewer than the rows: taking the first column "
			 "as row names (as R's write.table writes them)");
	}
	if (r->header) {
		r->record_line = r->header_line;
		if (index_header(r) != 0)
			return -1;
	}
	result = plan_columns(r, r->header ? r->header_count : r->field_count);
	r->record_line = line;
	return result;
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
	return 0;
}

static int add_row_space(struct csv_reader *r)
{
	/* A file's estimated line count holds every row at once: the rows do not move. */
	size_t first = r->lines_ahead > 256 ? r->lines_ahead : 256;
	size_t capacity = r->row_capacity ? 2 * r->row_capacity : first;
	size_t features = r->data.features ? r->data.features : 1;
	double *x, *y;
	size_t *line;

	if (r->row_capacity >= SIZE_MAX / 2 || capacity > SIZE_MAX / sizeof *x / features)
		return fail_memory(r);
	x = realloc(r->data.x, capacity * features * sizeof *x);
	if (!x)
		return fail_memory(r);
	r->data.x = x;
	line = realloc(r->data.lines, capacity * sizeof *line);
	if (!line)
		return fail_memory(r);
	r->data.lines = line;
	if (r->target_column != SIZE_MAX) {
		y = realloc(r->data.y, capacity * sizeof *y);
		if (!y)
			return fail_memory(r);
		r->data.y = y;
	}
	r->row_capacity = capacity;
	return 0;
}

/*
 * Map the next rows' pages of x before they are written (array_prefault):
 * PREFAULT_BYTES at a time, so that the memory in use runs at most that
 * far ahead of the rows read.  The pages of rows below prefaulted_rows
 * stay mapped when add_row_space moves the array (realloc keeps them).
 */
#define PREFAULT_BYTES ((size_t)2 << 20)

static void prefault_rows(struct csv_reader *r)
{
	size_t row_bytes = (r->data.features ? r->data.features : 1) * sizeof *r->data.x;
	size_t rows = PREFAULT_BYTES / row_bytes ? PREFAULT_BYTES / row_bytes : 1;
	size_t row = r->data.rows, end = row + rows < r->row_capacity ? row + rows : r->row_capacity;

	array_prefault((char *)r->data.x + row * row_bytes, (end - row) * row_bytes);
	r->prefaulted_rows = end;
}

/*
 * The option that would accept a non-number in a column: -t 1 when the
 * first column is text and the target was left at the last one (the
 * target is probably there), --categorical for another feature, another
 * model for a text target.
 */
static void number_hint(const struct csv_reader *r, size_t column, char *hint, size_t size)
{
	const struct csv_read_options *o = r->options;
	char reference[256];

	hint[0] = '\0';
	/* A malformed number ("1.5x", "0x10") is a typo, not text to encode. */
	const char *field = r->fields[column] + strspn(r->fields[column], " ");
	if (o->schema_features || strchr("0123456789+-.", *field))
		return;
	if (column == r->target_column) {
		snprintf(hint, size, " (try --model softmax)");
	} else if (column == 0 && !o->target && !o->categorical) {
		snprintf(hint, size, " (try -t 1)");
	} else {
		column_reference(r, column, reference, sizeof reference);
		snprintf(hint, size, " (try --categorical %s)", reference);
	}
}

static int read_number(struct csv_reader *r, size_t column, double *value)
{
	const char *field = r->fields[column];
	const char *reason;
	char label[256], hint[300];

	if (parse_finite_double(field, value, &reason) == 0)
		return 0;
	column_label(r, column, label, sizeof label);
	if (strcmp(reason, "empty field") == 0 || is_missing_spelling(field))
		return refuse_missing(r, column);
	if (strcmp(reason, "out of range") == 0)
		return fail_at(r, r->record_line, "%s: '%.*s%s' is out of range", label,
			       quoted_length(field), field, ellipsis_if_long(field));
	number_hint(r, column, hint, sizeof hint);
	return fail_at(r, r->record_line, "%s: '%.*s%s' is %s%s", label, quoted_length(field),
		       field, ellipsis_if_long(field), reason,
		       strcmp(reason, "not a number") == 0 ? hint : "");
}

/* A categorical value: its index in the vocabulary, -1 when the model lacks it. */
static int read_category(struct csv_reader *r, struct column_use *use, double *value)
{
	const char *field = r->fields[use->column];
	size_t index = label_find(&use->vocabulary, field);

	if (index == SIZE_MAX) {
		if (r->options->schema_features) {
			use->unseen++;
			*value = -1.0;
			return 0;
		}
		index = label_add(&use->vocabulary, field);
		if (index == SIZE_MAX)
			return fail_memory(r);
	}
	*value = (double)index;
	return 0;
}

/* The class index of this row's label, kept in first-seen order for now. */
static int read_class(struct csv_reader *r, double *class_index)
{
	const struct csv_read_options *o = r->options;
	const char *field = r->fields[r->target_column];
	size_t index;

	if (field[0] == '\0')
		return refuse_missing(r, r->target_column);
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

/* Whether the row has a missing value that drops it under --missing drop or mean. */
static int row_is_dropped(const struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;

	if (r->target_column != SIZE_MAX && r->missing != MISSING_REFUSE &&
	    (o->target_required || !o->schema_features) &&
	    is_missing(r, r->fields[r->target_column]))
		return 1;
	if (r->missing != MISSING_DROP)
		return 0;
	for (size_t u = 0; u < r->n_uses; u++)
		if (is_missing(r, r->fields[r->uses[u].column]))
			return 1;
	return 0;
}

/* Whether the n bytes at flags are all nonzero. */
static int all_flags_set(const unsigned char *flags, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!flags[i])
			return 0;
	return 1;
}

/* What r->run should say, now that a row has been read. */
static int uses_run(const struct csv_reader *r)
{
	int unknown = 0;

	if (r->n_uses == 0)
		return RUN_NO;
	for (size_t u = 0; u < r->n_uses; u++) {
		if (r->uses[u].categorical > 0 || r->uses[u].column != r->uses[0].column + u)
			return RUN_NO;
		if (r->uses[u].categorical < 0)
			unknown = 1;
	}
	return unknown ? RUN_UNKNOWN : RUN_YES;
}

static int stream_begin(struct csv_reader *r);
static int stream_take(struct csv_reader *r);

static int take_row(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;
	size_t row = r->data.rows;
	double *x;

	if (r->field_count != r->columns)
		return fail_at(r, r->record_line, "expected %zu fields, found %zu", r->columns,
			       r->field_count);
	if (row_is_dropped(r)) {
		r->dropped++;
		return 0;
	}
	if (row == r->row_capacity && add_row_space(r) != 0)
		return -1;
	if (row == r->prefaulted_rows)
		prefault_rows(r);
	x = r->data.x + row * r->n_uses;
	if (r->run == RUN_YES && r->is_number &&
	    all_flags_set(r->is_number + r->uses[0].column, r->n_uses)) {
		memcpy(x, r->numbers + r->uses[0].column, r->n_uses * sizeof *x);
		goto target;
	}
	for (size_t u = 0; u < r->n_uses; u++) {
		struct column_use *use = &r->uses[u];
		/* The common case first: a plain number is never missing. */
		if (use->categorical == 0 && r->is_number && r->is_number[use->column]) {
			x[u] = r->numbers[use->column];
			continue;
		}
		const char *field = r->fields[use->column];
		if (use->categorical == 0 && (r->padded ? parse_number_padded(field, &x[u]) :
					      parse_number_fast(field, &x[u])))
			continue;
		if (is_missing(r, field)) {
			if (r->missing != MISSING_MEAN)
				return refuse_missing(r, use->column);
			x[u] = NAN;
			continue;
		}
		if (use->categorical < 0) {
			/* --categorical auto: a column is what its first value is. */
			double value;
			use->categorical = parse_finite_double(field, &value, NULL) != 0;
		}
		if ((use->categorical ? read_category(r, use, &x[u]) : read_number(r, use->column,
										   &x[u])) != 0)
			return -1;
	}
	if (r->run == RUN_UNKNOWN)
		r->run = uses_run(r);
target:
	if (r->target_column != SIZE_MAX) {
		const char *field = r->fields[r->target_column];
		int result;
		if (!o->classification && r->is_number && r->is_number[r->target_column])
			result = 0, r->data.y[row] = r->numbers[r->target_column];
		else if (!o->classification && (r->padded ? parse_number_padded(field, &r->data.y[row]) :
					   parse_number_fast(field, &r->data.y[row])))
			result = 0;
		else if (o->schema_features && !o->target_required && is_missing(r, field))
			result = 0, r->data.y[row] = NAN;       /* prediction: y is not used */
		else
			result = o->classification ? read_class(r, &r->data.y[row]) :
				 read_number(r, r->target_column, &r->data.y[row]);
		if (result != 0)
			return -1;
	}
	r->data.lines[row] = r->record_line;
	r->data.rows++;
	if (o->stream_row)
		return stream_take(r);
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
	r->padded = record->padded;
	r->is_number = record->is_number;
	r->numbers = record->numbers;
	r->records++;
	if (r->records == 1 && r->options->has_header) {
		r->header_line = record->line;
		r->header_end_line = record->end_line;
		take_header(r);
	} else {
		if (r->data.rows == 0 && !r->first_row_line)
			r->first_row_line = record->line;
		if (r->planned || (plan_from_first_row(r) == 0 && stream_begin(r) == 0))
			take_row(r);
	}
	return r->failed ? -1 : 0;
}

static void reader_free(struct csv_reader *r)
{
	free_strings(r->header, r->header_count);
	name_index_free(&r->header_index);
	free(r->header_repeated);
	for (size_t u = 0; u < r->n_uses; u++)
		label_table_free(&r->uses[u].vocabulary);
	free(r->uses);
	free(r->stream_x);
	free(r->target_name);
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

/*
 * The uses become the model's inputs: each categorical column's
 * vocabulary sorted in byte order (training) and one-hot encoded, every
 * input named after its column; the schema is allocated here.
 */
static int build_inputs(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;
	struct schema *s = &r->data.schema;
	size_t inputs = 0, rows = r->data.rows, uses = r->n_uses;
	int any_categorical = 0;
	char name[32];

	for (size_t u = 0; u < uses; u++) {
		struct column_use *use = &r->uses[u];
		if (use->categorical < 0)
			use->categorical = 0;   /* auto, and never a value: numeric */
		if (!use->categorical) {
			inputs++;
			continue;
		}
		any_categorical = 1;
		if (use->vocabulary.count == 0)
			return fail_at(r, r->first_row_line, "categorical column %zu has no values",
				       use->column + 1);
		if (!o->schema_features) {
			size_t *new_index;
			if (sort_labels(&use->vocabulary, 0, &new_index) != 0)
				return fail_memory(r);
			for (size_t i = 0; i < rows; i++) {
				double *value = &r->data.x[i * uses + u];
				if (!isnan(*value))
					*value = (double)new_index[(size_t)*value];
			}
			free(new_index);
		}
		inputs += use->vocabulary.count;
	}
	if (schema_allocate(s, inputs, 0, r->err) != 0 ||
	    (any_categorical && schema_allocate_categories(s, r->err) != 0)) {
		r->failed = 1;
		return -1;
	}
	size_t j = 0;
	for (size_t u = 0; u < uses; u++) {
		const struct column_use *use = &r->uses[u];
		size_t width = use->categorical ? use->vocabulary.count : 1;
		/* Without a header a feature is named after its column: x1, x2, ... */
		snprintf(name, sizeof name, "x%zu", use->column + 1);
		const char *column_name = use->name ? use->name : r->header ?
					  r->header[use->column] : name;
		for (size_t k = 0; k < width; k++, j++) {
			s->feature_names[j] = strdup(column_name);
			if (!s->feature_names[j] || (use->categorical &&
			    !(s->feature_category[j] = strdup(use->vocabulary.labels[k]))))
				return fail_memory(r);
		}
	}
	if (any_categorical) {
		double *x = malloc((rows ? rows : 1) * (inputs ? inputs : 1) * sizeof *x);
		if (!x)
			return fail_memory(r);
		for (size_t i = 0; i < rows; i++) {
			const double *from = r->data.x + i * uses;
			double *to = x + i * inputs;
			for (size_t u = 0; u < uses; u++) {
				const struct column_use *use = &r->uses[u];
				if (!use->categorical) {
					*to++ = from[u];
					continue;
				}
				/* Missing: NaN in every input; unseen (-1): all zeros. */
				for (size_t k = 0; k < use->vocabulary.count; k++)
					*to++ = isnan(from[u]) ? NAN : from[u] == (double)k ? 1.0 : 0.0;
			}
		}
		free(r->data.x);
		r->data.x = x;
		r->row_capacity = rows;
	}
	r->data.features = inputs;
	for (size_t u = 0; u < uses; u++)
		if (r->uses[u].unseen)
			add_note(r, "%zu values of column '%s' were not seen in training",
				 r->uses[u].unseen, r->uses[u].name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* --stream: rows handed on as they are read (dataset.h, stream_row) */

/*
 * Right after the plan: the inputs and the classes must be known now,
 * because no row is kept to decide them later.  The schema is built
 * without rows and offered to stream_start.
 */
static int stream_begin(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;
	struct schema *s = &r->data.schema;

	if (!o->stream_row)
		return 0;
	for (size_t u = 0; u < r->n_uses; u++)
		if (r->uses[u].categorical && !o->schema_features)
			return fail_at(r, r->record_line, "--stream cannot one-hot encode column %zu: "
				       "its values are not known before the first row (try --init "
				       "MODEL, a model trained with --categorical)",
				       r->uses[u].column + 1);
	if (o->classification && !r->classes_fixed) {
		size_t *new_index;
		if (!o->schema_classes) {
			r->failed = 1;
			return error_set(r->err, EXIT_USAGE, "--stream needs the classes before the "
					 "first row (try --classes or --init)");
		}
		r->classes_fixed = 1;
		for (size_t k = 0; k < o->schema_n_classes; k++)
			if (label_find(&r->classes, o->schema_classes[k]) == SIZE_MAX &&
			    label_add(&r->classes, o->schema_classes[k]) == SIZE_MAX)
				return fail_memory(r);
		/* In the order the reader would have given them. */
		if (sort_labels(&r->classes, 1, &new_index) != 0)
			return fail_memory(r);
		free(new_index);
	}
	if (build_inputs(r) != 0)
		return -1;
	s->target_name = r->target_name;
	r->target_name = NULL;
	if (o->classification && r->classes.count) {
		s->class_labels = calloc(r->classes.count, sizeof *s->class_labels);
		if (!s->class_labels)
			return fail_memory(r);
		s->n_classes = r->classes.count;
		r->data.n_classes = r->classes.count;
		for (size_t k = 0; k < r->classes.count; k++)
			if (!(s->class_labels[k] = strdup(r->classes.labels[k])))
				return fail_memory(r);
	}
	r->stream_x = malloc((r->data.features ? r->data.features : 1) * sizeof *r->stream_x);
	if (!r->stream_x)
		return fail_memory(r);
	if (o->stream_start(o->stream_context, &r->data, r->err) != 0) {
		r->failed = 1;
		return -1;
	}
	return 0;
}

/* The row just converted (row 0 of data.x, one value per use), encoded and handed on. */
static int stream_take(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;
	const double *from = r->data.x;
	double *to = r->stream_x;

	for (size_t u = 0; u < r->n_uses; u++) {
		const struct column_use *use = &r->uses[u];
		if (!use->categorical) {
			*to++ = from[u];
			continue;
		}
		/* As build_inputs: missing, NaN in every input; unseen (-1), all zeros. */
		for (size_t k = 0; k < use->vocabulary.count; k++)
			*to++ = isnan(from[u]) ? NAN : from[u] == (double)k ? 1.0 : 0.0;
	}
	r->data.rows = 0;
	r->streamed++;
	if (o->stream_row(o->stream_context, r->stream_x,
			  r->data.y ? r->data.y[0] : NAN, r->err) != 0) {
		r->failed = 1;
		return -1;
	}
	return 0;
}

/* After the last record: checks that need the whole input. */
static int finish(struct csv_reader *r)
{
	const struct csv_read_options *o = r->options;

	if (r->records == 0)
		return fail_at(r, 1, "empty input");
	if (!r->planned) {
		/* A header without rows: its plan's errors come first. */
		r->record_line = r->header_line;
		if ((r->header && index_header(r) != 0) || plan_columns(r, r->header_count) != 0)
			return -1;
	}
	if (r->data.rows == 0 && r->streamed == 0) {
		if (r->dropped)
			return fail_at(r, r->first_row_line, "no rows left: every one of the %zu "
				       "rows has a missing value", r->dropped);
		return fail_at(r, r->header_end_line + 1, "no data rows after the header");
	}
	if (r->dropped)
		add_note(r, "dropped %zu rows with missing values", r->dropped);
	if (o->stream_row) {
		for (size_t u = 0; u < r->n_uses; u++)
			if (r->uses[u].unseen)
				add_note(r, "%zu values of column '%s' were not seen in training",
					 r->uses[u].unseen, r->uses[u].name);
		return 0;
	}
	if (o->classification && r->excess_class_line) {
		char hint[256] = "";
		if (looks_like_regression(&r->classes))
			snprintf(hint, sizeof hint, ": its values look like a real-valued target "
				 "(try --model linear)");
		else if (o->too_many_classes_hint)
			snprintf(hint, sizeof hint, " (%s)", o->too_many_classes_hint);
		if (o->model_name)
			return fail_at(r, r->excess_class_line,
				       "target '%s' has %zu classes; %s needs %d%s",
				       r->target_name, r->classes.count, o->model_name,
				       o->max_classes, hint);
		return fail_at(r, r->excess_class_line,
			       "target '%s' has %zu classes; at most %d allowed%s",
			       r->target_name, r->classes.count, o->max_classes, hint);
	}
	if (o->classification && !r->classes_fixed && r->target_column != SIZE_MAX) {
		if (r->classes.count < 2)
			return fail_at(r, r->first_row_line, "only one class '%s' in target '%s'",
				       r->classes.labels[0], r->target_name);
		if (sort_classes(r) != 0)
			return -1;
	}
	if (build_inputs(r) != 0)
		return -1;
	r->data.schema.target_name = r->target_name;
	r->target_name = NULL;
	if (!o->classification || (!r->classes_fixed && r->target_column == SIZE_MAX))
		return 0;
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

	smaller = realloc(r->data.x, (r->data.rows ? r->data.rows : 1) * features * sizeof *smaller);
	if (smaller)
		r->data.x = smaller;
	if (r->data.y) {
		smaller = realloc(r->data.y, (r->data.rows ? r->data.rows : 1) * sizeof *smaller);
		if (smaller)
			r->data.y = smaller;
	}
	if (r->data.lines) {
		size_t *lines = realloc(r->data.lines, (r->data.rows ? r->data.rows : 1) *
					sizeof *lines);
		if (lines)
			r->data.lines = lines;
	}
}

int csv_read_dataset(FILE *in, const struct csv_read_options *options, struct dataset *out,
		     struct error *err)
{
	struct csv_records_options records = {
		.source = options->source, .delimiter = options->delimiter,
		.blank_runs = options->blank_runs, .threads = options->threads,
	};
	struct csv_reader reader;
	int result;

	memset(out, 0, sizeof *out);
	memset(&reader, 0, sizeof reader);
	reader.options = options;
	reader.err = err;
	reader.target_column = SIZE_MAX;
	reader.missing = options->missing;
	if (options->schema_features) {
		/* The model decides: its training means, or no missing value at all. */
		if (options->model_schema && options->model_schema->feature_fill)
			reader.missing = MISSING_MEAN;
		else if (reader.missing == MISSING_MEAN)
			reader.missing = MISSING_REFUSE;
	}

	if (!options->stream_row)
		reader.lines_ahead = csv_lines_ahead(in);
	result = csv_records_read(in, &records, take_record, &reader, NULL, err);
	if (result == 0)
		result = finish(&reader);
	if (result != 0) {
		reader_free(&reader);
		return -1;
	}
	shrink_rows(&reader);
	reader.data.source = options->source;
	*out = reader.data;
	memset(&reader.data, 0, sizeof reader.data);
	reader_free(&reader);
	return 0;
}
