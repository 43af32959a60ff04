/* hessian.h - exact Hessian-vector products of the objective.
 *
 * Pearlmutter's R-operator (Neural Computation 6(1), 1994): R{f} =
 * d/dr f(w + r v) at r = 0, the directional derivative along v, pushed
 * through the network beside the ordinary forward and backward passes.
 *
 *   forward   R{z}  = W R{h_in} + V h_in + V_b       (R{x} = 0)
 *             R{a}  = act'(z) R{z}
 *             R{h}  = R{a} (+ R{h_in} for a residual layer)
 *   head      R{g}  = (d^2 loss / d z^2) R{z}        (head.loss_hessian)
 *   backward  R{pre} = R{delta} act'(z) + delta act''(z) R{z}
 *             (H v)_W += R{pre}^T h_in + pre^T R{h_in},  (H v)_b += sum R{pre}
 *             R{delta_in} = R{pre} W + pre V (+ R{delta} for a residual layer)
 *
 * with V, V_b the parts of v in W's and b's places.  The result is exact
 * (no step size, no cancellation) and costs about two gradient
 * evaluations.  Finite differences of gradients serve only as a test
 * oracle (tests/unit/test_hessian.c).
 */
#ifndef DESCENT_HESSIAN_H
#define DESCENT_HESSIAN_H

#include <stddef.h>

#include "error.h"
#include "model.h"
#include "network.h"
#include "objective.h"
#include "source.h"

/*
 * Room for Hessian-vector products over batches of up to capacity rows:
 * the forward pass's workspace and the directional derivatives beside it.
 * The caller owns it; hessian_workspace_free releases it.
 */
struct hessian_workspace {
	struct workspace ws;            /* the ordinary forward pass */
	double **rz;                    /* per layer [capacity x out]: R{W h_in + b} */
	double **rh;                    /* per layer [capacity x out]: R{h}, the layer's output */
	double *r_output_grad;          /* [capacity x n_outputs]: R{d loss / d outputs} */
	double *delta[2], *r_delta[2];  /* [capacity x widest] each: backward, alternating */
	double *pre, *r_pre;            /* [capacity x widest] each */
	double *block;                  /* the one allocation besides ws */
	/*
	 * Optional (hessian_workspace_cache): the forward pass of every row,
	 * kept by a product and replayed by the next ones while cache_valid,
	 * which the caller clears whenever params or the rows change.
	 */
	double *cache;
	size_t cache_size, cache_used;  /* doubles */
	int cache_valid;
};

int hessian_workspace_create(struct hessian_workspace *hw, const struct network *net,
			     size_t capacity, struct error *err);
void hessian_workspace_free(struct hessian_workspace *hw);
/*
 * Room to keep the forward pass of rows rows (every layer's activations and
 * residual outputs), so that products at the same params over the same
 * rows skip it: a third of the cost of a product.  Returns 0, or -1 with
 * EXIT_SOFTWARE (the workspace then works on without a cache).
 */
int hessian_workspace_cache(struct hessian_workspace *hw, const struct network *net,
			    size_t rows, struct error *err);

/*
 * Add to hv[n_params] the product of the Hessian of the SUMMED loss over
 * every row of rows (at params) with v[n_params], and to *sums the loss,
 * row count and correct count, as objective_add would.  The caller zeroes
 * hv, divides by sums->count for the mean, and adds lambda v on the
 * weights for weight decay.  Returns 0, or -1 when the source fails.
 */
int objective_hessian_vector(const struct model *m, const double *params, const double *v,
			     struct row_source *rows, struct hessian_workspace *hw, double *hv,
			     struct objective_sums *sums, struct error *err);

#endif
