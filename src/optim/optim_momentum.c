/* optim_momentum.c - heavy-ball momentum in the course's form.
 *
 * The velocity v carries the step itself (lr folded in), so a change of lr
 * by a schedule only affects new gradients, not the velocity already built
 * up.  PyTorch's SGD(momentum=) keeps lr outside the buffer instead; the two
 * agree only while lr is constant.
 *
 * state: v[n], the velocity.
 */
#include "optim.h"

void optim_momentum_step(const struct optim_step_args *a)
{
	double gamma = a->hyper->momentum;
	double *velocity = a->state;

	for (size_t i = 0; i < a->n; i++) {
		/* Keep a fraction gamma of the last move, then go downhill. */
		velocity[i] = gamma * velocity[i] - a->lr * a->g[i];
		a->w[i] += velocity[i];
	}
}

const struct optimizer optim_momentum = {
	.name = "momentum",
	.summary = "heavy-ball momentum: v = momentum*v - lr*g; w += v",
	.uses = OPTIM_USES_MOMENTUM,
	.defaults = {
		.lr = 0.01, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 1,
	.decoupled_weight_decay = 0,
	.step = optim_momentum_step,
};
