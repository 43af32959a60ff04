/* probe.h - --probe symmetry: the loss and gradient under the symmetries
 * of a network's parameters.
 *
 * Two parameter vectors can compute the same function.  Permuting the
 * units of a hidden layer (the rows of its W and b, and the columns of the
 * next layer's W) leaves the network's outputs, and so the loss, as they
 * were; the gradient is permuted with the parameters, so its norm stays
 * too.  An identity skip (--residual) ties a layer's units to its input's:
 * permuting the units of one layer of such a chain alone changes the loss,
 * while one permutation shared by every layer the skips join (the rows of
 * each, the columns of every layer reading them) keeps it.  Rescaling a
 * relu layer by c > 0 (W and b times c) and the next layer's W by 1/c keeps
 * the loss, since relu(c z) = c relu(z), but scales the two layers'
 * gradients by 1/c and c: the gradient norm changes, so the path plain SGD
 * takes from there is not the same.
 *
 * The probe works on a copy of the parameters; the model is not changed.
 * Loss is the mean loss over the rows given, gradient norm the Euclidean
 * norm of the gradient of that mean (no weight decay).
 */
#ifndef DESCENT_PROBE_H
#define DESCENT_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "model.h"
#include "source.h"

/* The factor of the rescale records. */
#define PROBE_RESCALE 10.0

/* symmetry,KIND,LOSS_BEFORE,LOSS_AFTER,GRAD_NORM_BEFORE,GRAD_NORM_AFTER */
struct probe_record {
	char kind[64];          /* permutation:L, permutation-shared:L, rescale:L:C */
	double loss_before, loss_after;
	double grad_norm_before, grad_norm_after;
};

/*
 * Unit i of hidden layer l (0-based) becomes its unit perm[i]: the rows of
 * W_l and b_l and the columns of W_{l+1} are permuted (a plain permutation).
 * Returns 0, or -1 with EXIT_SOFTWARE (memory).
 */
int probe_permute_units(const struct network *net, double *params, size_t l,
			const size_t *perm, struct error *err);
/*
 * The same permutation of every layer joined to hidden layer l by identity
 * skips, and of the columns of every layer that reads one of them.
 * Returns 0, or -1: EXIT_USAGE when the chain starts at the network's
 * inputs (layer 1 adds its input), which no permutation of the weights can
 * follow; EXIT_SOFTWARE for memory.
 */
int probe_permute_shared(const struct network *net, double *params, size_t l,
			 const size_t *perm, struct error *err);
/* W_l and b_l times c, W_{l+1} times 1/c. */
void probe_rescale_units(const struct network *net, double *params, size_t l, double c);

/*
 * The first and last hidden layer (0-based) joined to l by identity skips;
 * returns 1 when the chain starts at the inputs (layer 1 has a skip).
 */
int probe_skip_chain(const struct network *net, size_t l, size_t *first, size_t *last);

/* Mean loss and gradient norm of params over rows.  Returns 0 or -1. */
int probe_evaluate(const struct model *m, const double *params, const struct data_view *rows,
		   double *loss, double *grad_norm, struct error *err);

/*
 * The records of every hidden layer, from the generator seeded by seed:
 * permutation:L for each, permutation-shared:L when skips join L to other
 * layers, rescale:L:10 when L is relu and no skip adds its units or reads
 * them.  *records is allocated (free it); *n_records how many.  Returns 0,
 * or -1 (EXIT_USAGE without hidden layers, EXIT_SOFTWARE for memory).
 */
int probe_symmetry(const struct model *m, const struct data_view *rows, uint64_t seed,
		   struct probe_record **records, size_t *n_records, struct error *err);

/* The symmetry records, doubles bit-exact (%.17g). */
void probe_write(FILE *out, const struct probe_record *records, size_t n_records);

#endif
