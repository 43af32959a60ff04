/* schedule.c - the step-size schedules behind --schedule, and --warmup.
 *
 * Owns the table schedule_kinds[] (the feature list that --help and error
 * messages are built from), the strict parsing of a schedule's text form,
 * the step size of each kind, the linear warm-up that composes with all of
 * them, and the plateau schedule's memory of the best loss.  Nothing here
 * allocates; a struct schedule is plain data owned by the caller.
 *
 * Each kind is one parse function, one step-size function and one table
 * entry.  A parse function only checks and stores its fields and says what
 * is wrong in a few words; schedule_parse() wraps that into the full message
 * naming the text and the right form, so every kind reports alike.
 */
#include "schedule.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* M_PI is not in strict C11. */
static const double pi = 3.14159265358979323846;

/* Plateau: an epoch improves on the best loss only by more than this
 * fraction of it (PyTorch ReduceLROnPlateau's default threshold, "rel"
 * mode), so noise in the last digits does not count as progress. */
static const double plateau_threshold = 1e-4;

/* ------------------------------------------------------------------ */
/* Fields and numbers                                                   */

/* The most fields any kind takes. */
enum { MAX_FIELDS = 3 };

/* The colon-separated fields after "NAME:", as pointers into the text. */
struct fields {
	int count;      /* all of them, even beyond MAX_FIELDS */
	const char *start[MAX_FIELDS];
	size_t length[MAX_FIELDS];
};

static void split_fields(const char *args, struct fields *f)
{
	const char *p = args;

	f->count = 0;
	if (!args)
		return;         /* "NAME" alone: no fields at all */
	for (;;) {
		size_t length = strcspn(p, ":");

		if (f->count < MAX_FIELDS) {
			f->start[f->count] = p;
			f->length[f->count] = length;
		}
		f->count++;
		if (p[length] == '\0')
			return;
		p += length + 1;
	}
}

/* Refuse fields beyond the `allowed` the kind takes. */
static int check_no_extra_fields(const struct fields *f, int allowed,
				 struct error *err)
{
	if (f->count > allowed)
		return error_set(err, EXIT_USAGE, "too many fields");
	return 0;
}

/*
 * Refuse a required field that is absent ("step:2" has no FACTOR).  Fields
 * are checked left to right, so the message names the first problem.
 */
static int check_present(const struct fields *f, int i, const char *name,
			 struct error *err)
{
	if (i >= f->count)
		return error_set(err, EXIT_USAGE, "%s is missing", name);
	return 0;
}

/*
 * A field holds exactly one finite number and nothing else.  strtod never
 * reads past a ':' (no number syntax contains one), so parsing in place and
 * asking that it end exactly at the field's end is enough.  Leading blanks,
 * which strtod would skip, are refused.
 */
static int read_number(const struct fields *f, int i, double *value)
{
	const char *text = f->start[i];
	char *end;

	if (f->length[i] == 0 || isspace((unsigned char)text[0]))
		return -1;
	errno = 0;
	*value = strtod(text, &end);
	if (end != text + f->length[i] || errno == ERANGE || !isfinite(*value))
		return -1;
	return 0;
}

/* Same for a whole number (decimal digits only: "2.0" is refused). */
static int read_whole_number(const struct fields *f, int i, long *value)
{
	const char *text = f->start[i];
	char *end;

	if (f->length[i] == 0 || isspace((unsigned char)text[0]))
		return -1;
	errno = 0;
	*value = strtol(text, &end, 10);
	if (end != text + f->length[i] || errno == ERANGE)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* constant                                                             */

static int constant_parse(struct schedule *s, const char *args,
			  struct error *err)
{
	(void)s;
	if (args)
		return error_set(err, EXIT_USAGE, "constant takes no parameters");
	return 0;
}

static double constant_step_size(const struct schedule *s, long epoch,
				 long step)
{
	(void)epoch;
	(void)step;
	return s->base_lr;
}

static const struct schedule_kind schedule_constant = {
	.name = "constant",
	.usage = "constant",
	.summary = "the same step size (--lr) throughout",
	.parse = constant_parse,
	.step_size = constant_step_size,
};

/* ------------------------------------------------------------------ */
/* step:EVERY:FACTOR   (a = EVERY epochs, b = FACTOR)                   */

static int step_parse(struct schedule *s, const char *args, struct error *err)
{
	struct fields f;
	long every;
	double factor;

	split_fields(args, &f);
	if (check_no_extra_fields(&f, 2, err) ||
	    check_present(&f, 0, "EVERY", err))
		return -1;
	if (read_whole_number(&f, 0, &every) || every < 1)
		return error_set(err, EXIT_USAGE,
				 "EVERY must be a whole number of epochs >= 1");
	if (check_present(&f, 1, "FACTOR", err))
		return -1;
	if (read_number(&f, 1, &factor) || !(factor > 0))
		return error_set(err, EXIT_USAGE, "FACTOR must be a number > 0");
	s->a = (double)every;
	s->b = factor;
	return 0;
}

/*
 * base_lr * FACTOR^k rather than repeated multiplication, so that with a
 * factor like 0.5 the values stay the short decimals a reader expects
 * (0.1, 0.05, 0.025) instead of collecting rounding error.
 */
static double step_step_size(const struct schedule *s, long epoch, long step)
{
	double completed_periods = floor((double)(epoch - 1) / s->a);

	(void)step;
	return s->base_lr * pow(s->b, completed_periods);
}

static const struct schedule_kind schedule_step = {
	.name = "step",
	.usage = "step:EVERY:FACTOR",
	.summary = "multiply the step size by FACTOR every EVERY epochs",
	.parse = step_parse,
	.step_size = step_step_size,
};

/* ------------------------------------------------------------------ */
/* exp:GAMMA   (a = GAMMA)                                              */

static int exp_parse(struct schedule *s, const char *args, struct error *err)
{
	struct fields f;
	double gamma;

	split_fields(args, &f);
	if (check_no_extra_fields(&f, 1, err) ||
	    check_present(&f, 0, "GAMMA", err))
		return -1;
	if (read_number(&f, 0, &gamma) || !(gamma > 0))
		return error_set(err, EXIT_USAGE, "GAMMA must be a number > 0");
	s->a = gamma;
	return 0;
}

static double exp_step_size(const struct schedule *s, long epoch, long step)
{
	(void)step;
	return s->base_lr * pow(s->a, (double)(epoch - 1));
}

static const struct schedule_kind schedule_exp = {
	.name = "exp",
	.usage = "exp:GAMMA",
	.summary = "multiply the step size by GAMMA every epoch",
	.parse = exp_parse,
	.step_size = exp_step_size,
};

/* ------------------------------------------------------------------ */
/* cosine[:MIN_LR]   (a = MIN_LR)                                       */

static int cosine_parse(struct schedule *s, const char *args, struct error *err)
{
	struct fields f;
	double min_lr = 0;

	split_fields(args, &f);
	if (check_no_extra_fields(&f, 1, err))
		return -1;
	if (f.count == 1 && (read_number(&f, 0, &min_lr) || !(min_lr >= 0)))
		return error_set(err, EXIT_USAGE, "MIN_LR must be a number >= 0");
	s->a = min_lr;
	return 0;
}

/*
 * PyTorch's CosineAnnealingLR with T_max = epochs, stepped once per epoch:
 * MIN + (base - MIN) * (1 + cos(pi * (epoch - 1) / epochs)) / 2.
 * Written as the weighted mean base*w + MIN*(1-w), which is the same value
 * but lands exactly on base at w = 1 and exactly on MIN at w = 0.
 */
static double cosine_step_size(const struct schedule *s, long epoch, long step)
{
	/* An empty run still asks for epoch 0's step size. */
	double epochs = s->epochs > 0 ? (double)s->epochs : 1.0;
	double weight = (1 + cos(pi * (double)(epoch - 1) / epochs)) / 2;

	(void)step;
	return s->base_lr * weight + s->a * (1 - weight);
}

static const struct schedule_kind schedule_cosine = {
	.name = "cosine",
	.usage = "cosine[:MIN_LR]",
	.summary = "cosine decay from --lr towards MIN_LR [0] over the run, per epoch",
	.parse = cosine_parse,
	.step_size = cosine_step_size,
};

/* ------------------------------------------------------------------ */
/* cyclic:LOW:HIGH:HALF_PERIOD   (a = LOW, b = HIGH, c = HALF_PERIOD)   */

static int cyclic_parse(struct schedule *s, const char *args, struct error *err)
{
	struct fields f;
	double low, high;
	long half_period;

	split_fields(args, &f);
	if (check_no_extra_fields(&f, 3, err) ||
	    check_present(&f, 0, "LOW", err))
		return -1;
	if (read_number(&f, 0, &low) || !(low > 0))
		return error_set(err, EXIT_USAGE, "LOW must be a number > 0");
	if (check_present(&f, 1, "HIGH", err))
		return -1;
	if (read_number(&f, 1, &high) || !(high > low))
		return error_set(err, EXIT_USAGE,
				 "HIGH must be a number greater than LOW");
	if (check_present(&f, 2, "HALF_PERIOD", err))
		return -1;
	if (read_whole_number(&f, 2, &half_period) || half_period < 1)
		return error_set(err, EXIT_USAGE,
				 "HALF_PERIOD must be a whole number of steps >= 1");
	s->a = low;
	s->b = high;
	s->c = (double)half_period;
	return 0;
}

/*
 * Smith's triangular policy ("Cyclical Learning Rates for Training Neural
 * Networks", 2017), counted in steps from k = 0: up from LOW to HIGH over
 * HALF_PERIOD steps, back down over as many, and again.  --lr is not used.
 * As for cosine, the interpolation is written so both ends are exact.
 */
static double cyclic_step_size(const struct schedule *s, long epoch, long step)
{
	double low = s->a, high = s->b, half_period = s->c;
	double k = (double)(step - 1);
	double cycle = floor(1 + k / (2 * half_period));
	double x = fabs(k / half_period - 2 * cycle + 1);
	double rise = fmax(0, 1 - x);   /* 0 at LOW, 1 at HIGH */

	(void)epoch;
	return high * rise + low * (1 - rise);
}

static const struct schedule_kind schedule_cyclic = {
	.name = "cyclic",
	.usage = "cyclic:LOW:HIGH:HALF_PERIOD",
	.summary = "triangular cycles between LOW and HIGH, HALF_PERIOD steps up "
		   "then down (ignores --lr)",
	.parse = cyclic_parse,
	.step_size = cyclic_step_size,
};

/* ------------------------------------------------------------------ */
/* plateau[:PATIENCE[:FACTOR]]   (a = PATIENCE epochs, b = FACTOR)      */

static int plateau_parse(struct schedule *s, const char *args,
			 struct error *err)
{
	struct fields f;
	long patience = 10;
	double factor = 0.1;

	split_fields(args, &f);
	if (check_no_extra_fields(&f, 2, err))
		return -1;
	if (f.count >= 1 &&
	    (read_whole_number(&f, 0, &patience) || patience < 0))
		return error_set(err, EXIT_USAGE,
				 "PATIENCE must be a whole number >= 0");
	if (f.count >= 2 &&
	    (read_number(&f, 1, &factor) || !(factor > 0 && factor < 1)))
		return error_set(err, EXIT_USAGE,
				 "FACTOR must be a number between 0 and 1 (exclusive)");
	s->a = (double)patience;
	s->b = factor;
	return 0;
}

static double plateau_step_size(const struct schedule *s, long epoch, long step)
{
	(void)epoch;
	(void)step;
	return s->base_lr * s->factor_now;
}

static const struct schedule_kind schedule_plateau = {
	.name = "plateau",
	.usage = "plateau[:PATIENCE[:FACTOR]]",
	.summary = "multiply the step size by FACTOR [0.1] after more than "
		   "PATIENCE [10] epochs without improvement",
	.parse = plateau_parse,
	.step_size = plateau_step_size,
};

/* ------------------------------------------------------------------ */
/* The table and the public functions                                   */

const struct schedule_kind *const schedule_kinds[] = {
	&schedule_constant,
	&schedule_step,
	&schedule_exp,
	&schedule_cosine,
	&schedule_cyclic,
	&schedule_plateau,
	NULL
};

static void reset_plateau(struct schedule *s)
{
	s->factor_now = 1;
	s->best = HUGE_VAL;
	s->bad_epochs = 0;
}

static int unknown_schedule(const char *text, struct error *err)
{
	char forms[512] = "";
	size_t used = 0;

	for (int i = 0; schedule_kinds[i]; i++) {
		int n = snprintf(forms + used, sizeof forms - used, "%s%s",
				 i ? ", " : "", schedule_kinds[i]->usage);

		if (n < 0 || (size_t)n >= sizeof forms - used)
			break;  /* not with this table; but stay in bounds */
		used += (size_t)n;
	}
	return error_set(err, EXIT_USAGE, "unknown schedule '%s' (one of: %s)",
			 text, forms);
}

/*
 * The text is NAME or NAME:FIELDS.  On failure *s is left as it was.
 * On success the kind and its parameters are set and plateau state is
 * fresh; warmup and the run shape are left to their own setters.
 */
int schedule_parse(struct schedule *s, const char *text, struct error *err)
{
	const struct schedule_kind *kind = NULL;
	struct schedule parsed = *s;
	size_t name_length;
	const char *args;

	if (!text)
		text = "";
	name_length = strcspn(text, ":");
	args = text[name_length] == ':' ? text + name_length + 1 : NULL;
	for (int i = 0; schedule_kinds[i]; i++) {
		const char *name = schedule_kinds[i]->name;

		if (strlen(name) == name_length &&
		    strncmp(name, text, name_length) == 0) {
			kind = schedule_kinds[i];
			break;
		}
	}
	if (!kind)
		return unknown_schedule(text, err);

	parsed.kind = kind;
	parsed.a = parsed.b = parsed.c = 0;
	if (kind->parse(&parsed, args, err)) {
		char reason[sizeof err->message];

		snprintf(reason, sizeof reason, "%s", err->message);
		return error_set(err, EXIT_USAGE,
				 "invalid schedule '%s': %s (form: %s)",
				 text, reason, kind->usage);
	}
	reset_plateau(&parsed);
	*s = parsed;
	return 0;
}

void schedule_start(struct schedule *s, double base_lr, long epochs,
		    long steps_per_epoch)
{
	s->base_lr = base_lr;
	s->epochs = epochs;
	s->steps_per_epoch = steps_per_epoch;
	reset_plateau(s);
}

/*
 * Warm-up multiplies whatever the schedule says by min(1, step/N): a
 * ramp from lr/N at the first step to the full value at step N, so early
 * steps taken with large, still-wild gradients stay small.
 */
double schedule_step_size(const struct schedule *s, long epoch, long step)
{
	double step_size;

	/* Epoch 0's record asks about the first step; never go below it. */
	if (epoch < 1)
		epoch = 1;
	if (step < 1)
		step = 1;
	step_size = s->kind ? s->kind->step_size(s, epoch, step) : s->base_lr;
	if (s->warmup > 0 && step < s->warmup)
		step_size *= (double)step / (double)s->warmup;
	return step_size;
}

/*
 * Plateau bookkeeping, with PyTorch ReduceLROnPlateau's defaults (mode
 * min, relative threshold 1e-4, no cooldown): count epochs that fail to
 * improve on the best loss, and once the count exceeds PATIENCE cut the
 * step size by FACTOR and start counting again.  The trainer also reports
 * epoch 0's loss, which becomes the first best.
 *
 * "Improves" means below best - |best| * threshold.  PyTorch multiplies
 * best by (1 - threshold), which for a negative best asks for less than the
 * best; using |best| asks for a real decrease on either side of zero.
 */
int schedule_watches_loss(const struct schedule *s)
{
	return s->kind == &schedule_plateau;
}

void schedule_epoch_end(struct schedule *s, double monitored_loss)
{
	int improved;

	if (s->kind != &schedule_plateau)
		return;
	if (isinf(s->best) && s->best > 0)
		improved = !isnan(monitored_loss);      /* the first report */
	else
		improved = monitored_loss <
			   s->best - fabs(s->best) * plateau_threshold;
	if (improved) {
		s->best = monitored_loss;
		s->bad_epochs = 0;
		return;
	}
	s->bad_epochs++;
	if ((double)s->bad_epochs > s->a) {
		s->factor_now *= s->b;
		s->bad_epochs = 0;
	}
}
