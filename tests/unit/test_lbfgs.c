/* test_lbfgs.c - L-BFGS through its public interface.
 *
 * Convergence on an ill-conditioned quadratic and on Rosenbrock's function,
 * the strong Wolfe conditions on every accepted step (checked from the
 * outside: w, f and the gradient before and after an iteration are all a
 * test needs), w/value/grad agreeing with each other after every iteration,
 * and the non-finite cases.
 */
#include "optim.h"

#include "unit.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WOLFE_DECREASE 1e-4
#define WOLFE_CURVATURE 0.9
#define MAX_ITERATIONS 500

/* The objectives keep count of their calls. */
struct counted {
	long evaluations;
	double (*f)(const double *w, double *grad);
};

static double evaluate_counted(void *context, const double *w, double *grad)
{
	struct counted *c = context;

	c->evaluations++;
	return c->f(w, grad);
}

/*
 * f = 1/2 (w - c)' A (w - c) with A = R diag(1, 1000) R', R a rotation by
 * 30 degrees, c = (1, -2): condition number 1000, axes not aligned with w.
 */
static const double quadratic_centre[2] = { 1, -2 };

static void quadratic_matrix(double a[2][2])
{
	double co = sqrt(3) / 2, si = 0.5;      /* 30 degrees */
	double small = 1, large = 1000;

	a[0][0] = small * co * co + large * si * si;
	a[0][1] = a[1][0] = (small - large) * co * si;
	a[1][1] = small * si * si + large * co * co;
}

static double quadratic(const double *w, double *grad)
{
	double a[2][2], d[2] = { w[0] - quadratic_centre[0], w[1] - quadratic_centre[1] };

	quadratic_matrix(a);
	grad[0] = a[0][0] * d[0] + a[0][1] * d[1];
	grad[1] = a[1][0] * d[0] + a[1][1] * d[1];
	return 0.5 * (d[0] * grad[0] + d[1] * grad[1]);
}

static double rosenbrock(const double *w, double *grad)
{
	double x = w[0], y = w[1];

	grad[0] = -2 * (1 - x) - 400 * x * (y - x * x);
	grad[1] = 200 * (y - x * x);
	return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
}

/* A 10-D diagonal quadratic, eigenvalues 1 to 1000, minimum at w_i = i. */
static double diagonal_quadratic(const double *w, double *grad)
{
	double f = 0;

	for (int i = 0; i < 10; i++) {
		double curvature = pow(1000, i / 9.0), d = w[i] - i;

		grad[i] = curvature * d;
		f += 0.5 * curvature * d * d;
	}
	return f;
}

/* Rosenbrock where it is finite only inside the box |w_i| <= 2. */
static double boxed_rosenbrock(const double *w, double *grad)
{
	double f = rosenbrock(w, grad);

	if (fabs(w[0]) > 2 || fabs(w[1]) > 2)
		return INFINITY;
	return f;
}

/* What one run did. */
struct run {
	int result;             /* of the last iteration */
	int iterations;
	int wolfe_failures;     /* accepted steps that broke a Wolfe condition */
	int inconsistencies;    /* iterations after which f(w), grad(w) disagreed */
	long evaluations;
};

/*
 * Iterate from w until the optimizer stops (at most MAX_ITERATIONS),
 * checking after every iteration that value and grad are f(w) and its
 * gradient, and that each step taken satisfies the strong Wolfe conditions
 * for the direction p = w_new - w_old.  (Both conditions are invariant
 * under scaling p, so the step length along the internal direction is not
 * needed.)  A small slack absorbs rounding in forming p.
 */
static struct run run_lbfgs(double (*f)(const double *, double *), double *w, size_t n,
			    int history, double lr)
{
	struct counted counted = { .f = f };
	struct optim_objective objective = { evaluate_counted, &counted };
	struct optim_hyper hyper = optim_lbfgs.defaults;
	struct optim_lbfgs_state *state;
	double *grad = calloc(n, sizeof *grad), *old_w = calloc(n, sizeof *old_w);
	double *old_grad = calloc(n, sizeof *old_grad), *check_grad = calloc(n, sizeof *check_grad);
	double value;
	struct run r = { 0 };

	ck_assert(grad && old_w && old_grad && check_grad);
	hyper.history = history;
	state = optim_lbfgs.create(n, &hyper);
	ck_assert_ptr_nonnull(state);
	value = f(w, grad);
	while (r.iterations < MAX_ITERATIONS) {
		double old_value = value, slope_old = 0, slope_new = 0, check_value;
		int moved = 0;

		memcpy(old_w, w, n * sizeof *w);
		memcpy(old_grad, grad, n * sizeof *grad);
		r.result = optim_lbfgs.iterate(state, &objective, lr, w, &value, grad);
		r.iterations++;

		check_value = f(w, check_grad);
		if (check_value != value || memcmp(check_grad, grad, n * sizeof *grad) != 0)
			r.inconsistencies++;
		for (size_t i = 0; i < n; i++) {
			double p = w[i] - old_w[i];

			moved |= p != 0;
			slope_old += old_grad[i] * p;
			slope_new += grad[i] * p;
		}
		if (moved && r.result == OPTIM_ITERATE_PROGRESS) {
			double slack = 1e-13 * fabs(slope_old);

			if (!(value <= old_value + WOLFE_DECREASE * slope_old + 1e-15 * fabs(old_value)) ||
			    !(fabs(slope_new) <= WOLFE_CURVATURE * fabs(slope_old) + slack) ||
			    !(slope_old < 0))
				r.wolfe_failures++;
		}
		if (r.result != OPTIM_ITERATE_PROGRESS)
			break;
	}
	r.evaluations = counted.evaluations;
	optim_lbfgs.destroy(state);
	free(grad);
	free(old_w);
	free(old_grad);
	free(check_grad);
	return r;
}

START_TEST(test_quadratic_converges)
{
	double w[2] = { 0, 0 }, grad[2];
	struct run r = run_lbfgs(quadratic, w, 2, 10, 1);

	ck_assert_int_eq(r.result, OPTIM_ITERATE_CONVERGED);
	ck_assert_double_le(quadratic(w, grad), 1e-10);
	ck_assert_double_eq_tol(w[0], quadratic_centre[0], 1e-5);
	ck_assert_double_eq_tol(w[1], quadratic_centre[1], 1e-5);
	/* Quasi-Newton on a 2-D quadratic: a handful of iterations, not hundreds. */
	ck_assert_int_le(r.iterations, 20);
	ck_assert_int_eq(r.inconsistencies, 0);
}
END_TEST

START_TEST(test_rosenbrock_converges)
{
	double w[2] = { -1.2, 1 };
	struct run r = run_lbfgs(rosenbrock, w, 2, 10, 1);

	ck_assert_int_eq(r.result, OPTIM_ITERATE_CONVERGED);
	ck_assert_double_eq_tol(w[0], 1, 1e-8);
	ck_assert_double_eq_tol(w[1], 1, 1e-8);
	ck_assert_int_le(r.iterations, 100);
	ck_assert_int_eq(r.inconsistencies, 0);
}
END_TEST

/* A memory of 1 and of 3 pairs: the ring of pairs wraps many times. */
START_TEST(test_rosenbrock_short_memory)
{
	for (int history = 1; history <= 3; history += 2) {
		double w[2] = { -1.2, 1 };
		struct run r = run_lbfgs(rosenbrock, w, 2, history, 1);

		ck_assert_int_eq(r.result, OPTIM_ITERATE_CONVERGED);
		ck_assert_double_eq_tol(w[0], 1, 1e-8);
		ck_assert_double_eq_tol(w[1], 1, 1e-8);
		ck_assert_int_eq(r.wolfe_failures, 0);
		ck_assert_int_eq(r.inconsistencies, 0);
	}
}
END_TEST

START_TEST(test_ten_dimensions_converges)
{
	double w[10] = { 0 }, grad[10];
	struct run r = run_lbfgs(diagonal_quadratic, w, 10, 5, 1);

	ck_assert_int_eq(r.result, OPTIM_ITERATE_CONVERGED);
	ck_assert_double_le(diagonal_quadratic(w, grad), 1e-10);
	for (int i = 0; i < 10; i++)
		ck_assert_double_eq_tol(w[i], i, 1e-5);
	ck_assert_int_eq(r.wolfe_failures, 0);
}
END_TEST

/* Every step taken satisfies the strong Wolfe conditions. */
START_TEST(test_steps_satisfy_strong_wolfe)
{
	double w[2] = { 0, 0 };
	struct run r = run_lbfgs(quadratic, w, 2, 10, 1);

	ck_assert_int_gt(r.iterations, 1);
	ck_assert_int_eq(r.wolfe_failures, 0);

	w[0] = -1.2;
	w[1] = 1;
	r = run_lbfgs(rosenbrock, w, 2, 10, 1);
	ck_assert_int_gt(r.iterations, 10);
	ck_assert_int_eq(r.wolfe_failures, 0);

	/* A step size far too large at first: the search must still find Wolfe points. */
	w[0] = -1.2;
	w[1] = 1;
	r = run_lbfgs(rosenbrock, w, 2, 10, 100);
	ck_assert_int_eq(r.result, OPTIM_ITERATE_CONVERGED);
	ck_assert_int_eq(r.wolfe_failures, 0);
	ck_assert_double_eq_tol(w[0], 1, 1e-8);
}
END_TEST

/*
 * The first trial step is lr * min(1, 1/|g|_1) along -g: on f = |w|^2 / 2
 * from w = (3, 4) (|g|_1 = 7) with lr = 1, the first evaluation is at
 * w - g/7, which satisfies both conditions and is taken.
 */
static double first_point[2];
static int first_point_seen;

static double half_square_recording(void *context, const double *w, double *grad)
{
	(void)context;
	if (!first_point_seen) {
		first_point[0] = w[0];
		first_point[1] = w[1];
		first_point_seen = 1;
	}
	grad[0] = w[0];
	grad[1] = w[1];
	return 0.5 * (w[0] * w[0] + w[1] * w[1]);
}

START_TEST(test_first_trial_step)
{
	struct optim_objective objective = { half_square_recording, NULL };
	struct optim_lbfgs_state *state = optim_lbfgs.create(2, &optim_lbfgs.defaults);
	double w[2] = { 3, 4 }, grad[2] = { 3, 4 }, value = 12.5;
	int result;

	first_point_seen = 0;
	result = optim_lbfgs.iterate(state, &objective, 1, w, &value, grad);
	ck_assert_int_eq(result, OPTIM_ITERATE_PROGRESS);
	ck_assert_double_eq_tol(first_point[0], 3 - 3.0 / 7, 1e-15);
	ck_assert_double_eq_tol(first_point[1], 4 - 4.0 / 7, 1e-15);
	ck_assert_double_eq_tol(w[0], 3 - 3.0 / 7, 1e-15);
	/* With a small gradient the step is lr itself: g = (0.1, 0.2). */
	w[0] = 0.1;
	w[1] = 0.2;
	grad[0] = 0.1;
	grad[1] = 0.2;
	value = 0.025;
	first_point_seen = 0;
	optim_lbfgs.destroy(state);
	state = optim_lbfgs.create(2, &optim_lbfgs.defaults);
	optim_lbfgs.iterate(state, &objective, 0.5, w, &value, grad);
	ck_assert_double_eq_tol(first_point[0], 0.05, 1e-15);
	ck_assert_double_eq_tol(first_point[1], 0.1, 1e-15);
	optim_lbfgs.destroy(state);
}
END_TEST

/* At a stationary point nothing is evaluated and CONVERGED comes back. */
START_TEST(test_converged_at_minimum)
{
	struct counted counted = { .f = quadratic };
	struct optim_objective objective = { evaluate_counted, &counted };
	struct optim_lbfgs_state *state = optim_lbfgs.create(2, &optim_lbfgs.defaults);
	double w[2] = { quadratic_centre[0], quadratic_centre[1] }, grad[2], value;

	value = quadratic(w, grad);
	ck_assert_int_eq(optim_lbfgs.iterate(state, &objective, 1, w, &value, grad),
			 OPTIM_ITERATE_CONVERGED);
	ck_assert_int_eq(counted.evaluations, 0);
	ck_assert_double_eq(w[0], quadratic_centre[0]);
	optim_lbfgs.destroy(state);
}
END_TEST

/* f is finite at the start point only: NONFINITE, and nothing moves. */
static const double start_point[2] = { 0.5, -0.25 };

static double finite_only_at_start(void *context, const double *w, double *grad)
{
	(void)context;
	grad[0] = 2 * w[0];
	grad[1] = 2 * w[1];
	if (w[0] == start_point[0] && w[1] == start_point[1])
		return w[0] * w[0] + w[1] * w[1];
	return INFINITY;
}

START_TEST(test_nonfinite_objective)
{
	struct optim_objective objective = { finite_only_at_start, NULL };
	struct optim_lbfgs_state *state = optim_lbfgs.create(2, &optim_lbfgs.defaults);
	double w[2] = { start_point[0], start_point[1] }, grad[2], value;

	value = finite_only_at_start(NULL, w, grad);
	ck_assert_int_eq(optim_lbfgs.iterate(state, &objective, 1, w, &value, grad),
			 OPTIM_ITERATE_NONFINITE);
	ck_assert(isfinite(w[0]) && isfinite(w[1]));
	ck_assert_double_eq(w[0], start_point[0]);
	ck_assert_double_eq(w[1], start_point[1]);
	ck_assert_double_eq(value, 0.3125);
	ck_assert_double_eq(grad[0], 1);
	ck_assert_double_eq(grad[1], -0.5);
	optim_lbfgs.destroy(state);
}
END_TEST

/* A finite f with a NaN gradient counts as non-finite too. */
static double nan_gradient_away_from_start(void *context, const double *w, double *grad)
{
	double f = finite_only_at_start(context, w, grad);

	if (!isfinite(f)) {
		grad[1] = NAN;
		return 1.0;
	}
	return f;
}

START_TEST(test_nonfinite_gradient)
{
	struct optim_objective objective = { nan_gradient_away_from_start, NULL };
	struct optim_lbfgs_state *state = optim_lbfgs.create(2, &optim_lbfgs.defaults);
	double w[2] = { start_point[0], start_point[1] }, grad[2], value;

	value = nan_gradient_away_from_start(NULL, w, grad);
	ck_assert_int_eq(optim_lbfgs.iterate(state, &objective, 1, w, &value, grad),
			 OPTIM_ITERATE_NONFINITE);
	ck_assert_double_eq(w[0], start_point[0]);
	ck_assert_double_eq(w[1], start_point[1]);
	ck_assert_double_eq(value, 0.3125);
	optim_lbfgs.destroy(state);
}
END_TEST

/* A non-finite value handed in is reported without evaluating anything. */
START_TEST(test_nonfinite_on_entry)
{
	struct counted counted = { .f = quadratic };
	struct optim_objective objective = { evaluate_counted, &counted };
	struct optim_lbfgs_state *state = optim_lbfgs.create(2, &optim_lbfgs.defaults);
	double w[2] = { 0, 0 }, grad[2] = { 1, 1 }, value = INFINITY;

	ck_assert_int_eq(optim_lbfgs.iterate(state, &objective, 1, w, &value, grad),
			 OPTIM_ITERATE_NONFINITE);
	ck_assert_int_eq(counted.evaluations, 0);
	ck_assert_double_eq(w[0], 0);
	optim_lbfgs.destroy(state);
}
END_TEST

/*
 * Overflow beyond a region (the usual way a too-long step goes non-finite)
 * is not divergence: the search backs off into the region and carries on.
 */
START_TEST(test_backs_off_from_overflow)
{
	double w[2] = { -1.2, 1 };
	struct run r = run_lbfgs(boxed_rosenbrock, w, 2, 10, 1000);

	ck_assert_int_eq(r.result, OPTIM_ITERATE_CONVERGED);
	ck_assert_double_eq_tol(w[0], 1, 1e-8);
	ck_assert_double_eq_tol(w[1], 1, 1e-8);
	ck_assert_int_eq(r.inconsistencies, 0);
}
END_TEST

/* A function bounded below only asymptotically: no decrease left is CONVERGED. */
static double softplus_valley(const double *w, double *grad)
{
	/* log(1 + e^(-x)): decreasing forever, flat in the end. */
	double x = w[0];

	grad[0] = -1 / (1 + exp(x));
	return x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x));
}

START_TEST(test_stops_on_flat_function)
{
	double w[1] = { 0 };
	struct run r = run_lbfgs(softplus_valley, w, 1, 10, 1);

	ck_assert_int_eq(r.result, OPTIM_ITERATE_CONVERGED);
	ck_assert_int_lt(r.iterations, MAX_ITERATIONS);
	ck_assert(isfinite(w[0]) && w[0] > 10);
	ck_assert_int_eq(r.inconsistencies, 0);
}
END_TEST

static Suite *lbfgs_suite(void)
{
	Suite *s = suite_create("lbfgs");
	TCase *convergence = tcase_create("convergence");
	TCase *line_search = tcase_create("line search");
	TCase *nonfinite = tcase_create("non-finite");

	tcase_add_test(convergence, test_quadratic_converges);
	tcase_add_test(convergence, test_rosenbrock_converges);
	tcase_add_test(convergence, test_rosenbrock_short_memory);
	tcase_add_test(convergence, test_ten_dimensions_converges);
	tcase_add_test(convergence, test_converged_at_minimum);
	tcase_add_test(convergence, test_stops_on_flat_function);
	suite_add_tcase(s, convergence);

	tcase_add_test(line_search, test_steps_satisfy_strong_wolfe);
	tcase_add_test(line_search, test_first_trial_step);
	suite_add_tcase(s, line_search);

	tcase_add_test(nonfinite, test_nonfinite_objective);
	tcase_add_test(nonfinite, test_nonfinite_gradient);
	tcase_add_test(nonfinite, test_nonfinite_on_entry);
	tcase_add_test(nonfinite, test_backs_off_from_overflow);
	suite_add_tcase(s, nonfinite);
	return s;
}

UNIT_MAIN(lbfgs_suite)
