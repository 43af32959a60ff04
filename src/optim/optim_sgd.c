/* optim_sgd.c - plain (stochastic) gradient descent: w <- w - lr g. */
#include "optim.h"

void optim_sgd_step(const struct optim_step_args *a)
{
	for (size_t i = 0; i < a->n; i++)
		a->w[i] -= a->lr * a->g[i];
}

const struct optimizer optim_sgd = {
	.name = "sgd",
	.summary = "gradient descent: w -= lr*g",
	.uses = 0,
	.defaults = {
		.lr = 0.01, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 0,
	.decoupled_weight_decay = 0,
	.step = optim_sgd_step,
};
