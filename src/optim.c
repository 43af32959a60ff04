/* optim.c - the optimizer registry.
 *
 * The table below is the list of optimizers the tool offers: --help prints it
 * in this order, and --optimizer NAME is looked up here.  Each entry lives in
 * its own file (optim_NAME.c) next to its update rule.
 */
#include "optim.h"

#include <string.h>

const struct optimizer *const optimizers[] = {
	&optim_sgd,
	&optim_momentum,
	&optim_nesterov,
	&optim_adagrad,
	&optim_rmsprop,
	&optim_adadelta,
	&optim_adadelta_w,
	&optim_adam,
	&optim_adamw,
	&optim_amsgrad,
	&optim_lbfgs,
	NULL
};

/* The optimizer called NAME, or NULL when there is none. */
const struct optimizer *optimizer_find(const char *name)
{
	for (const struct optimizer *const *o = optimizers; *o; o++)
		if (strcmp((*o)->name, name) == 0)
			return *o;
	return NULL;
}
