/* optim_amsgrad.c - AMSGrad (Reddi et al. 2018), as torch.optim.Adam(amsgrad=True).
 *
 * Adam whose denominator uses the running maximum of the (uncorrected)
 * second moment, so the effective step size for a coordinate never grows.
 * Arithmetic in PyTorch's order, as in optim_adam.c.
 *
 * state: m[n], the first moment; s[n], the second moment; smax[n], the
 * largest s seen so far.
 */
#include "optim.h"

#include <math.h>

void optim_amsgrad_step(const struct optim_step_args *a)
{
	const struct optim_hyper *h = a->hyper;
	double *first_moment = a->state;
	double *second_moment = a->state + a->n;
	double *max_second_moment = a->state + 2 * a->n;
	double bias_correction1 = 1 - pow(h->beta1, (double)a->t);
	double bias_correction2 = 1 - pow(h->beta2, (double)a->t);
	double step_size = a->lr / bias_correction1;
	double root_bias_correction2 = sqrt(bias_correction2);

	for (size_t i = 0; i < a->n; i++) {
		double g = a->g[i];

		first_moment[i] = h->beta1 * first_moment[i] + (1 - h->beta1) * g;
		second_moment[i] = h->beta2 * second_moment[i] + (1 - h->beta2) * g * g;
		if (second_moment[i] > max_second_moment[i])
			max_second_moment[i] = second_moment[i];
		a->w[i] -= step_size * first_moment[i] /
			   (sqrt(max_second_moment[i]) / root_bias_correction2 + h->eps);
	}
}

const struct optimizer optim_amsgrad = {
	.name = "amsgrad",
	.summary = "AMSGrad: adam with the running maximum of s in the denominator",
	.uses = OPTIM_USES_BETAS | OPTIM_USES_EPS,
	.defaults = {
		.lr = 0.001, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 3,
	.decoupled_weight_decay = 0,
	.step = optim_amsgrad_step,
};
