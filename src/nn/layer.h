/* layer.h - the building blocks of a network, over a batch of rows.
 *
 * Every array is batch-major: row b of a [batch x width] array starts at
 * b * width.  Forward functions overwrite their output; backward functions
 * accumulate parameter gradients (+=, the caller zeroes them once per step)
 * and overwrite input gradients.  Sums run in a fixed order (rows in batch
 * order, then inputs in column order), so results never depend on how a
 * compiler vectorises them or how a data set is cut into batches.
 */
#ifndef DESCENT_LAYER_H
#define DESCENT_LAYER_H

#include <stddef.h>

enum activation {
	ACTIVATION_IDENTITY,
	ACTIVATION_RELU,
	ACTIVATION_TANH,
	ACTIVATION_SIGMOID
};

/* "identity", "relu", "tanh", "sigmoid". */
const char *activation_name(enum activation a);
/* The activation called name; 0, or -1 when there is none. */
int activation_find(const char *name, enum activation *a);

/*
 * Dense layer forward: y[batch x out] = x[batch x in] W^T + b, with
 * W[out x in] row-major and b[out].
 */
void dense_forward(const double *weights, const double *bias, size_t in, size_t out,
		   size_t batch, const double *x, double *y);

/*
 * Dense layer backward, given dy[batch x out] = d loss / d y:
 * dweights[out x in] += dy^T x, dbias[out] += the column sums of dy, and,
 * when dx is not NULL, dx[batch x in] = dy W (overwritten).
 */
void dense_backward(const double *weights, size_t in, size_t out, size_t batch,
		    const double *x, const double *dy, double *dweights, double *dbias,
		    double *dx);

/* a[n] = act(z[n]); a may be z (in place). */
void activation_forward(enum activation act, size_t n, const double *z, double *a);

/*
 * dz[n] = da[n] * act'(z[n]), from the activation's output a[n] = act(z[n])
 * alone (each derivative is a function of it).  dz may be da.
 */
void activation_backward(enum activation act, size_t n, const double *a, const double *da,
			 double *dz);

/*
 * The R-operator (Pearlmutter 1994) of activation_backward, for exact
 * Hessian-vector products: given da = d loss / d a, its directional
 * derivative rda, and rz, the directional derivative of z, rdz[n] =
 * rda * act'(z) + da * act''(z) * rz, from a = act(z) alone: act'' is 0
 * for identity and relu, -2 a (1 - a^2) for tanh, a (1 - a)(1 - 2a) for
 * sigmoid.  rdz may be rda.
 */
void activation_backward_r(enum activation act, size_t n, const double *a, const double *da,
			   const double *rz, const double *rda, double *rdz);

/* The identity skip of a residual layer: h[n] = a[n] + x[n]. */
void residual_add(size_t n, const double *a, const double *x, double *h);

#endif
