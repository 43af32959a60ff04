/* optim_adam.c - Adam (Kingma & Ba 2015), as torch.optim.Adam.
 *
 * Moving averages of the gradient (m) and of its square (s), both biased
 * towards zero early on and corrected by 1 - beta^t.  The arithmetic follows
 * PyTorch's order (lr/bc1 first, sqrt(s)/sqrt(bc2) + eps as the denominator)
 * so that results agree with torch.optim to the last bit or two.
 *
 * state: m[n], the first moment, then s[n], the second moment.
 */
#include "optim.h"

#include <math.h>

#include "lanes.h"

void optim_adam_step(const struct optim_step_args *a)
{
	const struct optim_hyper *h = a->hyper;
	double *first_moment = a->state;
	double *second_moment = a->state + a->n;
	double bias_correction1 = 1 - pow(h->beta1, (double)a->t);
	double bias_correction2 = 1 - pow(h->beta2, (double)a->t);
	double step_size = a->lr / bias_correction1;
	double root_bias_correction2 = sqrt(bias_correction2);

	size_t i = 0;
#if defined(__SSE2__)
	/*
	 * Two parameters at a time: the same operations in the same order on
	 * each lane (sqrtpd and divpd round as sqrtsd and divsd do), so the
	 * same bits as the loop below, about twice as fast; -ffp-contract=off
	 * keeps every product and sum apart (lanes.h).
	 */
	const lanes2 beta1 = { h->beta1, h->beta1 }, beta2 = { h->beta2, h->beta2 };
	const lanes2 rest1 = { 1 - h->beta1, 1 - h->beta1 }, rest2 = { 1 - h->beta2, 1 - h->beta2 };
	const lanes2 step = { step_size, step_size }, eps = { h->eps, h->eps };
	const lanes2 root = { root_bias_correction2, root_bias_correction2 };
	for (; i + 2 <= a->n; i += 2) {
		lanes2 g = *(const lanes2 *)(a->g + i);
		lanes2 m = beta1 * *(lanes2 *)(first_moment + i) + rest1 * g;
		lanes2 v = beta2 * *(lanes2 *)(second_moment + i) + rest2 * g * g;
		*(lanes2 *)(first_moment + i) = m;
		*(lanes2 *)(second_moment + i) = v;
		*(lanes2 *)(a->w + i) -= step * m / (__builtin_ia32_sqrtpd(v) / root + eps);
	}
#endif
	for (; i < a->n; i++) {
		double g = a->g[i];

		first_moment[i] = h->beta1 * first_moment[i] + (1 - h->beta1) * g;
		second_moment[i] = h->beta2 * second_moment[i] + (1 - h->beta2) * g * g;
		a->w[i] -= step_size * first_moment[i] /
			   (sqrt(second_moment[i]) / root_bias_correction2 + h->eps);
	}
}

const struct optimizer optim_adam = {
	.name = "adam",
	.summary = "Adam: bias-corrected moving averages m of g and s of g^2; w -= lr*m/(sqrt(s)+eps)",
	.uses = OPTIM_USES_BETAS | OPTIM_USES_EPS,
	.defaults = {
		.lr = 0.001, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 2,
	.decoupled_weight_decay = 0,
	.step = optim_adam_step,
};
