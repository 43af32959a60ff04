/* optim_adadelta_w.c - the course's AdaDelta variant.
 *
 * Where Zeiler's AdaDelta scales by the RMS of past steps, this one scales
 * by the RMS of the weights themselves: w -= lr*sqrt((Sw+eps)/(Sg+eps))*g.
 * The averages use gamma = 1 - rho as the weight of the newest value.
 *
 * state: Sg[n], the moving average of squared gradients, then Sw[n], the
 * moving average of squared weights (taken before each step).
 */
#include "optim.h"

#include <math.h>

void optim_adadelta_w_step(const struct optim_step_args *a)
{
	double gamma = 1 - a->hyper->rho, eps = a->hyper->eps;
	double *mean_square_grad = a->state;
	double *mean_square_weight = a->state + a->n;

	for (size_t i = 0; i < a->n; i++) {
		double g = a->g[i];

		mean_square_grad[i] = (1 - gamma) * mean_square_grad[i] + gamma * g * g;
		mean_square_weight[i] = (1 - gamma) * mean_square_weight[i] + gamma * a->w[i] * a->w[i];
		a->w[i] -= a->lr * sqrt((mean_square_weight[i] + eps) / (mean_square_grad[i] + eps)) * g;
	}
}

const struct optimizer optim_adadelta_w = {
	.name = "adadelta-w",
	.summary = "the course's AdaDelta: w -= lr*sqrt((Sw+eps)/(Sg+eps))*g, Sw from w^2",
	.uses = OPTIM_USES_RHO | OPTIM_USES_EPS,
	.defaults = {
		.lr = 1.0, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-6,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 2,
	.decoupled_weight_decay = 0,
	.step = optim_adadelta_w_step,
};
