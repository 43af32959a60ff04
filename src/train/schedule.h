/* schedule.h - step-size schedules (--schedule) and linear warm-up.
 *
 * A schedule is parsed from its text form ("step:2:0.5") into a struct
 * schedule, then asked for the step size at each step.  Epochs count from 1
 * (the epoch the step belongs to), steps from 1 over the whole run.
 * Each schedule is one entry in the table in schedule.c.
 */
#ifndef DESCENT_SCHEDULE_H
#define DESCENT_SCHEDULE_H

#include "error.h"

struct schedule_kind;

struct schedule {
	const struct schedule_kind *kind;
	double a, b, c;         /* the spec's parameters, meaning per kind */
	long warmup;            /* --warmup N steps; 0 = none */
	/* Run shape, set by schedule_start. */
	double base_lr;
	long epochs;
	long steps_per_epoch;
	/* plateau state */
	double factor_now;      /* multiplier accumulated by plateau cuts */
	double best;
	long bad_epochs;
};

struct schedule_kind {
	const char *name;
	const char *usage;      /* "step:EVERY:FACTOR" */
	const char *summary;    /* one line for --help */
	/* Parse the fields after the name (NULL when there are none). */
	int (*parse)(struct schedule *s, const char *args, struct error *err);
	/* Step size before warm-up at this epoch (1-based) and step (1-based). */
	double (*step_size)(const struct schedule *s, long epoch, long step);
};

extern const struct schedule_kind *const schedule_kinds[];

/* Parse "--schedule" text; bad specs fail with EXIT_USAGE and the right form. */
int schedule_parse(struct schedule *s, const char *text, struct error *err);
void schedule_start(struct schedule *s, double base_lr, long epochs, long steps_per_epoch);
/* Step size in force at this step, warm-up included. */
double schedule_step_size(const struct schedule *s, long epoch, long step);
/* Whether schedule_epoch_end changes the step size (plateau). */
int schedule_watches_loss(const struct schedule *s);
/* End of an epoch with the monitored loss (plateau reacts; others ignore). */
void schedule_epoch_end(struct schedule *s, double monitored_loss);

#endif
