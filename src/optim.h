/* optim.h - optimizers over flat arrays.
 *
 * A first-order optimizer is one step function over the flat parameter
 * array w[n], the mini-batch gradient g[n] (mean over the batch; coupled
 * weight decay already added by the caller), and its own state: state_arrays
 * arrays of n doubles, zeroed before the first step, laid out one after the
 * other in state[state_arrays * n].  t counts steps from 1; lr is the step
 * size in force at this step (after any schedule).
 *
 * A full-batch optimizer (lbfgs) instead runs one iteration against an
 * objective callback; see struct optim_objective.
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
	OPTIM_ITERATE_NONFINITE = 2     /* objective or gradient not finite */
};

struct optim_lbfgs_state;

struct optimizer {
	const char *name;
	const char *summary;    /* one line for --help */
	struct optim_hyper defaults;
	int state_arrays;
	/* Weight decay applied inside step (adamw) rather than added to g. */
	int decoupled_weight_decay;
	void (*step)(const struct optim_step_args *a);
	/* Full-batch optimizers: NULL step, and these instead. */
	struct optim_lbfgs_state *(*create)(size_t n, const struct optim_hyper *h);
	/*
	 * One iteration from w (updated in place).  *value holds f(w) on entry
	 * and f(new w) on return; grad likewise holds the gradient at w.
	 */
	int (*iterate)(struct optim_lbfgs_state *s, const struct optim_objective *f, double lr,
		       double *w, double *value, double *grad);
	void (*destroy)(struct optim_lbfgs_state *s);
};

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

struct optim_lbfgs_state *optim_lbfgs_create(size_t n, const struct optim_hyper *h);
int optim_lbfgs_iterate(struct optim_lbfgs_state *s, const struct optim_objective *f, double lr,
			double *w, double *value, double *grad);
void optim_lbfgs_destroy(struct optim_lbfgs_state *s);

extern const struct optimizer optim_sgd, optim_momentum, optim_nesterov, optim_adagrad,
	optim_rmsprop, optim_adadelta, optim_adadelta_w, optim_adam, optim_adamw,
	optim_amsgrad, optim_lbfgs;

#endif
