/* optim_adamw.c - AdamW (Loshchilov & Hutter 2019), as torch.optim.AdamW.
 *
 * Weight decay is decoupled from the gradient: weights shrink by the factor
 * 1 - lr*lambda, then the plain Adam step runs on the undecayed gradient.
 * Adding lambda*w to g instead (what --weight-decay does for adam) would let
 * Adam's per-coordinate scaling undo the decay.  Biases (is_weight 0) are
 * never decayed; the caller must pass is_weight.
 *
 * state: that of adam (m[n], then s[n]).
 */
#include "optim.h"

void optim_adamw_step(const struct optim_step_args *a)
{
	double shrink = 1 - a->lr * a->hyper->weight_decay;

	for (size_t i = 0; i < a->n; i++)
		if (a->is_weight[i])
			a->w[i] *= shrink;
	optim_adam_step(a);
}

const struct optimizer optim_adamw = {
	.name = "adamw",
	.summary = "AdamW: w *= 1 - lr*weight_decay on weights, then the adam step",
	.uses = OPTIM_USES_BETAS | OPTIM_USES_EPS,
	.defaults = {
		.lr = 0.001, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
		.weight_decay = 0.01, .history = 10,
	},
	.state_arrays = 2,
	.decoupled_weight_decay = 1,
	.step = optim_adamw_step,
};
