/* model_io.c - model records out and back in.
 *
 * The reader collects one record's fields at a time from libcsv, then
 * dispatches on the first field.  Records must come in the order the writer
 * emits them: model, layers, target, feature..., class..., weight/bias in
 * parameter order.  The reader owns nothing once it returns: on failure the
 * partly built model is freed.
 */
#define _POSIX_C_SOURCE 200809L
#include "model_io.h"

#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "output.h"

void model_write_status(FILE *out, const char *state, long epoch)
{
	fprintf(out, "status,%s,%ld\n", state, epoch);
}

void model_write(FILE *out, const struct model *m)
{
	fprintf(out, "model,%s\n", m->kind->name);
	fputs("layers", out);
	for (size_t l = 0; l <= m->n_layers; l++)
		fprintf(out, ",%zu", m->sizes[l]);
	putc('\n', out);
	if (m->target_name) {
		fputs("target,", out);
		output_write_field(out, m->target_name);
		putc('\n', out);
	}
	for (size_t j = 0; j < m->n_features; j++) {
		fprintf(out, "feature,%zu,", j + 1);
		output_write_field(out, m->feature_names[j]);
		putc(',', out);
		output_write_exact(out, m->feature_mean[j]);
		putc(',', out);
		output_write_exact(out, m->feature_scale[j]);
		putc('\n', out);
	}
	for (size_t k = 0; k < m->n_classes; k++) {
		fprintf(out, "class,%zu,", k);
		output_write_field(out, m->class_labels[k]);
		putc('\n', out);
	}
	const double *p = m->params;
	for (size_t l = 0; l < m->n_layers; l++) {
		size_t in = m->sizes[l], outputs = m->sizes[l + 1];
		for (size_t o = 0; o < outputs; o++)
			for (size_t j = 0; j < in; j++) {
				fprintf(out, "weight,%zu,%zu,%zu,", l + 1, o + 1, j + 1);
				output_write_exact(out, *p++);
				putc('\n', out);
			}
		for (size_t o = 0; o < outputs; o++) {
			fprintf(out, "bias,%zu,%zu,", l + 1, o + 1);
			output_write_exact(out, *p++);
			putc('\n', out);
		}
	}
}

/* ---- reading ---- */

struct reader {
	const char *source;
	struct error *err;
	int failed;
	long line;              /* line being fed */
	long record_line;       /* line where the current record started */
	int in_record;          /* a record is partly read */
	char **fields;
	size_t n_fields, capacity;
	/* what has been read */
	struct model *m;
	int have_model;
	size_t n_features_read, n_classes_read, n_params_read;
	const struct model_kind *kind;
	size_t *sizes;
	size_t n_sizes;
	char *target_name;
};

static int reader_fail(struct reader *r, const char *format, const char *detail)
{
	char text[512];

	snprintf(text, sizeof text, format, detail);
	r->failed = 1;
	return error_set(r->err, EXIT_DATA, "%s:%ld: %s", r->source, r->record_line, text);
}

static int parse_index(const char *text, size_t *value)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-')
		return -1;
	*value = (size_t)v;
	return 0;
}

/* "model,KIND" and "layers,IN,...,OUT" together fix the shape. */
static int reader_allocate(struct reader *r)
{
	size_t outputs = r->sizes[r->n_sizes - 1];
	size_t n_classes = 0;

	if (r->n_sizes != 2)
		return reader_fail(r, "%s", "models with hidden layers are not supported");
	if (r->kind->classifier)
		n_classes = outputs == 1 ? 2 : outputs;
	if (r->kind->outputs(n_classes) != outputs)
		return reader_fail(r, "%s", "layer sizes do not fit the model kind");
	if (model_allocate(r->m, r->kind, r->sizes, r->n_sizes - 1, n_classes, r->err) != 0) {
		r->failed = 1;
		return -1;
	}
	r->have_model = 1;
	r->m->target_name = r->target_name;
	r->target_name = NULL;
	return 0;
}

static int read_model_record(struct reader *r, char **f, size_t n)
{
	if (r->kind)
		return reader_fail(r, "%s", "a second model record (one model per file)");
	if (n != 2)
		return reader_fail(r, "%s", "model record needs 2 fields");
	r->kind = model_kind_find(f[1]);
	if (!r->kind)
		return reader_fail(r, "unknown model kind '%s'", f[1]);
	return 0;
}

static int read_layers_record(struct reader *r, char **f, size_t n)
{
	if (!r->kind || r->sizes)
		return reader_fail(r, "%s", "layers record out of place");
	if (n < 3)
		return reader_fail(r, "%s", "layers record needs at least 2 sizes");
	r->sizes = malloc((n - 1) * sizeof *r->sizes);
	if (!r->sizes) {
		r->failed = 1;
		return error_set(r->err, EXIT_SOFTWARE, "out of memory");
	}
	r->n_sizes = n - 1;
	for (size_t i = 1; i < n; i++)
		if (parse_index(f[i], &r->sizes[i - 1]) != 0 || r->sizes[i - 1] == 0)
			return reader_fail(r, "bad layer size '%s'", f[i]);
	return reader_allocate(r);
}

static int read_feature_record(struct reader *r, char **f, size_t n)
{
	struct model *m = r->m;
	size_t index;
	const char *why;

	if (!r->have_model)
		return reader_fail(r, "%s", "feature record before the layers record");
	if (n != 5 || parse_index(f[1], &index) != 0)
		return reader_fail(r, "%s", "feature record needs: feature,INDEX,NAME,MEAN,SCALE");
	if (index != r->n_features_read + 1 || index > m->n_features)
		return reader_fail(r, "feature %s out of order", f[1]);
	size_t j = index - 1;
	if (parse_finite_double(f[3], &m->feature_mean[j], &why) != 0 ||
	    parse_finite_double(f[4], &m->feature_scale[j], &why) != 0 ||
	    m->feature_scale[j] == 0.0)
		return reader_fail(r, "bad statistics for feature '%s'", f[2]);
	m->feature_names[j] = strdup(f[2]);
	if (!m->feature_names[j]) {
		r->failed = 1;
		return error_set(r->err, EXIT_SOFTWARE, "out of memory");
	}
	r->n_features_read++;
	return 0;
}

static int read_class_record(struct reader *r, char **f, size_t n)
{
	struct model *m = r->m;
	size_t index;

	if (!r->have_model)
		return reader_fail(r, "%s", "class record before the layers record");
	if (!m->kind->classifier)
		return reader_fail(r, "%s", "class record in a regression model");
	if (n != 3 || parse_index(f[1], &index) != 0)
		return reader_fail(r, "%s", "class record needs: class,INDEX,LABEL");
	if (index != r->n_classes_read || index >= m->n_classes)
		return reader_fail(r, "class %s out of order", f[1]);
	m->class_labels[index] = strdup(f[2]);
	if (!m->class_labels[index]) {
		r->failed = 1;
		return error_set(r->err, EXIT_SOFTWARE, "out of memory");
	}
	r->n_classes_read++;
	return 0;
}

/*
 * weight,LAYER,ROW,COLUMN,VALUE and bias,LAYER,ROW,VALUE must name exactly
 * the next parameter of the flat layout.
 */
static int read_parameter_record(struct reader *r, char **f, size_t n, int is_bias)
{
	struct model *m = r->m;
	size_t layer, row, column = 0, expect_layer = 0, offset = 0, next = r->n_params_read;
	const char *why;

	if (!r->have_model)
		return reader_fail(r, "%s", "weight record before the layers record");
	if (n != (is_bias ? 4u : 5u) || parse_index(f[1], &layer) != 0 ||
	    parse_index(f[2], &row) != 0 || (!is_bias && parse_index(f[3], &column) != 0))
		return reader_fail(r, "%s", is_bias ? "bias record needs: bias,LAYER,ROW,VALUE"
					: "weight record needs: weight,LAYER,ROW,COLUMN,VALUE");
	if (next >= m->n_params)
		return reader_fail(r, "%s", "more parameters than the layers hold");
	/* Find which layer and position the next parameter is. */
	while (expect_layer < m->n_layers) {
		size_t size = m->sizes[expect_layer + 1] * (m->sizes[expect_layer] + 1);
		if (next < offset + size)
			break;
		offset += size;
		expect_layer++;
	}
	size_t in = m->sizes[expect_layer], position = next - offset;
	size_t weights = m->sizes[expect_layer + 1] * in;
	int expect_bias = position >= weights;
	size_t expect_row = expect_bias ? position - weights + 1 : position / in + 1;
	size_t expect_column = expect_bias ? 0 : position % in + 1;
	if (is_bias != expect_bias || layer != expect_layer + 1 || row != expect_row ||
	    column != expect_column)
		return reader_fail(r, "%s", "parameter out of order");
	if (parse_finite_double(f[n - 1], &m->params[next], &why) != 0)
		return reader_fail(r, "bad parameter value '%s'", f[n - 1]);
	r->n_params_read++;
	return 0;
}

static int dispatch_record(struct reader *r)
{
	char **f = r->fields;
	size_t n = r->n_fields;

	if (n == 0)
		return 0;
	if (strcmp(f[0], "model") == 0)
		return read_model_record(r, f, n);
	if (strcmp(f[0], "layers") == 0)
		return read_layers_record(r, f, n);
	if (strcmp(f[0], "target") == 0) {
		if (n != 2)
			return reader_fail(r, "%s", "target record needs 2 fields");
		char **slot = r->have_model ? &r->m->target_name : &r->target_name;
		free(*slot);
		*slot = strdup(f[1]);
		if (!*slot) {
			r->failed = 1;
			return error_set(r->err, EXIT_SOFTWARE, "out of memory");
		}
		return 0;
	}
	if (strcmp(f[0], "feature") == 0)
		return read_feature_record(r, f, n);
	if (strcmp(f[0], "class") == 0)
		return read_class_record(r, f, n);
	if (strcmp(f[0], "weight") == 0)
		return read_parameter_record(r, f, n, 0);
	if (strcmp(f[0], "bias") == 0)
		return read_parameter_record(r, f, n, 1);
	return 0;       /* epoch, status, predictions: not model records */
}

static void clear_fields(struct reader *r)
{
	for (size_t i = 0; i < r->n_fields; i++)
		free(r->fields[i]);
	r->n_fields = 0;
}

static void on_field(void *text, size_t length, void *context)
{
	struct reader *r = context;

	if (r->failed)
		return;
	if (!r->in_record) {
		r->in_record = 1;
		r->record_line = r->line;
	}
	if (r->n_fields == r->capacity) {
		size_t capacity = r->capacity ? 2 * r->capacity : 8;
		char **fields = realloc(r->fields, capacity * sizeof *fields);
		if (!fields) {
			r->failed = 1;
			error_set(r->err, EXIT_SOFTWARE, "out of memory");
			return;
		}
		r->fields = fields;
		r->capacity = capacity;
	}
	char *copy = malloc(length + 1);
	if (!copy) {
		r->failed = 1;
		error_set(r->err, EXIT_SOFTWARE, "out of memory");
		return;
	}
	memcpy(copy, text ? text : "", length);
	copy[length] = '\0';
	r->fields[r->n_fields++] = copy;
}

static void on_record_end(int terminator, void *context)
{
	struct reader *r = context;

	(void)terminator;
	if (!r->failed) {
		if (!r->in_record)
			r->record_line = r->line;
		dispatch_record(r);
	}
	clear_fields(r);
	r->in_record = 0;
}

static int check_complete(struct reader *r)
{
	struct model *m = r->m;

	r->record_line = r->line;
	if (!r->kind)
		return error_set(r->err, EXIT_DATA, "%s: no model records found", r->source);
	if (!r->have_model)
		return error_set(r->err, EXIT_DATA, "%s: no layers record", r->source);
	if (r->n_features_read != m->n_features || r->n_classes_read != m->n_classes ||
	    r->n_params_read != m->n_params)
		return error_set(r->err, EXIT_DATA,
				 "%s: incomplete model: %zu of %zu features, %zu of %zu classes, "
				 "%zu of %zu parameters", r->source, r->n_features_read,
				 m->n_features, r->n_classes_read, m->n_classes,
				 r->n_params_read, m->n_params);
	return 0;
}

int model_read(FILE *in, const char *source, struct model *m, struct error *err)
{
	struct csv_parser parser;
	struct reader r = { .source = source, .err = err, .m = m };
	char *line = NULL;
	size_t line_capacity = 0;
	ssize_t length;
	int result = 0;

	memset(m, 0, sizeof *m);
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	while (!r.failed && (length = getline(&line, &line_capacity, in)) != -1) {
		r.line++;
		if (!r.in_record && line[0] == '#')
			continue;
		if (memchr(line, '\0', (size_t)length)) {
			r.record_line = r.line;
			reader_fail(&r, "%s", "NUL byte in model file");
			break;
		}
		if ((size_t)length != csv_parse(&parser, line, (size_t)length, on_field,
						on_record_end, &r) && !r.failed) {
			r.record_line = r.line;
			reader_fail(&r, "%s", "malformed CSV (stray quote?)");
		}
	}
	if (!r.failed && ferror(in))
		error_set(err, EXIT_NOINPUT, "%s: read error", source), r.failed = 1;
	if (!r.failed && csv_fini(&parser, on_field, on_record_end, &r) != 0 && !r.failed)
		reader_fail(&r, "%s", "unterminated quoted field");
	if (r.failed || check_complete(&r) != 0)
		result = -1;
	clear_fields(&r);
	free(r.fields);
	free(r.sizes);
	free(r.target_name);
	free(line);
	csv_free(&parser);
	if (result != 0 && r.have_model)
		model_free(m);
	return result;
}

int model_load(const char *path, struct model *m, struct error *err)
{
	FILE *in = fopen(path, "r");

	if (!in)
		return error_set(err, EXIT_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
	int result = model_read(in, path, m, err);
	fclose(in);
	return result;
}

int model_save(const char *path, const struct model *m, const char *state, long epoch,
	       struct error *err)
{
	const char *slash = strrchr(path, '/');
	size_t directory_length = slash ? (size_t)(slash - path) + 1 : 0;
	char *temporary = malloc(directory_length + sizeof ".descent-XXXXXX");

	if (!temporary)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	memcpy(temporary, path, directory_length);
	strcpy(temporary + directory_length, ".descent-XXXXXX");
	int fd = mkstemp(temporary);
	if (fd < 0) {
		error_set(err, EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
		free(temporary);
		return -1;
	}
	/* mkstemp makes the file private; a model is as readable as any output. */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	FILE *out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		goto failed;
	}
	model_write_status(out, state, epoch);
	model_write(out, m);
	if (output_flush(out) != 0 || fsync(fileno(out)) != 0) {
		fclose(out);
		goto failed;
	}
	if (fclose(out) != 0 || rename(temporary, path) != 0)
		goto failed;
	free(temporary);
	return 0;
failed:
	error_set(err, EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
	unlink(temporary);
	free(temporary);
	return -1;
}
