/* test_schedule.c - step-size schedules, warm-up, plateau and parsing.
 *
 * Every expected sequence below was worked out apart from schedule.c: by
 * hand where the numbers are exact in binary (powers of two, quarters), or
 * with a one-off Python line, quoted next to the values, using the formula
 * as SPEC and the design brief state it.  Values that pass through only
 * + - * / and pow of a power of two are compared exactly; values that go
 * through cos() or pow() of a decimal depend on the C library's last bit,
 * so those are compared within a few units in the last place.
 */
#include "unit.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"

/* A few units in the last place of numbers of the size used here. */
#define LAST_BITS 1e-15

/* Parse TEXT (which must be valid), set warm-up, start the run. */
static struct schedule started(const char *text, long warmup, double base_lr,
			       long epochs, long steps_per_epoch)
{
	struct schedule s;
	struct error err = { 0, "" };

	memset(&s, 0, sizeof s);
	ck_assert_msg(schedule_parse(&s, text, &err) == 0,
		      "'%s' refused: %s", text, err.message);
	s.warmup = warmup;
	schedule_start(&s, base_lr, epochs, steps_per_epoch);
	return s;
}

/* ------------------------------------------------------------------ */
/* Step-size sequences                                                 */

START_TEST(test_constant_is_base_lr_throughout)
{
	struct schedule s = started("constant", 0, 0.01, 3, 5);

	for (long step = 1; step <= 15; step++)
		ck_assert_double_eq(schedule_step_size(&s, (step - 1) / 5 + 1, step),
				    0.01);
}
END_TEST

START_TEST(test_step_halves_every_two_epochs)
{
	/* The brief's example: --lr 0.1 --schedule step:2:0.5, epochs 1..6. */
	static const double expected[] = { 0.1, 0.1, 0.05, 0.05, 0.025, 0.025 };
	struct schedule s = started("step:2:0.5", 0, 0.1, 6, 4);

	for (long epoch = 1; epoch <= 6; epoch++) {
		/* the same value at every step of the epoch */
		for (long i = 1; i <= 4; i++) {
			long step = (epoch - 1) * 4 + i;

			ck_assert_double_eq(schedule_step_size(&s, epoch, step),
					    expected[epoch - 1]);
		}
	}
}
END_TEST

START_TEST(test_step_every_three_epochs_by_a_quarter)
{
	/* step:3:0.25 from 2: epochs 1-3 at 2, 4-6 at 0.5, 7 at 0.125. */
	struct schedule s = started("step:3:0.25", 0, 2, 7, 1);

	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 2);
	ck_assert_double_eq(schedule_step_size(&s, 3, 3), 2);
	ck_assert_double_eq(schedule_step_size(&s, 4, 4), 0.5);
	ck_assert_double_eq(schedule_step_size(&s, 6, 6), 0.5);
	ck_assert_double_eq(schedule_step_size(&s, 7, 7), 0.125);
}
END_TEST

START_TEST(test_exp_halving_is_exact)
{
	/* 0.8 * 0.5^(epoch-1): halving a double is exact, and 0.8/8 is the
	 * double nearest 0.1. */
	static const double expected[] = { 0.8, 0.4, 0.2, 0.1, 0.05 };
	struct schedule s = started("exp:0.5", 0, 0.8, 5, 2);

	for (long epoch = 1; epoch <= 5; epoch++)
		ck_assert_double_eq(schedule_step_size(&s, epoch, 2 * epoch),
				    expected[epoch - 1]);
}
END_TEST

START_TEST(test_exp_decimal_gamma)
{
	/* python3: [repr(0.1*0.9**k) for k in range(5)] */
	static const double expected[] = {
		0.1, 0.09000000000000001, 0.08100000000000002, 0.0729, 0.06561
	};
	struct schedule s = started("exp:0.9", 0, 0.1, 5, 1);

	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.1);
	for (long epoch = 2; epoch <= 5; epoch++)
		ck_assert_double_eq_tol(schedule_step_size(&s, epoch, epoch),
					expected[epoch - 1], LAST_BITS);
}
END_TEST

START_TEST(test_cosine_to_zero_over_four_epochs)
{
	/* python3: [repr((1+math.cos(math.pi*(e-1)/4))/2) for e in range(1,6)]
	 *   -> 1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 0.0 */
	struct schedule s = started("cosine", 0, 1, 4, 3);

	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 1);
	ck_assert_double_eq(schedule_step_size(&s, 1, 3), 1);
	ck_assert_double_eq_tol(schedule_step_size(&s, 2, 4),
				0.8535533905932737, LAST_BITS);
	ck_assert_double_eq_tol(schedule_step_size(&s, 3, 7), 0.5, LAST_BITS);
	ck_assert_double_eq_tol(schedule_step_size(&s, 4, 12),
				0.14644660940672627, LAST_BITS);
	/* one epoch past the end is the bottom of the curve */
	ck_assert_double_eq(schedule_step_size(&s, 5, 13), 0);
}
END_TEST

START_TEST(test_cosine_endpoints_with_min_lr)
{
	/* python3, lr 0.1, cosine:0.001, 10 epochs:
	 * [repr(mn+(base-mn)*(1+math.cos(math.pi*(e-1)/E))/2) for e in 1..11]
	 * epoch 1 0.1, epoch 2 0.09757729755661011, epoch 6 0.0505,
	 * epoch 10 0.0034227024433899004, epoch 11 0.001 */
	struct schedule s = started("cosine:0.001", 0, 0.1, 10, 1);

	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.1);
	ck_assert_double_eq_tol(schedule_step_size(&s, 2, 2),
				0.09757729755661011, LAST_BITS);
	ck_assert_double_eq_tol(schedule_step_size(&s, 6, 6), 0.0505, LAST_BITS);
	ck_assert_double_eq_tol(schedule_step_size(&s, 10, 10),
				0.0034227024433899004, LAST_BITS);
	ck_assert_double_eq(schedule_step_size(&s, 11, 11), 0.001);
}
END_TEST

START_TEST(test_cosine_starts_exactly_at_lr)
{
	/* python3: 0.001 + (0.01 - 0.001) -> 0.010000000000000002; the first
	 * epoch must still report --lr 0.01 itself. */
	struct schedule s = started("cosine:0.001", 0, 0.01, 5, 1);

	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.01);
	ck_assert_double_eq(schedule_step_size(&s, 6, 6), 0.001);
}
END_TEST

START_TEST(test_cosine_with_no_epochs_gives_base_lr)
{
	/* epoch 0's record still asks for the first step size */
	struct schedule s = started("cosine:0.001", 0, 0.1, 0, 1);

	ck_assert_double_eq(schedule_step_size(&s, 0, 0), 0.1);
	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.1);
}
END_TEST

START_TEST(test_cyclic_two_full_periods)
{
	/* cyclic:0.25:1.25:4, by hand (and python3 with the brief's formula):
	 * steps 1..17 rise by 0.25 for 4 steps, fall for 4, twice. */
	static const double expected[] = {
		0.25, 0.5, 0.75, 1.0, 1.25, 1.0, 0.75, 0.5,
		0.25, 0.5, 0.75, 1.0, 1.25, 1.0, 0.75, 0.5,
		0.25
	};
	/* --lr 99 must make no difference */
	struct schedule s = started("cyclic:0.25:1.25:4", 0, 99, 3, 6);

	for (long step = 1; step <= 17; step++)
		ck_assert_double_eq(schedule_step_size(&s, (step - 1) / 6 + 1, step),
				    expected[step - 1]);
}
END_TEST

START_TEST(test_cyclic_decimal_bounds_are_exact)
{
	/* The low and high points are LOW and HIGH exactly, not 1 ulp off
	 * (python3 with LOW+(HIGH-LOW)*t gives 0.010000000000000002 at the
	 * top; 0.004 one third of the way up). */
	struct schedule s = started("cyclic:0.001:0.01:3", 0, 0.1, 1, 7);

	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.001);
	ck_assert_double_eq_tol(schedule_step_size(&s, 1, 2), 0.004, LAST_BITS);
	ck_assert_double_eq(schedule_step_size(&s, 1, 4), 0.01);
	ck_assert_double_eq_tol(schedule_step_size(&s, 1, 6), 0.004, LAST_BITS);
	ck_assert_double_eq(schedule_step_size(&s, 1, 7), 0.001);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Warm-up                                                             */

START_TEST(test_warmup_composes_with_step)
{
	/* --lr 0.1 step:1:0.5 --warmup 4, 2 steps an epoch.
	 * python3: 0.1*0.25, 0.1*0.5, 0.05*0.75 -> 0.025, 0.05,
	 * 0.037500000000000006; from step 4 on, the bare schedule. */
	static const double expected[] = {
		0.025, 0.05, 0.037500000000000006, 0.05, 0.025, 0.025
	};
	struct schedule s = started("step:1:0.5", 4, 0.1, 3, 2);

	for (long step = 1; step <= 6; step++)
		ck_assert_double_eq(schedule_step_size(&s, (step - 1) / 2 + 1, step),
				    expected[step - 1]);
}
END_TEST

START_TEST(test_warmup_composes_with_cyclic)
{
	/* cyclic:0.25:1.25:4 times min(1, t/4), by hand:
	 * 0.25*0.25, 0.5*0.5, 0.75*0.75, 1*1, then 1.25, 1.0 */
	static const double expected[] = {
		0.0625, 0.25, 0.5625, 1.0, 1.25, 1.0
	};
	struct schedule s = started("cyclic:0.25:1.25:4", 4, 0.1, 1, 6);

	for (long step = 1; step <= 6; step++)
		ck_assert_double_eq(schedule_step_size(&s, 1, step),
				    expected[step - 1]);
}
END_TEST

START_TEST(test_warmup_first_step_for_epoch_zero)
{
	/* epoch 0 reports the step size of the first step: lr/N */
	struct schedule s = started("constant", 8, 0.5, 2, 10);

	ck_assert_double_eq(schedule_step_size(&s, 0, 0), 0.0625);
	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.0625);
	ck_assert_double_eq(schedule_step_size(&s, 1, 8), 0.5);
}
END_TEST

START_TEST(test_warmup_zero_is_none)
{
	struct schedule s = started("constant", 0, 0.5, 2, 10);

	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.5);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Plateau                                                             */

START_TEST(test_plateau_cuts_after_patience_plus_one_bad_epochs)
{
	struct schedule s = started("plateau:2:0.5", 0, 1, 20, 3);

	schedule_epoch_end(&s, 1.0);    /* epoch 0: the first best */
	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 1);
	schedule_epoch_end(&s, 0.9);    /* improves */
	schedule_epoch_end(&s, 0.9);    /* bad 1: equal is no progress */
	schedule_epoch_end(&s, 0.95);   /* bad 2 = PATIENCE: not yet */
	ck_assert_double_eq(schedule_step_size(&s, 4, 10), 1);
	schedule_epoch_end(&s, 0.9);    /* bad 3 > PATIENCE: cut */
	ck_assert_double_eq(schedule_step_size(&s, 5, 13), 0.5);

	/* 0.9 * (1 - 1e-4) = 0.89991: 0.89995 is too small a gain */
	schedule_epoch_end(&s, 0.89995);        /* bad 1 */
	schedule_epoch_end(&s, 0.8);            /* improves: count restarts */
	schedule_epoch_end(&s, 0.8);            /* bad 1 */
	schedule_epoch_end(&s, 0.8);            /* bad 2 */
	ck_assert_double_eq(schedule_step_size(&s, 9, 25), 0.5);
	schedule_epoch_end(&s, 0.8);            /* bad 3: second cut */
	ck_assert_double_eq(schedule_step_size(&s, 10, 28), 0.25);

	/* the count restarted at the cut: three more bad epochs to cut again */
	schedule_epoch_end(&s, 0.8);
	schedule_epoch_end(&s, 0.8);
	ck_assert_double_eq(schedule_step_size(&s, 12, 34), 0.25);
	schedule_epoch_end(&s, 0.8);
	ck_assert_double_eq(schedule_step_size(&s, 13, 37), 0.125);
}
END_TEST

START_TEST(test_plateau_gain_just_over_threshold_counts)
{
	/* 0.9 * (1 - 1e-4) = 0.89991; 0.8999 is below it */
	struct schedule s = started("plateau:0:0.5", 0, 1, 5, 1);

	schedule_epoch_end(&s, 0.9);
	schedule_epoch_end(&s, 0.8999);
	ck_assert_double_eq(schedule_step_size(&s, 2, 2), 1);
	schedule_epoch_end(&s, 0.8999);  /* PATIENCE 0: the first bad epoch cuts */
	ck_assert_double_eq(schedule_step_size(&s, 3, 3), 0.5);
}
END_TEST

START_TEST(test_plateau_defaults_are_ten_epochs_and_a_tenth)
{
	struct schedule s = started("plateau", 0, 1, 30, 1);

	schedule_epoch_end(&s, 2.0);
	for (int i = 1; i <= 10; i++)
		schedule_epoch_end(&s, 2.0);
	ck_assert_double_eq(schedule_step_size(&s, 11, 11), 1);
	schedule_epoch_end(&s, 2.0);    /* the 11th bad epoch */
	ck_assert_double_eq(schedule_step_size(&s, 12, 12), 0.1);
}
END_TEST

START_TEST(test_plateau_first_report_is_always_the_best)
{
	struct schedule s = started("plateau:0:0.5", 0, 1, 5, 1);

	schedule_epoch_end(&s, 1e300);
	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 1);
	ck_assert_double_eq(s.best, 1e300);
	ck_assert_int_eq(s.bad_epochs, 0);
}
END_TEST

START_TEST(test_plateau_negative_loss_must_really_decrease)
{
	/* With best -1, -0.99995 is worse, even though it is below
	 * best * (1 - 1e-4) = -0.9999; improving means below -1.0001. */
	struct schedule s = started("plateau:0:0.5", 0, 1, 5, 1);

	schedule_epoch_end(&s, -1.0);
	schedule_epoch_end(&s, -0.99995);
	ck_assert_double_eq(schedule_step_size(&s, 2, 2), 0.5);
	schedule_epoch_end(&s, -1.00005);       /* within the threshold */
	ck_assert_double_eq(schedule_step_size(&s, 3, 3), 0.25);
	schedule_epoch_end(&s, -1.5);
	ck_assert_double_eq(schedule_step_size(&s, 4, 4), 0.25);
	ck_assert_double_eq(s.best, -1.5);
}
END_TEST

START_TEST(test_plateau_zero_best)
{
	struct schedule s = started("plateau:0:0.5", 0, 1, 5, 1);

	schedule_epoch_end(&s, 0.0);
	schedule_epoch_end(&s, 0.0);            /* no progress: cut */
	ck_assert_double_eq(schedule_step_size(&s, 2, 2), 0.5);
	schedule_epoch_end(&s, -1e-9);          /* any decrease from 0 counts */
	ck_assert_double_eq(schedule_step_size(&s, 3, 3), 0.5);
	ck_assert_double_eq(s.best, -1e-9);
}
END_TEST

START_TEST(test_start_resets_plateau)
{
	struct schedule s = started("plateau:0:0.5", 0, 1, 5, 1);

	schedule_epoch_end(&s, 1.0);
	schedule_epoch_end(&s, 2.0);
	ck_assert_double_eq(schedule_step_size(&s, 2, 2), 0.5);
	schedule_start(&s, 0.2, 5, 1);
	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.2);
	ck_assert_double_eq(s.factor_now, 1);
	ck_assert(isinf(s.best) && s.best > 0);
	ck_assert_int_eq(s.bad_epochs, 0);
	/* a worse loss than before the restart is the new first best */
	schedule_epoch_end(&s, 5.0);
	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.2);
}
END_TEST

START_TEST(test_other_schedules_ignore_epoch_end)
{
	struct schedule s = started("step:10:0.5", 0, 0.1, 20, 1);

	schedule_epoch_end(&s, 1.0);
	for (int i = 0; i < 20; i++)
		schedule_epoch_end(&s, 2.0);
	ck_assert_double_eq(schedule_step_size(&s, 1, 1), 0.1);
	ck_assert_double_eq(s.factor_now, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Parsing: accepted texts                                             */

START_TEST(test_parse_stores_parameters_and_defaults)
{
	static const struct {
		const char *text;
		const char *kind;
		double a, b, c;
	} cases[] = {
		{ "constant", "constant", 0, 0, 0 },
		{ "step:2:0.5", "step", 2, 0.5, 0 },
		{ "step:10:3", "step", 10, 3, 0 },
		{ "exp:0.95", "exp", 0.95, 0, 0 },
		{ "exp:1e-1", "exp", 0.1, 0, 0 },
		{ "cosine", "cosine", 0, 0, 0 },
		{ "cosine:0", "cosine", 0, 0, 0 },
		{ "cosine:0.001", "cosine", 0.001, 0, 0 },
		{ "cyclic:0.001:0.01:3", "cyclic", 0.001, 0.01, 3 },
		{ "plateau", "plateau", 10, 0.1, 0 },
		{ "plateau:3", "plateau", 3, 0.1, 0 },
		{ "plateau:0:0.5", "plateau", 0, 0.5, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct schedule s;
		struct error err = { 0, "" };

		memset(&s, 0, sizeof s);
		ck_assert_msg(schedule_parse(&s, cases[i].text, &err) == 0,
			      "'%s' refused: %s", cases[i].text, err.message);
		ck_assert_str_eq(s.kind->name, cases[i].kind);
		ck_assert_double_eq(s.a, cases[i].a);
		ck_assert_double_eq(s.b, cases[i].b);
		ck_assert_double_eq(s.c, cases[i].c);
		ck_assert_double_eq(s.factor_now, 1);
	}
}
END_TEST

START_TEST(test_parse_keeps_warmup)
{
	struct schedule s;
	struct error err = { 0, "" };

	memset(&s, 0, sizeof s);
	s.warmup = 7;
	ck_assert_int_eq(schedule_parse(&s, "exp:0.5", &err), 0);
	ck_assert_int_eq(s.warmup, 7);
}
END_TEST

START_TEST(test_parse_replaces_old_parameters)
{
	struct schedule s;
	struct error err = { 0, "" };

	memset(&s, 0, sizeof s);
	ck_assert_int_eq(schedule_parse(&s, "cyclic:0.1:1:5", &err), 0);
	ck_assert_int_eq(schedule_parse(&s, "cosine", &err), 0);
	ck_assert_double_eq(s.a, 0);
	ck_assert_double_eq(s.b, 0);
	ck_assert_double_eq(s.c, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Parsing: refusals                                                   */

static const struct {
	const char *text;
	const char *reason;     /* the part between "': " and " (form:" */
	const char *form;
} refusals[] = {
	/* the brief's list */
	{ "step:0:0.5", "EVERY must be a whole number of epochs >= 1",
	  "step:EVERY:FACTOR" },
	{ "step:2", "FACTOR is missing", "step:EVERY:FACTOR" },
	{ "step:2:0.5:1", "too many fields", "step:EVERY:FACTOR" },
	{ "exp:-1", "GAMMA must be a number > 0", "exp:GAMMA" },
	{ "cosine:-1", "MIN_LR must be a number >= 0", "cosine[:MIN_LR]" },
	{ "cyclic:1:0.1:10", "HIGH must be a number greater than LOW",
	  "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "cyclic:0.1:1:0", "HALF_PERIOD must be a whole number of steps >= 1",
	  "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "plateau:x", "PATIENCE must be a whole number >= 0",
	  "plateau[:PATIENCE[:FACTOR]]" },
	{ "plateau:3:1.5", "FACTOR must be a number between 0 and 1 (exclusive)",
	  "plateau[:PATIENCE[:FACTOR]]" },
	/* strictness: missing, empty, extra and malformed fields */
	{ "constant:", "constant takes no parameters", "constant" },
	{ "constant:1", "constant takes no parameters", "constant" },
	{ "step", "EVERY is missing", "step:EVERY:FACTOR" },
	{ "step:", "EVERY must be a whole number of epochs >= 1",
	  "step:EVERY:FACTOR" },
	{ "step::0.5", "EVERY must be a whole number of epochs >= 1",
	  "step:EVERY:FACTOR" },
	{ "step:x", "EVERY must be a whole number of epochs >= 1",
	  "step:EVERY:FACTOR" },
	{ "step:2:", "FACTOR must be a number > 0", "step:EVERY:FACTOR" },
	{ "step:2.0:0.5", "EVERY must be a whole number of epochs >= 1",
	  "step:EVERY:FACTOR" },
	{ "step:-1:0.5", "EVERY must be a whole number of epochs >= 1",
	  "step:EVERY:FACTOR" },
	{ "step: 2:0.5", "EVERY must be a whole number of epochs >= 1",
	  "step:EVERY:FACTOR" },
	{ "step:99999999999999999999:0.5",
	  "EVERY must be a whole number of epochs >= 1", "step:EVERY:FACTOR" },
	{ "step:2:0.5x", "FACTOR must be a number > 0", "step:EVERY:FACTOR" },
	{ "step:2:0.5 ", "FACTOR must be a number > 0", "step:EVERY:FACTOR" },
	{ "step:2:0", "FACTOR must be a number > 0", "step:EVERY:FACTOR" },
	{ "exp", "GAMMA is missing", "exp:GAMMA" },
	{ "exp:0", "GAMMA must be a number > 0", "exp:GAMMA" },
	{ "exp:inf", "GAMMA must be a number > 0", "exp:GAMMA" },
	{ "exp:nan", "GAMMA must be a number > 0", "exp:GAMMA" },
	{ "exp:1e999", "GAMMA must be a number > 0", "exp:GAMMA" },
	{ "exp:0.5:2", "too many fields", "exp:GAMMA" },
	{ "cosine:", "MIN_LR must be a number >= 0", "cosine[:MIN_LR]" },
	{ "cosine:0:0", "too many fields", "cosine[:MIN_LR]" },
	{ "cyclic", "LOW is missing", "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "cyclic:0.1", "HIGH is missing", "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "cyclic:0.1:1", "HALF_PERIOD is missing",
	  "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "cyclic:0:1:5", "LOW must be a number > 0",
	  "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "cyclic:0.1:0.1:5", "HIGH must be a number greater than LOW",
	  "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "cyclic:0.1:1:2.5", "HALF_PERIOD must be a whole number of steps >= 1",
	  "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "cyclic:0.1:1:5:5", "too many fields",
	  "cyclic:LOW:HIGH:HALF_PERIOD" },
	{ "plateau:-1", "PATIENCE must be a whole number >= 0",
	  "plateau[:PATIENCE[:FACTOR]]" },
	{ "plateau:3:", "FACTOR must be a number between 0 and 1 (exclusive)",
	  "plateau[:PATIENCE[:FACTOR]]" },
	{ "plateau:3:0", "FACTOR must be a number between 0 and 1 (exclusive)",
	  "plateau[:PATIENCE[:FACTOR]]" },
	{ "plateau:3:1", "FACTOR must be a number between 0 and 1 (exclusive)",
	  "plateau[:PATIENCE[:FACTOR]]" },
	{ "plateau:1:0.5:2", "too many fields", "plateau[:PATIENCE[:FACTOR]]" },
};

/* The schedule is left exactly as it was when a text is refused. */
START_TEST(test_refusal)
{
	const char *text = refusals[_i].text;
	struct schedule s, before;
	struct error err = { 0, "" };
	char expected[1024];

	memset(&s, 0, sizeof s);
	s.a = 42;
	s.warmup = 3;
	s.factor_now = 0.25;
	before = s;
	snprintf(expected, sizeof expected,
		 "invalid schedule '%s': %s (form: %s)",
		 text, refusals[_i].reason, refusals[_i].form);

	ck_assert_int_eq(schedule_parse(&s, text, &err), -1);
	ck_assert_int_eq(err.status, EXIT_USAGE);
	ck_assert_str_eq(err.message, expected);
	ck_assert(memcmp(&s, &before, sizeof s) == 0);
}
END_TEST

START_TEST(test_refusal_messages_from_the_brief)
{
	struct schedule s;
	struct error err = { 0, "" };

	memset(&s, 0, sizeof s);
	ck_assert_int_eq(schedule_parse(&s, "step:0:0.5", &err), -1);
	ck_assert_str_eq(err.message,
			 "invalid schedule 'step:0:0.5': EVERY must be a whole "
			 "number of epochs >= 1 (form: step:EVERY:FACTOR)");
	ck_assert_int_eq(schedule_parse(&s, "plateau:x", &err), -1);
	ck_assert_str_eq(err.message,
			 "invalid schedule 'plateau:x': PATIENCE must be a whole "
			 "number >= 0 (form: plateau[:PATIENCE[:FACTOR]])");
}
END_TEST

static const char *const unknown_names[] = {
	"foo", "", ":", "Step:2:0.5", "steps:2:0.5", "cos", "constant ",
};

START_TEST(test_unknown_schedule)
{
	const char *text = unknown_names[_i];
	struct schedule s;
	struct error err = { 0, "" };
	char expected[1024];

	memset(&s, 0, sizeof s);
	snprintf(expected, sizeof expected,
		 "unknown schedule '%s' (one of: constant, step:EVERY:FACTOR, "
		 "exp:GAMMA, cosine[:MIN_LR], cyclic:LOW:HIGH:HALF_PERIOD, "
		 "plateau[:PATIENCE[:FACTOR]])", text);
	ck_assert_int_eq(schedule_parse(&s, text, &err), -1);
	ck_assert_int_eq(err.status, EXIT_USAGE);
	ck_assert_str_eq(err.message, expected);
	ck_assert_ptr_null(s.kind);
}
END_TEST

START_TEST(test_null_text_is_unknown)
{
	struct schedule s;
	struct error err = { 0, "" };

	memset(&s, 0, sizeof s);
	ck_assert_int_eq(schedule_parse(&s, NULL, &err), -1);
	ck_assert_int_eq(err.status, EXIT_USAGE);
	ck_assert(strncmp(err.message, "unknown schedule ''", 19) == 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The table                                                           */

START_TEST(test_table_is_complete_and_consistent)
{
	static const char *const names[] = {
		"constant", "step", "exp", "cosine", "cyclic", "plateau"
	};
	int count = 0;

	for (int i = 0; schedule_kinds[i]; i++) {
		const struct schedule_kind *kind = schedule_kinds[i];
		size_t length = strlen(kind->name);

		ck_assert_int_lt(i, 6);
		ck_assert_str_eq(kind->name, names[i]);
		/* usage starts with the name, then ends or opens the fields */
		ck_assert(strncmp(kind->usage, kind->name, length) == 0);
		ck_assert(strchr(":[", kind->usage[length]) != NULL);
		ck_assert(kind->summary && kind->summary[0]);
		ck_assert(kind->parse && kind->step_size);
		count++;
	}
	ck_assert_int_eq(count, 6);
}
END_TEST

/* Every usage with its optional parts dropped parses: the table is true. */
START_TEST(test_every_bare_name_with_defaults_parses)
{
	struct error err = { 0, "" };

	for (int i = 0; schedule_kinds[i]; i++) {
		const char *usage = schedule_kinds[i]->usage;
		struct schedule s;

		if (strchr(usage, ':') && !strchr(usage, '['))
			continue;       /* takes required fields */
		memset(&s, 0, sizeof s);
		ck_assert_msg(schedule_parse(&s, schedule_kinds[i]->name, &err) == 0,
			      "%s: %s", usage, err.message);
		ck_assert_ptr_eq(s.kind, schedule_kinds[i]);
	}
}
END_TEST

static Suite *schedule_suite(void)
{
	Suite *suite = suite_create("schedule");
	TCase *sequences = tcase_create("sequences");
	TCase *warmup = tcase_create("warmup");
	TCase *plateau = tcase_create("plateau");
	TCase *parsing = tcase_create("parsing");

	tcase_add_test(sequences, test_constant_is_base_lr_throughout);
	tcase_add_test(sequences, test_step_halves_every_two_epochs);
	tcase_add_test(sequences, test_step_every_three_epochs_by_a_quarter);
	tcase_add_test(sequences, test_exp_halving_is_exact);
	tcase_add_test(sequences, test_exp_decimal_gamma);
	tcase_add_test(sequences, test_cosine_to_zero_over_four_epochs);
	tcase_add_test(sequences, test_cosine_endpoints_with_min_lr);
	tcase_add_test(sequences, test_cosine_starts_exactly_at_lr);
	tcase_add_test(sequences, test_cosine_with_no_epochs_gives_base_lr);
	tcase_add_test(sequences, test_cyclic_two_full_periods);
	tcase_add_test(sequences, test_cyclic_decimal_bounds_are_exact);
	suite_add_tcase(suite, sequences);

	tcase_add_test(warmup, test_warmup_composes_with_step);
	tcase_add_test(warmup, test_warmup_composes_with_cyclic);
	tcase_add_test(warmup, test_warmup_first_step_for_epoch_zero);
	tcase_add_test(warmup, test_warmup_zero_is_none);
	suite_add_tcase(suite, warmup);

	tcase_add_test(plateau, test_plateau_cuts_after_patience_plus_one_bad_epochs);
	tcase_add_test(plateau, test_plateau_gain_just_over_threshold_counts);
	tcase_add_test(plateau, test_plateau_defaults_are_ten_epochs_and_a_tenth);
	tcase_add_test(plateau, test_plateau_first_report_is_always_the_best);
	tcase_add_test(plateau, test_plateau_negative_loss_must_really_decrease);
	tcase_add_test(plateau, test_plateau_zero_best);
	tcase_add_test(plateau, test_start_resets_plateau);
	tcase_add_test(plateau, test_other_schedules_ignore_epoch_end);
	suite_add_tcase(suite, plateau);

	tcase_add_test(parsing, test_parse_stores_parameters_and_defaults);
	tcase_add_test(parsing, test_parse_keeps_warmup);
	tcase_add_test(parsing, test_parse_replaces_old_parameters);
	tcase_add_loop_test(parsing, test_refusal, 0,
			    (int)(sizeof refusals / sizeof refusals[0]));
	tcase_add_test(parsing, test_refusal_messages_from_the_brief);
	tcase_add_loop_test(parsing, test_unknown_schedule, 0,
			    (int)(sizeof unknown_names / sizeof unknown_names[0]));
	tcase_add_test(parsing, test_null_text_is_unknown);
	tcase_add_test(parsing, test_table_is_complete_and_consistent);
	tcase_add_test(parsing, test_every_bare_name_with_defaults_parses);
	suite_add_tcase(suite, parsing);
	return suite;
}

UNIT_MAIN(schedule_suite)
