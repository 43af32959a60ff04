/* test_models.c - each model's loss and gradient: known values, numerical
 * stability, and the gradient against central finite differences. */
#include "unit.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "prng.h"

enum { ROWS = 7, FEATURES = 3 };

static double x[ROWS * FEATURES], y[ROWS];
static char *names[FEATURES] = { "a", "b", "c" };
static char *labels[2] = { "no", "yes" };

/* A small data set with random features; targets suit the model kind. */
static struct dataset make_data(int classifier)
{
	struct dataset d = { .rows = ROWS, .features = FEATURES, .x = x, .y = y,
			     .feature_names = names, .target_name = "t" };
	struct prng r;

	prng_seed(&r, 11);
	for (size_t i = 0; i < ROWS * FEATURES; i++)
		x[i] = 4.0 * prng_uniform(&r) - 2.0;
	for (size_t i = 0; i < ROWS; i++)
		y[i] = classifier ? (double)(prng_below(&r, 2)) : 3.0 * prng_uniform(&r) - 1.0;
	if (classifier) {
		d.n_classes = 2;
		d.class_labels = labels;
	}
	return d;
}

/* Compare the analytic gradient at random weights with central differences. */
static void check_gradient(const char *kind_name)
{
	const struct model_kind *kind = model_kind_find(kind_name);
	struct dataset d = make_data(kind->classifier);
	struct model m;
	struct error err;
	struct prng r;
	size_t subset[4] = { 6, 0, 3, 3 };

	ck_assert_ptr_nonnull(kind);
	ck_assert_int_eq(model_init(&m, kind, &d, &err), 0);
	prng_seed(&r, 5);
	for (size_t i = 0; i < m.n_params; i++)
		m.params[i] = prng_uniform(&r) - 0.5;
	double *grad = malloc(m.n_params * sizeof *grad);
	for (int use_subset = 0; use_subset < 2; use_subset++) {
		const size_t *index = use_subset ? subset : NULL;
		size_t count = use_subset ? 4 : ROWS;
		model_loss_grad(&m, m.params, &d, index, count, grad);
		for (size_t i = 0; i < m.n_params; i++) {
			double saved = m.params[i], h = 1e-6;
			m.params[i] = saved + h;
			double up = model_loss_grad(&m, m.params, &d, index, count, NULL);
			m.params[i] = saved - h;
			double down = model_loss_grad(&m, m.params, &d, index, count, NULL);
			m.params[i] = saved;
			double numeric = (up - down) / (2 * h);
			ck_assert_msg(fabs(numeric - grad[i]) <= 1e-7 * (1 + fabs(numeric)),
				      "%s parameter %zu: analytic %.12g, numeric %.12g", kind_name,
				      i, grad[i], numeric);
		}
	}
	free(grad);
	model_free(&m);
}

START_TEST(test_linear_gradient)
{
	check_gradient("linear");
}
END_TEST

START_TEST(test_logistic_gradient)
{
	check_gradient("logistic");
}
END_TEST

START_TEST(test_layout_and_weight_mask)
{
	struct dataset d = make_data(0);
	struct model m;
	struct error err;

	ck_assert_int_eq(model_init(&m, model_kind_find("linear"), &d, &err), 0);
	ck_assert_uint_eq(m.n_params, FEATURES + 1);
	for (size_t i = 0; i < FEATURES; i++)
		ck_assert_int_eq(m.is_weight[i], 1);
	ck_assert_int_eq(m.is_weight[FEATURES], 0);
	for (size_t i = 0; i < m.n_params; i++)
		ck_assert(m.params[i] == 0.0);
	model_free(&m);
}
END_TEST

/* Squared error without 1/2: one example, z = w.x + b by hand. */
START_TEST(test_linear_loss_value)
{
	struct dataset d = make_data(0);
	struct model m;
	struct error err;
	size_t one = 2;

	ck_assert_int_eq(model_init(&m, model_kind_find("linear"), &d, &err), 0);
	m.params[0] = 0.5, m.params[1] = -1.0, m.params[2] = 2.0, m.params[3] = 0.25;
	const double *row = x + 2 * FEATURES;
	double z = 0.5 * row[0] - row[1] + 2.0 * row[2] + 0.25;
	double expected = (z - y[2]) * (z - y[2]);
	ck_assert_double_eq_tol(model_loss_grad(&m, m.params, &d, &one, 1, NULL), expected,
				1e-15 * expected);
	model_free(&m);
}
END_TEST

/* At zero weights every logit is 0 and the loss is log 2. */
START_TEST(test_logistic_loss_at_zero)
{
	struct dataset d = make_data(1);
	struct model m;
	struct error err;

	ck_assert_int_eq(model_init(&m, model_kind_find("logistic"), &d, &err), 0);
	ck_assert_double_eq_tol(model_loss_grad(&m, m.params, &d, NULL, ROWS, NULL), log(2.0),
				1e-15);
	model_free(&m);
}
END_TEST

/* Huge logits must neither overflow nor lose the linear tail. */
START_TEST(test_logistic_loss_is_stable)
{
	const struct model_kind *kind = model_kind_find("logistic");
	double dz, z;

	z = 800;
	ck_assert_double_eq_tol(kind->loss(&z, 0.0, &dz, 1), 800.0, 1e-12);
	ck_assert_double_eq_tol(dz, 1.0, 1e-15);
	z = -800;
	ck_assert_double_eq_tol(kind->loss(&z, 1.0, &dz, 1), 800.0, 1e-12);
	ck_assert_double_eq_tol(dz, -1.0, 1e-15);
	z = 40;
	ck_assert_double_eq_tol(kind->loss(&z, 1.0, NULL, 1), exp(-40.0), 1e-30);
	z = 0.3;
	ck_assert_double_eq_tol(kind->loss(&z, 1.0, NULL, 1), log1p(exp(0.3)) - 0.3, 1e-15);
}
END_TEST

START_TEST(test_registry)
{
	ck_assert_ptr_nonnull(model_kind_find("linear"));
	ck_assert_ptr_nonnull(model_kind_find("logistic"));
	ck_assert_ptr_null(model_kind_find("softmax-typo"));
	ck_assert_int_eq(model_kind_find("logistic")->max_classes, 2);
	ck_assert_int_eq(model_kind_find("linear")->classifier, 0);
}
END_TEST

START_TEST(test_accuracy)
{
	struct dataset d = make_data(1);
	struct model m;
	struct error err;
	size_t positives = 0;

	ck_assert_int_eq(model_init(&m, model_kind_find("logistic"), &d, &err), 0);
	m.params[FEATURES] = 1.0;       /* bias only: predicts "yes" everywhere */
	for (size_t i = 0; i < ROWS; i++)
		positives += y[i] == 1.0;
	double accuracy = -1;
	double loss = model_evaluate(&m, m.params, &d, &accuracy);
	ck_assert_double_eq_tol(accuracy, (double)positives / ROWS, 1e-15);
	ck_assert_double_eq_tol(loss, model_loss_grad(&m, m.params, &d, NULL, ROWS, NULL), 1e-15);
	model_free(&m);
}
END_TEST

static Suite *models_suite(void)
{
	Suite *s = suite_create("models");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_linear_gradient);
	tcase_add_test(tc, test_logistic_gradient);
	tcase_add_test(tc, test_layout_and_weight_mask);
	tcase_add_test(tc, test_linear_loss_value);
	tcase_add_test(tc, test_logistic_loss_at_zero);
	tcase_add_test(tc, test_logistic_loss_is_stable);
	tcase_add_test(tc, test_registry);
	tcase_add_test(tc, test_accuracy);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(models_suite)
