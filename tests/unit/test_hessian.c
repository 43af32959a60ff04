/* test_hessian.c - exact Hessian-vector products and the curvature estimate.
 *
 * objective_hessian_vector against central differences of objective_add's
 * gradient, for every head, activation and residual setting over random
 * shapes, vectors and batchings; then the curvature estimator on linear
 * regression, whose Hessian (2/n) A^T A (A: the inputs and a column of
 * ones) is known, against its eigenvalues by Jacobi's method.
 */
#include "unit.h"
#include "model_fixture.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curvature.h"
#include "head.h"
#include "hessian.h"
#include "layer.h"
#include "model.h"
#include "network.h"
#include "objective.h"
#include "prng.h"
#include "schema.h"
#include "source.h"

enum { ROWS = 9, MAX_FEATURES = 12, MAX_LAYERS = 6 };

static double data_x[ROWS * MAX_FEATURES], data_y[ROWS];

/* Random features in [-2, 2); targets real in [-1, 2) or class indices, each class present. */
static struct dataset make_data(size_t features, size_t rows, size_t n_classes, uint64_t seed)
{
	struct dataset d = { .rows = rows, .features = features, .x = data_x, .y = data_y,
			     .n_classes = n_classes };
	struct prng r;

	ck_assert_uint_le(rows, ROWS);
	prng_seed(&r, seed);
	for (size_t i = 0; i < rows * features; i++)
		data_x[i] = 4.0 * prng_uniform(&r) - 2.0;
	for (size_t i = 0; i < rows; i++)
		data_y[i] = n_classes ? (double)(i < n_classes ? i : prng_below(&r, n_classes))
				      : 3.0 * prng_uniform(&r) - 1.0;
	return d;
}

/* The summed gradient over the source into grad (zeroed here). */
static void gradient(const struct model *m, const double *params, struct memory_source *src,
		     struct workspace *ws, double *grad)
{
	struct objective_sums sums = { 0 };
	struct error err;

	memset(grad, 0, m->net.n_params * sizeof *grad);
	memory_source_rewind(src);
	ck_assert_msg(objective_add(m, params, &src->source, ws, grad, &sums, &err) == 0, "%s",
		      err.message);
}

struct head_case {
	const char *name;
	size_t n_classes, outputs;
};

static const struct head_case head_cases[] = {
	{ "linear", 0, 1 }, { "logistic", 2, 1 }, { "softmax", 3, 3 }, { "softmax", 5, 5 },
};

static const enum activation activations[] = {
	ACTIVATION_RELU, ACTIVATION_TANH, ACTIVATION_SIGMOID, ACTIVATION_IDENTITY
};

/*
 * H v of the summed loss against (grad(w + h v) - grad(w - h v)) / 2h, for
 * a random network of head hc: depth, widths and residual from r.
 */
static void check_product(const struct head_case *hc, enum activation act, int residual,
			  struct prng *r, const char *what)
{
	size_t features = 1 + prng_below(r, 5), depth = prng_below(r, 4);
	size_t width = 2 + prng_below(r, 5);
	struct layer layers[MAX_LAYERS];
	size_t in = features;
	struct model m;
	struct error err;
	char label[256];

	for (size_t l = 0; l < depth; l++) {
		/* Residual layers need in == out: the first hidden layer sets the width. */
		size_t out = residual ? width : 2 + prng_below(r, 5);
		layers[l] = (struct layer){ .in = in, .out = out, .activation = act,
					    .skip = residual && in == out };
		in = out;
	}
	layers[depth] = (struct layer){ .in = in, .out = hc->outputs,
					.activation = ACTIVATION_IDENTITY };
	struct dataset d = make_data(features, ROWS, hc->n_classes, prng_next(r));
	fixture_model(&m, hc->name, features, hc->n_classes, layers, depth + 1);
	fixture_randomize(&m.net, m.params, r);
	size_t n = m.net.n_params;
	double *v = malloc(n * sizeof *v), *hv = calloc(n, sizeof *hv);
	double *plus = malloc(n * sizeof *plus), *minus = malloc(n * sizeof *minus);
	double *point = malloc(n * sizeof *point), *pieces = calloc(n, sizeof *pieces);
	ck_assert(v && hv && plus && minus && point && pieces);
	for (size_t i = 0; i < n; i++)
		v[i] = 2.0 * prng_uniform(r) - 1.0;

	struct data_view view = { .data = &d, .rows = NULL, .count = ROWS };
	struct memory_source src;
	struct workspace ws;
	struct hessian_workspace hw, small;
	ck_assert_int_eq(memory_source_init(&src, &view, ROWS, &err), 0);
	ck_assert_int_eq(workspace_create(&ws, &m.net, ROWS, &err), 0);
	ck_assert_int_eq(hessian_workspace_create(&hw, &m.net, ROWS, &err), 0);
	ck_assert_int_eq(hessian_workspace_create(&small, &m.net, 4, &err), 0);

	struct objective_sums sums = { 0 }, loss_only = { 0 };
	memory_source_rewind(&src);
	ck_assert_int_eq(objective_hessian_vector(&m, m.params, v, &src.source, &hw, hv, &sums,
						  &err), 0);
	memory_source_rewind(&src);
	ck_assert_int_eq(objective_add(&m, m.params, &src.source, &ws, NULL, &loss_only, &err), 0);
	ck_assert_uint_eq(sums.count, ROWS);
	ck_assert_double_eq(sums.loss, loss_only.loss);
	ck_assert_uint_eq(sums.correct, loss_only.correct);

	double h = 1e-5, scale = 0.0;
	for (size_t i = 0; i < n; i++)
		point[i] = m.params[i] + h * v[i];
	gradient(&m, point, &src, &ws, plus);
	for (size_t i = 0; i < n; i++)
		point[i] = m.params[i] - h * v[i];
	gradient(&m, point, &src, &ws, minus);
	for (size_t i = 0; i < n; i++)
		scale = fmax(scale, fabs(hv[i]));
	snprintf(label, sizeof label, "%s: %zu features, %zu hidden of %zu, %zu parameters", what,
		 features, depth, width, n);
	ck_assert_msg(scale > 1e-4, "%s: H v is (nearly) zero", label);
	for (size_t i = 0; i < n; i++) {
		double numeric = (plus[i] - minus[i]) / (2 * h);
		ck_assert_msg(fabs(numeric - hv[i]) <= 1e-6 * fmax(scale, 1.0),
			      "%s: entry %zu: exact %.12g, finite differences %.12g", label, i,
			      hv[i], numeric);
	}
	/* The same rows in pieces of 4, 4 and 1 give the same sum to rounding. */
	struct objective_sums piece_sums = { 0 };
	memory_source_rewind(&src);
	ck_assert_int_eq(objective_hessian_vector(&m, m.params, v, &src.source, &small, pieces,
						  &piece_sums, &err), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(fabs(pieces[i] - hv[i]) <= 1e-12 * fmax(scale, 1.0),
			      "%s: entry %zu depends on the pieces", label, i);

	hessian_workspace_free(&small);
	hessian_workspace_free(&hw);
	workspace_free(&ws);
	memory_source_free(&src);
	free(v);
	free(hv);
	free(plus);
	free(minus);
	free(point);
	free(pieces);
	model_free(&m);
}

/* Per head case: every activation, with and without residual layers, several shapes. */
START_TEST(test_products_match_finite_differences)
{
	const struct head_case *hc = &head_cases[_i];
	struct prng r;
	char what[128];

	prng_seed(&r, 100 + (uint64_t)_i);
	for (size_t a = 0; a < sizeof activations / sizeof activations[0]; a++)
		for (int residual = 0; residual <= 1; residual++)
			for (int shape = 0; shape < 4; shape++) {
				snprintf(what, sizeof what, "%s (%zu classes), %s%s, shape %d",
					 hc->name, hc->n_classes, activation_name(activations[a]),
					 residual ? ", residual" : "", shape);
				check_product(hc, activations[a], residual, &r, what);
			}
}
END_TEST

/* act'' through activation_backward_r against differences of activation_backward. */
START_TEST(test_activation_second_derivatives)
{
	for (size_t k = 0; k < 3; k++) {
		enum activation act = activations[k];
		for (double z = -2.25; z <= 2.25; z += 0.5) {
			double h = 1e-6, zs[2] = { z + h, z - h }, as[2], d[2], one = 1.0;
			double a, second, zero = 0.0, rz = 1.0;
			activation_forward(act, 2, zs, as);
			activation_backward(act, 2, as, (double[]){ 1.0, 1.0 }, d);
			activation_forward(act, 1, &z, &a);
			/* With rda = 0, rdz = da act''(z) rz. */
			activation_backward_r(act, 1, &a, &one, &rz, &zero, &second);
			double numeric = (d[0] - d[1]) / (2 * h);
			ck_assert_msg(fabs(second - numeric) <= 1e-7, "%s at %g: %.12g vs %.12g",
				      activation_name(act), z, second, numeric);
		}
	}
}
END_TEST

/* The eigenvalues of the symmetric a[n x n] (destroyed) into e[n], by cyclic Jacobi. */
static void jacobi_eigenvalues(double *a, size_t n, double *e)
{
	for (int sweep = 0; sweep < 100; sweep++) {
		double off = 0.0;
		for (size_t p = 0; p < n; p++)
			for (size_t q = p + 1; q < n; q++)
				off += a[p * n + q] * a[p * n + q];
		if (off < 1e-30)
			break;
		for (size_t p = 0; p < n; p++)
			for (size_t q = p + 1; q < n; q++) {
				double apq = a[p * n + q];
				if (fabs(apq) < 1e-300)
					continue;
				double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
				double t = (theta >= 0 ? 1.0 : -1.0) /
					   (fabs(theta) + sqrt(theta * theta + 1.0));
				double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
				for (size_t k = 0; k < n; k++) {
					double akp = a[k * n + p], akq = a[k * n + q];
					a[k * n + p] = c * akp - s * akq;
					a[k * n + q] = s * akp + c * akq;
				}
				for (size_t k = 0; k < n; k++) {
					double apk = a[p * n + k], aqk = a[q * n + k];
					a[p * n + k] = c * apk - s * aqk;
					a[q * n + k] = s * apk + c * aqk;
				}
			}
	}
	for (size_t i = 0; i < n; i++)
		e[i] = a[i * n + i];
}

/*
 * Linear regression on F features: H = (2/n) A^T A + lambda diag(weights).
 * The estimator's lambda_max, lambda_min (tight tolerance) and trace
 * (exact: no more parameters than probes) against Jacobi's eigenvalues.
 */
static void check_linear_spectrum(size_t features, double decay, uint64_t seed)
{
	struct dataset d = make_data(features, ROWS, 0, seed);
	struct layer layer = { .in = features, .out = 1, .activation = ACTIVATION_IDENTITY };
	struct data_view view = { .data = &d, .rows = NULL, .count = ROWS };
	struct model m;
	struct curvature c;
	struct curvature_figures f;
	struct error err;
	size_t n = features + 1;
	double h[(MAX_FEATURES + 1) * (MAX_FEATURES + 1)], e[MAX_FEATURES + 1];

	/* Correlated columns, so that the spectrum is spread. */
	for (size_t i = 0; i < ROWS; i++)
		for (size_t j = 1; j < features; j++)
			data_x[i * features + j] += 0.5 * data_x[i * features + j - 1] + 0.5;
	fixture_model(&m, "linear", features, 0, &layer, 1);
	for (size_t i = 0; i < n; i++)
		m.params[i] = 0.1 * (double)i - 0.2;    /* the Hessian does not depend on them */
	for (size_t p = 0; p < n; p++)
		for (size_t q = 0; q < n; q++) {
			double s = 0.0;
			for (size_t i = 0; i < ROWS; i++)
				s += (p < features ? data_x[i * features + p] : 1.0) *
				     (q < features ? data_x[i * features + q] : 1.0);
			h[p * n + q] = 2.0 * s / ROWS + (p == q && p < features ? decay : 0.0);
		}
	double trace = 0.0;
	for (size_t p = 0; p < n; p++)
		trace += h[p * n + p];
	jacobi_eigenvalues(h, n, e);
	double top = e[0], bottom = e[0];
	for (size_t i = 1; i < n; i++) {
		top = fmax(top, e[i]);
		bottom = fmin(bottom, e[i]);
	}
	ck_assert_int_eq(curvature_init(&c, &m, &view, 0, decay, 42, &err), 0);
	c.tolerance = 1e-14;
	c.max_iterations = 100000;
	ck_assert_int_eq(curvature_estimate(&c, m.params, &f, &err), 0);
	ck_assert_msg(fabs(f.lambda_max - top) <= 1e-6 * top, "lambda_max %.15g, Jacobi %.15g",
		      f.lambda_max, top);
	ck_assert_msg(fabs(f.lambda_min - bottom) <= 1e-6 * fabs(bottom),
		      "lambda_min %.15g, Jacobi %.15g", f.lambda_min, bottom);
	ck_assert_msg(fabs(f.trace - trace) <= 1e-9 * trace, "trace %.15g, exact %.15g", f.trace,
		      trace);
	double sum = 0.0;
	for (size_t i = 0; i < n; i++)
		sum += e[i];
	ck_assert_msg(fabs(f.trace - sum) <= 1e-6 * sum, "trace %.15g, sum of eigenvalues %.15g",
		      f.trace, sum);
	ck_assert_int_gt(f.products, 0);

	/* With the default tolerances, warm starts converge over repeated estimates. */
	c.tolerance = CURVATURE_TOLERANCE;
	c.max_iterations = CURVATURE_ITERATIONS;
	c.warm = 0;
	for (int epoch = 0; epoch < 200; epoch++) {
		ck_assert_int_eq(curvature_estimate(&c, m.params, &f, &err), 0);
		ck_assert_int_le(f.products, 2 * CURVATURE_ITERATIONS + (long)n);
	}
	ck_assert_msg(fabs(f.lambda_max - top) <= 1e-6 * top, "warm lambda_max %.15g vs %.15g",
		      f.lambda_max, top);
	/*
	 * The shifted iteration converges at the rate (lambda_max - lambda_2nd
	 * smallest) / (lambda_max - lambda_min), slowly when the smallest
	 * eigenvalues crowd together far below lambda_max; its tolerance is
	 * relative to lambda_max - lambda_min, hence so is its accuracy.
	 */
	ck_assert_msg(fabs(f.lambda_min - bottom) <= 1e-3 * (top - bottom),
		      "warm lambda_min %.15g vs %.15g", f.lambda_min, bottom);

	/* The cold-start lambda_max of the divergence message. */
	double largest;
	ck_assert_int_eq(curvature_largest(&c, m.params, 1e-12, 10000, &largest, &err), 0);
	ck_assert_msg(fabs(largest - top) <= 1e-6 * top, "curvature_largest %.15g vs %.15g",
		      largest, top);
	curvature_free(&c);
	model_free(&m);
}

START_TEST(test_linear_regression_spectrum)
{
	check_linear_spectrum(1, 0.0, 1);
	check_linear_spectrum(3, 0.0, 2);
	check_linear_spectrum(4, 0.0, 3);
	check_linear_spectrum(5, 0.5, 4);
	check_linear_spectrum(7, 0.0, 5);
}
END_TEST

/*
 * A network's spectrum: lambda_min below zero somewhere, the exact trace
 * (unit vectors) against Hutchinson's within its noise, subsample seeded.
 */
START_TEST(test_network_curvature)
{
	struct prng r;
	struct layer layers[2] = {
		{ .in = 3, .out = 4, .activation = ACTIVATION_TANH },
		{ .in = 4, .out = 3, .activation = ACTIVATION_IDENTITY },
	};
	struct dataset d = make_data(3, ROWS, 3, 9);
	struct data_view view = { .data = &d, .rows = NULL, .count = ROWS };
	struct model m;
	struct curvature c, s1, s2;
	struct curvature_figures f, g1, g2;
	struct error err;

	fixture_model(&m, "softmax", 3, 3, layers, 2);
	prng_seed(&r, 3);
	fixture_randomize(&m.net, m.params, &r);
	size_t n = m.net.n_params;
	ck_assert_int_eq(curvature_init(&c, &m, &view, 0, 0.0, 7, &err), 0);
	c.tolerance = 1e-12;
	c.max_iterations = 100000;
	c.probes = 4000;        /* Hutchinson's noise down to a few per cent */
	ck_assert_uint_gt(n, c.exact_trace);
	ck_assert_int_eq(curvature_estimate(&c, m.params, &f, &err), 0);
	ck_assert(f.lambda_min <= f.lambda_max);
	/* The exact trace, column by column. */
	double *e = calloc(n, sizeof *e), *hv = malloc(n * sizeof *hv), trace = 0.0;
	double rayleigh_max = -INFINITY, rayleigh_min = INFINITY;
	for (size_t i = 0; i < n; i++) {
		e[i] = 1.0;
		ck_assert_int_eq(curvature_product(&c, m.params, e, hv, &err), 0);
		trace += hv[i];
		rayleigh_max = fmax(rayleigh_max, hv[i]);
		rayleigh_min = fmin(rayleigh_min, hv[i]);
		e[i] = 0.0;
	}
	/* Diagonal entries lie between the extreme eigenvalues. */
	ck_assert(rayleigh_max <= f.lambda_max * (1 + 1e-9));
	ck_assert(rayleigh_min >= f.lambda_min - 1e-9 * fabs(f.lambda_min));
	ck_assert_msg(fabs(f.trace - trace) <= 0.1 * (fabs(trace) + f.lambda_max),
		      "Hutchinson %g, exact %g", f.trace, trace);
	/* A subsample of 5 rows: the same seed, the same figures. */
	ck_assert_int_eq(curvature_init(&s1, &m, &view, 5, 0.0, 7, &err), 0);
	ck_assert_int_eq(curvature_init(&s2, &m, &view, 5, 0.0, 7, &err), 0);
	ck_assert_int_eq(curvature_estimate(&s1, m.params, &g1, &err), 0);
	ck_assert_int_eq(curvature_estimate(&s2, m.params, &g2, &err), 0);
	ck_assert_double_eq(g1.lambda_max, g2.lambda_max);
	ck_assert_double_eq(g1.trace, g2.trace);
	ck_assert(g1.lambda_max != f.lambda_max);
	curvature_free(&s1);
	curvature_free(&s2);
	curvature_free(&c);
	free(e);
	free(hv);
	model_free(&m);
}
END_TEST

static Suite *hessian_suite(void)
{
	Suite *s = suite_create("hessian");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_products_match_finite_differences, 0,
			    (int)(sizeof head_cases / sizeof head_cases[0]));
	tcase_add_test(tc, test_activation_second_derivatives);
	tcase_add_test(tc, test_linear_regression_spectrum);
	tcase_add_test(tc, test_network_curvature);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(hessian_suite)
