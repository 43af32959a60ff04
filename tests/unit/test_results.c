/* test_results.c - prediction metrics on hand-computed cases, and the edit
 * distance behind "did you mean ...?". */
#include "unit.h"

#include <math.h>

#include "head.h"
#include "metrics.h"
#include "spelling.h"

static void add_rows(struct metrics *m, const double *z, const double *y, size_t rows,
		     size_t outputs)
{
	double p[8];

	metrics_add(m, z, y, rows, outputs, p);
}

/* Errors 0, -1, 2: SSE 5, MAE 1; targets 1, 3, 2 around 2: SST 2. */
START_TEST(test_regression_small)
{
	const double z[] = { 1, 2, 4 }, y[] = { 1, 3, 2 };
	struct metrics m;

	ck_assert_int_eq(metrics_init(&m, head_find("linear"), 0, NULL), 0);
	add_rows(&m, z, y, 3, 1);
	ck_assert_double_eq_tol(metrics_rmse(&m), sqrt(5.0 / 3.0), 1e-15);
	ck_assert_double_eq_tol(metrics_mae(&m), 1.0, 1e-15);
	ck_assert_double_eq_tol(metrics_r2(&m), 1.0 - 5.0 / 2.0, 1e-15);
	metrics_free(&m);
}
END_TEST

/* scikit-learn's documented example: MAE 0.5, MSE 0.375, R^2 0.9486... */
START_TEST(test_regression_sklearn_example_in_two_batches)
{
	const double z[] = { 2.5, 0.0, 2, 8 }, y[] = { 3, -0.5, 2, 7 };
	struct metrics m;

	metrics_init(&m, head_find("linear"), 0, NULL);
	add_rows(&m, z, y, 1, 1);
	add_rows(&m, z + 1, y + 1, 3, 1);
	ck_assert_double_eq_tol(metrics_mae(&m), 0.5, 1e-15);
	ck_assert_double_eq_tol(metrics_rmse(&m), sqrt(0.375), 1e-15);
	ck_assert_double_eq_tol(metrics_r2(&m), 0.9486081370449679, 1e-15);
	metrics_free(&m);
}
END_TEST

START_TEST(test_r2_constant_targets)
{
	const double exact[] = { 2, 2 }, off[] = { 2, 3 }, y[] = { 2, 2 };
	struct metrics m;

	metrics_init(&m, head_find("linear"), 0, NULL);
	add_rows(&m, exact, y, 2, 1);
	ck_assert_double_eq(metrics_r2(&m), 1.0);
	metrics_free(&m);
	metrics_init(&m, head_find("linear"), 0, NULL);
	add_rows(&m, off, y, 2, 1);
	ck_assert_double_eq(metrics_r2(&m), 0.0);
	metrics_free(&m);
}
END_TEST

/*
 * Logits 0 (p = 1/2, the tie goes to class 0) for class 1, and ln 3
 * (p(1) = 3/4) for class 0: losses ln 2 and ln 4, both rows wrong.
 */
START_TEST(test_logistic_log_loss_and_confusion)
{
	const double z[] = { 0.0, log(3.0) }, y[] = { 1, 0 };
	struct metrics m;

	ck_assert_int_eq(metrics_init(&m, head_find("logistic"), 2, NULL), 0);
	add_rows(&m, z, y, 2, 1);
	ck_assert_double_eq_tol(metrics_log_loss(&m), 1.5 * log(2.0), 1e-15);
	ck_assert_double_eq(metrics_accuracy(&m), 0.0);
	ck_assert_uint_eq(m.confusion[0 * 2 + 0], 0);
	ck_assert_uint_eq(m.confusion[0 * 2 + 1], 1);
	ck_assert_uint_eq(m.confusion[1 * 2 + 0], 1);
	ck_assert_uint_eq(m.confusion[1 * 2 + 1], 0);
	metrics_free(&m);
}
END_TEST

/* Logits (0,0,0) for class 2: ln 3; (ln 2,0,0) for class 0: ln 4 - ln 2. */
START_TEST(test_softmax_log_loss_and_confusion)
{
	const double z[] = { 0, 0, 0, log(2.0), 0, 0 }, y[] = { 2, 0 };
	struct metrics m;

	ck_assert_int_eq(metrics_init(&m, head_find("softmax"), 3, NULL), 0);
	add_rows(&m, z, y, 2, 3);
	ck_assert_double_eq_tol(metrics_log_loss(&m), 0.5 * log(6.0), 1e-15);
	ck_assert_double_eq(metrics_accuracy(&m), 0.5);
	ck_assert_uint_eq(m.confusion[2 * 3 + 0], 1);
	ck_assert_uint_eq(m.confusion[0 * 3 + 0], 1);
	metrics_free(&m);
}
END_TEST

START_TEST(test_no_confusion_past_the_limit)
{
	struct metrics m;

	metrics_init(&m, head_find("softmax"), METRICS_MAX_CONFUSION + 1, NULL);
	ck_assert_ptr_null(m.confusion);
	metrics_free(&m);
}
END_TEST

START_TEST(test_edit_distance)
{
	ck_assert_uint_eq(spelling_distance("kitten", "sitting"), 3);
	ck_assert_uint_eq(spelling_distance("standardise", "standardize"), 1);
	ck_assert_uint_eq(spelling_distance("ab", "ba"), 1);             /* one swap */
	ck_assert_uint_eq(spelling_distance("", "abc"), 3);
	ck_assert_uint_eq(spelling_distance("abc", ""), 3);
	ck_assert_uint_eq(spelling_distance("lr", "lr"), 0);
	ck_assert_uint_eq(spelling_distance("ca", "abc"), 3);            /* no edits of a swap */
}
END_TEST

static const char *suggest(const char *word, const char *const *names)
{
	struct spelling_match m;

	spelling_start(&m, word);
	for (size_t i = 0; names[i]; i++)
		spelling_consider(&m, names[i]);
	return spelling_suggestion(&m);
}

START_TEST(test_suggestion)
{
	static const char *const options[] = { "standardize", "no-shuffle", "lr", "epochs", NULL };
	static const char *const optimizers[] = { "sgd", "adam", "adamw", "amsgrad", NULL };

	ck_assert_str_eq(suggest("standardise", options), "standardize");
	ck_assert_str_eq(suggest("epoch", options), "epochs");
	ck_assert_str_eq(suggest("adm", optimizers), "adam");
	ck_assert_ptr_null(suggest("rotate", options));
	ck_assert_ptr_null(suggest("lr", options));                      /* exact: nothing to say */
}
END_TEST

static Suite *results_suite(void)
{
	Suite *s = suite_create("results");
	TCase *metrics = tcase_create("metrics"), *spelling = tcase_create("spelling");

	tcase_add_test(metrics, test_regression_small);
	tcase_add_test(metrics, test_regression_sklearn_example_in_two_batches);
	tcase_add_test(metrics, test_r2_constant_targets);
	tcase_add_test(metrics, test_logistic_log_loss_and_confusion);
	tcase_add_test(metrics, test_softmax_log_loss_and_confusion);
	tcase_add_test(metrics, test_no_confusion_past_the_limit);
	tcase_add_test(spelling, test_edit_distance);
	tcase_add_test(spelling, test_suggestion);
	suite_add_tcase(s, metrics);
	suite_add_tcase(s, spelling);
	return s;
}

UNIT_MAIN(results_suite)
