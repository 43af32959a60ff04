/* test_model_io.c - model records round trip bit-exact for every head and
 * depth; the reader skips what is not a model record, still reads version
 * 1, refuses broken, cut and oversized models; save is atomic.
 *
 * Run under valgrind (CK_FORK=no) to see that no refusal leaks.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "model_io.h"
#include "prng.h"

static char *copy(const char *text)
{
	char *s = strdup(text);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* One model to round trip: its head, layers and schema. */
struct model_case {
	const char *head;
	size_t n_layers;
	struct layer layers[4];
	size_t n_features;
	const char *names[4];
	const char *target;     /* NULL: none */
	size_t n_classes;
	const char *labels[4];
};

static const struct model_case cases[] = {
	/* Linear, no hidden layer. */
	{ "linear", 1, { { .in = 2, .out = 1 } }, 2, { "a", "b" }, "y", 0, { NULL } },
	/* Logistic with awkward names and labels, one relu hidden layer. */
	{ "logistic", 2,
	  { { .in = 3, .out = 2, .activation = ACTIVATION_RELU }, { .in = 2, .out = 1 } },
	  3, { "plain", "with,comma", " spaced \"quoted\"" }, "diagnosis, \"final\"",
	  2, { "benign", "malignant, \"very\"" } },
	/* Softmax as --hidden 4,4 --activation tanh --residual makes it. */
	{ "softmax", 3,
	  { { .in = 3, .out = 4, .activation = ACTIVATION_TANH },
	    { .in = 4, .out = 4, .activation = ACTIVATION_TANH, .skip = 1 },
	    { .in = 4, .out = 3 } },
	  3, { "x1", "#x2", "x3 " }, "species", 3, { "setosa", "", "virginica" } },
	/* Linear on sigmoid and residual relu layers, without a target name. */
	{ "linear", 3,
	  { { .in = 2, .out = 3, .activation = ACTIVATION_SIGMOID },
	    { .in = 3, .out = 3, .activation = ACTIVATION_RELU, .skip = 1 },
	    { .in = 3, .out = 1 } },
	  2, { "u", "v" }, NULL, 0, { NULL } },
};

/* The model of c, with weights and statistics that need 17 digits. */
static void make_model(struct model *m, const struct model_case *c, uint64_t seed)
{
	struct schema s;
	struct error err;
	struct prng r;

	ck_assert_int_eq(schema_allocate(&s, c->n_features, c->n_classes, &err), 0);
	for (size_t j = 0; j < c->n_features; j++)
		s.feature_names[j] = copy(c->names[j]);
	for (size_t k = 0; k < c->n_classes; k++)
		s.class_labels[k] = copy(c->labels[k]);
	if (c->target)
		s.target_name = copy(c->target);
	prng_seed(&r, seed);
	for (size_t j = 0; j < c->n_features; j++) {
		s.feature_mean[j] = (prng_uniform(&r) - 0.5) * 1e3;
		s.feature_scale[j] = prng_uniform(&r) + 1.0 / 7.0;
	}
	s.feature_mean[0] = acos(-1.0);
	ck_assert_msg(model_create(m, head_find(c->head), c->layers, c->n_layers, &s, &err) == 0,
		      "%s", err.message);
	for (size_t i = 0; i < m->net.n_params; i++)
		m->params[i] = (prng_uniform(&r) - 0.5) * pow(10.0, (double)prng_below(&r, 9) - 4.0);
	m->params[0] = 0.1;
	m->params[1] = -1.0 / 3.0;
	m->params[2] = 1e-300;
	m->params[m->net.n_params - 1] = nextafter(2.0, 3.0);
	m->params[m->net.n_params - 2] = -0.0;
	m->params[m->net.n_params - 3] = 4.9406564584124654e-324;  /* the least subnormal */
}

/* Everything model_write writes, as a malloc'd string. */
static char *write_text(const struct model *m, const char *before)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(out);
	fputs(before, out);
	model_write(out, m);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

static int read_text(const char *text, size_t length, struct model *m, struct error *err)
{
	/* fmemopen may refuse a size of 0: an empty file is /dev/null. */
	FILE *in = length ? fmemopen((void *)text, length, "r") : fopen("/dev/null", "r");
	int status;

	ck_assert_ptr_nonnull(in);
	status = model_read(in, "model.csv", m, err);
	fclose(in);
	return status;
}

static void same_string(const char *a, const char *b, const char *what)
{
	if (!a || !b)
		ck_assert_msg(a == b, "%s: one is NULL", what);
	else
		ck_assert_msg(strcmp(a, b) == 0, "%s: '%s' and '%s'", what, a, b);
}

/* Every part of two models, bit for bit. */
static void same_model(const struct model *a, const struct model *b)
{
	const struct schema *s = &a->schema, *t = &b->schema;

	ck_assert_ptr_eq(a->head, b->head);
	ck_assert_uint_eq(a->net.n_layers, b->net.n_layers);
	for (size_t l = 0; l < a->net.n_layers; l++) {
		const struct layer *x = &a->net.layers[l], *y = &b->net.layers[l];
		ck_assert_uint_eq(x->in, y->in);
		ck_assert_uint_eq(x->out, y->out);
		ck_assert_int_eq(x->activation, y->activation);
		ck_assert_int_eq(x->skip, y->skip);
		ck_assert_uint_eq(x->weights, y->weights);
		ck_assert_uint_eq(x->biases, y->biases);
	}
	ck_assert_uint_eq(a->net.n_params, b->net.n_params);
	ck_assert_int_eq(memcmp(a->params, b->params, a->net.n_params * sizeof *a->params), 0);
	ck_assert_int_eq(memcmp(a->is_weight, b->is_weight, a->net.n_params), 0);
	ck_assert_uint_eq(s->n_features, t->n_features);
	for (size_t j = 0; j < s->n_features; j++)
		same_string(s->feature_names[j], t->feature_names[j], "feature name");
	ck_assert_int_eq(memcmp(s->feature_mean, t->feature_mean,
				s->n_features * sizeof *s->feature_mean), 0);
	ck_assert_int_eq(memcmp(s->feature_scale, t->feature_scale,
				s->n_features * sizeof *s->feature_scale), 0);
	same_string(s->target_name, t->target_name, "target");
	ck_assert_uint_eq(s->n_classes, t->n_classes);
	for (size_t k = 0; k < s->n_classes; k++)
		same_string(s->class_labels[k], t->class_labels[k], "class label");
}

START_TEST(test_round_trip_is_bit_exact)
{
	const struct model_case *c = &cases[_i];
	struct model m, back;
	struct error err;

	make_model(&m, c, 100 + (uint64_t)_i);
	char *text = write_text(&m, "");
	ck_assert_msg(read_text(text, strlen(text), &back, &err) == 0, "%s", err.message);
	same_model(&m, &back);
	/* The case itself, so that a model_create that mangles both sides is caught. */
	ck_assert_str_eq(back.head->name, c->head);
	ck_assert_uint_eq(back.net.n_layers, c->n_layers);
	for (size_t l = 0; l < c->n_layers; l++) {
		ck_assert_uint_eq(back.net.layers[l].in, c->layers[l].in);
		ck_assert_uint_eq(back.net.layers[l].out, c->layers[l].out);
		ck_assert_int_eq(back.net.layers[l].activation, c->layers[l].activation);
		ck_assert_int_eq(back.net.layers[l].skip, c->layers[l].skip);
	}
	for (size_t j = 0; j < c->n_features; j++)
		ck_assert_str_eq(back.schema.feature_names[j], c->names[j]);
	for (size_t k = 0; k < c->n_classes; k++)
		ck_assert_str_eq(back.schema.class_labels[k], c->labels[k]);
	same_string(back.schema.target_name, c->target, "target");
	ck_assert(signbit(back.params[back.net.n_params - 2]));
	/* Written again, the very same text. */
	char *again = write_text(&back, "");
	ck_assert_str_eq(again, text);
	/* Version 2: format first, end last with the count of what precedes it. */
	ck_assert_int_eq(strncmp(text, "format,descent-model,2\nmodel,", 29), 0);
	size_t records = 0;
	for (const char *p = text; *p; p++)
		records += *p == '\n';
	char end[32];
	snprintf(end, sizeof end, "\nend,%zu\n", records - 1);
	ck_assert_msg(strlen(text) > strlen(end) &&
		      strcmp(text + strlen(text) - strlen(end), end) == 0,
		      "the text does not end with %s", end + 1);
	free(again);
	free(text);
	model_free(&back);
	model_free(&m);
}
END_TEST

START_TEST(test_whole_stdout_is_a_model_file)
{
	const char *before =
		"# descent 0.2.0: --model softmax --hidden 4,4 --activation tanh --residual\n"
		"# kind,epoch,train_loss,val_loss,accuracy,lr,seconds\n"
		"epoch,0,1.5,,,0.01,0.000001\n"
		"epoch,1,0.5,,0.75,0.01,0.000002\n"
		"status,completed,1\n";
	struct model m, back;
	struct error err;

	make_model(&m, &cases[2], 7);
	char *text = write_text(&m, before);
	ck_assert_msg(read_text(text, strlen(text), &back, &err) == 0, "%s", err.message);
	same_model(&m, &back);
	model_free(&back);
	free(text);
	model_free(&m);
}
END_TEST

/* Version-1 files as descent 0.1 wrote them. */
static const char version_1_linear[] =
	"# descent 0.1.0: --model linear\n"
	"# kind,epoch,train_loss,val_loss,accuracy,lr,seconds\n"
	"epoch,0,1.5,,,0.01,0.000001\n"
	"epoch,1,0.5,,,0.01,0.000002\n"
	"status,completed,1\n"
	"model,linear\n"
	"layers,2,1\n"
	"target,y\n"
	"feature,1,a,0,1\n"
	"feature,2,b,0.5,2\n"
	"weight,1,1,1,0.25\n"
	"weight,1,1,2,-0.75\n"
	"bias,1,1,3\n";
static const char version_1_logistic[] =
	"model,logistic\n"
	"layers,2,1\n"
	"target,\"diagnosis, final\"\n"
	"feature,1,\"with,comma\",1.5,0.25\n"
	"feature,2,b,-2,4\n"
	"class,0,benign\n"
	"class,1,\"malignant, \"\"very\"\"\"\n"
	"weight,1,1,1,0.1\n"
	"weight,1,1,2,-0.2\n"
	"bias,1,1,0.30000000000000004\n";

/* descent 0.1's own output still reads, to the same values. */
START_TEST(test_version_1_reads)
{
	const char *linear = version_1_linear, *logistic = version_1_logistic;
	struct model m;
	struct error err;

	ck_assert_msg(read_text(linear, strlen(linear), &m, &err) == 0, "%s", err.message);
	ck_assert_str_eq(m.head->name, "linear");
	ck_assert_uint_eq(m.net.n_layers, 1);
	ck_assert_uint_eq(m.net.layers[0].in, 2);
	ck_assert_uint_eq(m.net.layers[0].out, 1);
	ck_assert_int_eq(m.net.layers[0].activation, ACTIVATION_IDENTITY);
	ck_assert_int_eq(m.net.layers[0].skip, 0);
	ck_assert_uint_eq(m.net.n_params, 3);
	ck_assert(m.params[0] == 0.25 && m.params[1] == -0.75 && m.params[2] == 3.0);
	ck_assert(m.is_weight[0] == 1 && m.is_weight[1] == 1 && m.is_weight[2] == 0);
	ck_assert_str_eq(m.schema.feature_names[0], "a");
	ck_assert_str_eq(m.schema.feature_names[1], "b");
	ck_assert(m.schema.feature_mean[0] == 0.0 && m.schema.feature_mean[1] == 0.5);
	ck_assert(m.schema.feature_scale[0] == 1.0 && m.schema.feature_scale[1] == 2.0);
	ck_assert_str_eq(m.schema.target_name, "y");
	ck_assert_uint_eq(m.schema.n_classes, 0);
	model_free(&m);

	ck_assert_msg(read_text(logistic, strlen(logistic), &m, &err) == 0, "%s", err.message);
	ck_assert_str_eq(m.head->name, "logistic");
	ck_assert_uint_eq(m.schema.n_classes, 2);
	ck_assert_str_eq(m.schema.class_labels[0], "benign");
	ck_assert_str_eq(m.schema.class_labels[1], "malignant, \"very\"");
	ck_assert_str_eq(m.schema.feature_names[0], "with,comma");
	ck_assert_str_eq(m.schema.target_name, "diagnosis, final");
	ck_assert(m.schema.feature_mean[0] == 1.5 && m.schema.feature_scale[1] == 4.0);
	ck_assert(m.params[0] == 0.1 && m.params[1] == -0.2 && m.params[2] == 0.1 + 0.2);
	/* Written as version 2, it reads back the same. */
	struct model back;
	char *text = write_text(&m, "");
	ck_assert_msg(read_text(text, strlen(text), &back, &err) == 0, "%s", err.message);
	same_model(&m, &back);
	model_free(&back);
	free(text);
	model_free(&m);
}
END_TEST

static void expect_refusal(const char *text, const char *fragment)
{
	struct model m;
	struct error err = { 0 };

	ck_assert_msg(read_text(text, strlen(text), &m, &err) == -1, "accepted:\n%s", text);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_msg(strstr(err.message, fragment) != NULL, "message '%s' lacks '%s'",
		      err.message, fragment);
	/* A refused read leaves nothing to free. */
	ck_assert_ptr_null(m.params);
	ck_assert_ptr_null(m.net.layers);
	ck_assert_ptr_null(m.schema.feature_names);
}

START_TEST(test_refusals)
{
	expect_refusal("", "no model records");
	expect_refusal("epoch,0,1,,,0.1,0\n", "no model records");
	expect_refusal("model,perceptron\n", "model.csv:1: unknown model kind 'perceptron'");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,1\nweight,1,1,1,2\n",
		       "incomplete model");
	expect_refusal("model,linear\nlayers,1,1\nweight,1,1,1,2\nbias,1,1,2\n",
		       "incomplete model");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,1\nbias,1,1,2\nweight,1,1,1,2\n",
		       "model.csv:4: parameter out of order");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,1\nweight,1,1,1,nan\nbias,1,1,0\n",
		       "model.csv:4: bad parameter value");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,0\nweight,1,1,1,1\nbias,1,1,0\n",
		       "model.csv:3: bad statistics");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,-1\nweight,1,1,1,1\nbias,1,1,0\n",
		       "model.csv:3: bad statistics for feature 'a'");
	/* A column once, as in a data header: by name, and by category in a categorical one. */
	expect_refusal("model,linear\nlayers,2,1\nfeature,1,a,0,1\nfeature,2,a,0,1\n"
		       "weight,1,1,1,1\nweight,1,1,2,1\nbias,1,1,0\n",
		       "model.csv:4: feature 'a' listed twice");
	expect_refusal("model,linear\nlayers,3,1\nfeature,1,c,0,1\nfeature,2,a,0,1\n"
		       "feature,3,c,0,1\ncategory,1,red\ncategory,3,red\n"
		       "weight,1,1,1,1\nweight,1,1,2,1\nweight,1,1,3,1\nbias,1,1,0\n",
		       "model.csv:5: feature 'c' listed twice");
	expect_refusal("model,linear\nlayers,2,1\nfeature,1,c,0,1\nfeature,2,c,0,1\n"
		       "category,1,red\ncategory,2,red\n"
		       "weight,1,1,1,1\nweight,1,1,2,1\nbias,1,1,0\n",
		       "model.csv:6: feature 'c': category 'red' listed twice");
	expect_refusal("model,linear\nmodel,linear\n", "model.csv:2: a second model");
	expect_refusal("model,linear\nlayers,1,\"1\n", "unterminated quoted field");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,1\nweight,1,1,1,2\nbias,1,1,2\n"
		       "weight,1,1,1,2\n", "incomplete model: the layers hold 1 weights and 1 biases, "
		       "the file 2 and 1");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,1\nweight,1,1,1,2\nbias,1,1,2\n"
		       "end,4\n", "model.csv:6: end record without a format record");
	expect_refusal("model,linear\nlayers,2,1,1\nfeature,1,a,0,1\nfeature,2,b,0,1\n",
		       "model.csv:2: a version-1 file cannot hold hidden layers");
	expect_refusal("model,logistic\nlayers,1,1\nfeature,1,a,0,1\nclass,0,no\n"
		       "weight,1,1,1,1\nbias,1,1,0\n", "incomplete model: 1 class records");
	expect_refusal("model,logistic\nlayers,1,1\nfeature,1,a,0,1\nclass,0,no\nclass,1,no\n"
		       "weight,1,1,1,1\nbias,1,1,0\n", "model.csv:5: class 'no' listed twice");
}
END_TEST

/* The saved text of a small network: logistic on a residual relu layer. */
static char *small_network_text(struct model *m)
{
	const struct model_case small = {
		"logistic", 2,
		{ { .in = 2, .out = 2, .activation = ACTIVATION_RELU, .skip = 1 },
		  { .in = 2, .out = 1 } },
		2, { "a", "b,c" }, "t", 2, { "no", "yes" }
	};

	make_model(m, &small, 3);
	return write_text(m, "");
}

/*
 * A file cut anywhere before its end record is complete is refused:
 * _i = 0 is a small residual network, 1.. each of the round-trip cases
 * (every head, hidden layers or none).
 */
START_TEST(test_cut_files_are_refused)
{
	struct model m, back;
	struct error err;
	char *text;

	if (_i == 0) {
		text = small_network_text(&m);
	} else {
		make_model(&m, &cases[_i - 1], 40 + (uint64_t)_i);
		text = write_text(&m, "");
	}
	size_t length = strlen(text);

	for (size_t cut = 0; cut <= length; cut++) {
		err.status = 0;
		int status = read_text(text, cut, &back, &err);
		if (cut >= length - 1) {
			ck_assert_msg(status == 0, "cut at %zu of %zu: %s", cut, length, err.message);
			same_model(&m, &back);
			model_free(&back);
		} else {
			ck_assert_msg(status == -1, "cut at %zu of %zu is accepted", cut, length);
			ck_assert_msg(err.status == EXIT_DATA, "cut at %zu: status %d (%s)", cut,
				      err.status, err.message);
			ck_assert_ptr_null(back.params);
		}
	}
	free(text);
	model_free(&m);
}
END_TEST

/*
 * A version-1 file has no end record: a cut anywhere, even inside the
 * last number or just before the final line feed, is still refused
 * (the line ending after the last record is required).
 */
START_TEST(test_version_1_cut_files_are_refused)
{
	const char *texts[] = { version_1_linear, version_1_logistic };
	struct model m;
	struct error err;

	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		size_t length = strlen(texts[t]);
		for (size_t cut = 0; cut <= length; cut++) {
			err.status = 0;
			int status = read_text(texts[t], cut, &m, &err);
			if (cut == length) {
				ck_assert_msg(status == 0, "whole file: %s", err.message);
				model_free(&m);
				continue;
			}
			ck_assert_msg(status == -1, "version-1 text %zu cut at %zu of %zu is accepted",
				      t, cut, length);
			ck_assert_msg(err.status == EXIT_DATA, "cut at %zu: status %d (%s)", cut,
				      err.status, err.message);
			ck_assert_ptr_null(m.params);
		}
	}
	/* The message says what is wrong. */
	ck_assert_int_eq(read_text(version_1_linear, strlen(version_1_linear) - 1, &m, &err), -1);
	ck_assert_msg(strstr(err.message, "model.csv:13: the version-1 model ends without a "
			     "line ending") != NULL, "message: %s", err.message);
}
END_TEST

/*
 * A UTF-8 byte order mark before a model file (an editor on Windows put
 * it there) is skipped as it is before a data file: version 2, version 1,
 * and the whole standard output of a run.
 */
START_TEST(test_byte_order_mark)
{
	const char *before[] = { "", "# descent 0.2.0: --model softmax\nepoch,0,1.5,,,0.01,0\n" };
	struct model m, back;
	struct error err;

	make_model(&m, &cases[2], 11);
	for (size_t b = 0; b < sizeof before / sizeof before[0]; b++) {
		char *text = write_text(&m, before[b]);
		char *marked = malloc(strlen(text) + 4);
		ck_assert_ptr_nonnull(marked);
		strcpy(marked, "\xEF\xBB\xBF");
		strcat(marked, text);
		ck_assert_msg(read_text(marked, strlen(marked), &back, &err) == 0, "%s",
			      err.message);
		same_model(&m, &back);
		model_free(&back);
		free(marked);
		free(text);
	}
	model_free(&m);

	char marked[sizeof version_1_linear + 3] = "\xEF\xBB\xBF";
	strcat(marked, version_1_linear);
	ck_assert_msg(read_text(marked, strlen(marked), &m, &err) == 0, "%s", err.message);
	ck_assert_str_eq(m.schema.feature_names[0], "a");
	model_free(&m);
}
END_TEST

/* text with the first occurrence of from replaced by to, malloc'd. */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);

	ck_assert_msg(at != NULL, "'%s' not in the text", from);
	size_t before = (size_t)(at - text), length = strlen(text) - strlen(from) + strlen(to);
	char *result = malloc(length + 1);
	ck_assert_ptr_nonnull(result);
	memcpy(result, text, before);
	strcpy(result + before, to);
	strcat(result, at + strlen(from));
	return result;
}

static void expect_edit_refused(const char *text, const char *from, const char *to,
				const char *fragment)
{
	char *edited = replace(text, from, to);

	expect_refusal(edited, fragment);
	free(edited);
}

START_TEST(test_version_2_refusals)
{
	struct model m;
	char *text = small_network_text(&m);
	char end[32];
	size_t records = 0;

	for (const char *p = text; *p; p++)
		records += *p == '\n';
	snprintf(end, sizeof end, "end,%zu\n", records - 1);
	ck_assert_ptr_nonnull(strstr(text, end));

	/* The end count must be the records before it. */
	char wrong[80];
	snprintf(wrong, sizeof wrong, "end,%zu\n", records);
	expect_edit_refused(text, end, wrong, "end record counts");
	snprintf(wrong, sizeof wrong, "end,%zu\n", records - 2);
	expect_edit_refused(text, end, wrong, "end record counts");
	expect_edit_refused(text, end, "end,-1\n", "end record needs");
	expect_edit_refused(text, end, "", "without its end record");
	/* ... and the last record. */
	snprintf(wrong, sizeof wrong, "%sclass,2,maybe\n", end);
	expect_edit_refused(text, end, wrong, "after the end record");
	expect_edit_refused(text, "format,descent-model,2\n", "format,descent-model,3\n",
			    "model.csv:1: model file version '3'");
	expect_edit_refused(text, "format,descent-model,2\nmodel,logistic\n",
			    "model,logistic\nformat,descent-model,2\n",
			    "before the format record");
	expect_edit_refused(text, "format,descent-model,2\n", "", "without a format record");
	/* A version-1 file cannot hold layer records. */
	char *v1 = replace(text, "format,descent-model,2\n", "");
	expect_edit_refused(v1, end, "", "model.csv:2: layer record without a format record");
	free(v1);

	/* Parameters name their place: layer, row, column. */
	expect_edit_refused(text, "weight,1,1,2,", "weight,1,2,2,", "parameter out of order");
	expect_edit_refused(text, "weight,1,1,2,", "weight,1,1,3,", "parameter out of order");
	expect_edit_refused(text, "weight,1,1,2,", "weight,2,1,2,", "parameter out of order");
	expect_edit_refused(text, "bias,1,2,", "bias,1,1,", "parameter out of order");

	/* Layer records: activation, skip, sizes, order. */
	expect_edit_refused(text, "layer,1,2,2,relu,1\n", "layer,1,2,2,swish,1\n",
			    "model.csv:3: unknown activation 'swish'");
	expect_edit_refused(text, "layer,1,2,2,relu,1\n", "layer,1,2,2,relu,2\n",
			    "model.csv:3: layer 1: SKIP must be 0 or 1");
	expect_edit_refused(text, "layer,1,2,2,relu,1\n", "layer,2,2,2,relu,1\n",
			    "model.csv:3: layer 2 out of order");
	expect_edit_refused(text, "layer,2,2,1,identity,0\n", "layer,2,2,1,relu,0\n",
			    "model.csv:4: layer 2: the output layer must be plain");
	expect_edit_refused(text, "layer,2,2,1,identity,0\n", "layer,2,2,1,identity,1\n",
			    "model.csv:4: layer 2: the output layer must be plain");
	free(text);
	model_free(&m);
}
END_TEST

/* A record-by-record text whose end count is right. */
static void expect_v2_refusal(const char *body, const char *fragment)
{
	char text[1024];
	size_t records = 1;

	for (const char *p = body; *p; p++)
		records += *p == '\n';
	snprintf(text, sizeof text, "format,descent-model,2\n%send,%zu\n", body, records);
	expect_refusal(text, fragment);
}

START_TEST(test_inconsistent_layers)
{
	/* A skip on a layer with in != out, sizes otherwise complete. */
	expect_v2_refusal("model,linear\n"
			  "layer,1,1,2,relu,1\nlayer,2,2,1,identity,0\n"
			  "feature,1,a,0,1\n"
			  "weight,1,1,1,1\nweight,1,2,1,1\nbias,1,1,0\nbias,1,2,0\n"
			  "weight,2,1,1,1\nweight,2,1,2,1\nbias,2,1,0\n",
			  "adds its input");
	/* Layer 2 does not take layer 1's outputs (the counts still add up). */
	expect_v2_refusal("model,linear\n"
			  "layer,1,1,2,relu,0\nlayer,2,1,1,identity,0\n"
			  "feature,1,a,0,1\n"
			  "weight,1,1,1,1\nweight,1,2,1,1\nbias,1,1,0\nbias,1,2,0\n"
			  "weight,2,1,1,1\nbias,2,1,0\n",
			  "layer 2 has 1 inputs but layer 1 has 2 outputs");
	/* A class record in a regression model. */
	expect_v2_refusal("model,linear\nlayer,1,1,1,identity,0\ntarget,y\n"
			  "class,0,a\nclass,1,b\nfeature,1,a,0,1\nweight,1,1,1,1\nbias,1,1,0\n",
			  "model.csv:5: class record in a regression model");
	/* Softmax outputs must be its classes. */
	expect_v2_refusal("model,softmax\nlayer,1,1,2,identity,0\n"
			  "class,0,a\nclass,1,b\nclass,2,c\nfeature,1,a,0,1\n"
			  "weight,1,1,1,1\nweight,1,2,1,1\nbias,1,1,0\nbias,1,2,0\n",
			  "layer sizes do not fit a softmax model with 3 classes");
	expect_v2_refusal("model,linear\nlayer,1,1,1,identity,0\nfeature,1,a,0,1\n"
			  "weight,1,1,1,1\n", "incomplete model");
	expect_v2_refusal("model,linear\nfeature,1,a,0,1\nweight,1,1,1,1\nbias,1,1,0\n",
			  "no layer records");
	expect_v2_refusal("model,linear\nlayers,1,1\nlayer,1,1,1,identity,0\nfeature,1,a,0,1\n"
			  "weight,1,1,1,1\nbias,1,1,0\n", "version-1 layers record");
	expect_v2_refusal("model,linear\nlayer,1,1,1,identity\nfeature,1,a,0,1\n"
			  "weight,1,1,1,1\nbias,1,1,0\n", "model.csv:3: layer record needs");
	expect_v2_refusal("model,linear\nlayer,1,0,1,identity,0\n", "model.csv:3: bad layer size");
}
END_TEST

/*
 * Logistic has one output for two classes (head max_classes 2): a file
 * listing three would be read, and predicting with it would read a third
 * probability that logistic_probabilities never writes.
 */
START_TEST(test_logistic_refuses_three_classes)
{
	expect_v2_refusal("model,logistic\nlayer,1,1,1,identity,0\n"
			  "class,0,a\nclass,1,b\nclass,2,c\nfeature,1,a,0,1\n"
			  "weight,1,1,1,1\nbias,1,1,0\n",
			  "model.csv:2: a logistic model takes at most 2 classes");
	expect_refusal("model,logistic\nlayers,1,1\nfeature,1,a,0,1\n"
		       "class,0,a\nclass,1,b\nclass,2,c\nweight,1,1,1,1\nbias,1,1,0\n",
		       "model.csv:1: a logistic model takes at most 2 classes");
}
END_TEST

/*
 * Declared sizes are checked against the records before anything of that
 * size is allocated: with the data segment limited to 256 MiB, a layer of
 * 3111111111 inputs (25 GB of weights) is still refused as bad data, not
 * as a failed allocation.
 */
START_TEST(test_huge_declared_sizes)
{
	const char *small =
		"format,descent-model,2\nmodel,linear\nlayer,1,3111111111,1,identity,0\nend,3\n";
	struct rlimit saved, limited;

	ck_assert_uint_lt(strlen(small), 100);
	ck_assert_int_eq(getrlimit(RLIMIT_DATA, &saved), 0);
	limited = saved;
	if (limited.rlim_cur == RLIM_INFINITY || limited.rlim_cur > ((rlim_t)256 << 20))
		limited.rlim_cur = (rlim_t)256 << 20;
#ifndef __SANITIZE_ADDRESS__
	/*
	 * AddressSanitizer maps terabytes of shadow memory and cannot run under
	 * the limit; there a huge allocation aborts the test instead.
	 */
	ck_assert_int_eq(setrlimit(RLIMIT_DATA, &limited), 0);
#endif

	expect_refusal(small, "incomplete model");
	expect_refusal("model,linear\nlayers,3111111111,1\n", "incomplete model");
	/* A hidden layer of that width, with the one feature present. */
	expect_v2_refusal("model,linear\nlayer,1,1,3111111111,relu,0\n"
			  "layer,2,3111111111,1,identity,0\nfeature,1,a,0,1\n",
			  "incomplete model");
	/* Sizes whose product overflows. */
	expect_v2_refusal("model,linear\nlayer,1,1,4294967296,relu,0\n"
			  "layer,2,4294967296,4294967296,relu,0\n"
			  "layer,3,4294967296,1,identity,0\nfeature,1,a,0,1\n",
			  "layer 2 is too large");
	expect_v2_refusal("model,linear\nlayer,1,1,18446744073709551616,identity,0\n",
			  "bad layer size");

	ck_assert_int_eq(setrlimit(RLIMIT_DATA, &saved), 0);
}
END_TEST

START_TEST(test_save_is_atomic)
{
	char directory[] = "/tmp/descent-save-XXXXXX";
	char path[128];
	struct model m, back;
	struct error err;

	ck_assert_ptr_nonnull(mkdtemp(directory));
	snprintf(path, sizeof path, "%s/model.csv", directory);
	make_model(&m, &cases[2], 9);
	ck_assert_int_eq(model_save(path, &m, "completed", 3, &err), 0);
	ck_assert_int_eq(model_load(path, &back, &err), 0);
	same_model(&m, &back);
	model_free(&back);
	/* Saving again replaces the file. */
	m.params[0] = 0.5;
	ck_assert_int_eq(model_save(path, &m, "interrupted", 4, &err), 0);
	ck_assert_int_eq(model_load(path, &back, &err), 0);
	ck_assert(back.params[0] == 0.5);
	model_free(&back);
	/* The file starts with the status record. */
	FILE *in = fopen(path, "r");
	char line[64];
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
	ck_assert_str_eq(line, "status,interrupted,4\n");
	fclose(in);
	/* Only the final file remains: no temporary beside it. */
	DIR *dir = opendir(directory);
	struct dirent *entry;
	int files = 0;
	while ((entry = readdir(dir)) != NULL)
		if (entry->d_name[0] != '.' || strncmp(entry->d_name, ".descent-", 9) == 0)
			files++;
	closedir(dir);
	ck_assert_int_eq(files, 1);
	unlink(path);
	rmdir(directory);
	/* An unwritable place is an I/O error, not a crash. */
	ck_assert_int_eq(model_save("/nonexistent-dir/model.csv", &m, "completed", 3, &err), -1);
	ck_assert_int_eq(err.status, EXIT_IO);
	ck_assert_int_eq(model_load("/nonexistent-dir/model.csv", &back, &err), -1);
	ck_assert_int_eq(err.status, EXIT_NOINPUT);
	model_free(&m);
}
END_TEST

static Suite *model_io_suite(void)
{
	Suite *s = suite_create("model_io");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_round_trip_is_bit_exact, 0,
			    (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_whole_stdout_is_a_model_file);
	tcase_add_test(tc, test_version_1_reads);
	tcase_add_test(tc, test_refusals);
	tcase_add_loop_test(tc, test_cut_files_are_refused, 0,
			    (int)(sizeof cases / sizeof cases[0]) + 1);
	tcase_add_test(tc, test_version_1_cut_files_are_refused);
	tcase_add_test(tc, test_byte_order_mark);
	tcase_add_test(tc, test_version_2_refusals);
	tcase_add_test(tc, test_inconsistent_layers);
	tcase_add_test(tc, test_logistic_refuses_three_classes);
	tcase_add_test(tc, test_huge_declared_sizes);
	tcase_add_test(tc, test_save_is_atomic);
	/* Reading every cut of every file takes seconds under a sanitizer. */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(model_io_suite)
