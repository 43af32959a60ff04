/* fuzz_csv.c - libFuzzer target: the CSV data reader and the number parsers.
 *
 * The input's first byte chooses the reading options (the rest is the data
 * on a stdin-like FILE), so one corpus covers the option combinations the
 * command line can ask for: header or not, the delimiter (',', ';', tab,
 * -d space), the target first or last, the --missing policy, --categorical
 * auto, a classifier's labels, and schema mode (the data read in the schema
 * of a small built-in model, as --predict and --init read it).  A second
 * pass reads with --stream's handlers, which keep no rows.
 *
 * Then the whole input, as a NUL-terminated string, goes through the
 * number parsers of src/base/parse.h, checking what is cheap to check:
 * what parse_finite_double accepts is strtod's finite value, the fast
 * parsers give that very double or decline, and parse_whole_number never
 * exceeds its maximum.  Any disagreement aborts, which libFuzzer reports.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "head.h"
#include "model.h"
#include "model_io.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The schema-mode model: a logistic model over a numeric column, a
 * categorical one (three values) and another numeric one, with
 * --standardize and --missing mean fills (saved by descent itself).
 */
static const char schema_model_text[] =
	"format,descent-model,2\n"
	"model,logistic\n"
	"layer,1,5,1,identity,0\n"
	"target,y\n"
	"class,0,no\n"
	"class,1,yes\n"
	"feature,1,a,3,1.4142135623730951\n"
	"feature,2,colour,0.40000000000000002,0.48989794855663565\n"
	"feature,3,colour,0.20000000000000001,0.40000000000000002\n"
	"feature,4,colour,0.40000000000000002,0.48989794855663565\n"
	"feature,5,b,1.75,0.92195444572928875\n"
	"category,2,blue\n"
	"category,3,green\n"
	"category,4,red\n"
	"missing,1,3\n"
	"missing,2,0.40000000000000002\n"
	"missing,3,0.20000000000000001\n"
	"missing,4,0.40000000000000002\n"
	"missing,5,1.75\n"
	"weight,1,1,1,0\n"
	"weight,1,1,2,-0.00081649658092772584\n"
	"weight,1,1,3,-0.0030000000000000001\n"
	"weight,1,1,4,0.0032659863237109038\n"
	"weight,1,1,5,0.0027116307227332014\n"
	"bias,1,1,0.001\n"
	"end,25\n";

/* Loaded once; reachable for the whole run, so LeakSanitizer is content. */
static struct model schema_model;
static int schema_model_loaded;

static void load_schema_model(void)
{
	struct error err = { 0 };
	FILE *in = fmemopen((void *)schema_model_text, sizeof schema_model_text - 1, "r");

	if (!in || model_read(in, "schema model", &schema_model, &err) != 0) {
		fprintf(stderr, "fuzz_csv: the built-in model does not load: %s\n", err.message);
		abort();
	}
	fclose(in);
	schema_model_loaded = 1;
}

/* The --stream handlers: count, and take the schema half the time. */
struct stream_count {
	size_t rows;
	size_t features;
	int take_schema;
	struct schema taken;
};

static int count_start(void *context, struct dataset *data, struct error *err)
{
	struct stream_count *count = context;

	(void)err;
	count->features = data->features;
	if (count->take_schema)
		schema_move(&count->taken, &data->schema);
	return 0;
}

static int count_row(void *context, const double *x, double y, struct error *err)
{
	struct stream_count *count = context;

	(void)y;
	for (size_t j = 0; j < count->features; j++)
		if (isinf(x[j]))
			return error_set(err, EXIT_DATA, "infinite input");
	count->rows++;
	return 0;
}

/* The reading options that the first byte selects (bits as below). */
static void choose_options(uint8_t choice, struct csv_read_options *r)
{
	static const char delimiters[] = { ',', ';', '\t', ' ' };
	const struct head *head = head_find((choice & 0x80) ? "softmax" : "linear");

	memset(r, 0, sizeof *r);
	r->source = "<stdin>";
	r->has_header = !(choice & 0x01);                       /* bit 0: --no-header */
	r->delimiter = delimiters[(choice >> 1) & 3];           /* bits 1-2 */
	r->blank_runs = r->delimiter == ' ';                    /* -d space */
	r->target = (choice & 0x08) ? "1" : NULL;               /* bit 3: -t 1 */
	r->missing = (enum missing_policy)((choice >> 4) % 3);  /* bits 4-5 */
	if (choice & 0x40)                                      /* bit 6 */
		r->categorical = "auto";
	r->classification = head->classifier;                   /* bit 7 */
	r->max_classes = head->max_classes;
	r->too_many_classes_hint = head->too_many_classes_hint;
	r->model_name = head->name;
}

/* Schema mode, as cli_schema_options sets it for the built-in model. */
static void choose_schema(struct csv_read_options *r, int target_required)
{
	const struct schema *s = &schema_model.schema;

	r->target = NULL;
	r->categorical = NULL;
	r->classification = 1;
	r->schema_features = s->feature_names;
	r->schema_count = s->n_features;
	r->schema_target = s->target_name;
	r->model_schema = s;
	r->target_required = target_required;
	r->schema_classes = s->class_labels;
	r->schema_n_classes = s->n_classes;
}

static void read_dataset(const uint8_t *data, size_t size, const struct csv_read_options *r)
{
	struct dataset d;
	struct error err = { 0 };
	FILE *in = fmemopen(size ? (void *)data : (void *)"", size, "r");

	if (!in)
		return;
	if (csv_read_dataset(in, r, &d, &err) == 0) {
		/* What training relies on: no infinity; NaN only for a missing value to fill. */
		int may_miss = r->missing == MISSING_MEAN || r->model_schema;
		for (size_t i = 0; i < d.rows * d.features; i++)
			if (isinf(d.x[i]) || (isnan(d.x[i]) && !may_miss))
				abort();
		dataset_free(&d);
	} else if (err.status == 0 || err.message[0] == '\0') {
		abort();        /* a refusal always says why */
	}
	fclose(in);
}

static void stream_dataset(const uint8_t *data, size_t size, struct csv_read_options r)
{
	struct dataset d;
	struct error err = { 0 };
	struct stream_count count = { 0 };
	FILE *in = fmemopen(size ? (void *)data : (void *)"", size, "r");

	if (!in)
		return;
	/* --stream reads numeric columns (or a schema) and fixed classes only. */
	r.categorical = NULL;
	if (r.classification && !r.model_schema) {
		static char *const classes[] = { "0", "1", "2" };
		r.schema_classes = classes;
		r.schema_n_classes = 3;
	}
	count.take_schema = size & 1;
	r.stream_start = count_start;
	r.stream_row = count_row;
	r.stream_context = &count;
	if (csv_read_dataset(in, &r, &d, &err) == 0) {
		if (d.rows != 0)
			abort();        /* a stream keeps no row */
		dataset_free(&d);
	}
	schema_free(&count.taken);
	fclose(in);
}

/* The number parsers on text: each must agree with strtod where it accepts. */
static void check_parsers(const char *text, size_t length)
{
	double strict, fast, expected;
	const char *reason = NULL;
	char *end;
	uint64_t whole;

	int accepted = parse_finite_double(text, &strict, &reason) == 0;
	if (accepted) {
		errno = 0;
		expected = strtod(text, &end);
		if (!isfinite(strict) || memcmp(&strict, &expected, sizeof strict) != 0)
			abort();
	} else if (!reason) {
		abort();
	}
	if (parse_number_fast(text, &fast) &&
	    (!accepted || memcmp(&fast, &strict, sizeof fast) != 0))
		abort();

	/* parse_number_padded may read 8 bytes past the NUL: give it them. */
	char *padded = calloc(length + 1 + 8, 1);
	if (padded) {
		memcpy(padded, text, length);
		if (parse_number_padded(padded, &fast) &&
		    (!accepted || memcmp(&fast, &strict, sizeof fast) != 0))
			abort();
#if DESCENT_PARSE_SWAR
		const char *after = parse_number_prefix(padded, &fast);
		if (after) {
			/* The prefix alone is a number strtod reads to the same place. */
			char *prefix = strndup(padded, (size_t)(after - padded));
			if (prefix) {
				expected = strtod(prefix, &end);
				if (*end != '\0' || memcmp(&fast, &expected, sizeof fast) != 0)
					abort();
				free(prefix);
			}
		}
#endif
		free(padded);
	}

	/* parse_whole_number under a few maxima, small ones too. */
	static const uint64_t maxima[] = { 0, 1, 5, 9, 10, 99, 1000, 1000000, UINT64_MAX };
	for (size_t i = 0; i < sizeof maxima / sizeof maxima[0]; i++) {
		if (parse_whole_number(text, maxima[i], &whole) != 0)
			continue;
		errno = 0;
		unsigned long long check = strtoull(text, &end, 10);
		if (whole > maxima[i] || errno != 0 || *end != '\0' || check != whole ||
		    text[0] < '0' || text[0] > '9')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_read_options r;

	if (!schema_model_loaded)
		load_schema_model();
	if (size == 0)
		return 0;
	choose_options(data[0], &r);
	/* Schema mode when bit 6 (auto) and bit 7 (classifier) are both set. */
	if ((data[0] & 0xC0) == 0xC0)
		choose_schema(&r, data[0] & 0x08);
	read_dataset(data + 1, size - 1, &r);
	stream_dataset(data + 1, size - 1, r);

	/* Short inputs only: the parsers see one field, not a whole file. */
	if (size <= 4096) {
		char *text = malloc(size + 1);
		if (text) {
			memcpy(text, data, size);
			text[size] = '\0';
			check_parsers(text, strlen(text));
			free(text);
		}
	}
	return 0;
}
