/* optim_nesterov.c - Nesterov momentum, as torch.optim.SGD(nesterov=True).
 *
 * The buffer b accumulates gradients; the step looks ahead along it by
 * using g + gamma*b rather than b alone.
 *
 * state: b[n], the momentum buffer.
 */
#include "optim.h"

void optim_nesterov_step(const struct optim_step_args *a)
{
	double gamma = a->hyper->momentum;
	double *buffer = a->state;

	for (size_t i = 0; i < a->n; i++) {
		buffer[i] = gamma * buffer[i] + a->g[i];
		a->w[i] -= a->lr * (a->g[i] + gamma * buffer[i]);
	}
}

const struct optimizer optim_nesterov = {
	.name = "nesterov",
	.summary = "Nesterov momentum: b = momentum*b + g; w -= lr*(g + momentum*b)",
	.uses = OPTIM_USES_MOMENTUM,
	.defaults = {
		.lr = 0.01, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 1,
	.decoupled_weight_decay = 0,
	.step = optim_nesterov_step,
};
