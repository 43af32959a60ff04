/* optim_adadelta.c - AdaDelta (Zeiler 2012), as torch.optim.Adadelta.
 *
 * The step is the gradient scaled by RMS(past steps) / RMS(gradients), so
 * its units are those of w and lr can stay 1.
 *
 * state: s[n], the moving average of squared gradients, then u[n], the
 * moving average of squared steps.
 */
#include "optim.h"

#include <math.h>

void optim_adadelta_step(const struct optim_step_args *a)
{
	double rho = a->hyper->rho, eps = a->hyper->eps;
	double *mean_square_grad = a->state;
	double *mean_square_step = a->state + a->n;

	for (size_t i = 0; i < a->n; i++) {
		double g = a->g[i], delta;

		mean_square_grad[i] = rho * mean_square_grad[i] + (1 - rho) * g * g;
		/* u is still last step's average here: Zeiler's Algorithm 1. */
		delta = sqrt(mean_square_step[i] + eps) / sqrt(mean_square_grad[i] + eps) * g;
		mean_square_step[i] = rho * mean_square_step[i] + (1 - rho) * delta * delta;
		a->w[i] -= a->lr * delta;
	}
}

const struct optimizer optim_adadelta = {
	.name = "adadelta",
	.summary = "AdaDelta (Zeiler): step = sqrt(u+eps)/sqrt(s+eps)*g, u and s running means",
	.uses = OPTIM_USES_RHO | OPTIM_USES_EPS,
	.defaults = {
		.lr = 1.0, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-6,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 2,
	.decoupled_weight_decay = 0,
	.step = optim_adadelta_step,
};
