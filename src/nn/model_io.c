/* model_io.c - model records out and back in.
 *
 * The reader takes records from csv_records.c, keeps the model records (and
 * skips every other kind), and only then builds the model: the sizes the
 * layer records declare are checked against the number of feature, class,
 * weight and bias records the file really holds before anything of those
 * sizes is allocated.  The reader owns the kept records until it returns;
 * on failure the partly built model is freed.
 */
#define _POSIX_C_SOURCE 200809L
#include "model_io.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "csv_records.h"
#include "name_index.h"
#include "output.h"
#include "parse.h"

void model_write_status(FILE *out, const char *state, long epoch)
{
	fprintf(out, "status,%s,%ld\n", state, epoch);
}

void model_write(FILE *out, const struct model *m)
{
	const struct schema *s = &m->schema;
	const double *p = m->params;
	size_t records = 0;

	fputs("format,descent-model,2\n", out);
	fprintf(out, "model,%s\n", m->head->name);
	records += 2;
	for (size_t l = 0; l < m->net.n_layers; l++, records++) {
		const struct layer *layer = &m->net.layers[l];
		fprintf(out, "layer,%zu,%zu,%zu,%s,%d\n", l + 1, layer->in, layer->out,
			activation_name(layer->activation), layer->skip ? 1 : 0);
	}
	if (s->target_name) {
		fputs("target,", out);
		output_write_field(out, s->target_name);
		putc('\n', out);
		records++;
	}
	for (size_t k = 0; k < s->n_classes; k++, records++) {
		fprintf(out, "class,%zu,", k);
		output_write_field(out, s->class_labels[k]);
		putc('\n', out);
	}
	for (size_t j = 0; j < s->n_features; j++, records++) {
		fprintf(out, "feature,%zu,", j + 1);
		output_write_field(out, s->feature_names[j]);
		putc(',', out);
		output_write_exact(out, s->feature_mean[j]);
		putc(',', out);
		output_write_exact(out, s->feature_scale[j]);
		putc('\n', out);
	}
	for (size_t j = 0; s->feature_category && j < s->n_features; j++) {
		if (!s->feature_category[j])
			continue;
		fprintf(out, "category,%zu,", j + 1);
		output_write_field(out, s->feature_category[j]);
		putc('\n', out);
		records++;
	}
	for (size_t j = 0; s->feature_fill && j < s->n_features; j++, records++) {
		fprintf(out, "missing,%zu,", j + 1);
		output_write_exact(out, s->feature_fill[j]);
		putc('\n', out);
	}
	for (size_t i = 0; s->rotation && i < s->n_features; i++)
		for (size_t j = 0; j < s->n_features; j++, records++) {
			fprintf(out, "rotation,%zu,%zu,", i + 1, j + 1);
			output_write_exact(out, s->rotation[i * s->n_features + j]);
			putc('\n', out);
		}
	for (size_t l = 0; l < m->net.n_layers; l++) {
		const struct layer *layer = &m->net.layers[l];
		for (size_t o = 0; o < layer->out; o++)
			for (size_t j = 0; j < layer->in; j++, records++) {
				fprintf(out, "weight,%zu,%zu,%zu,", l + 1, o + 1, j + 1);
				output_write_exact(out, *p++);
				putc('\n', out);
			}
		for (size_t o = 0; o < layer->out; o++, records++) {
			fprintf(out, "bias,%zu,%zu,", l + 1, o + 1);
			output_write_exact(out, *p++);
			putc('\n', out);
		}
	}
	fprintf(out, "end,%zu\n", records);
}

/* ---- reading ---- */

enum record_kind {
	RECORD_FORMAT, RECORD_MODEL, RECORD_LAYERS, RECORD_LAYER, RECORD_TARGET, RECORD_CLASS,
	RECORD_FEATURE, RECORD_WEIGHT, RECORD_BIAS, RECORD_END, RECORD_CATEGORY, RECORD_MISSING,
	RECORD_ROTATION, RECORD_KINDS
};

static const char *const record_names[RECORD_KINDS] = {
	"format", "model", "layers", "layer", "target", "class", "feature", "weight", "bias",
	"end", "category", "missing", "rotation"
};

/* A model record, kept until the whole file is read. */
struct kept_record {
	enum record_kind kind;
	size_t line;
	size_t sequence;        /* its place among all records of the file */
	size_t count;
	int terminated;         /* a line ending follows it (csv_record.terminated) */
	char **fields;          /* count strings in one allocation with the array */
};

struct reader {
	const char *source;
	struct error *err;
	struct kept_record *records;
	size_t n_records, capacity;
	size_t sequence;        /* records seen, of every kind */
	size_t per_kind[RECORD_KINDS];
	size_t first[RECORD_KINDS];     /* index in records of the first of each kind */
	size_t second[RECORD_KINDS];    /* ... and of the second, or SIZE_MAX */
};

static int fail_at(struct reader *r, size_t line, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct reader *r, size_t line, const char *format, ...)
{
	char what[sizeof r->err->message];
	va_list ap;

	va_start(ap, format);
	vsnprintf(what, sizeof what, format, ap);
	va_end(ap);
	return csv_error_at(r->err, r->source, line, "%s", what);
}

/* csv_records handler: keep the model records, count every record. */
static int keep_record(void *context, const struct csv_record *record, struct error *err)
{
	struct reader *r = context;
	size_t bytes = (record->count + 1) * sizeof(char *);
	enum record_kind kind = RECORD_KINDS;

	r->sequence++;
	if (record->count == 0)
		return 0;
	for (int k = 0; k < RECORD_KINDS; k++)
		if (strcmp(record->fields[0], record_names[k]) == 0)
			kind = (enum record_kind)k;
	if (kind == RECORD_KINDS)
		return 0;       /* epoch, status, predictions: not model records */
	for (size_t i = 0; i < record->count; i++)
		bytes += strlen(record->fields[i]) + 1;
	if (array_grow((void **)&r->records, &r->capacity, r->n_records + 1,
		       sizeof *r->records) != 0)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	struct kept_record *kept = &r->records[r->n_records];
	char **fields = malloc(bytes);
	if (!fields)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	char *text = (char *)(fields + record->count + 1);
	for (size_t i = 0; i < record->count; i++) {
		size_t length = strlen(record->fields[i]) + 1;
		memcpy(text, record->fields[i], length);
		fields[i] = text;
		text += length;
	}
	fields[record->count] = NULL;
	*kept = (struct kept_record){ .kind = kind, .line = record->line,
				      .sequence = r->sequence, .count = record->count,
				      .terminated = record->terminated, .fields = fields };
	if (r->per_kind[kind] == 0)
		r->first[kind] = r->n_records;
	else if (r->per_kind[kind] == 1)
		r->second[kind] = r->n_records;
	r->per_kind[kind]++;
	r->n_records++;
	return 0;
}

static void reader_free(struct reader *r)
{
	for (size_t i = 0; i < r->n_records; i++)
		free(r->records[i].fields);
	free(r->records);
}

static const struct kept_record *first_of(const struct reader *r, enum record_kind kind)
{
	return r->per_kind[kind] ? &r->records[r->first[kind]] : NULL;
}

/* A whole number that fits a size_t and is at least minimum. */
static int parse_size(const char *text, size_t minimum, size_t *value)
{
	uint64_t number;

	if (parse_whole_number(text, SIZE_MAX, &number) != 0 || number < minimum)
		return -1;
	*value = (size_t)number;
	return 0;
}

/* format,descent-model,2 first and end,N last (version 2), or neither (1). */
static int check_version(struct reader *r, int *version)
{
	const struct kept_record *format = first_of(r, RECORD_FORMAT);
	const struct kept_record *end = first_of(r, RECORD_END);
	size_t n;

	*version = format ? 2 : 1;
	if (r->per_kind[RECORD_FORMAT] > 1)
		return fail_at(r, r->records[r->second[RECORD_FORMAT]].line,
			       "a second format record (one model per file)");
	if (!format) {
		if (end)
			return fail_at(r, end->line, "end record without a format record");
		if (r->per_kind[RECORD_LAYER])
			return fail_at(r, first_of(r, RECORD_LAYER)->line,
				       "layer record without a format record");
		/*
		 * Without an end record, the line ending after the last model
		 * record is all that tells a whole file from one cut inside its
		 * last number (descent always wrote one).
		 */
		if (r->n_records && !r->records[r->n_records - 1].terminated)
			return fail_at(r, r->records[r->n_records - 1].line, "the version-1 model "
				       "ends without a line ending (the file was cut short?)");
		return 0;
	}
	if (format->count != 3 || strcmp(format->fields[1], "descent-model") != 0)
		return fail_at(r, format->line, "format record needs: format,descent-model,VERSION");
	if (strcmp(format->fields[2], "2") != 0)
		return fail_at(r, format->line, "model file version '%s' is not one this descent "
			       "reads (1 or 2)", format->fields[2]);
	if (format != &r->records[0])
		return fail_at(r, r->records[0].line, "%s record before the format record",
			       record_names[r->records[0].kind]);
	if (r->per_kind[RECORD_LAYERS])
		return fail_at(r, first_of(r, RECORD_LAYERS)->line,
			       "a version-1 layers record in a version-2 file");
	if (!end)
		return error_set(r->err, EXIT_DATA, "%s: the model ends without its end record "
				 "(the file was cut short?)", r->source);
	if (r->per_kind[RECORD_END] > 1 || end != &r->records[r->n_records - 1])
		return fail_at(r, end[1].line, "model records after the end record");
	if (end->count != 2 || parse_size(end->fields[1], 0, &n) != 0)
		return fail_at(r, end->line, "end record needs: end,N");
	if (n != end->sequence - format->sequence)
		return fail_at(r, end->line, "end record counts %zu records, but %zu come before it "
			       "(the file was cut or edited?)", n, end->sequence - format->sequence);
	return 0;
}

/* The layer descriptions, into *layers (allocated, as many as records). */
static int read_layers(struct reader *r, int version, struct layer **layers, size_t *n_layers)
{
	size_t count = version == 2 ? r->per_kind[RECORD_LAYER] : 1;

	if (version == 1) {
		const struct kept_record *sizes = first_of(r, RECORD_LAYERS);
		if (!sizes)
			return error_set(r->err, EXIT_DATA, "%s: no layers record", r->source);
		if (r->per_kind[RECORD_LAYERS] > 1)
			return fail_at(r, r->records[r->second[RECORD_LAYERS]].line,
				       "a second layers record");
		if (sizes->count < 3)
			return fail_at(r, sizes->line, "layers record needs at least 2 sizes");
		if (sizes->count > 3)
			return fail_at(r, sizes->line, "a version-1 file cannot hold hidden layers");
	} else if (count == 0) {
		return error_set(r->err, EXIT_DATA, "%s: no layer records", r->source);
	}
	*layers = calloc(count, sizeof **layers);
	if (!*layers)
		return error_set(r->err, EXIT_SOFTWARE, "out of memory");
	*n_layers = count;
	if (version == 1) {
		const struct kept_record *sizes = first_of(r, RECORD_LAYERS);
		for (size_t i = 1; i < 3; i++)
			if (parse_size(sizes->fields[i], 1, i == 1 ? &(*layers)[0].in
				       : &(*layers)[0].out) != 0)
				return fail_at(r, sizes->line, "bad layer size '%s'", sizes->fields[i]);
		return 0;
	}
	size_t l = 0;
	for (size_t i = 0; i < r->n_records; i++) {
		const struct kept_record *k = &r->records[i];
		size_t number, skip;
		if (k->kind != RECORD_LAYER)
			continue;
		struct layer *layer = &(*layers)[l++];
		if (k->count != 6)
			return fail_at(r, k->line, "layer record needs: layer,L,IN,OUT,ACTIVATION,SKIP");
		if (parse_size(k->fields[1], 1, &number) != 0 || number != l)
			return fail_at(r, k->line, "layer %s out of order", k->fields[1]);
		if (parse_size(k->fields[2], 1, &layer->in) != 0 ||
		    parse_size(k->fields[3], 1, &layer->out) != 0)
			return fail_at(r, k->line, "bad layer size in layer %zu", l);
		if (activation_find(k->fields[4], &layer->activation) != 0)
			return fail_at(r, k->line, "unknown activation '%s'", k->fields[4]);
		if (parse_size(k->fields[5], 0, &skip) != 0 || skip > 1)
			return fail_at(r, k->line, "layer %zu: SKIP must be 0 or 1", l);
		layer->skip = (int)skip;
		/* model_create refuses it too, but cannot name the line. */
		if (l == count && (layer->activation != ACTIVATION_IDENTITY || layer->skip))
			return fail_at(r, k->line, "layer %zu: the output layer must be plain "
				       "(identity, no skip)", l);
	}
	return 0;
}

/*
 * Before allocating: the features, classes, weights and biases the layers
 * declare must be the records the file holds.
 */
static int check_sizes(struct reader *r, const struct head *head, const struct layer *layers,
		       size_t n_layers)
{
	size_t weights = 0, biases = 0, n_classes = r->per_kind[RECORD_CLASS];
	const struct kept_record *model = first_of(r, RECORD_MODEL);

	if (layers[0].in != r->per_kind[RECORD_FEATURE])
		return error_set(r->err, EXIT_DATA, "%s: incomplete model: %zu inputs but %zu "
				 "feature records", r->source, layers[0].in,
				 r->per_kind[RECORD_FEATURE]);
	if (!head->classifier && n_classes)
		return fail_at(r, first_of(r, RECORD_CLASS)->line, "class record in a regression model");
	if (head->classifier && n_classes < 2)
		return error_set(r->err, EXIT_DATA, "%s: incomplete model: %zu class records",
				 r->source, n_classes);
	if (head->max_classes > 0 && n_classes > (size_t)head->max_classes)
		return fail_at(r, model->line, "a %s model takes at most %d classes, not %zu",
			       head->name, head->max_classes, n_classes);
	if (head->outputs(n_classes) != layers[n_layers - 1].out)
		return fail_at(r, model->line, "layer sizes do not fit a %s model with %zu classes",
			       head->name, n_classes);
	for (size_t l = 0; l < n_layers; l++) {
		if (layers[l].out > SIZE_MAX / layers[l].in ||
		    weights > SIZE_MAX - layers[l].out * layers[l].in)
			return error_set(r->err, EXIT_DATA, "%s: layer %zu is too large", r->source,
					 l + 1);
		weights += layers[l].out * layers[l].in;
		biases += layers[l].out;
	}
	if (r->per_kind[RECORD_CATEGORY] > layers[0].in ||
	    (r->per_kind[RECORD_MISSING] && r->per_kind[RECORD_MISSING] != layers[0].in))
		return error_set(r->err, EXIT_DATA, "%s: %zu inputs but %zu category and %zu missing "
				 "records", r->source, layers[0].in, r->per_kind[RECORD_CATEGORY],
				 r->per_kind[RECORD_MISSING]);
	/* --rotate: all d x d entries of Q over the d inputs, or none. */
	size_t rotations = r->per_kind[RECORD_ROTATION];
	if (rotations && (layers[0].in > SIZE_MAX / layers[0].in ||
			  rotations != layers[0].in * layers[0].in))
		return error_set(r->err, EXIT_DATA, "%s: %zu rotation records, but a rotation of "
				 "%zu inputs has %zu x %zu entries", r->source, rotations,
				 layers[0].in, layers[0].in, layers[0].in);
	if (weights != r->per_kind[RECORD_WEIGHT] || biases != r->per_kind[RECORD_BIAS])
		return error_set(r->err, EXIT_DATA, "%s: incomplete model: the layers hold %zu "
				 "weights and %zu biases, the file %zu and %zu", r->source, weights,
				 biases, r->per_kind[RECORD_WEIGHT], r->per_kind[RECORD_BIAS]);
	return 0;
}

/*
 * Names, statistics, classes and target into a fresh schema; classes_seen
 * indexes the class labels read so far, so that many classes stay linear.
 */
static int read_schema_records(struct reader *r, struct schema *s,
			       struct name_index *classes_seen)
{
	size_t features = 0, classes = 0, rotations = 0, index = 0;
	const char *why;

	if (schema_allocate(s, r->per_kind[RECORD_FEATURE], r->per_kind[RECORD_CLASS], r->err) != 0 ||
	    (r->per_kind[RECORD_CATEGORY] && schema_allocate_categories(s, r->err) != 0) ||
	    (r->per_kind[RECORD_MISSING] && schema_allocate_fill(s, r->err) != 0) ||
	    (r->per_kind[RECORD_ROTATION] && schema_allocate_rotation(s, r->err) != 0))
		return -1;
	for (size_t i = 0; i < r->n_records; i++) {
		const struct kept_record *k = &r->records[i];
		char **f = k->fields;
		char **slot = NULL;
		if (k->kind == RECORD_FEATURE) {
			if (k->count != 5 || parse_size(f[1], 1, &index) != 0)
				return fail_at(r, k->line, "feature record needs: feature,INDEX,NAME,MEAN,SCALE");
			if (index != ++features)
				return fail_at(r, k->line, "feature %s out of order", f[1]);
			/* A deviation, or 1 for a constant column: never 0 or negative. */
			if (parse_finite_double(f[3], &s->feature_mean[index - 1], &why) != 0 ||
			    parse_finite_double(f[4], &s->feature_scale[index - 1], &why) != 0 ||
			    !(s->feature_scale[index - 1] > 0.0))
				return fail_at(r, k->line, "bad statistics for feature '%s'", f[2]);
			slot = &s->feature_names[index - 1];
		} else if (k->kind == RECORD_CLASS) {
			if (k->count != 3 || parse_size(f[1], 0, &index) != 0)
				return fail_at(r, k->line, "class record needs: class,INDEX,LABEL");
			if (index != classes++)
				return fail_at(r, k->line, "class %s out of order", f[1]);
			slot = &s->class_labels[index];
		} else if (k->kind == RECORD_CATEGORY || k->kind == RECORD_MISSING) {
			/* After every feature record: their indices are inputs already read. */
			if (k->count != 3 || parse_size(f[1], 1, &index) != 0 || index > features)
				return fail_at(r, k->line, "%s record needs: %s,INDEX,VALUE with a known "
					       "feature INDEX", record_names[k->kind],
					       record_names[k->kind]);
			if (k->kind == RECORD_MISSING) {
				if (parse_finite_double(f[2], &s->feature_fill[index - 1], &why) != 0)
					return fail_at(r, k->line, "bad missing value for feature %zu",
						       index);
				continue;
			}
			if (s->feature_category[index - 1])
				return fail_at(r, k->line, "a second category for feature %zu", index);
			slot = &s->feature_category[index - 1];
		} else if (k->kind == RECORD_ROTATION) {
			/* rotation,ROW,COLUMN,VALUE: row by row, each the next entry. */
			size_t n = s->n_features, row, column;
			if (k->count != 4 || parse_size(f[1], 1, &row) != 0 ||
			    parse_size(f[2], 1, &column) != 0)
				return fail_at(r, k->line, "rotation record needs: "
					       "rotation,ROW,COLUMN,VALUE");
			if (row != rotations / n + 1 || column != rotations % n + 1)
				return fail_at(r, k->line, "rotation entry %s,%s out of order (expected "
					       "%zu,%zu)", f[1], f[2], rotations / n + 1,
					       rotations % n + 1);
			if (parse_finite_double(f[3], &s->rotation[rotations], &why) != 0)
				return fail_at(r, k->line, "bad rotation entry '%s'", f[3]);
			rotations++;
			continue;
		} else if (k->kind == RECORD_TARGET) {
			if (k->count != 2)
				return fail_at(r, k->line, "target record needs 2 fields");
			free(s->target_name);
			slot = &s->target_name;
		} else {
			continue;
		}
		*slot = strdup(f[k->kind == RECORD_TARGET ? 1 : 2]);
		if (!*slot)
			return error_set(r->err, EXIT_SOFTWARE, "out of memory");
		if (k->kind == RECORD_CLASS) {
			int added = name_index_add(classes_seen, s->class_labels, index, NULL);
			if (added < 0)
				return error_set(r->err, EXIT_SOFTWARE, "out of memory");
			if (added == 1)
				return fail_at(r, k->line, "class '%s' listed twice", f[2]);
		}
	}
	return 0;
}

/*
 * Every column of the model once, as a data header must name it: no two
 * columns (a numeric input, or the consecutive inputs of one categorical
 * column, schema_column_width) of one name, and no category twice in a
 * column.  Named at the record of the second.
 */
static int check_feature_names(struct reader *r, const struct schema *s)
{
	size_t n = s->n_features, j = 0, index;
	size_t *lines = calloc(2 * n + 1, sizeof *lines);       /* feature, then category */
	struct name_index columns = { 0 }, values = { 0 };
	int result = 0;

	if (!lines)
		return error_set(r->err, EXIT_SOFTWARE, "out of memory");
	for (size_t i = 0; i < r->n_records; i++) {
		const struct kept_record *k = &r->records[i];
		if (k->kind == RECORD_FEATURE)
			lines[j++] = k->line;
		else if (k->kind == RECORD_CATEGORY && parse_size(k->fields[1], 1, &index) == 0)
			lines[n + index - 1] = k->line;         /* checked by read_schema_records */
	}
	for (j = 0; j < n && result == 0;) {
		size_t width = schema_column_width(s, j);
		int added = name_index_add(&columns, s->feature_names, j, NULL);
		if (added < 0)
			result = error_set(r->err, EXIT_SOFTWARE, "out of memory");
		else if (added == 1)
			result = fail_at(r, lines[j], "feature '%s' listed twice",
					 s->feature_names[j]);
		name_index_clear(&values);
		for (size_t c = j; c < j + width && width > 1 && result == 0; c++) {
			added = name_index_add(&values, s->feature_category, c, NULL);
			if (added < 0)
				result = error_set(r->err, EXIT_SOFTWARE, "out of memory");
			else if (added == 1)
				result = fail_at(r, lines[n + c], "feature '%s': category '%s' "
						 "listed twice", s->feature_names[c],
						 s->feature_category[c]);
		}
		j += width;
	}
	name_index_free(&columns);
	name_index_free(&values);
	free(lines);
	return result;
}

static int read_schema(struct reader *r, struct schema *s)
{
	struct name_index classes_seen = { 0 };
	int result = read_schema_records(r, s, &classes_seen);

	name_index_free(&classes_seen);
	if (result == 0)
		result = check_feature_names(r, s);
	return result;
}

/*
 * weight,LAYER,ROW,COLUMN,VALUE and bias,LAYER,ROW,VALUE, in the file's
 * order, must each name exactly the next parameter of the flat layout.
 */
static int read_parameters(struct reader *r, struct model *m)
{
	size_t l = 0, position = 0;     /* the next parameter: layer, place in it */
	const char *why;

	for (size_t i = 0; i < r->n_records; i++) {
		const struct kept_record *k = &r->records[i];
		char **f = k->fields;
		int is_bias = k->kind == RECORD_BIAS;
		size_t layer, row, column = 0;
		if (k->kind != RECORD_WEIGHT && !is_bias)
			continue;
		if (k->count != (is_bias ? 4u : 5u) || parse_size(f[1], 1, &layer) != 0 ||
		    parse_size(f[2], 1, &row) != 0 || (!is_bias && parse_size(f[3], 1, &column) != 0))
			return fail_at(r, k->line, "%s", is_bias ? "bias record needs: bias,LAYER,ROW,VALUE"
				       : "weight record needs: weight,LAYER,ROW,COLUMN,VALUE");
		const struct layer *expect = &m->net.layers[l];
		size_t weights = expect->out * expect->in;
		int expect_bias = position >= weights;
		size_t expect_row = expect_bias ? position - weights + 1 : position / expect->in + 1;
		size_t expect_column = expect_bias ? 0 : position % expect->in + 1;
		if (is_bias != expect_bias || layer != l + 1 || row != expect_row ||
		    column != expect_column)
			return fail_at(r, k->line, "parameter out of order");
		if (parse_finite_double(f[k->count - 1], &m->params[expect->weights + position],
					&why) != 0)
			return fail_at(r, k->line, "bad parameter value '%s'", f[k->count - 1]);
		if (++position == weights + expect->out) {
			l++;
			position = 0;
		}
	}
	return 0;
}

static int build_model(struct reader *r, struct model *m)
{
	const struct kept_record *model = first_of(r, RECORD_MODEL);
	const struct head *head;
	struct layer *layers = NULL;
	size_t n_layers = 0;
	struct schema schema = { 0 };
	int version, result = -1;

	if (!model)
		return error_set(r->err, EXIT_DATA, "%s: no model records found", r->source);
	if (r->per_kind[RECORD_MODEL] > 1)
		return fail_at(r, r->records[r->second[RECORD_MODEL]].line,
			       "a second model record (one model per file)");
	if (model->count != 2)
		return fail_at(r, model->line, "model record needs 2 fields");
	head = head_find(model->fields[1]);
	if (!head)
		return fail_at(r, model->line, "unknown model kind '%s'", model->fields[1]);
	if (check_version(r, &version) != 0 || read_layers(r, version, &layers, &n_layers) != 0 ||
	    check_sizes(r, head, layers, n_layers) != 0 || read_schema(r, &schema) != 0)
		goto done;
	if (model_create(m, head, layers, n_layers, &schema, r->err) != 0) {
		r->err->status = EXIT_DATA;
		goto done;
	}
	if (read_parameters(r, m) != 0) {
		model_free(m);
		goto done;
	}
	result = 0;
done:
	free(layers);
	schema_free(&schema);
	return result;
}

int model_read(FILE *in, const char *source, struct model *m, struct error *err)
{
	struct csv_records_options options = {
		.source = source, .delimiter = ',', .skip_comments = 1,
	};
	struct reader r = { .source = source, .err = err };
	int result;

	memset(m, 0, sizeof *m);
	result = csv_records_read(in, &options, keep_record, &r, NULL, err);
	if (result == 0)
		result = build_model(&r, m);
	reader_free(&r);
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
	return model_save_with(path, m, state, epoch, NULL, NULL, err);
}

/* The temporary file a save is writing, for model_save_abandon; NULL between saves. */
static char *volatile saving_temporary;

/*
 * Hold SIGINT and SIGTERM while the temporary file comes into being or goes
 * away, so that a handler calling model_save_abandon sees either no file or
 * the whole path of one.  (The kernel's workers block every signal, so only
 * this thread can take them.)
 */
static void hold_signals(sigset_t *before)
{
	sigset_t signals;

	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &signals, before);
}

static void release_signals(const sigset_t *before)
{
	pthread_sigmask(SIG_SETMASK, before, NULL);
}

void model_save_abandon(void)
{
	char *temporary = saving_temporary;

	if (temporary)
		unlink(temporary);
}

/* The status record, the model records, and more() after them. */
static int write_saved(FILE *out, const struct model *m, const char *state, long epoch,
		       void (*more)(FILE *out, const void *context), const void *context)
{
	model_write_status(out, state, epoch);
	model_write(out, m);
	if (more)
		more(out, context);
	return output_flush(out);
}

/*
 * Not a regular file (a character device such as /dev/null, a FIFO read by
 * another program): write through it.  A file renamed over it would
 * replace the device or the FIFO itself.
 */
static int save_through(const char *path, const struct model *m, const char *state, long epoch,
			void (*more)(FILE *out, const void *context), const void *context,
			struct error *err)
{
	int fd = open(path, O_WRONLY);
	FILE *out = fd < 0 ? NULL : fdopen(fd, "w");

	if (!out) {
		error_set(err, EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int failed = write_saved(out, m, state, epoch, more, context) != 0;
	failed |= fclose(out) != 0;
	if (failed)
		return error_set(err, EXIT_IO, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/*
 * The file path names after following every symbolic link (allocated): it
 * may not exist yet (a dangling link names the file to create).  NULL, with
 * errno set, when the links loop or memory runs out.
 */
static char *follow_links(const char *path)
{
	char *current = strdup(path);
	struct stat info;

	for (int hops = 0; current; hops++) {
		if (lstat(current, &info) != 0 || !S_ISLNK(info.st_mode))
			return current;
		if (hops == 40) {
			free(current);
			errno = ELOOP;
			return NULL;
		}
		size_t size = info.st_size > 0 ? (size_t)info.st_size + 1 : 4096;
		char *link = malloc(size);
		ssize_t length = link ? readlink(current, link, size) : -1;
		if (length < 0 || (size_t)length >= size) {
			/* Gone or grown since lstat: save to the path as it is. */
			free(link);
			return current;
		}
		link[length] = '\0';
		const char *slash = strrchr(current, '/');
		size_t directory_length = link[0] != '/' && slash ? (size_t)(slash - current) + 1 : 0;
		char *next = malloc(directory_length + (size_t)length + 1);
		if (next) {
			memcpy(next, current, directory_length);
			memcpy(next + directory_length, link, (size_t)length + 1);
		}
		free(link);
		free(current);
		current = next;
	}
	return NULL;
}

/* A temporary file in path's directory, flushed and synced, then renamed over path. */
static int save_atomically(const char *path, const struct model *m, const char *state, long epoch,
			   void (*more)(FILE *out, const void *context), const void *context,
			   struct error *err)
{
	const char *slash = strrchr(path, '/');
	size_t directory_length = slash ? (size_t)(slash - path) + 1 : 0;
	char *temporary = malloc(directory_length + sizeof ".descent-XXXXXX");
	sigset_t before;

	if (!temporary)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	memcpy(temporary, path, directory_length);
	strcpy(temporary + directory_length, ".descent-XXXXXX");
	hold_signals(&before);
	int fd = mkstemp(temporary);
	if (fd >= 0)
		saving_temporary = temporary;
	release_signals(&before);
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
	int failed = !out;
	if (!out)
		close(fd);
	else if (write_saved(out, m, state, epoch, more, context) != 0 || fsync(fileno(out)) != 0)
		failed = 1;
	failed |= out && fclose(out) != 0;
	int saved_errno = errno;
	hold_signals(&before);
	failed = failed || rename(temporary, path) != 0;
	saved_errno = failed ? errno : saved_errno;
	if (failed)
		unlink(temporary);
	saving_temporary = NULL;
	release_signals(&before);
	free(temporary);
	if (failed)
		return error_set(err, EXIT_IO, "cannot write '%s': %s", path, strerror(saved_errno));
	return 0;
}

int model_save_with(const char *path, const struct model *m, const char *state, long epoch,
		    void (*more)(FILE *out, const void *context), const void *context,
		    struct error *err)
{
	struct stat info;

	if (stat(path, &info) == 0 && !S_ISREG(info.st_mode))
		return save_through(path, m, state, epoch, more, context, err);
	/* A symbolic link stays one: the file it points to is replaced, in its own directory. */
	char *target = follow_links(path);
	if (!target)
		return error_set(err, errno == ELOOP ? EXIT_IO : EXIT_SOFTWARE, "cannot write '%s': %s",
				 path, strerror(errno));
	int result = save_atomically(target, m, state, epoch, more, context, err);
	free(target);
	return result;
}
