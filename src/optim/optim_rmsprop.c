/* optim_rmsprop.c - RMSprop (Hinton's lecture 6e), as torch.optim.RMSprop.
 *
 * AdaGrad with the sum replaced by an exponential moving average, so old
 * gradients are forgotten and the step does not shrink to nothing.
 *
 * state: s[n], the moving average of squared gradients.
 */
#include "optim.h"

#include <math.h>

void optim_rmsprop_step(const struct optim_step_args *a)
{
	double rho = a->hyper->rho, eps = a->hyper->eps;
	double *mean_square = a->state;

	for (size_t i = 0; i < a->n; i++) {
		mean_square[i] = rho * mean_square[i] + (1 - rho) * a->g[i] * a->g[i];
		a->w[i] -= a->lr * a->g[i] / (sqrt(mean_square[i]) + eps);
	}
}

const struct optimizer optim_rmsprop = {
	.name = "rmsprop",
	.summary = "RMSprop: s = rho*s + (1-rho)*g^2; w -= lr*g/(sqrt(s)+eps)",
	.uses = OPTIM_USES_RHO | OPTIM_USES_EPS,
	.defaults = {
		.lr = 0.01, .momentum = 0.9, .rho = 0.99,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 1,
	.decoupled_weight_decay = 0,
	.step = optim_rmsprop_step,
};
