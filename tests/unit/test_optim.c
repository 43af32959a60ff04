/* test_optim.c - one to three steps of every first-order optimizer, and the registry.
 *
 * Each optimizer takes three steps from w = {0.5, -1, 2} with the gradients
 * and step sizes below, and w is compared after every step with numbers
 * computed independently of this code (relative tolerance 1e-14):
 *
 * - sgd, nesterov, adagrad, rmsprop, adadelta, adam, adamw, amsgrad: PyTorch
 *   1.13 torch.optim in float64 (torch.set_default_dtype(torch.float64)),
 *   p.grad set by hand before each opt.step(), param_groups' lr set to the
 *   step size of that step; adamw with weight_decay=0.1 and the third entry
 *   in its own parameter group with weight_decay=0 (it is a bias here).
 * - momentum (the course's form, which PyTorch does not have once lr
 *   changes) and adadelta-w (the course's variant): the update formulas of
 *   SPEC section 4 written out in plain Python floats.
 *
 * The generator script is kept in the comment at the end of this file.
 * The optimizer's own default lr is left in hyper, so a step that reads
 * hyper->lr instead of the scheduled a->lr fails.
 */
#include "optim.h"

#include "unit.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RELATIVE_TOLERANCE 1e-14

static const double initial_w[3] = { 0.5, -1.0, 2.0 };
static const double gradients[3][3] = {
	{ 0.1, -0.2, 0.3 },
	{ -0.05, 0.4, 0.25 },
	/* The tiny middle entry makes amsgrad's s fall below its maximum. */
	{ 0.3, 0.001, -0.6 },
};
static const double step_sizes[3] = { 0.1, 0.05, 0.2 };
/* Entries 0 and 1 are weights, entry 2 a bias: adamw must not decay it. */
static const unsigned char is_weight[3] = { 1, 1, 0 };

/* Expected w after steps 1, 2, 3 (see the header comment). */
static const double expected_sgd[3][3] = {
	{ 0.48999999999999999, -0.97999999999999998, 1.97 },
	{ 0.49249999999999999, -1, 1.9575 },
	{ 0.4325, -1.0002, 2.0775000000000001 },
};
static const double expected_momentum[3][3] = {
	{ 0.48999999999999999, -0.97999999999999998, 1.97 },
	{ 0.48349999999999999, -0.98199999999999998, 1.9304999999999999 },
	{ 0.41764999999999997, -0.98399999999999999, 2.0149499999999998 },
};
static const double expected_nesterov[3][3] = {
	{ 0.48099999999999998, -0.96199999999999997, 1.9430000000000001 },
	{ 0.48169999999999996, -0.9919, 1.9071 },
	{ 0.36121999999999993, -1.0279199999999999, 2.0508600000000001 },
};
static const double expected_adagrad[3][3] = {
	{ 0.40000000009999997, -0.90000000005000003, 1.9000000000333332 },
	{ 0.42236067985499787, -0.94472135958999581, 1.867990780058306 },
	{ 0.2349521656472072, -0.94516857206736593, 2.0356140510195901 },
};
static const double expected_rmsprop[3][3] = {
	{ -0.49999900000099962, -4.9999975038073075e-07, 1.0000003333332228 },
	{ -0.27549257408025318, -0.44766188083521707, 0.67895948020108132 },
	{ -2.1516282734214798, -0.45216103560759818, 2.3591569822510179 },
};
static const double expected_adadelta[3][3] = {
	{ 0.49968393022937951, -0.99968381175504384, 1.9996837898007285 },
	{ 0.4997881161065279, -0.99988582448648877, 1.9995362287068927 },
	{ 0.4988732549884774, -0.9998886544847494, 2.0004393871304722 },
};
static const double expected_adadelta_w[3][3] = {
	{ 0.45002398177523145, -0.90001199772047635, 1.8000108601993148 },
	{ 0.4652605250285764, -0.95908553117722117, 1.7137132954756285 },
	{ 0.31840262746389858, -0.95983221259880391, 2.2310889549680017 },
};
static const double expected_adam[3][3] = {
	{ 0.40000000999999902, -0.90000000499999977, 1.9000000033333333 },
	{ 0.38668315970169498, -0.91830518077301826, 1.8504413613988058 },
	{ 0.25258305391983171, -0.97519071134544622, 1.8740045396400427 },
};
static const double expected_adamw[3][3] = {
	{ 0.39500000999999901, -0.89000000499999976, 1.9000000033333333 },
	{ 0.37970815965169497, -0.90385518074801829, 1.8504413613988058 },
	{ 0.23801389067679779, -0.94266360770548585, 1.8740045396400427 },
};
static const double expected_amsgrad[3][3] = {
	{ 0.40000000999999902, -0.90000000499999977, 1.9000000033333333 },
	{ 0.38668315970169498, -0.91830518077301826, 1.8504413613988058 },
	{ 0.25258305391983171, -0.97516240378027841, 1.8740045396400427 },
};

/*
 * Run three steps of optimizer NAME (weight decay as given, everything else
 * its defaults) and compare w after each with EXPECTED.
 */
static void check_trajectory(const char *name, double weight_decay, const double expected[3][3])
{
	const struct optimizer *o = optimizer_find(name);
	struct optim_hyper hyper;
	double w[3], *state = NULL;

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(o->step);
	hyper = o->defaults;
	hyper.weight_decay = weight_decay;
	memcpy(w, initial_w, sizeof w);
	/* Exactly the state the table asks for, so valgrind sees overruns. */
	if (o->state_arrays > 0) {
		state = calloc((size_t)o->state_arrays * 3, sizeof *state);
		ck_assert_ptr_nonnull(state);
	}
	for (int t = 1; t <= 3; t++) {
		struct optim_step_args args = {
			.hyper = &hyper, .lr = step_sizes[t - 1], .t = t,
			.w = w, .g = gradients[t - 1], .state = state, .n = 3,
			.is_weight = is_weight,
		};

		o->step(&args);
		for (int i = 0; i < 3; i++) {
			double want = expected[t - 1][i];

			ck_assert_msg(fabs(w[i] - want) <= RELATIVE_TOLERANCE * fabs(want),
				      "%s step %d: w[%d] = %.17g, expected %.17g", name, t, i, w[i], want);
		}
	}
	free(state);
}

START_TEST(test_sgd) { check_trajectory("sgd", 0, expected_sgd); }
END_TEST
START_TEST(test_momentum) { check_trajectory("momentum", 0, expected_momentum); }
END_TEST
START_TEST(test_nesterov) { check_trajectory("nesterov", 0, expected_nesterov); }
END_TEST
START_TEST(test_adagrad) { check_trajectory("adagrad", 0, expected_adagrad); }
END_TEST
START_TEST(test_rmsprop) { check_trajectory("rmsprop", 0, expected_rmsprop); }
END_TEST
START_TEST(test_adadelta) { check_trajectory("adadelta", 0, expected_adadelta); }
END_TEST
START_TEST(test_adadelta_w) { check_trajectory("adadelta-w", 0, expected_adadelta_w); }
END_TEST
START_TEST(test_adam) { check_trajectory("adam", 0, expected_adam); }
END_TEST
START_TEST(test_adamw) { check_trajectory("adamw", 0.1, expected_adamw); }
END_TEST
START_TEST(test_amsgrad) { check_trajectory("amsgrad", 0, expected_amsgrad); }
END_TEST

/* The bias entry of adamw moves exactly as under adam: no decay leaks onto it. */
START_TEST(test_adamw_leaves_biases_undecayed)
{
	for (int t = 0; t < 3; t++)
		ck_assert_double_eq_tol(expected_adamw[t][2], expected_adam[t][2],
					RELATIVE_TOLERANCE * fabs(expected_adam[t][2]));
	check_trajectory("adamw", 0.1, expected_adamw);
}
END_TEST

/* With weight decay 0, adamw is adam. */
START_TEST(test_adamw_without_decay_is_adam)
{
	check_trajectory("adamw", 0, expected_adam);
}
END_TEST

/* The --help order and every name, found by optimizer_find. */
START_TEST(test_registry_names)
{
	static const char *const names[] = {
		"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
		"adadelta-w", "adam", "adamw", "amsgrad", "lbfgs",
	};
	size_t count = sizeof names / sizeof names[0], i;

	for (i = 0; i < count; i++) {
		ck_assert_ptr_nonnull(optimizers[i]);
		ck_assert_str_eq(optimizers[i]->name, names[i]);
		ck_assert_ptr_eq(optimizer_find(names[i]), optimizers[i]);
		ck_assert_ptr_nonnull(optimizers[i]->summary);
		ck_assert_int_gt((int)strlen(optimizers[i]->summary), 0);
		ck_assert_ptr_null(strchr(optimizers[i]->summary, '\n'));
	}
	ck_assert_ptr_null(optimizers[count]);
}
END_TEST

START_TEST(test_registry_unknown_name)
{
	ck_assert_ptr_null(optimizer_find("adamax"));
	ck_assert_ptr_null(optimizer_find(""));
	ck_assert_ptr_null(optimizer_find("SGD"));
	ck_assert_ptr_null(optimizer_find("adam "));
	ck_assert_ptr_null(optimizer_find("adadelta_w"));
}
END_TEST

/* Defaults, as in the --help text and SPEC section 4 (PyTorch's). */
START_TEST(test_registry_defaults)
{
	static const struct {
		const char *name;
		double lr, rho, eps, weight_decay;
		int state_arrays, decoupled;
	} want[] = {
		{ "sgd",        0.01,  0.9,  1e-8,  0,    0, 0 },
		{ "momentum",   0.01,  0.9,  1e-8,  0,    1, 0 },
		{ "nesterov",   0.01,  0.9,  1e-8,  0,    1, 0 },
		{ "adagrad",    0.01,  0.9,  1e-10, 0,    1, 0 },
		{ "rmsprop",    0.01,  0.99, 1e-8,  0,    1, 0 },
		{ "adadelta",   1.0,   0.9,  1e-6,  0,    2, 0 },
		{ "adadelta-w", 1.0,   0.9,  1e-6,  0,    2, 0 },
		{ "adam",       0.001, 0.9,  1e-8,  0,    2, 0 },
		{ "adamw",      0.001, 0.9,  1e-8,  0.01, 2, 1 },
		{ "amsgrad",    0.001, 0.9,  1e-8,  0,    3, 0 },
		{ "lbfgs",      1.0,   0.9,  1e-8,  0,    0, 0 },
	};

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct optimizer *o = optimizer_find(want[i].name);
		const struct optim_hyper *d;

		ck_assert_ptr_nonnull(o);
		d = &o->defaults;
		ck_assert_double_eq_tol(d->lr, want[i].lr, 1e-15);
		ck_assert_double_eq_tol(d->rho, want[i].rho, 1e-15);
		ck_assert_double_eq_tol(d->eps, want[i].eps, 1e-25);
		ck_assert_double_eq_tol(d->weight_decay, want[i].weight_decay, 1e-15);
		/* The same for everyone, printed in the config comment. */
		ck_assert_double_eq_tol(d->momentum, 0.9, 1e-15);
		ck_assert_double_eq_tol(d->beta1, 0.9, 1e-15);
		ck_assert_double_eq_tol(d->beta2, 0.999, 1e-15);
		ck_assert_int_eq(d->history, 10);
		ck_assert_int_eq(o->state_arrays, want[i].state_arrays);
		ck_assert_int_eq(o->decoupled_weight_decay, want[i].decoupled);
	}
}
END_TEST

/* First-order optimizers step; lbfgs alone iterates against an objective. */
START_TEST(test_registry_kinds)
{
	for (const struct optimizer *const *o = optimizers; *o; o++) {
		int full_batch = strcmp((*o)->name, "lbfgs") == 0;

		if (full_batch) {
			ck_assert_ptr_null((*o)->step);
			ck_assert_ptr_nonnull((*o)->create);
			ck_assert_ptr_nonnull((*o)->iterate);
			ck_assert_ptr_nonnull((*o)->destroy);
		} else {
			ck_assert_ptr_nonnull((*o)->step);
			ck_assert_ptr_null((*o)->create);
			ck_assert_ptr_null((*o)->iterate);
			ck_assert_ptr_null((*o)->destroy);
		}
	}
}
END_TEST

static Suite *optim_suite(void)
{
	Suite *s = suite_create("optim");
	TCase *steps = tcase_create("steps");
	TCase *registry = tcase_create("registry");

	tcase_add_test(steps, test_sgd);
	tcase_add_test(steps, test_momentum);
	tcase_add_test(steps, test_nesterov);
	tcase_add_test(steps, test_adagrad);
	tcase_add_test(steps, test_rmsprop);
	tcase_add_test(steps, test_adadelta);
	tcase_add_test(steps, test_adadelta_w);
	tcase_add_test(steps, test_adam);
	tcase_add_test(steps, test_adamw);
	tcase_add_test(steps, test_amsgrad);
	tcase_add_test(steps, test_adamw_leaves_biases_undecayed);
	tcase_add_test(steps, test_adamw_without_decay_is_adam);
	suite_add_tcase(s, steps);

	tcase_add_test(registry, test_registry_names);
	tcase_add_test(registry, test_registry_unknown_name);
	tcase_add_test(registry, test_registry_defaults);
	tcase_add_test(registry, test_registry_kinds);
	suite_add_tcase(s, registry);
	return s;
}

UNIT_MAIN(optim_suite)
