/* test_resume.c - what continuing a run rests on: every optimizer's state
 * exported and imported continues its steps bit for bit (lbfgs's curvature
 * pairs included), and the state records round trip bit-exact and refuse
 * a cut or inconsistent state.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optim.h"
#include "train.h"
#include "train_state.h"

static const unsigned char is_weight[3] = { 1, 1, 0 };

static void gradient(int step, double *g)
{
	g[0] = 0.1 * step - 0.3;
	g[1] = -0.2 / step;
	g[2] = 0.05 * step * step;
}

/* Two steps, state out and into a fresh run, then two more on both: the same w. */
START_TEST(test_first_order_state_continues)
{
	for (const struct optimizer *const *o = optimizers; *o; o++) {
		if (optim_full_batch(*o))
			continue;
		struct optim_hyper h = (*o)->defaults;
		h.weight_decay = 0.01;
		struct optim_run *a = optim_create(*o, 3, &h), *b = optim_create(*o, 3, &h);
		double wa[3] = { 0.5, -1, 2 }, wb[3], g[3];
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		for (int t = 1; t <= 2; t++) {
			gradient(t, g);
			optim_step(a, wa, g, t, 0.05, is_weight);
		}
		size_t size = optim_state_size(a);
		ck_assert_uint_eq(size, (size_t)(*o)->state_arrays * 3);
		double *state = malloc((size + 1) * sizeof *state);
		ck_assert_ptr_nonnull(state);
		optim_state_get(a, state);
		ck_assert_int_eq(optim_state_set(b, state, size + 1), -1);
		if (size > 0) {
			double kept = state[0];
			state[0] = NAN;
			ck_assert_int_eq(optim_state_set(b, state, size), -1);
			state[0] = kept;
		}
		ck_assert_int_eq(optim_state_set(b, state, size), 0);
		memcpy(wb, wa, sizeof wb);
		for (int t = 3; t <= 4; t++) {
			gradient(t, g);
			optim_step(a, wa, g, t, 0.05, is_weight);
			optim_step(b, wb, g, t, 0.05, is_weight);
		}
		ck_assert_msg(memcmp(wa, wb, sizeof wa) == 0, "%s does not continue", (*o)->name);
		free(state);
		optim_free(a);
		optim_free(b);
	}
}
END_TEST

/* f = sum_i (i + 1) (w_i - i)^2 + w_0^2 w_1^2: curved enough for several iterations. */
static double objective(void *context, const double *w, double *grad)
{
	double f = 0;

	(void)context;
	for (int i = 0; i < 3; i++) {
		f += (i + 1) * (w[i] - i) * (w[i] - i);
		if (grad)
			grad[i] = 2 * (i + 1) * (w[i] - i);
	}
	f += w[0] * w[0] * w[1] * w[1];
	if (grad) {
		grad[0] += 2 * w[0] * w[1] * w[1];
		grad[1] += 2 * w[1] * w[0] * w[0];
	}
	return f;
}

START_TEST(test_lbfgs_state_continues)
{
	struct optim_hyper h = optim_lbfgs.defaults;
	struct optim_objective f = { objective, NULL };
	double wa[3] = { 3, -2, 1 }, ga[3], wb[3], gb[3];
	double va = objective(NULL, wa, ga), vb;

	h.history = 2;          /* the ring wraps */
	struct optim_run *a = optim_create(&optim_lbfgs, 3, &h), *b = optim_create(&optim_lbfgs, 3, &h);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(optim_state_size(a), 1);      /* no pairs yet */
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(optim_iterate(a, &f, 1.0, wa, &va, ga), OPTIM_ITERATE_PROGRESS);
	size_t size = optim_state_size(a);
	ck_assert_uint_eq(size, 1 + 2 * 7);
	double *state = malloc(size * sizeof *state), *again = malloc(size * sizeof *again);
	ck_assert_ptr_nonnull(state);
	ck_assert_ptr_nonnull(again);
	optim_state_get(a, state);
	ck_assert_int_eq(optim_state_set(b, state, size - 1), -1);
	ck_assert_int_eq(optim_state_set(b, state, size), 0);
	optim_state_get(b, again);
	ck_assert(memcmp(state, again, size * sizeof *state) == 0);
	/* As the trainer does: w from the model, f and its gradient recomputed. */
	memcpy(wb, wa, sizeof wb);
	vb = objective(NULL, wb, gb);
	for (int k = 0; k < 3; k++) {
		int ra = optim_iterate(a, &f, 1.0, wa, &va, ga);
		int rb = optim_iterate(b, &f, 1.0, wb, &vb, gb);
		ck_assert_int_eq(ra, rb);
		ck_assert(memcmp(wa, wb, sizeof wa) == 0);
		ck_assert(memcmp(&va, &vb, sizeof va) == 0);
	}
	free(state);
	free(again);
	optim_free(a);
	optim_free(b);

	/* A smaller --history keeps the newest pairs. */
	h.history = 1;
	struct optim_run *c = optim_create(&optim_lbfgs, 3, &h);
	double two_pairs[15] = { 2, 1, 1, 1, 1, 2, 2, 2, 4, 4, 4, 3, 3, 3, 3 };
	ck_assert_int_eq(optim_state_set(c, two_pairs, 15), 0);
	ck_assert_uint_eq(optim_state_size(c), 8);
	double one_pair[8];
	optim_state_get(c, one_pair);
	ck_assert(one_pair[0] == 1 && one_pair[1] == 4 && one_pair[7] == 3);
	two_pairs[8] = -1;      /* 1/(y.s) must be positive */
	ck_assert_int_eq(optim_state_set(c, two_pairs, 15), -1);
	optim_free(c);
}
END_TEST

/* Write s, read it back into *back (for a model of n_params). */
static int round_trip(const struct train_state *s, size_t n_params, struct train_state *back,
		      struct error *err, char **text)
{
	size_t size;
	FILE *out = open_memstream(text, &size);

	ck_assert_ptr_nonnull(out);
	fputs("format,descent-model,2\nend,1\nepoch,3,1,,,,0.1,0\n", out);
	train_state_write(out, s);
	fclose(out);
	FILE *in = fmemopen(*text, size, "r");
	ck_assert_ptr_nonnull(in);
	int result = train_state_read(in, "state.csv", n_params, back, err);
	fclose(in);
	return result;
}

static int read_text(const char *text, struct train_state *s, struct error *err)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");

	ck_assert_ptr_nonnull(in);
	int result = train_state_read(in, "state.csv", 2, s, err);
	fclose(in);
	return result;
}

START_TEST(test_state_records_round_trip)
{
	size_t order[4] = { 3, 0, 2, 1 };
	double best[2] = { 1.0 / 3, -5e-324 };
	double values[3] = { 0.1, 1e300, -2.5e-310 };
	struct train_state s = {
		.present = 1, .optimizer = &optim_adam, .epoch = 15, .step = 270,
		.random = { { 1, UINT64_MAX, 0x9E3779B97F4A7C15u, 42 } }, .order = order,
		.n_order = 4, .factor_now = 0.1 * 0.1, .plateau_best = HUGE_VAL, .bad_epochs = 2,
		.best_loss = 0.7 / 3, .best_epoch = 11, .best_weights = best, .n_params = 2,
		.optimizer_values = values, .n_optimizer_values = 3,
	};
	struct train_state back;
	struct error err = { 0 };
	char *text = NULL;

	ck_assert_int_eq(round_trip(&s, 2, &back, &err, &text), 0);
	ck_assert_int_eq(back.present, 1);
	ck_assert_ptr_eq(back.optimizer, &optim_adam);
	ck_assert_int_eq(back.epoch, 15);
	ck_assert_int_eq(back.step, 270);
	ck_assert(memcmp(&back.random, &s.random, sizeof s.random) == 0);
	ck_assert_uint_eq(back.n_order, 4);
	ck_assert(memcmp(back.order, order, sizeof order) == 0);
	ck_assert(memcmp(&back.factor_now, &s.factor_now, sizeof(double)) == 0);
	ck_assert(isinf(back.plateau_best) && back.plateau_best > 0);
	ck_assert_int_eq(back.bad_epochs, 2);
	ck_assert(memcmp(&back.best_loss, &s.best_loss, sizeof(double)) == 0);
	ck_assert_int_eq(back.best_epoch, 11);
	ck_assert_ptr_nonnull(back.best_weights);
	ck_assert(memcmp(back.best_weights, best, sizeof best) == 0);
	ck_assert_uint_eq(back.n_optimizer_values, 3);
	ck_assert(memcmp(back.optimizer_values, values, sizeof values) == 0);
	train_state_free(&back);

	/* Every cut of the state part is refused. */
	const char *first = strstr(text, "state,format");
	for (const char *p = strchr(first, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		char *cut = strndup(text, (size_t)(p - text + 1));
		ck_assert_ptr_nonnull(cut);
		ck_assert_msg(read_text(cut, &back, &err) == -1, "cut after %.30s read", p - 30);
		ck_assert_int_eq(err.status, EXIT_DATA);
		free(cut);
	}
	free(text);

	/* At the best epoch there are no best weights. */
	s.best_epoch = 15;
	s.best_weights = NULL;
	ck_assert_int_eq(round_trip(&s, 2, &back, &err, &text), 0);
	ck_assert_ptr_null(back.best_weights);
	train_state_free(&back);
	free(text);
	/* ... and a file that says otherwise is refused. */
	s.best_epoch = 14;
	ck_assert_int_eq(round_trip(&s, 2, &back, &err, &text), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	free(text);
}
END_TEST

START_TEST(test_state_refusals)
{
	struct train_state s;
	struct error err = { 0 };
	const char *head = "state,format,1\nstate,optimizer,sgd,0\nstate,epoch,1\nstate,step,2\n"
			   "state,prng,1,2,3,4\nstate,schedule,1,inf,0\nstate,best,1,0.5\n"
			   "state,order,1,2\nstate,order,2,1\n";
	char text[1024];

	/* No state: present 0, not an error. */
	ck_assert_int_eq(read_text("format,descent-model,2\nend,1\n", &s, &err), 0);
	ck_assert_int_eq(s.present, 0);
	snprintf(text, sizeof text, "%sstate,end,9\n", head);
	ck_assert_int_eq(read_text(text, &s, &err), 0);
	ck_assert_int_eq(s.present, 1);
	ck_assert_ptr_eq(s.optimizer, &optim_sgd);
	train_state_free(&s);

	const char *bad[] = {
		"%sstate,end,8\n",                              /* miscounted */
		"%sstate,end,9\nstate,epoch,2\n",               /* after the end */
		"%sstate,epoch,3\nstate,end,10\n",              /* twice */
		"%sstate,order,4,3\nstate,end,10\n",            /* out of order */
		"%sstate,order,3,0\nstate,end,10\n",            /* rows count from 1 */
		"%sstate,mystery,1\nstate,end,10\n",            /* unknown */
		"%sstate,optimizer_value,1,0\nstate,end,10\n",  /* beyond COUNT */
		"%sstate,best_weight,1,0\nstate,end,10\n",      /* best at the epoch: none */
		"state,epoch,1\n%s",                            /* before format */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, bad[i], head);
		ck_assert_msg(read_text(text, &s, &err) == -1, "case %zu read", i);
		ck_assert_int_eq(err.status, EXIT_DATA);
		ck_assert_ptr_null(s.order);
	}
	snprintf(text, sizeof text, "%s", head);
	ck_assert_int_eq(read_text(text, &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "cut short"));
	ck_assert_int_eq(read_text("state,format,1\nstate,optimizer,nosuch,0\n", &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "state.csv:2:"));
}
END_TEST

static Suite *resume_suite(void)
{
	Suite *s = suite_create("resume");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_first_order_state_continues);
	tcase_add_test(tc, test_lbfgs_state_continues);
	tcase_add_test(tc, test_state_records_round_trip);
	tcase_add_test(tc, test_state_refusals);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(resume_suite)
