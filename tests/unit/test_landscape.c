/* test_landscape.c - loss landscape slices and the step-size range test.
 *
 * The line slice of a linear model is an exact parabola in alpha (the
 * squared error of an affine function of alpha); the plane's directions
 * are filter-normalised; the range test's smoothing, stop rule and
 * suggestion on synthetic curves; the option values.
 */
#include "landscape.h"
#include "lr_find.h"

#include "unit.h"
#include "model_fixture.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head.h"
#include "model.h"
#include "objective.h"
#include "prng.h"

#define ROWS 23
#define FEATURES 3

static double data_x[ROWS * FEATURES], data_y[ROWS];

static struct dataset make_data(void)
{
	struct dataset d = { .rows = ROWS, .features = FEATURES, .x = data_x, .y = data_y };
	struct prng r;

	prng_seed(&r, 7);
	for (size_t i = 0; i < ROWS * FEATURES; i++)
		data_x[i] = 4.0 * prng_uniform(&r) - 2.0;
	for (size_t i = 0; i < ROWS; i++)
		data_y[i] = 3.0 * prng_uniform(&r) - 1.0;
	return d;
}

/* The line records of a run, read back: alpha, train loss; returns how many. */
static size_t read_line_records(FILE *f, double *alpha, double *loss, int *val_empty)
{
	char text[256];
	size_t n = 0;

	rewind(f);
	while (fgets(text, sizeof text, f)) {
		char *end;
		ck_assert_msg(strncmp(text, "line,", 5) == 0, "record '%s'", text);
		alpha[n] = strtod(text + 5, &end);
		ck_assert(*end == ',');
		loss[n] = strtod(end + 1, &end);
		ck_assert(*end == ',');
		*val_empty = end[1] == '\n';
		n++;
	}
	return n;
}

START_TEST(test_line_is_a_parabola_for_a_linear_model)
{
	const struct layer layers[1] = { { .in = FEATURES, .out = 1 } };
	struct dataset d = make_data();
	struct data_view view = { &d, NULL, ROWS };
	struct model m;
	struct error err;
	struct prng r;
	double initial[FEATURES + 1], final[FEATURES + 1], alpha[41], loss[41];
	int val_empty = 0;
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	fixture_model(&m, "linear", FEATURES, 0, layers, 1);
	prng_seed(&r, 3);
	for (size_t i = 0; i < m.net.n_params; i++) {
		initial[i] = 2.0 * prng_uniform(&r) - 1.0;
		final[i] = 2.0 * prng_uniform(&r) - 1.0;
	}
	ck_assert_int_eq(landscape_line(&m, initial, final, &view, NULL, 41, f, &err), 0);
	ck_assert_uint_eq(read_line_records(f, alpha, loss, &val_empty), 41);
	ck_assert(val_empty);
	ck_assert(alpha[0] == -0.5 && alpha[40] == 1.5);
	ck_assert(alpha[10] == 0.0 && alpha[30] == 1.0);

	/* loss(alpha) = a alpha^2 + b alpha + c through alpha = -0.5, 0.5, 1.5 */
	double l0 = loss[0], l1 = loss[20], l2 = loss[40];
	double a = (l0 - 2 * l1 + l2) / 2.0, b = (l2 - l0) / 2.0 - a, c = l1 - a * 0.25 - b * 0.5;
	ck_assert(a > 0);
	for (size_t i = 0; i < 41; i++) {
		double x = alpha[i], predicted = a * x * x + b * x + c;
		ck_assert_msg(fabs(predicted - loss[i]) <= 1e-9 * fabs(loss[i]),
			      "alpha %g: loss %.17g, parabola %.17g", x, loss[i], predicted);
	}

	/* At 0 and 1 the weights are exactly the initial and the final ones. */
	struct objective_sums sums;
	struct memory_source src;
	struct workspace ws;
	ck_assert_int_eq(workspace_create(&ws, &m.net, ROWS, &err), 0);
	ck_assert_int_eq(memory_source_init(&src, &view, ROWS, &err), 0);
	memset(&sums, 0, sizeof sums);
	objective_add(&m, final, &src.source, &ws, NULL, &sums, &err);
	ck_assert(loss[30] == sums.loss / ROWS);
	memory_source_rewind(&src);
	memset(&sums, 0, sizeof sums);
	objective_add(&m, initial, &src.source, &ws, NULL, &sums, &err);
	ck_assert(loss[10] == sums.loss / ROWS);
	memory_source_free(&src);
	workspace_free(&ws);

	/* With validation rows the fourth field is filled. */
	fclose(f);
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(landscape_line(&m, initial, final, &view, &view, 5, f, &err), 0);
	ck_assert_uint_eq(read_line_records(f, alpha, loss, &val_empty), 5);
	ck_assert(!val_empty);
	fclose(f);
	model_free(&m);
}
END_TEST

static double row_norm(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i] * x[i];
	return sqrt(s);
}

START_TEST(test_directions_are_filter_normalised)
{
	const struct layer layers[3] = {
		{ .in = FEATURES, .out = 5, .activation = ACTIVATION_RELU },
		{ .in = 5, .out = 4, .activation = ACTIVATION_TANH },
		{ .in = 4, .out = 3 },
	};
	struct model m;
	struct prng r, g1, g2;

	fixture_model(&m, "softmax", FEATURES, 3, layers, 3);
	prng_seed(&r, 11);
	network_initialize(&m.net, m.params, &r);
	for (size_t i = 0; i < m.net.n_params; i++)
		if (!m.is_weight[i])
			m.params[i] = 0.5 - prng_uniform(&r);   /* biases must not matter */
	double *d = malloc(2 * m.net.n_params * sizeof *d), *again = d + m.net.n_params;
	ck_assert_ptr_nonnull(d);
	prng_seed(&g1, 5);
	prng_seed(&g2, 5);
	landscape_direction(&m.net, m.params, &g1, d);
	landscape_direction(&m.net, m.params, &g2, again);
	ck_assert(memcmp(d, again, m.net.n_params * sizeof *d) == 0);   /* by seed */
	for (size_t l = 0; l < m.net.n_layers; l++) {
		const struct layer *layer = &m.net.layers[l];
		for (size_t o = 0; o < layer->out; o++) {
			size_t at = layer->weights + o * layer->in;
			double want = row_norm(m.params + at, layer->in);
			double got = row_norm(d + at, layer->in);
			ck_assert_msg(fabs(got - want) <= 1e-12 * want, "layer %zu row %zu: %g vs %g",
				      l, o, got, want);
			ck_assert(d[at] != m.params[at]);       /* a new direction, not w */
			ck_assert(d[layer->biases + o] == 0.0);
		}
	}
	/* The next direction from the same generator differs. */
	landscape_direction(&m.net, m.params, &g1, again);
	ck_assert(memcmp(d, again, m.net.n_params * sizeof *d) != 0);
	free(d);
	model_free(&m);
}
END_TEST

/* The smoothed loss by its closed form: sum (1-beta) beta^(t-k) l_k / (1 - beta^t). */
static double smoothed_by_hand(const double *loss, size_t t)
{
	double sum = 0;

	for (size_t k = 1; k <= t; k++)
		sum += (1 - LR_FIND_BETA) * pow(LR_FIND_BETA, (double)(t - k)) * loss[k - 1];
	return sum / (1 - pow(LR_FIND_BETA, (double)t));
}

START_TEST(test_smoothing_and_stop_rule)
{
	struct lr_find_smoother s;
	double loss[200];
	size_t n = 0, stopped_at = 0;

	/* A constant loss is its own smoothed value from the first step (bias correction). */
	lr_find_smoother_start(&s);
	for (int t = 0; t < 10; t++) {
		double value = lr_find_smooth(&s, 2.5);
		ck_assert_msg(fabs(value - 2.5) <= 1e-14, "step %d: %.17g", t + 1, value);
		ck_assert(!lr_find_should_stop(&s, value));
	}

	/* Falling from 1 to 0.1 over 60 steps, then growing by 20% a step. */
	for (; n < 60; n++)
		loss[n] = 1.0 - 0.9 * (double)n / 59.0;
	for (; n < 200; n++)
		loss[n] = loss[n - 1] * 1.2;
	lr_find_smoother_start(&s);
	double best = INFINITY;
	size_t expected = 0;
	for (size_t t = 1; t <= n && !expected; t++) {
		double want = smoothed_by_hand(loss, t);
		if (want > 4 * best)
			expected = t;
		best = fmin(best, want);
	}
	ck_assert(expected > 60);
	for (size_t t = 1; t <= n; t++) {
		double value = lr_find_smooth(&s, loss[t - 1]);
		ck_assert_msg(fabs(value - smoothed_by_hand(loss, t)) <= 1e-12 * value, "step %zu", t);
		if (lr_find_should_stop(&s, value)) {
			stopped_at = t;
			break;
		}
	}
	ck_assert_uint_eq(stopped_at, expected);

	/* A non-finite loss stops at once. */
	lr_find_smoother_start(&s);
	ck_assert(!lr_find_should_stop(&s, lr_find_smooth(&s, 1.0)));
	ck_assert(lr_find_should_stop(&s, lr_find_smooth(&s, INFINITY)));
	lr_find_smoother_start(&s);
	ck_assert(lr_find_should_stop(&s, lr_find_smooth(&s, NAN)));
}
END_TEST

START_TEST(test_suggestion_rule)
{
	double lr[100], smoothed[100];

	/* 2 - tanh(ln lr - ln lr[40]) falls fastest at index 40, is lowest at 70, then rises. */
	for (int i = 0; i < 100; i++)
		lr[i] = 1e-7 * pow(10.0, 0.08 * i);
	for (int i = 0; i < 100; i++)
		smoothed[i] = 2.0 - tanh(log(lr[i]) - log(lr[40])) +
			      (i > 70 ? 0.05 * (i - 70) * (i - 70) : 0.0);
	ck_assert_int_eq(lr_find_suggest(smoothed, 100), 70);  /* suggested: lr[70] / 10 */
	ck_assert_int_eq(lr_find_steepest(lr, smoothed, 100), 40);
	/* The first LR_FIND_SKIP points are noise: a plunge there is not the steepest. */
	smoothed[3] = 1.5;
	smoothed[2] = 100.0;
	ck_assert_int_eq(lr_find_steepest(lr, smoothed, 100), 40);
	ck_assert_int_eq(lr_find_suggest(smoothed, 100), 70);
	smoothed[3] = smoothed[2] = 2.0 - tanh(log(lr[2]) - log(lr[40]));
	/* Only points up to the lowest count. */
	smoothed[90] = -100.0;
	smoothed[89] = 50.0;
	ck_assert_int_eq(lr_find_steepest(lr, smoothed, 100), 89);
	ck_assert_int_eq(lr_find_suggest(smoothed, 100), 90);
	/* A curve that only rises has nothing to suggest. */
	for (int i = 0; i < 100; i++)
		smoothed[i] = (double)i;
	ck_assert_int_eq(lr_find_suggest(smoothed, 100), -1);
	ck_assert_int_eq(lr_find_steepest(lr, smoothed, 100), -1);
	ck_assert_int_eq(lr_find_steepest(lr, smoothed, 2), -1);
}
END_TEST

START_TEST(test_option_values)
{
	struct landscape_request r;
	struct error err;
	double low, high;

	memset(&r, 0, sizeof r);
	ck_assert_int_eq(landscape_parse("line", &r, &err), 0);
	ck_assert_uint_eq(r.line_points, 51);
	ck_assert_uint_eq(r.plane_points, 0);
	ck_assert_int_eq(landscape_parse("plane", &r, &err), 0);
	ck_assert_uint_eq(r.plane_points, 21);
	ck_assert(r.plane_radius == 1.0);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(landscape_parse("line:41,plane:11:0.25", &r, &err), 0);
	ck_assert_uint_eq(r.line_points, 41);
	ck_assert_uint_eq(r.plane_points, 11);
	ck_assert(r.plane_radius == 0.25);
	static const char *bad[] = {
		"", "lines", "line:", "line:1", "line:x", "line:41:2", "plane:0", "plane:21:0",
		"plane:21:-1", "plane:21:inf", "plane:5:1:1", "line,", ",plane", "plane:1002",
		"circle",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(landscape_parse(bad[i], &r, &err) == -1, "accepted '%s'", bad[i]);
		ck_assert_int_eq(err.status, EXIT_USAGE);
	}

	ck_assert_int_eq(lr_find_parse(NULL, &low, &high, &err), 0);
	ck_assert(low == 1e-7 && high == 10.0);
	ck_assert_int_eq(lr_find_parse("1e-6:1", &low, &high, &err), 0);
	ck_assert(low == 1e-6 && high == 1.0);
	static const char *bad_range[] = { "", "1", "1:", ":1", "0:1", "-1:1", "1:1", "2:1",
					   "1e-6:inf", "a:b" };
	for (size_t i = 0; i < sizeof bad_range / sizeof bad_range[0]; i++) {
		ck_assert_msg(lr_find_parse(bad_range[i], &low, &high, &err) == -1, "accepted '%s'",
			      bad_range[i]);
		ck_assert_int_eq(err.status, EXIT_USAGE);
	}
}
END_TEST

static Suite *landscape_suite(void)
{
	Suite *s = suite_create("landscape");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_line_is_a_parabola_for_a_linear_model);
	tcase_add_test(tc, test_directions_are_filter_normalised);
	tcase_add_test(tc, test_smoothing_and_stop_rule);
	tcase_add_test(tc, test_suggestion_rule);
	tcase_add_test(tc, test_option_values);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(landscape_suite)
