/* optim_adagrad.c - AdaGrad (Duchi et al. 2011), as torch.optim.Adagrad.
 *
 * Each coordinate's step is divided by the root of the sum of all its past
 * squared gradients, so coordinates that have moved a lot slow down for
 * good.
 *
 * state: s[n], the sum of squared gradients.
 */
#include "optim.h"

#include <math.h>

void optim_adagrad_step(const struct optim_step_args *a)
{
	double eps = a->hyper->eps;
	double *sum_squares = a->state;

	for (size_t i = 0; i < a->n; i++) {
		sum_squares[i] += a->g[i] * a->g[i];
		a->w[i] -= a->lr * a->g[i] / (sqrt(sum_squares[i]) + eps);
	}
}

const struct optimizer optim_adagrad = {
	.name = "adagrad",
	.summary = "AdaGrad: s += g^2; w -= lr*g/(sqrt(s)+eps)",
	.uses = OPTIM_USES_EPS,
	.defaults = {
		.lr = 0.01, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-10,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 1,
	.decoupled_weight_decay = 0,
	.step = optim_adagrad_step,
};
