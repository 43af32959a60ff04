/* test_probe.c - --rotate and --probe symmetry: the random rotation is
 * orthogonal and follows its seed; its model records round trip bit-exact
 * and a wrong number of them is refused; permuting and rescaling hidden
 * units keeps the loss (and a permutation the gradient norm), a rescale
 * changes the gradient norm, and with skips only the shared permutation
 * keeps the loss.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_io.h"
#include "probe.h"
#include "prng.h"
#include "rotation.h"

static double relative(double a, double b)
{
	double scale = fmax(fabs(a), fabs(b));

	return scale > 0 ? fabs(a - b) / scale : 0.0;
}

static double *random_rotation(size_t d, uint64_t seed)
{
	struct error err;
	double *q = malloc(d * d * sizeof *q);

	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(rotation_random(q, d, seed, &err), 0);
	return q;
}

START_TEST(rotation_is_orthogonal)
{
	static const size_t sizes[] = { 1, 2, 3, 7, 30, 64 };

	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t d = sizes[s];
		double *q = random_rotation(d, 42 + s), worst = 0.0;
		for (size_t i = 0; i < d; i++)
			for (size_t j = 0; j < d; j++) {
				double qtq = 0.0, qqt = 0.0;
				for (size_t k = 0; k < d; k++) {
					qtq += q[k * d + i] * q[k * d + j];
					qqt += q[i * d + k] * q[j * d + k];
				}
				worst = fmax(worst, fabs(qtq - (i == j)));
				worst = fmax(worst, fabs(qqt - (i == j)));
			}
		ck_assert_msg(worst < 1e-12, "d = %zu: |Q^T Q - I| = %g", d, worst);
		free(q);
	}
}
END_TEST

START_TEST(rotation_follows_its_seed)
{
	size_t d = 10;
	double *a = random_rotation(d, 5), *b = random_rotation(d, 5), *c = random_rotation(d, 6);

	ck_assert_int_eq(memcmp(a, b, d * d * sizeof *a), 0);
	ck_assert_int_ne(memcmp(a, c, d * d * sizeof *a), 0);
	free(a);
	free(b);
	free(c);
}
END_TEST

/*
 * Haar, not just orthogonal: without the sign correction the first entry
 * of every column of Q from Householder QR has a sign fixed by A's
 * diagonal; with it, Q's entries are symmetric about 0.  Over many draws
 * the diagonal of Q is positive about half the time.
 */
START_TEST(rotation_signs_are_balanced)
{
	size_t d = 4, positive = 0, draws = 2000;

	for (size_t t = 0; t < draws; t++) {
		double *q = random_rotation(d, 1000 + t);
		for (size_t i = 0; i < d; i++)
			positive += q[i * d + i] > 0;
		free(q);
	}
	double share = (double)positive / (double)(draws * d);
	ck_assert_msg(share > 0.47 && share < 0.53, "share of positive diagonal entries %g", share);
}
END_TEST

static char *copy(const char *text)
{
	char *s = strdup(text);

	ck_assert_ptr_nonnull(s);
	return s;
}

/*
 * A softmax model on 3 inputs: hidden layers as given, random weights, a
 * schema with statistics and (when rotated) a rotation.
 */
static void make_model(struct model *m, const struct layer *layers, size_t n_layers,
		       int rotated, uint64_t seed)
{
	struct schema s;
	struct error err;
	struct prng r;

	ck_assert_int_eq(schema_allocate(&s, 3, 3, &err), 0);
	for (size_t j = 0; j < 3; j++) {
		char name[8];
		snprintf(name, sizeof name, "x%zu", j + 1);
		s.feature_names[j] = copy(name);
		s.class_labels[j] = copy(j == 0 ? "a" : j == 1 ? "b" : "c");
		s.feature_mean[j] = 0.1 * (double)j;
		s.feature_scale[j] = 1.0 + (double)j / 3.0;
	}
	s.target_name = copy("y");
	if (rotated)
		ck_assert_int_eq(schema_set_rotation(&s, seed, &err), 0);
	ck_assert_msg(model_create(m, head_find("softmax"), layers, n_layers, &s, &err) == 0, "%s",
		      err.message);
	prng_seed(&r, seed);
	for (size_t i = 0; i < m->net.n_params; i++)
		m->params[i] = prng_uniform(&r) - 0.5;
}

static const struct layer deep[] = {
	{ .in = 3, .out = 5, .activation = ACTIVATION_RELU },
	{ .in = 5, .out = 4, .activation = ACTIVATION_RELU },
	{ .in = 4, .out = 3 },
};

/* --hidden 4,4,4 --residual: layers 2 and 3 add their input. */
static const struct layer residual[] = {
	{ .in = 3, .out = 4, .activation = ACTIVATION_RELU },
	{ .in = 4, .out = 4, .activation = ACTIVATION_RELU, .skip = 1 },
	{ .in = 4, .out = 4, .activation = ACTIVATION_RELU, .skip = 1 },
	{ .in = 4, .out = 3 },
};

static char *write_text(const struct model *m)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(out);
	model_write(out, m);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

static int read_text(const char *text, struct model *m, struct error *err)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int status;

	ck_assert_ptr_nonnull(in);
	status = model_read(in, "model.csv", m, err);
	fclose(in);
	return status;
}

START_TEST(rotation_records_round_trip)
{
	struct model m, back;
	struct error err;

	make_model(&m, deep, 3, 1, 11);
	char *text = write_text(&m);
	ck_assert_ptr_nonnull(strstr(text, "\nrotation,1,1,"));
	ck_assert_ptr_nonnull(strstr(text, "\nrotation,3,3,"));
	ck_assert_msg(read_text(text, &back, &err) == 0, "%s", err.message);
	ck_assert_ptr_nonnull(back.schema.rotation);
	ck_assert_int_eq(memcmp(m.schema.rotation, back.schema.rotation, 9 * sizeof(double)), 0);
	ck_assert_int_eq(memcmp(m.params, back.params, m.net.n_params * sizeof(double)), 0);
	/* The rotation is applied after the statistics, identically after the trip. */
	double x[3] = { 1.0, -2.0, 0.5 }, y[3] = { 1.0, -2.0, 0.5 }, plain[3];
	schema_standardize(&m.schema, x, 1);
	schema_standardize(&back.schema, y, 1);
	ck_assert_int_eq(memcmp(x, y, sizeof x), 0);
	for (size_t j = 0; j < 3; j++)
		plain[j] = ((j == 0 ? 1.0 : j == 1 ? -2.0 : 0.5) - m.schema.feature_mean[j]) /
			   m.schema.feature_scale[j];
	for (size_t i = 0; i < 3; i++) {
		double expect = 0.0;
		for (size_t j = 0; j < 3; j++)
			expect += m.schema.rotation[i * 3 + j] * plain[j];
		ck_assert_double_eq_tol(x[i], expect, 1e-15);
	}
	model_free(&back);
	/* Without --rotate: no rotation records, none read back. */
	free(text);
	model_free(&m);
	make_model(&m, deep, 3, 0, 11);
	text = write_text(&m);
	ck_assert_ptr_null(strstr(text, "rotation,"));
	ck_assert_msg(read_text(text, &back, &err) == 0, "%s", err.message);
	ck_assert_ptr_null(back.schema.rotation);
	model_free(&back);
	model_free(&m);
	free(text);
}
END_TEST

/* text without its line starting with prefix, end,N counting one fewer. */
static char *drop_line(const char *text, const char *prefix)
{
	char *out = copy(text), *line = strstr(out, prefix), *end;
	size_t n;

	ck_assert_ptr_nonnull(line);
	memmove(line, strchr(line, '\n') + 1, strlen(strchr(line, '\n') + 1) + 1);
	end = strstr(out, "\nend,");
	ck_assert_ptr_nonnull(end);
	n = strtoul(end + 5, NULL, 10);
	sprintf(end + 5, "%zu\n", n - 1);
	return out;
}

START_TEST(wrong_rotation_records_are_refused)
{
	struct model m, back;
	struct error err;

	make_model(&m, deep, 3, 1, 12);
	char *text = write_text(&m);
	char *short_one = drop_line(text, "rotation,2,2,");
	ck_assert_int_eq(read_text(short_one, &back, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_msg(strstr(err.message, "8 rotation records") != NULL, "%s", err.message);
	/* Out of order: rows swapped. */
	char *swapped = copy(text), *a = strstr(swapped, "rotation,1,2,"), *b = strstr(swapped,
										    "rotation,2,1,");
	a[9] = '2', a[11] = '1', b[9] = '1', b[11] = '2';
	ck_assert_int_eq(read_text(swapped, &back, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_msg(strstr(err.message, "out of order") != NULL, "%s", err.message);
	free(short_one);
	free(swapped);
	free(text);
	model_free(&m);
}
END_TEST

/* 40 rows of 3 inputs, 3 classes. */
struct toy {
	struct dataset data;
	struct data_view view;
	double x[40 * 3], y[40];
};

static void make_toy(struct toy *t)
{
	struct prng r;

	memset(t, 0, sizeof *t);
	prng_seed(&r, 99);
	for (size_t i = 0; i < 40; i++) {
		for (size_t j = 0; j < 3; j++)
			t->x[i * 3 + j] = 2.0 * prng_uniform(&r) - 1.0;
		t->y[i] = (double)prng_below(&r, 3);
	}
	t->data.rows = 40;
	t->data.features = 3;
	t->data.x = t->x;
	t->data.y = t->y;
	t->view = (struct data_view){ &t->data, NULL, 40 };
}

static void evaluate(const struct model *m, const double *params, const struct toy *t,
		     double *loss, double *norm)
{
	struct error err;

	ck_assert_msg(probe_evaluate(m, params, &t->view, loss, norm, &err) == 0, "%s",
		      err.message);
}

START_TEST(permutation_and_rescale_keep_the_loss)
{
	static const size_t perm5[] = { 3, 0, 4, 1, 2 }, perm4[] = { 2, 3, 1, 0 };
	struct model m;
	struct toy t;
	struct error err;
	double loss, norm, after, after_norm;

	make_toy(&t);
	make_model(&m, deep, 3, 0, 21);
	double *copy_params = malloc(m.net.n_params * sizeof *copy_params);
	evaluate(&m, m.params, &t, &loss, &norm);
	for (size_t l = 0; l < 2; l++) {
		memcpy(copy_params, m.params, m.net.n_params * sizeof *copy_params);
		ck_assert_int_eq(probe_permute_units(&m.net, copy_params, l, l ? perm4 : perm5, &err), 0);
		ck_assert_int_ne(memcmp(copy_params, m.params, m.net.n_params * sizeof *copy_params), 0);
		evaluate(&m, copy_params, &t, &after, &after_norm);
		ck_assert_msg(relative(loss, after) < 1e-12, "permutation %zu: %.17g %.17g", l, loss,
			      after);
		ck_assert_msg(relative(norm, after_norm) < 1e-12, "permutation %zu: norms", l);
		memcpy(copy_params, m.params, m.net.n_params * sizeof *copy_params);
		probe_rescale_units(&m.net, copy_params, l, 10.0);
		evaluate(&m, copy_params, &t, &after, &after_norm);
		ck_assert_msg(relative(loss, after) < 1e-12, "rescale %zu: %.17g %.17g", l, loss, after);
		ck_assert_msg(relative(norm, after_norm) > 1e-3, "rescale %zu: the norm stayed", l);
	}
	/* probe_symmetry: a permutation and a rescale record per hidden layer. */
	struct probe_record *records;
	size_t n;
	ck_assert_int_eq(probe_symmetry(&m, &t.view, 7, &records, &n, &err), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(records[0].kind, "permutation:1");
	ck_assert_str_eq(records[1].kind, "rescale:1:10");
	ck_assert_str_eq(records[3].kind, "rescale:2:10");
	for (size_t i = 0; i < n; i++) {
		ck_assert(records[i].loss_before == loss && records[i].grad_norm_before == norm);
		ck_assert_msg(relative(records[i].loss_before, records[i].loss_after) < 1e-12, "%s",
			      records[i].kind);
	}
	/* The model itself is not changed. */
	evaluate(&m, m.params, &t, &after, &after_norm);
	ck_assert(after == loss);
	free(records);
	free(copy_params);
	model_free(&m);
}
END_TEST

START_TEST(skips_need_the_shared_permutation)
{
	static const size_t perm[] = { 1, 3, 0, 2 };
	struct model m;
	struct toy t;
	struct error err;
	double loss, norm, after, after_norm;

	make_toy(&t);
	make_model(&m, residual, 4, 0, 31);
	double *copy_params = malloc(m.net.n_params * sizeof *copy_params);
	evaluate(&m, m.params, &t, &loss, &norm);
	for (size_t l = 0; l < 3; l++) {
		size_t first, last;
		ck_assert_int_eq(probe_skip_chain(&m.net, l, &first, &last), 0);
		ck_assert_uint_eq(first, 0);
		ck_assert_uint_eq(last, 2);
		memcpy(copy_params, m.params, m.net.n_params * sizeof *copy_params);
		ck_assert_int_eq(probe_permute_units(&m.net, copy_params, l, perm, &err), 0);
		evaluate(&m, copy_params, &t, &after, &after_norm);
		ck_assert_msg(relative(loss, after) > 1e-6, "plain permutation %zu kept the loss", l);
		memcpy(copy_params, m.params, m.net.n_params * sizeof *copy_params);
		ck_assert_int_eq(probe_permute_shared(&m.net, copy_params, l, perm, &err), 0);
		evaluate(&m, copy_params, &t, &after, &after_norm);
		ck_assert_msg(relative(loss, after) < 1e-12, "shared permutation %zu: %.17g %.17g", l,
			      loss, after);
		ck_assert_msg(relative(norm, after_norm) < 1e-12, "shared permutation %zu: norms", l);
	}
	struct probe_record *records;
	size_t n;
	ck_assert_int_eq(probe_symmetry(&m, &t.view, 7, &records, &n, &err), 0);
	ck_assert_uint_eq(n, 6);        /* no rescale: every layer touches a skip */
	ck_assert_str_eq(records[0].kind, "permutation:1");
	ck_assert_str_eq(records[1].kind, "permutation-shared:1");
	ck_assert_str_eq(records[5].kind, "permutation-shared:3");
	free(records);
	free(copy_params);
	model_free(&m);
}
END_TEST

START_TEST(no_hidden_layers_no_probe)
{
	static const struct layer head_only[] = { { .in = 3, .out = 3 } };
	struct model m;
	struct toy t;
	struct error err;
	struct probe_record *records;
	size_t n;

	make_toy(&t);
	make_model(&m, head_only, 1, 0, 41);
	ck_assert_int_eq(probe_symmetry(&m, &t.view, 7, &records, &n, &err), -1);
	ck_assert_int_eq(err.status, EXIT_USAGE);
	model_free(&m);
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *rotation = tcase_create("rotation"), *symmetry = tcase_create("symmetry");

	tcase_add_test(rotation, rotation_is_orthogonal);
	tcase_add_test(rotation, rotation_follows_its_seed);
	tcase_add_test(rotation, rotation_signs_are_balanced);
	tcase_add_test(rotation, rotation_records_round_trip);
	tcase_add_test(rotation, wrong_rotation_records_are_refused);
	tcase_add_test(symmetry, permutation_and_rescale_keep_the_loss);
	tcase_add_test(symmetry, skips_need_the_shared_permutation);
	tcase_add_test(symmetry, no_hidden_layers_no_probe);
	suite_add_tcase(s, rotation);
	suite_add_tcase(s, symmetry);
	return s;
}

UNIT_MAIN(probe_suite)
