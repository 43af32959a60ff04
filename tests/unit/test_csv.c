/* test_csv.c - the CSV reader and the data set statistics.
 *
 * Every test reads a small CSV text from memory (fmemopen) and checks one
 * behaviour: what is accepted and how it lands in the struct dataset, and
 * every refusal with its exact status and "<stdin>:LINE: message".  Run
 * under valgrind (CK_FORK=no) to see that no error path leaks.
 */
#define _GNU_SOURCE             /* fmemopen, fopencookie */

#include "unit.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_records.h"
#include "dataset.h"
#include "parse.h"

static struct csv_read_options plain_options(void)
{
	struct csv_read_options options = {
		.source = "<stdin>",
		.delimiter = ',',
		.has_header = 1,
	};
	return options;
}

static struct csv_read_options logistic_options(void)
{
	struct csv_read_options options = plain_options();

	options.classification = 1;
	options.max_classes = 2;
	options.model_name = "logistic";
	options.too_many_classes_hint = "try --model softmax";
	return options;
}

/* Read `size` bytes of text (which may hold NUL bytes). */
static int read_bytes(const char *text, size_t size, const struct csv_read_options *options,
		      struct dataset *d, struct error *err)
{
	static const char nothing[1] = "";
	/* fmemopen wants at least one byte of buffer even for empty input. */
	FILE *in = size ? fmemopen((void *)text, size, "r") : fmemopen((void *)nothing, 1, "r");
	int result;

	ck_assert_ptr_nonnull(in);
	if (!size)
		fgetc(in);      /* consume the one byte: the stream is now at its end */
	result = csv_read_dataset(in, options, d, err);
	fclose(in);
	return result;
}

static int read_text(const char *text, const struct csv_read_options *options,
		     struct dataset *d, struct error *err)
{
	return read_bytes(text, strlen(text), options, d, err);
}

/* Read text that must be accepted. */
static void accept(const char *text, const struct csv_read_options *options, struct dataset *d)
{
	struct error err = { 0 };

	if (read_text(text, options, d, &err) != 0)
		ck_abort_msg("refused: %s", err.message);
}

static void assert_empty(const struct dataset *d)
{
	ck_assert_uint_eq(d->rows, 0);
	ck_assert_uint_eq(d->features, 0);
	ck_assert_ptr_null(d->x);
	ck_assert_ptr_null(d->y);
	ck_assert_ptr_null(d->schema.feature_names);
	ck_assert_ptr_null(d->schema.target_name);
	ck_assert_uint_eq(d->n_classes, 0);
	ck_assert_ptr_null(d->schema.class_labels);
}

/* Bytes that must be refused with this status and exactly this message. */
static void refuse_bytes(const char *text, size_t size, const struct csv_read_options *options,
			 int status, const char *message)
{
	struct dataset d;
	struct error err = { 0 };

	memset(&d, 0x5a, sizeof d);     /* the reader must clear it */
	ck_assert_int_eq(read_bytes(text, size, options, &d, &err), -1);
	ck_assert_str_eq(err.message, message);
	ck_assert_int_eq(err.status, status);
	assert_empty(&d);
}

static void refuse(const char *text, const struct csv_read_options *options,
		   const char *message)
{
	refuse_bytes(text, strlen(text), options, 65, message);
}

static double x_at(const struct dataset *d, size_t row, size_t feature)
{
	return d->x[row * d->features + feature];
}

/* ------------------------------------------------------------------ */
/* Accepted input */

START_TEST(test_basic_layout)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("a,b,y\n1,2,3\n4,5,6\n", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_uint_eq(d.features, 2);
	ck_assert_str_eq(d.schema.feature_names[0], "a");
	ck_assert_str_eq(d.schema.feature_names[1], "b");
	ck_assert_str_eq(d.schema.target_name, "y");
	ck_assert_double_eq(x_at(&d, 0, 0), 1);
	ck_assert_double_eq(x_at(&d, 0, 1), 2);
	ck_assert_double_eq(x_at(&d, 1, 0), 4);
	ck_assert_double_eq(x_at(&d, 1, 1), 5);
	ck_assert_double_eq(d.y[0], 3);
	ck_assert_double_eq(d.y[1], 6);
	ck_assert_uint_eq(d.n_classes, 0);
	ck_assert_ptr_null(d.schema.class_labels);
	dataset_free(&d);
}
END_TEST

START_TEST(test_quoted_header_names)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("\"a,b\",\"say \"\"hi\"\"\",y\n1,2,3\n", &options, &d);
	ck_assert_uint_eq(d.features, 2);
	ck_assert_str_eq(d.schema.feature_names[0], "a,b");
	ck_assert_str_eq(d.schema.feature_names[1], "say \"hi\"");
	ck_assert_double_eq(d.y[0], 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_crlf)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("a,y\r\n1,2\r\n3,4\r\n", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_str_eq(d.schema.target_name, "y");
	ck_assert_double_eq(d.y[1], 4);
	dataset_free(&d);
}
END_TEST

START_TEST(test_byte_order_mark)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("\xEF\xBB\xBF" "a,y\n1,2\n", &options, &d);
	ck_assert_str_eq(d.schema.feature_names[0], "a");
	ck_assert_uint_eq(d.rows, 1);
	dataset_free(&d);
}
END_TEST

START_TEST(test_no_final_newline)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("a,y\n1,2\n3,4", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_double_eq(d.y[1], 4);
	dataset_free(&d);
}
END_TEST

START_TEST(test_trailing_blank_lines)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("a,y\n1,2\n\n\r\n  \n", &options, &d);
	ck_assert_uint_eq(d.rows, 1);
	dataset_free(&d);
}
END_TEST

START_TEST(test_blank_line_in_the_middle_is_skipped)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("a,y\n1,2\n\n3,4\n", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_double_eq(d.y[1], 4);
	dataset_free(&d);
}
END_TEST

START_TEST(test_spaces_around_numbers)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("a,b,y\n  1.5 ,\" \t-2e3  \",\t7\n", &options, &d);
	ck_assert_double_eq(x_at(&d, 0, 0), 1.5);
	ck_assert_double_eq(x_at(&d, 0, 1), -2000);
	ck_assert_double_eq(d.y[0], 7);
	dataset_free(&d);
}
END_TEST

START_TEST(test_no_header)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.has_header = 0;
	accept("1,2,3\n4,5,6\n", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_uint_eq(d.features, 2);
	ck_assert_str_eq(d.schema.feature_names[0], "x1");
	ck_assert_str_eq(d.schema.feature_names[1], "x2");
	ck_assert_str_eq(d.schema.target_name, "y");
	ck_assert_double_eq(x_at(&d, 0, 0), 1);
	ck_assert_double_eq(d.y[0], 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_no_header_target_by_number)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.has_header = 0;
	options.target = "1";
	accept("1,2,3\n", &options, &d);
	ck_assert_double_eq(d.y[0], 1);
	ck_assert_str_eq(d.schema.feature_names[0], "x2");
	ck_assert_str_eq(d.schema.feature_names[1], "x3");
	ck_assert_double_eq(x_at(&d, 0, 0), 2);
	ck_assert_double_eq(x_at(&d, 0, 1), 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_target_by_name)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.target = "b";
	accept("a,b,c\n1,2,3\n", &options, &d);
	ck_assert_str_eq(d.schema.target_name, "b");
	ck_assert_double_eq(d.y[0], 2);
	ck_assert_str_eq(d.schema.feature_names[0], "a");
	ck_assert_str_eq(d.schema.feature_names[1], "c");
	ck_assert_double_eq(x_at(&d, 0, 1), 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_target_by_number)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.target = "1";
	accept("a,b,c\n1,2,3\n", &options, &d);
	ck_assert_str_eq(d.schema.target_name, "a");
	ck_assert_double_eq(d.y[0], 1);
	ck_assert_double_eq(x_at(&d, 0, 0), 2);
	dataset_free(&d);
}
END_TEST

START_TEST(test_target_name_before_number)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	/* A column named "3" wins over the third column. */
	options.target = "3";
	accept("3,b,c\n1,2,5\n", &options, &d);
	ck_assert_str_eq(d.schema.target_name, "3");
	ck_assert_double_eq(d.y[0], 1);
	dataset_free(&d);
}
END_TEST

START_TEST(test_semicolon_delimiter)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.delimiter = ';';
	accept("a;b,c;y\n1.5;2;3\n", &options, &d);
	ck_assert_uint_eq(d.features, 2);
	ck_assert_str_eq(d.schema.feature_names[1], "b,c");
	ck_assert_double_eq(x_at(&d, 0, 0), 1.5);
	ck_assert_double_eq(d.y[0], 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_tab_delimiter)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.delimiter = '\t';
	accept("a\tb\ty\n1\t2\t3\n", &options, &d);
	ck_assert_uint_eq(d.features, 2);
	ck_assert_double_eq(x_at(&d, 0, 1), 2);
	ck_assert_double_eq(d.y[0], 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_regression_target_value)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("a,y\n1,-0.25\n2,1e3\n", &options, &d);
	ck_assert_double_eq(d.y[0], -0.25);
	ck_assert_double_eq(d.y[1], 1000);
	ck_assert_uint_eq(d.n_classes, 0);
	dataset_free(&d);
}
END_TEST

START_TEST(test_numeric_labels_sorted_numerically)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.classification = 1;
	accept("a,y\n1,10\n2,9\n3,10\n4,-1\n", &options, &d);
	ck_assert_uint_eq(d.n_classes, 3);
	ck_assert_str_eq(d.schema.class_labels[0], "-1");
	ck_assert_str_eq(d.schema.class_labels[1], "9");
	ck_assert_str_eq(d.schema.class_labels[2], "10");
	ck_assert_double_eq(d.y[0], 2);
	ck_assert_double_eq(d.y[1], 1);
	ck_assert_double_eq(d.y[2], 2);
	ck_assert_double_eq(d.y[3], 0);
	dataset_free(&d);
}
END_TEST

START_TEST(test_string_labels_in_byte_order)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.classification = 1;
	accept("a,y\n1,b\n2,B\n3,a\n4,b\n", &options, &d);
	ck_assert_uint_eq(d.n_classes, 3);
	ck_assert_str_eq(d.schema.class_labels[0], "B");
	ck_assert_str_eq(d.schema.class_labels[1], "a");
	ck_assert_str_eq(d.schema.class_labels[2], "b");
	ck_assert_double_eq(d.y[0], 2);
	ck_assert_double_eq(d.y[1], 0);
	ck_assert_double_eq(d.y[2], 1);
	ck_assert_double_eq(d.y[3], 2);
	dataset_free(&d);
}
END_TEST

START_TEST(test_mixed_labels_in_byte_order)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	/* One label is not a number: all sort as bytes, "10" before "9". */
	options.classification = 1;
	accept("a,y\n1,9\n2,10\n3,x\n", &options, &d);
	ck_assert_str_eq(d.schema.class_labels[0], "10");
	ck_assert_str_eq(d.schema.class_labels[1], "9");
	ck_assert_str_eq(d.schema.class_labels[2], "x");
	dataset_free(&d);
}
END_TEST

START_TEST(test_two_classes_for_logistic)
{
	struct csv_read_options options = logistic_options();
	struct dataset d;

	accept("a,y\n1,yes\n2,no\n", &options, &d);
	ck_assert_uint_eq(d.n_classes, 2);
	ck_assert_str_eq(d.schema.class_labels[0], "no");
	ck_assert_double_eq(d.y[0], 1);
	ck_assert_double_eq(d.y[1], 0);
	dataset_free(&d);
}
END_TEST

START_TEST(test_underflow_is_accepted)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	accept("a,y\n1e-400,4.9406564584124654e-324\n", &options, &d);
	ck_assert_double_eq(x_at(&d, 0, 0), 0);
	ck_assert(d.y[0] > 0 && d.y[0] < 1e-300);
	dataset_free(&d);
}
END_TEST

START_TEST(test_many_rows)
{
	struct csv_read_options options = plain_options();
	size_t rows = 100000;
	size_t size = 16 + rows * 32;
	char *text = malloc(size);
	size_t used;
	struct dataset d;

	ck_assert_ptr_nonnull(text);
	used = (size_t)snprintf(text, size, "a,b,y\n");
	for (size_t i = 0; i < rows; i++)
		used += (size_t)snprintf(text + used, size - used, "%zu,0.5,%zu\n", i, 2 * i);
	accept(text, &options, &d);
	ck_assert_uint_eq(d.rows, rows);
	ck_assert_double_eq(x_at(&d, rows - 1, 0), (double)(rows - 1));
	ck_assert_double_eq(d.y[rows - 1], 2.0 * (double)(rows - 1));
	dataset_free(&d);
	free(text);
}
END_TEST

/*
 * A regular file is read with its rows allocated once (csv_lines_ahead),
 * a memory stream with doubling: the same data set either way, and the
 * count starts where the stream stands.
 */
START_TEST(test_regular_file_same_as_stream)
{
	struct csv_read_options options = plain_options();
	size_t rows = 3000;
	FILE *file = tmpfile();
	struct dataset from_file, from_memory;
	struct error err = { 0 };

	ck_assert_ptr_nonnull(file);
	fprintf(file, "a,b,y\n");
	for (size_t i = 0; i < rows; i++)
		fprintf(file, "%zu.25,%zu,%zu\n", i, i % 7, i % 5);
	fflush(file);
	rewind(file);
	ck_assert_uint_eq(csv_lines_ahead(file), rows + 1);
	char header[16];
	ck_assert_ptr_nonnull(fgets(header, sizeof header, file));
	ck_assert_uint_eq(csv_lines_ahead(file), rows);
	rewind(file);
	ck_assert_int_eq(csv_read_dataset(file, &options, &from_file, &err), 0);
	long size = ftell(file);
	ck_assert_int_gt(size, 0);
	char *text = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(text);
	rewind(file);
	ck_assert_uint_eq(fread(text, 1, (size_t)size, file), (size_t)size);
	text[size] = '\0';
	accept(text, &options, &from_memory);
	ck_assert_uint_eq(from_file.rows, rows);
	ck_assert_uint_eq(from_memory.rows, rows);
	ck_assert_mem_eq(from_file.x, from_memory.x, rows * from_file.features * sizeof(double));
	ck_assert_mem_eq(from_file.y, from_memory.y, rows * sizeof(double));
	dataset_free(&from_file);
	dataset_free(&from_memory);
	free(text);
	fclose(file);

	/* Not a regular file: nothing to count. */
	FILE *memory = fmemopen("a\nb\n", 4, "r");
	ck_assert_ptr_nonnull(memory);
	ck_assert_uint_eq(csv_lines_ahead(memory), 0);
	fclose(memory);
}
END_TEST

/*
 * Text of about 1.3 MB (several of the reading thread's chunks) holding
 * every kind of line the direct path sends elsewhere: quoted fields, one
 * spanning two lines, CRLF endings, blank lines, labels that are text,
 * spaces around fields, a line far longer than the others; bad_line > 0
 * puts a field that is not a number on that line.
 */
static char *mixed_text(size_t lines, size_t bad_line, size_t *size)
{
	size_t capacity = 64 + lines * 64 + 300000, used = 0;
	char *text = malloc(capacity);

	ck_assert_ptr_nonnull(text);
	used += (size_t)snprintf(text + used, capacity - used, "a,b,c,label\n");
	for (size_t line = 2; used + 200 < capacity - 300000 && line <= lines; line++) {
		if (line == bad_line)
			used += (size_t)snprintf(text + used, capacity - used, "1,x2,3,no\n");
		else if (line % 997 == 0)
			used += (size_t)snprintf(text + used, capacity - used,
						 "\"%zu\",2.5,\"3\",\"y\nes\"\n", line), line++;
		else if (line % 499 == 0)
			used += (size_t)snprintf(text + used, capacity - used, "%zu,-7,1e3,yes\r\n",
						 line);
		else if (line % 333 == 0)
			used += (size_t)snprintf(text + used, capacity - used, "\n");
		else if (line == lines / 2) {
			used += (size_t)snprintf(text + used, capacity - used, "%zu,", line);
			for (size_t i = 0; i < 200000; i++)
				text[used++] = '0';
			used += (size_t)snprintf(text + used, capacity - used, "1 ,1,no\n");
		} else
			used += (size_t)snprintf(text + used, capacity - used, " %zu.%zu , %zu,-0.%zu,%s\n",
						 line, line % 10, line % 7, line % 13,
						 line % 3 ? "yes" : "no");
	}
	*size = used;
	return text;
}

/* One thread or two, the same data set, and the same first error. */
START_TEST(test_reading_thread_same_as_one)
{
	struct csv_read_options one = plain_options(), two = plain_options();
	struct dataset d1, d2;
	struct error e1 = { 0 }, e2 = { 0 };
	size_t size;
	char *text = mixed_text(60000, 0, &size);

	one.classification = two.classification = 1;
	one.threads = 1;
	if (read_bytes(text, size, &one, &d1, &e1) != 0)
		ck_abort_msg("refused: %s", e1.message);
	ck_assert_int_eq(read_bytes(text, size, &two, &d2, &e2), 0);
	ck_assert_uint_gt(d1.rows, 50000);
	ck_assert_uint_eq(d1.rows, d2.rows);
	ck_assert_uint_eq(d1.features, d2.features);
	ck_assert_mem_eq(d1.x, d2.x, d1.rows * d1.features * sizeof(double));
	ck_assert_mem_eq(d1.y, d2.y, d1.rows * sizeof(double));
	ck_assert_uint_eq(d1.n_classes, 3);     /* no, y\nes, yes */
	dataset_free(&d1);
	dataset_free(&d2);
	free(text);

	text = mixed_text(60000, 54321, &size);
	ck_assert_int_eq(read_bytes(text, size, &one, &d1, &e1), -1);
	ck_assert_int_eq(read_bytes(text, size, &two, &d2, &e2), -1);
	ck_assert_str_eq(e1.message, e2.message);
	ck_assert_int_eq(e1.status, e2.status);
	ck_assert_ptr_nonnull(strstr(e1.message, ":54321"));
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Schema mode (prediction, --init) */

static char *const model_features[] = { "b", "a" };

static struct csv_read_options schema_options(void)
{
	struct csv_read_options options = plain_options();

	options.schema_features = model_features;
	options.schema_count = 2;
	options.schema_target = "y";
	return options;
}

START_TEST(test_schema_by_name_reordered_with_extra_columns)
{
	struct csv_read_options options = schema_options();
	struct dataset d;

	accept("extra,a,y,b,more\n9,1,5,2,hello\n", &options, &d);
	ck_assert_uint_eq(d.features, 2);
	ck_assert_str_eq(d.schema.feature_names[0], "b");
	ck_assert_str_eq(d.schema.feature_names[1], "a");
	ck_assert_double_eq(x_at(&d, 0, 0), 2);
	ck_assert_double_eq(x_at(&d, 0, 1), 1);
	ck_assert_str_eq(d.schema.target_name, "y");
	ck_assert_double_eq(d.y[0], 5);
	dataset_free(&d);
}
END_TEST

START_TEST(test_schema_by_name_without_target)
{
	struct csv_read_options options = schema_options();
	struct dataset d;

	accept("a,b\n1,2\n3,4\n", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_ptr_null(d.y);
	ck_assert_ptr_null(d.schema.target_name);
	ck_assert_double_eq(x_at(&d, 1, 0), 4);
	ck_assert_double_eq(x_at(&d, 1, 1), 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_schema_without_header_with_target)
{
	struct csv_read_options options = schema_options();
	struct dataset d;

	options.has_header = 0;
	accept("1,2,3\n", &options, &d);
	/* By position: the model's first feature is the first column. */
	ck_assert_double_eq(x_at(&d, 0, 0), 1);
	ck_assert_double_eq(x_at(&d, 0, 1), 2);
	ck_assert_double_eq(d.y[0], 3);
	ck_assert_str_eq(d.schema.target_name, "y");
	ck_assert_str_eq(d.schema.feature_names[0], "b");
	dataset_free(&d);
}
END_TEST

START_TEST(test_schema_without_header_without_target)
{
	struct csv_read_options options = schema_options();
	struct dataset d;

	options.has_header = 0;
	accept("1,2\n3,4\n", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_ptr_null(d.y);
	ck_assert_ptr_null(d.schema.target_name);
	ck_assert_double_eq(x_at(&d, 1, 1), 4);
	dataset_free(&d);
}
END_TEST

START_TEST(test_schema_without_header_target_first)
{
	struct csv_read_options options = schema_options();
	struct dataset d;

	options.has_header = 0;
	options.target = "1";
	accept("7,1,2\n", &options, &d);
	ck_assert_double_eq(d.y[0], 7);
	ck_assert_double_eq(x_at(&d, 0, 0), 1);
	dataset_free(&d);
}
END_TEST

static char *const model_classes[] = { "spam", "ham" };

START_TEST(test_schema_classes_keep_model_order)
{
	struct csv_read_options options = schema_options();
	struct dataset d;

	options.classification = 1;
	options.schema_classes = model_classes;
	options.schema_n_classes = 2;
	accept("a,b,y\n1,2,ham\n3,4,ham\n", &options, &d);
	ck_assert_uint_eq(d.n_classes, 2);
	ck_assert_str_eq(d.schema.class_labels[0], "spam");
	ck_assert_str_eq(d.schema.class_labels[1], "ham");
	ck_assert_double_eq(d.y[0], 1);
	dataset_free(&d);
}
END_TEST

START_TEST(test_schema_classes_without_target)
{
	struct csv_read_options options = schema_options();
	struct dataset d;

	options.classification = 1;
	options.schema_classes = model_classes;
	options.schema_n_classes = 2;
	accept("a,b\n1,2\n", &options, &d);
	ck_assert_ptr_null(d.y);
	ck_assert_uint_eq(d.n_classes, 2);
	ck_assert_str_eq(d.schema.class_labels[1], "ham");
	dataset_free(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Refusals */

START_TEST(test_refuse_ragged_row)
{
	struct csv_read_options options = plain_options();

	refuse("a,b,y\n1,2,3\n1,2\n", &options, "<stdin>:3: expected 3 fields, found 2");
}
END_TEST

START_TEST(test_refuse_long_row)
{
	struct csv_read_options options = plain_options();

	refuse("a,b,y\n1,2,3\n1,2,3,4\n", &options, "<stdin>:3: expected 3 fields, found 4");
}
END_TEST

START_TEST(test_refuse_empty_feature)
{
	struct csv_read_options options = plain_options();

	refuse("a,b,y\n1,2,3\n1,,3\n", &options, "<stdin>:3: empty field in column 'b' (try --missing drop or --missing mean)");
}
END_TEST

START_TEST(test_refuse_blank_quoted_feature)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n\"  \",3\n", &options, "<stdin>:2: empty field in column 'a' (try --missing drop or --missing mean)");
}
END_TEST

START_TEST(test_refuse_empty_target)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n1,\n", &options, "<stdin>:2: empty field in column 'y' (try --missing drop or --missing mean)");
}
END_TEST

START_TEST(test_refuse_empty_label)
{
	struct csv_read_options options = logistic_options();

	refuse("a,y\n1,yes\n2,\n", &options, "<stdin>:3: empty field in column 'y' (try --missing drop or --missing mean)");
}
END_TEST

START_TEST(test_refuse_non_numeric_feature)
{
	struct csv_read_options options = plain_options();

	refuse("a,b,y\n1,abc,3\n", &options, "<stdin>:2: column 'b': 'abc' is not a number (try --categorical b)");
}
END_TEST

START_TEST(test_refuse_trailing_garbage)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n1.5x,3\n", &options, "<stdin>:2: column 'a': '1.5x' is not a number");
}
END_TEST

START_TEST(test_refuse_hexadecimal)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n0x10,3\n", &options, "<stdin>:2: column 'a': '0x10' is not a number");
}
END_TEST

START_TEST(test_refuse_non_numeric_regression_target)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n1,yes\n", &options, "<stdin>:2: column 'y': 'yes' is not a number (try --model softmax)");
}
END_TEST

START_TEST(test_refuse_non_numeric_without_header)
{
	struct csv_read_options options = plain_options();

	options.has_header = 0;
	refuse("1,2\n3,x\n", &options, "<stdin>:2: column 2: 'x' is not a number (try --model softmax)");
}
END_TEST

START_TEST(test_refuse_nan)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\nNaN,1\n", &options, "<stdin>:2: column 'a': 'NaN' is not a number (try --missing drop or --missing mean)");
}
END_TEST

START_TEST(test_refuse_inf)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n-inf,1\n", &options, "<stdin>:2: column 'a': '-inf' is not finite");
}
END_TEST

START_TEST(test_refuse_infinity_any_case)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n1,InFiNiTy\n", &options, "<stdin>:2: column 'y': 'InFiNiTy' is not finite");
}
END_TEST

START_TEST(test_refuse_out_of_range)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n1e999,1\n", &options, "<stdin>:2: column 'a': '1e999' is out of range");
}
END_TEST

START_TEST(test_refuse_unterminated_quote)
{
	struct csv_read_options options = plain_options();

	/* Reported at the line where the record started. */
	refuse("a,y\n1,2\n3,\"4\n5,6\n", &options, "<stdin>:3: unterminated quoted field");
}
END_TEST

START_TEST(test_refuse_stray_quote)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n1,2\n3,4\"5\n", &options,
	       "<stdin>:3: stray quote in field 2 (quote the whole field and double inner quotes)");
}
END_TEST

START_TEST(test_refuse_text_after_closing_quote)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\n\"1\"2,3\n", &options,
	       "<stdin>:2: unexpected text after the closing quote of field 1");
}
END_TEST

START_TEST(test_refuse_nul_byte)
{
	struct csv_read_options options = plain_options();
	static const char text[] = "a,y\n1,2\n3\0,4\n";

	refuse_bytes(text, sizeof text - 1, &options, 65, "<stdin>:3: NUL byte in input");
}
END_TEST

START_TEST(test_refuse_empty_input)
{
	struct csv_read_options options = plain_options();

	refuse("", &options, "<stdin>:1: empty input");
}
END_TEST

START_TEST(test_refuse_blank_input)
{
	struct csv_read_options options = plain_options();

	refuse("\xEF\xBB\xBF\n\n", &options, "<stdin>:1: empty input");
}
END_TEST

START_TEST(test_refuse_empty_input_without_header)
{
	struct csv_read_options options = plain_options();

	options.has_header = 0;
	refuse("", &options, "<stdin>:1: empty input");
}
END_TEST

START_TEST(test_refuse_header_without_rows)
{
	struct csv_read_options options = plain_options();

	refuse("a,b,y\n", &options, "<stdin>:2: no data rows after the header");
}
END_TEST

START_TEST(test_refuse_header_without_rows_no_newline)
{
	struct csv_read_options options = plain_options();

	refuse("a,b,y", &options, "<stdin>:2: no data rows after the header");
}
END_TEST

START_TEST(test_refuse_too_many_classes)
{
	struct csv_read_options options = logistic_options();

	/* The line of the first row bringing a third class; all classes counted. */
	refuse("a,y\n1,x\n2,y\n3,x\n4,z\n5,w\n", &options,
	       "<stdin>:5: target 'y' has 4 classes; logistic needs 2 (try --model softmax)");
}
END_TEST

START_TEST(test_refuse_too_many_classes_without_model_name)
{
	struct csv_read_options options = plain_options();

	options.classification = 1;
	options.max_classes = 2;
	refuse("a,y\n1,x\n2,y\n3,z\n", &options,
	       "<stdin>:4: target 'y' has 3 classes; at most 2 allowed");
}
END_TEST

START_TEST(test_refuse_one_class)
{
	struct csv_read_options options = logistic_options();

	refuse("a,label\n1,x\n2,x\n", &options, "<stdin>:2: only one class 'x' in target 'label'");
}
END_TEST

START_TEST(test_refuse_unknown_target_name)
{
	struct csv_read_options options = plain_options();

	options.target = "x";
	refuse("a,b,c\n1,2,3\n", &options, "<stdin>:1: no column named 'x' (columns: a, b, c)");
}
END_TEST

START_TEST(test_refuse_target_number_out_of_range)
{
	struct csv_read_options options = plain_options();

	options.target = "7";
	refuse("a,b,c\n1,2,3\n", &options, "<stdin>:1: target column 7 out of range (3 columns)");
}
END_TEST

START_TEST(test_refuse_target_zero)
{
	struct csv_read_options options = plain_options();

	options.target = "0";
	refuse("a,b,c\n1,2,3\n", &options, "<stdin>:1: target column 0 out of range (3 columns)");
}
END_TEST

START_TEST(test_refuse_target_name_without_header)
{
	struct csv_read_options options = plain_options();

	options.has_header = 0;
	options.target = "c";
	refuse("1,2,3\n", &options,
	       "<stdin>:1: target 'c' must be a column number: the input has no header");
}
END_TEST

START_TEST(test_refuse_single_column)
{
	struct csv_read_options options = plain_options();

	refuse("y\n1\n", &options, "<stdin>:1: no feature columns: the only column is the target");
}
END_TEST

START_TEST(test_refuse_duplicate_column_name)
{
	struct csv_read_options options = plain_options();

	refuse("a,b,a,y\n1,2,3,4\n", &options,
	       "<stdin>:1: column name 'a' appears twice in the header (try --ignore 3)");
}
END_TEST

START_TEST(test_refuse_unnamed_column)
{
	struct csv_read_options options = plain_options();

	refuse("a,,y\n1,2,3\n", &options, "<stdin>:1: column 2 has no name in the header (try --ignore 2)");
}
END_TEST

START_TEST(test_line_after_multiline_quoted_field)
{
	struct csv_read_options options = logistic_options();

	/* The label on line 2 spans lines 2-4, so the third class is on line 6. */
	refuse("a,y\n1,\"two\nline\nlabel\"\n2,x\n3,?\n", &options,
	       "<stdin>:6: target 'y' has 3 classes; logistic needs 2 (try --model softmax)");
}
END_TEST

START_TEST(test_line_of_multiline_record)
{
	struct csv_read_options options = plain_options();

	/* A record that starts on line 3 and whose bad field is on line 4. */
	refuse("a,b,y\n1,2,3\n\"x\ny\",2,3\n", &options,
	       "<stdin>:3: column 'a': 'x\\ny' is not a number (try -t 1)");
}
END_TEST

START_TEST(test_line_counts_blank_lines)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\r\n\r\n1,2\r\n\r\n\r\n3,\r\n", &options, "<stdin>:6: empty field in column 'y' (try --missing drop or --missing mean)");
}
END_TEST

START_TEST(test_refuse_schema_missing_column)
{
	struct csv_read_options options = schema_options();

	refuse("a,y\n1,2\n", &options, "<stdin>:1: missing column 'b' required by the model");
}
END_TEST

START_TEST(test_refuse_schema_missing_required_target)
{
	struct csv_read_options options = schema_options();

	options.target_required = 1;
	refuse("a,b\n1,2\n", &options, "<stdin>:1: missing target column 'y' (columns: a, b)");
}
END_TEST

START_TEST(test_refuse_schema_wrong_field_count)
{
	struct csv_read_options options = schema_options();

	options.has_header = 0;
	refuse("1,2,3,4,5\n", &options, "<stdin>:1: expected 2 or 3 fields, found 5");
}
END_TEST

START_TEST(test_refuse_schema_required_target_by_position)
{
	struct csv_read_options options = schema_options();

	options.has_header = 0;
	options.target_required = 1;
	refuse("1,2\n", &options, "<stdin>:1: expected 3 fields, found 2");
}
END_TEST

START_TEST(test_refuse_schema_ragged_later_row)
{
	struct csv_read_options options = schema_options();

	options.has_header = 0;
	refuse("1,2\n1,2,3\n", &options, "<stdin>:2: expected 2 fields, found 3");
}
END_TEST

START_TEST(test_refuse_unknown_class)
{
	struct csv_read_options options = schema_options();

	options.classification = 1;
	options.schema_classes = model_classes;
	options.schema_n_classes = 2;
	refuse("a,b,y\n1,2,ham\n3,4,eggs\n", &options,
	       "<stdin>:3: class 'eggs' is not known to the model (known: spam, ham)");
}
END_TEST

/* A stream that gives one line and then fails. */
static ssize_t failing_read(void *cookie, char *buffer, size_t size)
{
	int *calls = cookie;
	static const char first[] = "a,y\n1,2\n";

	if ((*calls)++ == 0 && size >= sizeof first - 1) {
		memcpy(buffer, first, sizeof first - 1);
		return (ssize_t)(sizeof first - 1);
	}
	errno = EIO;
	return -1;
}

START_TEST(test_refuse_read_error)
{
	struct csv_read_options options = plain_options();
	cookie_io_functions_t io = { .read = failing_read };
	int calls = 0;
	FILE *in = fopencookie(&calls, "r", io);
	struct dataset d;
	struct error err = { 0 };

	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(csv_read_dataset(in, &options, &d, &err), -1);
	fclose(in);
	ck_assert_int_eq(err.status, 66);
	ck_assert_str_eq(err.message, "<stdin>: read error: Input/output error");
	assert_empty(&d);
}
END_TEST

/* ------------------------------------------------------------------ */
/*
 * Plain decimals take a fast path (mantissa / 10^k); it must give exactly
 * the bits strtod gives, at its edges (15/16 significant digits, 22/23
 * decimals, signs, leading and trailing zeros) and on random strings.
 */
static void expect_same_as_strtod(const char *text)
{
	double value = 0, expected = strtod(text, NULL);
	const char *reason;

	ck_assert_msg(parse_finite_double(text, &value, &reason) == 0, "'%s' refused", text);
	ck_assert_msg(memcmp(&value, &expected, sizeof value) == 0,
		      "'%s': %.17g, strtod %.17g", text, value, expected);
}

START_TEST(test_parse_decimal_fast_path_is_exact)
{
	static const char *edges[] = {
		"0", "-0", "+1", ".5", "5.", "-.5", "007", "0.000123", "100",
		"123456789012345", "1234567890123456", "12345678901234567",
		"0.1234567890123456789012", "0.12345678901234567890123",
		"0.0000000000000000000001", "0.00000000000000000000001",
		"999999999999999.5", "1.000000000000000", "9007199254740993",
		"0.1", "0.2", "0.3", "2.675", "1.005", "17.99", "-122.80",
	};
	char text[64];

	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
		expect_same_as_strtod(edges[i]);
	srand(12345);
	for (int n = 0; n < 200000; n++) {
		int length = 0, whole = rand() % 12, decimals = rand() % 25;
		if (rand() % 3 == 0)
			text[length++] = '-';
		for (int k = 0; k < whole; k++)
			text[length++] = (char)('0' + rand() % 10);
		if (decimals || whole == 0) {
			text[length++] = '.';
			for (int k = 0; k < decimals || (whole == 0 && k == 0); k++)
				text[length++] = (char)('0' + rand() % 10);
		}
		text[length] = '\0';
		expect_same_as_strtod(text);
	}
}
END_TEST

/* parse_finite_double */

START_TEST(test_parse_reasons)
{
	double value = 42;
	const char *reason = NULL;

	ck_assert_int_eq(parse_finite_double(" \t-1.25e2\t ", &value, &reason), 0);
	ck_assert_double_eq(value, -125);
	ck_assert_int_eq(parse_finite_double("  ", &value, &reason), -1);
	ck_assert_str_eq(reason, "empty field");
	ck_assert_int_eq(parse_finite_double("1 2", &value, &reason), -1);
	ck_assert_str_eq(reason, "not a number");
	ck_assert_int_eq(parse_finite_double("nan", &value, &reason), -1);
	ck_assert_str_eq(reason, "not finite");
	ck_assert_int_eq(parse_finite_double("-1e400", &value, &reason), -1);
	ck_assert_str_eq(reason, "out of range");
	ck_assert_double_eq(value, -125);       /* untouched on failure */
}
END_TEST

/*
 * parse_whole_number never exceeds its maximum, even one below a digit:
 * "9" with max 5 was accepted, as max - 9 wrapped around (found by
 * tests/fuzz/fuzz_csv).
 */
START_TEST(test_parse_whole_number_small_maximum)
{
	uint64_t value = 42;

	ck_assert_int_eq(parse_whole_number("9", 5, &value), -1);
	ck_assert_int_eq(parse_whole_number("6", 5, &value), -1);
	ck_assert_int_eq(parse_whole_number("1", 0, &value), -1);
	ck_assert_uint_eq(value, 42);           /* untouched on failure */
	ck_assert_int_eq(parse_whole_number("5", 5, &value), 0);
	ck_assert_uint_eq(value, 5);
	ck_assert_int_eq(parse_whole_number("0", 0, &value), 0);
	ck_assert_uint_eq(value, 0);
	ck_assert_int_eq(parse_whole_number("19", 10, &value), -1);
	ck_assert_int_eq(parse_whole_number("10", 10, &value), 0);
	ck_assert_uint_eq(value, 10);
	ck_assert_int_eq(parse_whole_number("18446744073709551615", UINT64_MAX, &value), 0);
	ck_assert_uint_eq(value, UINT64_MAX);
	ck_assert_int_eq(parse_whole_number("18446744073709551616", UINT64_MAX, &value), -1);
}
END_TEST

START_TEST(test_parse_round_trip)
{
	double value;
	const char *reason;

	ck_assert_int_eq(parse_finite_double("0.10000000000000001", &value, &reason), 0);
	ck_assert(value == 0.1);
	ck_assert_int_eq(parse_finite_double("1.7976931348623157e+308", &value, &reason), 0);
	ck_assert(value == 1.7976931348623157e+308);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Statistics */

START_TEST(test_column_stats)
{
	/* Columns: 1,2,3,4 (mean 2.5, variance 1.25); constant 7; 0,0,0,10. */
	double x[] = {
		1, 7, 0,
		2, 7, 0,
		3, 7, 0,
		4, 7, 10,
	};
	struct dataset d = { .rows = 4, .features = 3, .x = x };
	double mean[3], scale[3];

	dataset_column_stats(&d, NULL, d.rows, mean, scale);
	ck_assert_double_eq_tol(mean[0], 2.5, 1e-15);
	ck_assert_double_eq_tol(scale[0], sqrt(1.25), 1e-15);
	ck_assert_double_eq(mean[1], 7);
	ck_assert_double_eq(scale[1], 1);       /* constant: centred, not divided */
	ck_assert_double_eq_tol(mean[2], 2.5, 1e-15);
	ck_assert_double_eq_tol(scale[2], sqrt(18.75), 1e-14);
}
END_TEST

START_TEST(test_column_stats_large_mean)
{
	/* A one-pass formula would lose the spread of 1e9 + {0,1,2}. */
	double x[] = { 1e9, 1e9 + 1, 1e9 + 2 };
	struct dataset d = { .rows = 3, .features = 1, .x = x };
	double mean, scale;

	dataset_column_stats(&d, NULL, d.rows, &mean, &scale);
	ck_assert_double_eq_tol(scale, sqrt(2.0 / 3.0), 1e-12);
}
END_TEST

START_TEST(test_apply_scaling)
{
	double x[] = {
		1, 7,
		3, 7,
	};
	struct dataset d = { .rows = 2, .features = 2, .x = x };
	double mean[2], scale[2];
	struct schema s = { .n_features = 2, .feature_mean = mean, .feature_scale = scale };

	dataset_column_stats(&d, NULL, d.rows, mean, scale);
	schema_standardize(&s, x, d.rows);
	ck_assert_double_eq_tol(x[0], -1, 1e-15);
	ck_assert_double_eq_tol(x[2], 1, 1e-15);
	ck_assert_double_eq(x[1], 0);
	ck_assert_double_eq(x[3], 0);
}
END_TEST

/* Statistics of a subset of rows (the training rows of a holdout). */
START_TEST(test_column_stats_of_rows)
{
	double x[] = { 100, 1, 50, 3 };
	struct dataset d = { .rows = 4, .features = 1, .x = x };
	size_t rows[] = { 1, 3 };
	double mean, scale;

	dataset_column_stats(&d, rows, 2, &mean, &scale);
	ck_assert_double_eq_tol(mean, 2.0, 1e-15);
	ck_assert_double_eq_tol(scale, 1.0, 1e-15);
}
END_TEST

/* The holdout split: the sizes asked for, disjoint, in file order, seeded. */
START_TEST(test_holdout_split)
{
	struct holdout a, b, c;
	struct error err;
	char seen[100] = { 0 };

	ck_assert_int_eq(dataset_holdout(100, 0.2, 7, &a, &err), 0);
	ck_assert_uint_eq(a.n_holdout, 20);
	ck_assert_uint_eq(a.n_training, 80);
	for (size_t i = 0; i < a.n_holdout; i++) {
		ck_assert(i == 0 || a.holdout[i] > a.holdout[i - 1]);
		seen[a.holdout[i]]++;
	}
	for (size_t i = 0; i < a.n_training; i++) {
		ck_assert(i == 0 || a.training[i] > a.training[i - 1]);
		seen[a.training[i]]++;
	}
	for (size_t i = 0; i < 100; i++)
		ck_assert_int_eq(seen[i], 1);
	ck_assert_int_eq(dataset_holdout(100, 0.2, 7, &b, &err), 0);
	ck_assert_int_eq(memcmp(a.holdout, b.holdout, 20 * sizeof *a.holdout), 0);
	ck_assert_int_eq(dataset_holdout(100, 0.2, 8, &c, &err), 0);
	ck_assert_int_ne(memcmp(a.holdout, c.holdout, 20 * sizeof *a.holdout), 0);
	dataset_holdout_free(&a);
	dataset_holdout_free(&b);
	dataset_holdout_free(&c);
	ck_assert_int_eq(dataset_holdout(3, 0.1, 7, &a, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_int_eq(dataset_holdout(3, 0.9, 7, &a, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
}
END_TEST

START_TEST(test_free_zeroed_dataset)
{
	struct dataset d;

	memset(&d, 0, sizeof d);
	dataset_free(&d);
	dataset_free(&d);
	assert_empty(&d);
}
END_TEST


/* ------------------------------------------------------------------ */
/* Getting data in: column choice, missing values, -d space, row names,
 * categorical columns, wrong guesses */

START_TEST(test_missing_spellings_drop)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.missing = MISSING_DROP;
	accept("a,b,y\n1,2,3\n,2,3\nNA,2,3\n1,NaN,3\n1,nan,3\n1, null ,3\n1,2,\n4,5,6\n",
	       &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_double_eq(x_at(&d, 1, 0), 4);
	ck_assert_str_eq(d.notes, "dropped 6 rows with missing values\n");
	dataset_free(&d);
}
END_TEST

START_TEST(test_missing_mean_leaves_nan_and_drops_missing_target)
{
	struct csv_read_options options = plain_options();
	struct dataset d;
	struct error err = { 0 };

	options.missing = MISSING_MEAN;
	accept("a,b,y\n1,NA,3\n3,4,NA\n5,6,7\n", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert(isnan(x_at(&d, 0, 1)));
	ck_assert_int_eq(dataset_fill_missing(&d, NULL, d.rows, &d.schema, &err), 0);
	ck_assert_double_eq(x_at(&d, 0, 1), 6);
	ck_assert_double_eq(d.schema.feature_fill[0], 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_missing_spelling_refused_by_default)
{
	struct csv_read_options options = plain_options();

	refuse("a,y\nNA,1\n", &options,
	       "<stdin>:2: column 'a': 'NA' is not a number (try --missing drop or --missing mean)");
}
END_TEST

START_TEST(test_features_in_order)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.features = "c,1";
	accept("a,b,c,y\n1,2,3,4\n", &options, &d);
	ck_assert_uint_eq(d.features, 2);
	ck_assert_str_eq(d.schema.feature_names[0], "c");
	ck_assert_str_eq(d.schema.feature_names[1], "a");
	ck_assert_double_eq(x_at(&d, 0, 0), 3);
	ck_assert_double_eq(x_at(&d, 0, 1), 1);
	dataset_free(&d);
}
END_TEST

START_TEST(test_ignore_by_name_and_number)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.ignore = "1,c";
	accept("id,b,c,y\nx7,2,oops,4\n", &options, &d);
	ck_assert_uint_eq(d.features, 1);
	ck_assert_str_eq(d.schema.feature_names[0], "b");
	dataset_free(&d);
}
END_TEST

START_TEST(test_refuse_unknown_feature_column)
{
	struct csv_read_options options = plain_options();

	options.features = "a,zz";
	refuse("a,b,y\n1,2,3\n", &options, "<stdin>:1: --features: no column 'zz' (columns: a, b, y)");
	options.features = NULL;
	options.ignore = "9";
	refuse("a,b,y\n1,2,3\n", &options, "<stdin>:1: --ignore: no column '9' (columns: a, b, y)");
}
END_TEST

START_TEST(test_column_list_syntax)
{
	ck_assert_int_eq(column_list_valid("a,2,c d"), 1);
	ck_assert_int_eq(column_list_valid(""), 0);
	ck_assert_int_eq(column_list_valid("a,,b"), 0);
	ck_assert_int_eq(column_list_valid("a,"), 0);
	ck_assert_int_eq(column_list_valid("0"), 0);
}
END_TEST

START_TEST(test_pandas_index_column)
{
	struct csv_read_options options = plain_options();

	refuse(",a,y\n0,1,2\n", &options, "<stdin>:1: column 1 has no name in the header: it is "
	       "probably the row index that pandas' to_csv or R's write.csv writes (try --ignore 1, "
	       "or write the file with index=False)");
}
END_TEST

START_TEST(test_blank_runs_with_quotes)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.delimiter = ' ';
	options.blank_runs = 1;
	accept("  a \t b   \"the y\"  \n1   2\t\t3\n \"4\"  5 6 \n", &options, &d);
	ck_assert_uint_eq(d.rows, 2);
	ck_assert_uint_eq(d.features, 2);
	ck_assert_str_eq(d.schema.target_name, "the y");
	ck_assert_double_eq(x_at(&d, 1, 0), 4);
	ck_assert_double_eq(d.y[1], 6);
	dataset_free(&d);
}
END_TEST

START_TEST(test_row_names)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	/* R's write.csv/write.table: the header lacks the row names' column. */
	accept("\"a\",\"y\"\n\"r1\",1,2\n\"r2\",3,4\n", &options, &d);
	ck_assert_uint_eq(d.features, 1);
	ck_assert_str_eq(d.schema.feature_names[0], "a");
	ck_assert_double_eq(x_at(&d, 1, 0), 3);
	ck_assert_double_eq(d.y[1], 4);
	ck_assert_ptr_nonnull(strstr(d.notes, "taking the first column as row names"));
	dataset_free(&d);
}
END_TEST

START_TEST(test_categorical_vocabulary_sorted)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.categorical = "c";
	accept("a,c,y\n1,red,1\n2,blue,2\n3,red,3\n4,Green,4\n", &options, &d);
	ck_assert_uint_eq(d.features, 4);
	ck_assert_str_eq(d.schema.feature_names[1], "c");
	ck_assert_str_eq(d.schema.feature_category[1], "Green");
	ck_assert_str_eq(d.schema.feature_category[2], "blue");
	ck_assert_str_eq(d.schema.feature_category[3], "red");
	ck_assert_ptr_null(d.schema.feature_category[0]);
	ck_assert_double_eq(x_at(&d, 0, 3), 1);
	ck_assert_double_eq(x_at(&d, 0, 2), 0);
	ck_assert_double_eq(x_at(&d, 3, 1), 1);
	ck_assert_uint_eq(schema_column_width(&d.schema, 1), 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_categorical_auto_and_unseen_at_prediction)
{
	struct csv_read_options options = plain_options();
	struct dataset d, p;

	options.categorical = "auto";
	accept("a,c,y\n1,red,1\n2,blue,2\n", &options, &d);
	ck_assert_uint_eq(d.features, 3);
	struct csv_read_options predicting = plain_options();
	predicting.schema_features = d.schema.feature_names;
	predicting.schema_count = d.schema.n_features;
	predicting.model_schema = &d.schema;
	accept("c,a\nblue,5\npink,6\n", &predicting, &p);
	ck_assert_uint_eq(p.features, 3);
	ck_assert_double_eq(x_at(&p, 0, 0), 5);
	ck_assert_double_eq(x_at(&p, 0, 1), 1);
	ck_assert_double_eq(x_at(&p, 1, 1), 0);
	ck_assert_double_eq(x_at(&p, 1, 2), 0);
	ck_assert_str_eq(p.notes, "1 values of column 'c' were not seen in training\n");
	dataset_free(&p);
	dataset_free(&d);
}
END_TEST

START_TEST(test_wrong_guesses)
{
	struct csv_read_options options = plain_options();

	refuse("a\tb\ty\n1\t2\t3\n", &options, "<stdin>:1: the first line is one field holding "
	       "tabs: the fields are probably separated by tabs (try -d tab)");
	refuse("a;b;y\n1;2;3\n", &options, "<stdin>:1: the first line is one field holding "
	       "semicolons: the fields are probably separated by semicolons (try -d ';')");
	options.delimiter = '\t';
	refuse("a,b,y\n1,2,3\n", &options, "<stdin>:1: the first line is one field holding "
	       "commas: the fields are probably separated by commas (try -d ,)");
	options.delimiter = ',';
	refuse("1.5,2,3\n1,2,3\n", &options, "<stdin>:1: the first line holds only numbers: it is "
	       "probably data, not column names (try --no-header)");
	refuse("species,a,y\nsetosa,2,3\n", &options,
	       "<stdin>:2: column 'species': 'setosa' is not a number (try -t 1)");
	refuse_bytes("\x1f\x8b\x08\x00", 4, &options, 65, "<stdin>:1: the input is gzip-compressed, "
		     "not CSV text (try zcat FILE | descent ...)");
}
END_TEST


/* ------------------------------------------------------------------ */
/* The direct path: lines without quotes, split without libcsv */

/*
 * text with every field of every line after the first quoted, which sends
 * each line through libcsv: the same fields by the general path.
 */
static char *quote_fields(const char *text)
{
	size_t length = strlen(text), used = 0;
	char *quoted = malloc(3 * length + 3);
	const char *p = strchr(text, '\n') + 1;

	ck_assert_ptr_nonnull(quoted);
	memcpy(quoted, text, (size_t)(p - text));
	used = (size_t)(p - text);
	while (*p) {
		size_t field = strcspn(p, ",\r\n"), lead = strspn(p, " \t"), trail = 0;
		if (lead > field)
			lead = field;
		while (trail < field - lead && (p[field - 1 - trail] == ' ' ||
						p[field - 1 - trail] == '\t'))
			trail++;
		if (field == 0 && (p[-1] == '\n') && (*p == '\n' || *p == '\r')) {
			quoted[used++] = *p++;  /* a blank line stays blank */
			continue;
		}
		memcpy(quoted + used, p, lead);
		used += lead;
		quoted[used++] = '"';
		memcpy(quoted + used, p + lead, field - lead - trail);
		used += field - lead - trail;
		quoted[used++] = '"';
		memcpy(quoted + used, p + field - trail, trail);
		used += trail;
		p += field;
		if (*p == '\r' && p[1] == '\n')
			quoted[used++] = *p++;
		if (*p)
			quoted[used++] = *p++;
	}
	quoted[used] = '\0';
	return quoted;
}

/* Two data sets are the same, bit for bit. */
static void assert_same_dataset(const struct dataset *a, const struct dataset *b)
{
	ck_assert_uint_eq(a->rows, b->rows);
	ck_assert_uint_eq(a->features, b->features);
	ck_assert_uint_eq(a->n_classes, b->n_classes);
	ck_assert_int_eq(memcmp(a->x, b->x, a->rows * a->features * sizeof *a->x), 0);
	ck_assert_int_eq(!a->y, !b->y);
	if (a->y)
		ck_assert_int_eq(memcmp(a->y, b->y, a->rows * sizeof *a->y), 0);
	for (size_t j = 0; j < a->features; j++)
		ck_assert_str_eq(a->schema.feature_names[j], b->schema.feature_names[j]);
	for (size_t k = 0; k < a->n_classes; k++)
		ck_assert_str_eq(a->schema.class_labels[k], b->schema.class_labels[k]);
}

/* text is read the same directly and through libcsv (its fields quoted). */
static void assert_same_both_ways(const char *text, const struct csv_read_options *options)
{
	char *quoted = quote_fields(text);
	struct dataset direct, general;
	struct error direct_err = { 0 }, general_err = { 0 };
	int direct_result = read_text(text, options, &direct, &direct_err);
	int general_result = read_text(quoted, options, &general, &general_err);

	ck_assert_msg(direct_result == general_result, "%s: %s / %s", text, direct_err.message,
		      general_err.message);
	if (direct_result == 0) {
		assert_same_dataset(&direct, &general);
		dataset_free(&direct);
		dataset_free(&general);
	} else {
		ck_assert_str_eq(direct_err.message, general_err.message);
		ck_assert_int_eq(direct_err.status, general_err.status);
	}
	free(quoted);
}

START_TEST(test_direct_path_same_as_libcsv)
{
	struct csv_read_options options = plain_options();

	assert_same_both_ways("a,b,y\n1,2,3\n-4.5,+5e3,6\n", &options);
	assert_same_both_ways("a,b,y\n 1 , 2\t,3\r\n0.1,  -0 ,1e-5\r\n", &options);
	assert_same_both_ways("a,b,y\n123456789012345678,0.30000000000000004,"
			      "9007199254740993\n1.7976931348623157e308,4.9e-324,"
			      "2.2250738585072014e-308\n", &options);
	assert_same_both_ways("a,b,y\n00012.50000,.5,5.\n1E22,1e23,-1e-22\n", &options);
	assert_same_both_ways("a,b,y\n12345678.12345678,1234567.1234567,0.00000001234\n"
			      "99999999999999999999,0.1e1,3\n", &options);
	/* Errors: the same message at the same line either way. */
	assert_same_both_ways("a,b,y\n1,2,3\n\n4,x5,6\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,,6\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,5\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,5,6,7\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,1e999,6\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,nan,6\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,0x10,6\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,1.5.5,6\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,1e,6\n", &options);
	assert_same_both_ways("a,b,y\n1,2,3\n4,- 1,6\n", &options);
	options.missing = MISSING_MEAN;
	assert_same_both_ways("a,b,y\n1,NA,3\n4, ,6\n7,8,9\n", &options);
	options.missing = MISSING_DROP;
	assert_same_both_ways("a,b,y\n1,null,3\n4,5,NaN\n7,8,9\n", &options);
	options = logistic_options();
	assert_same_both_ways("a,b,y\n1,2,yes\n3,4, no \n5,6,yes\n", &options);
	assert_same_both_ways("a,b,y\n1,2,yes\n3,4,no\n5,6,maybe\n", &options);
	options = plain_options();
	options.categorical = "auto";
	assert_same_both_ways("a,b,y\nred,2,3\n blue ,4,5\n", &options);
}
END_TEST

START_TEST(test_direct_path_tab_delimiter_keeps_spaces_trimmed)
{
	struct csv_read_options options = plain_options();
	struct dataset d;

	options.delimiter = '\t';
	accept("a\tb\ty\n 1 \t 2\t 3\n", &options, &d);
	ck_assert_double_eq(x_at(&d, 0, 0), 1);
	ck_assert_double_eq(x_at(&d, 0, 1), 2);
	ck_assert_double_eq(d.y[0], 3);
	dataset_free(&d);
}
END_TEST

START_TEST(test_direct_path_nul_byte_line)
{
	struct csv_read_options options = plain_options();

	refuse_bytes("a,b\n1,2\n3,\0\n", 13, &options, 65, "<stdin>:3: NUL byte in input");
}
END_TEST

/* Many lines, so that lines span the reader's blocks; numbers of all kinds. */
START_TEST(test_direct_path_large_input_across_blocks)
{
	struct csv_read_options options = plain_options();
	size_t rows = 30000, size = 64 * rows + 64, used = 0;
	char *text = malloc(size);
	uint64_t state = 12345;

	ck_assert_ptr_nonnull(text);
	used += (size_t)snprintf(text, size, "a,b,c,y\n");
	for (size_t i = 0; i < rows; i++) {
		double v[3];
		for (int k = 0; k < 3; k++) {
			state = state * 6364136223846793005u + 1442695040888963407u;
			v[k] = ((double)(state >> 11) / 9007199254740992.0 - 0.5) *
			       (k == 0 ? 20.0 : k == 1 ? 2e-7 : 3e12);
		}
		used += (size_t)snprintf(text + used, size - used, "%.6g,%.17g,%.9e,%zu\n",
					 v[0], v[1], v[2], i % 7);
	}
	assert_same_both_ways(text, &options);
	/* An error far into the input keeps its line number. */
	char *bad = strstr(text + used - 5000, "\n") + 1;
	size_t line = 1;
	for (const char *p = text; p < bad; p++)
		line += *p == '\n';
	bad[0] = 'z';
	assert_same_both_ways(text, &options);
	struct dataset d;
	struct error err = { 0 };
	ck_assert_int_eq(read_text(text, &options, &d, &err), -1);
	char expected[64];
	snprintf(expected, sizeof expected, "<stdin>:%zu: column 'a': '", line);
	ck_assert_int_eq(strncmp(err.message, expected, strlen(expected)), 0);
	free(text);
}
END_TEST

/* parse_number_padded and parse_number_fast agree with strtod, bit for bit. */
START_TEST(test_parse_number_fast_paths_exact)
{
	static const char *const texts[] = {
		"0", "-0", "+0", "1", "-1", "+1.5", "6.80375", "-0.452059", "12345678",
		"1234567.1234567", "0.1234567", "9007199254740992", "1.", ".5", "-.5", "1e5",
		"1E-5", "2.5e+22", "7e-22", "123456789012345", "1234567890123456.", " 3.25 ",
		"\t-7\t", "00000000001.5", "0.000000000000000000001",
	};
	static const char *const maybe[] = {
		"9007199254740993", "1234567890123456789", "0.30000000000000004",
		"4503599627370497.5", "1e23", "1e-23", "123456789012345678901", "1e400",
		"1e-400", "0e400", "0.0000000000000000000000000000001",
	};
	char buffer[64];

	for (size_t i = 0; i < sizeof texts / sizeof *texts + sizeof maybe / sizeof *maybe; i++) {
		int sure = i < sizeof texts / sizeof *texts;
		const char *text = sure ? texts[i] : maybe[i - sizeof texts / sizeof *texts];
		double expected = strtod(text, NULL), fast, padded;
		memset(buffer, 0, sizeof buffer);
		strcpy(buffer, text);
		int fast_ok = parse_number_fast(buffer, &fast);
		int padded_ok = parse_number_padded(buffer, &padded);
		ck_assert_msg(fast_ok == padded_ok, "%s", text);
		if (sure)
			ck_assert_msg(fast_ok, "%s", text);
		if (fast_ok) {
			ck_assert_msg(memcmp(&fast, &expected, sizeof fast) == 0, "%s", text);
			ck_assert_msg(memcmp(&padded, &expected, sizeof padded) == 0, "%s", text);
		}
	}
	static const char *const refused[] = {
		"", " ", "-", "+", ".", "e5", "1e", "1e+", "0x10", "nan", "inf", "1.5x", "1 2",
		"--1", "1,5", "NA", "+-1", "1..2", "1e5.5",
	};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		double value;
		memset(buffer, 0, sizeof buffer);
		strcpy(buffer, refused[i]);
		ck_assert_msg(!parse_number_padded(buffer, &value), "%s", refused[i]);
		ck_assert_msg(!parse_number_fast(buffer, &value), "%s", refused[i]);
	}
}
END_TEST
static Suite *csv_suite(void)
{
	Suite *suite = suite_create("csv");
	TCase *accepted = tcase_create("accepted");
	TCase *schema = tcase_create("schema");
	TCase *refused = tcase_create("refused");
	TCase *numbers = tcase_create("numbers");
	TCase *stats = tcase_create("stats");

	tcase_add_test(accepted, test_basic_layout);
	tcase_add_test(accepted, test_quoted_header_names);
	tcase_add_test(accepted, test_crlf);
	tcase_add_test(accepted, test_byte_order_mark);
	tcase_add_test(accepted, test_no_final_newline);
	tcase_add_test(accepted, test_trailing_blank_lines);
	tcase_add_test(accepted, test_blank_line_in_the_middle_is_skipped);
	tcase_add_test(accepted, test_spaces_around_numbers);
	tcase_add_test(accepted, test_no_header);
	tcase_add_test(accepted, test_no_header_target_by_number);
	tcase_add_test(accepted, test_target_by_name);
	tcase_add_test(accepted, test_target_by_number);
	tcase_add_test(accepted, test_target_name_before_number);
	tcase_add_test(accepted, test_semicolon_delimiter);
	tcase_add_test(accepted, test_tab_delimiter);
	tcase_add_test(accepted, test_regression_target_value);
	tcase_add_test(accepted, test_numeric_labels_sorted_numerically);
	tcase_add_test(accepted, test_string_labels_in_byte_order);
	tcase_add_test(accepted, test_mixed_labels_in_byte_order);
	tcase_add_test(accepted, test_two_classes_for_logistic);
	tcase_add_test(accepted, test_underflow_is_accepted);
	tcase_add_test(accepted, test_many_rows);
	tcase_add_test(accepted, test_regular_file_same_as_stream);
	tcase_add_test(accepted, test_reading_thread_same_as_one);
	tcase_set_timeout(accepted, 60);
	suite_add_tcase(suite, accepted);

	tcase_add_test(schema, test_schema_by_name_reordered_with_extra_columns);
	tcase_add_test(schema, test_schema_by_name_without_target);
	tcase_add_test(schema, test_schema_without_header_with_target);
	tcase_add_test(schema, test_schema_without_header_without_target);
	tcase_add_test(schema, test_schema_without_header_target_first);
	tcase_add_test(schema, test_schema_classes_keep_model_order);
	tcase_add_test(schema, test_schema_classes_without_target);
	suite_add_tcase(suite, schema);

	tcase_add_test(refused, test_refuse_ragged_row);
	tcase_add_test(refused, test_refuse_long_row);
	tcase_add_test(refused, test_refuse_empty_feature);
	tcase_add_test(refused, test_refuse_blank_quoted_feature);
	tcase_add_test(refused, test_refuse_empty_target);
	tcase_add_test(refused, test_refuse_empty_label);
	tcase_add_test(refused, test_refuse_non_numeric_feature);
	tcase_add_test(refused, test_refuse_trailing_garbage);
	tcase_add_test(refused, test_refuse_hexadecimal);
	tcase_add_test(refused, test_refuse_non_numeric_regression_target);
	tcase_add_test(refused, test_refuse_non_numeric_without_header);
	tcase_add_test(refused, test_refuse_nan);
	tcase_add_test(refused, test_refuse_inf);
	tcase_add_test(refused, test_refuse_infinity_any_case);
	tcase_add_test(refused, test_refuse_out_of_range);
	tcase_add_test(refused, test_refuse_unterminated_quote);
	tcase_add_test(refused, test_refuse_stray_quote);
	tcase_add_test(refused, test_refuse_text_after_closing_quote);
	tcase_add_test(refused, test_refuse_nul_byte);
	tcase_add_test(refused, test_refuse_empty_input);
	tcase_add_test(refused, test_refuse_blank_input);
	tcase_add_test(refused, test_refuse_empty_input_without_header);
	tcase_add_test(refused, test_refuse_header_without_rows);
	tcase_add_test(refused, test_refuse_header_without_rows_no_newline);
	tcase_add_test(refused, test_refuse_too_many_classes);
	tcase_add_test(refused, test_refuse_too_many_classes_without_model_name);
	tcase_add_test(refused, test_refuse_one_class);
	tcase_add_test(refused, test_refuse_unknown_target_name);
	tcase_add_test(refused, test_refuse_target_number_out_of_range);
	tcase_add_test(refused, test_refuse_target_zero);
	tcase_add_test(refused, test_refuse_target_name_without_header);
	tcase_add_test(refused, test_refuse_single_column);
	tcase_add_test(refused, test_refuse_duplicate_column_name);
	tcase_add_test(refused, test_refuse_unnamed_column);
	tcase_add_test(refused, test_line_after_multiline_quoted_field);
	tcase_add_test(refused, test_line_of_multiline_record);
	tcase_add_test(refused, test_line_counts_blank_lines);
	tcase_add_test(refused, test_refuse_schema_missing_column);
	tcase_add_test(refused, test_refuse_schema_missing_required_target);
	tcase_add_test(refused, test_refuse_schema_wrong_field_count);
	tcase_add_test(refused, test_refuse_schema_required_target_by_position);
	tcase_add_test(refused, test_refuse_schema_ragged_later_row);
	tcase_add_test(refused, test_refuse_unknown_class);
	tcase_add_test(refused, test_refuse_read_error);
	suite_add_tcase(suite, refused);

	tcase_add_test(numbers, test_parse_reasons);
	tcase_add_test(numbers, test_parse_round_trip);
	tcase_add_test(numbers, test_parse_whole_number_small_maximum);
	tcase_add_test(numbers, test_parse_decimal_fast_path_is_exact);
	/* 200,000 conversions against strtod: seconds under the sanitizers on a busy machine. */
	tcase_set_timeout(numbers, 60);
	suite_add_tcase(suite, numbers);

	tcase_add_test(stats, test_column_stats);
	tcase_add_test(stats, test_column_stats_large_mean);
	tcase_add_test(stats, test_apply_scaling);
	tcase_add_test(stats, test_column_stats_of_rows);
	tcase_add_test(stats, test_holdout_split);
	tcase_add_test(stats, test_free_zeroed_dataset);
	suite_add_tcase(suite, stats);

	TCase *input = tcase_create("input");
	tcase_add_test(input, test_missing_spellings_drop);
	tcase_add_test(input, test_missing_mean_leaves_nan_and_drops_missing_target);
	tcase_add_test(input, test_missing_spelling_refused_by_default);
	tcase_add_test(input, test_features_in_order);
	tcase_add_test(input, test_ignore_by_name_and_number);
	tcase_add_test(input, test_refuse_unknown_feature_column);
	tcase_add_test(input, test_column_list_syntax);
	tcase_add_test(input, test_pandas_index_column);
	tcase_add_test(input, test_blank_runs_with_quotes);
	tcase_add_test(input, test_row_names);
	tcase_add_test(input, test_categorical_vocabulary_sorted);
	tcase_add_test(input, test_categorical_auto_and_unseen_at_prediction);
	tcase_add_test(input, test_wrong_guesses);
	tcase_add_test(input, test_direct_path_same_as_libcsv);
	tcase_add_test(input, test_direct_path_tab_delimiter_keeps_spaces_trimmed);
	tcase_add_test(input, test_direct_path_nul_byte_line);
	tcase_add_test(input, test_direct_path_large_input_across_blocks);
	tcase_add_test(input, test_parse_number_fast_paths_exact);
	suite_add_tcase(suite, input);
	return suite;
}

UNIT_MAIN(csv_suite)
