/* optim.h - optimizers over flat arrays.
 *
 * A first-order optimizer is one step function over the flat parameter
 * array w[n], the mini-batch gradient g[n] (mean over the batch; coupled
 * weight decay already added by the caller), and its own state: state_arrays
 * arrays of n doubles, zeroed before the first step, laid out one after the
 * other in state[state_arrays * n].  t counts steps from 1; lr is the step
 * size in force at this step (after any schedule).
 *
 * A full-batch optimizer (lbfgs) instead keeps its own state and runs one
 * iteration at a time against an objective callback (struct
 * optim_objective).  Callers use either through optim_create, optim_step or
 * optim_iterate, and optim_free.
 *
 * Each optimizer is one file (optim_NAME.c) and one line in the table in
 * optim.c.  The update rules are those of SPEC section 4.
 */
#ifndef DESCENT_OPTIM_H
#define DESCENT_OPTIM_H

#include <stddef.h>

struct optim_hyper {
	double lr;
	double momentum;        /* gamma for momentum and nesterov */
	double rho;             /* rmsprop, adadelta, adadelta-w */
	double beta1, beta2;    /* adam family */
	double eps;
	double weight_decay;    /* lambda */
	int history;            /* lbfgs memory */
};

struct optim_step_args {
	const struct optim_hyper *hyper;
	double lr;
	long t;
	double *w;
	const double *g;
	double *state;
	size_t n;
	const unsigned char *is_weight; /* decoupled decay applies where 1 */
};

/*
 * f(w) and, into grad, its gradient: the full-batch objective (mean loss
 * plus lambda/2 * |weights|^2).  Returns the objective value.
 */
struct optim_objective {
	double (*evaluate)(void *context, const double *w, double *grad);
	void *context;
};

enum optim_iterate_result {
	OPTIM_ITERATE_PROGRESS = 0,
	OPTIM_ITERATE_CONVERGED = 1,    /* gradient or change below tolerance */
	OPTIM_ITERATE_NONFINITE = 2,    /* objective or gradient not finite */
	OPTIM_ITERATE_SEARCH_FAILED = 3 /* the line search found no decrease: w unchanged */
};

/*
 * The hyper-parameters an optimizer reads besides lr and weight_decay
 * (which all use), so that an option it ignores can be reported.
 */
enum optim_uses {
	OPTIM_USES_MOMENTUM = 1 << 0,
	OPTIM_USES_RHO = 1 << 1,
	OPTIM_USES_BETAS = 1 << 2,      /* beta1 and beta2 */
	OPTIM_USES_EPS = 1 << 3,
	OPTIM_USES_HISTORY = 1 << 4
};

struct optimizer {
	const char *name;
	const char *summary;    /* one line for --help */
	struct optim_hyper defaults;
	unsigned uses;          /* enum optim_uses */
	/* Weight decay applied inside step (adamw) rather than added to g. */
	int decoupled_weight_decay;
	/* First-order methods: arrays of n doubles of state, and the step. */
	int state_arrays;
	void (*step)(const struct optim_step_args *a);
	/*
	 * The full-batch method (lbfgs) instead: its own state, and one
	 * iteration from w (updated in place).  *value holds f(w) on entry and
	 * f(new w) on return; grad likewise holds the gradient at w.
	 */
	void *(*create)(size_t n, const struct optim_hyper *h);
	int (*iterate)(void *state, const struct optim_objective *f, double lr, double *w,
		       double *value, double *grad);
	void (*destroy)(void *state);
	/*
	 * Its state as doubles, for --save-state: how many (they may vary with
	 * the run), a copy out, and back in (-1 when values is not a state of
	 * this optimizer for its n parameters).
	 */
	size_t (*state_size)(const void *state);
	void (*state_get)(const void *state, double *values);
	int (*state_set)(void *state, const double *values, size_t count);
};

/*
 * An optimizer at work: its hyper-parameters and state for n parameters.
 * optim_create returns NULL when memory runs out; optim_free releases it.
 * A first-order optimizer is driven by optim_step, the full-batch one
 * (optim_full_batch) by optim_iterate.
 */
struct optim_run;
struct optim_run *optim_create(const struct optimizer *o, size_t n, const struct optim_hyper *h);
void optim_free(struct optim_run *run);
int optim_full_batch(const struct optimizer *o);
/* One step on w[n] with the mini-batch gradient g[n] at step t and step size lr. */
void optim_step(struct optim_run *run, double *w, const double *g, long t, double lr,
		const unsigned char *is_weight);
/* One full-batch iteration; returns an enum optim_iterate_result. */
int optim_iterate(struct optim_run *run, const struct optim_objective *f, double lr, double *w,
		  double *value, double *grad);

/*
 * The state as a flat array of doubles, to save a run and continue it
 * exactly: a first-order optimizer's state_arrays arrays of n (array k at
 * k * n), or what the full-batch one exports.  optim_state_set returns -1,
 * leaving the state as it was, when count values are not a state this
 * optimizer could hold for n parameters.
 */
size_t optim_state_size(const struct optim_run *run);
void optim_state_get(const struct optim_run *run, double *values);
int optim_state_set(struct optim_run *run, const double *values, size_t count);

/* The registry, NULL-terminated, in --help order. */
extern const struct optimizer *const optimizers[];
const struct optimizer *optimizer_find(const char *name);

/* The step functions, for the table and for tests. */
void optim_sgd_step(const struct optim_step_args *a);
void optim_momentum_step(const struct optim_step_args *a);
void optim_nesterov_step(const struct optim_step_args *a);
void optim_adagrad_step(const struct optim_step_args *a);
void optim_rmsprop_step(const struct optim_step_args *a);
void optim_adadelta_step(const struct optim_step_args *a);
void optim_adadelta_w_step(const struct optim_step_args *a);
void optim_adam_step(const struct optim_step_args *a);
void optim_adamw_step(const struct optim_step_args *a);
void optim_amsgrad_step(const struct optim_step_args *a);

void *optim_lbfgs_create(size_t n, const struct optim_hyper *h);
int optim_lbfgs_iterate(void *state, const struct optim_objective *f, double lr, double *w,
			double *value, double *grad);
void optim_lbfgs_destroy(void *state);
size_t optim_lbfgs_state_size(const void *state);
void optim_lbfgs_state_get(const void *state, double *values);
int optim_lbfgs_state_set(void *state, const double *values, size_t count);

extern const struct optimizer optim_sgd, optim_momentum, optim_nesterov, optim_adagrad,
	optim_rmsprop, optim_adadelta, optim_adadelta_w, optim_adam, optim_adamw,
	optim_amsgrad, optim_lbfgs;

#endif
