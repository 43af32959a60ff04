/* layer.c - dense layers, activations and the residual add over a batch. */
#include "layer.h"

#include <math.h>
#include <string.h>

#include "kernel.h"
#include "lanes.h"

static const char *const activation_names[] = {
	[ACTIVATION_IDENTITY] = "identity",
	[ACTIVATION_RELU] = "relu",
	[ACTIVATION_TANH] = "tanh",
	[ACTIVATION_SIGMOID] = "sigmoid",
};

const char *activation_name(enum activation a)
{
	return activation_names[a];
}

int activation_find(const char *name, enum activation *a)
{
	for (size_t i = 0; i < sizeof activation_names / sizeof activation_names[0]; i++)
		if (strcmp(activation_names[i], name) == 0) {
			*a = (enum activation)i;
			return 0;
		}
	return -1;
}

/*
 * Both are products of kernel.h: every output element is one sum over its
 * terms in order, from 0 (or, for the weight gradient, from its value),
 * as the plain loops take it.
 */
void dense_forward(const double *weights, const double *bias, size_t in, size_t out,
		   size_t batch, const double *x, double *y)
{
	/* Y(b, o) = sum over j of X(b, j) W(o, j), then + b(o). */
	kernel_product(batch, out, in, (struct kernel_matrix){ x, in, 1 },
		       (struct kernel_matrix){ weights, in, 1 }, y, out, 1, 0);
	for (size_t b = 0; b < batch; b++) {
		double *result = y + b * out;
		for (size_t o = 0; o < out; o++)
			result[o] = result[o] + bias[o];
	}
}

void dense_backward(const double *weights, size_t in, size_t out, size_t batch,
		    const double *x, const double *dy, double *dweights, double *dbias,
		    double *dx)
{
	/* dW(o, j) += sum over b of dY(b, o) X(b, j), from dW(o, j). */
	kernel_product(out, in, batch, (struct kernel_matrix){ dy, 1, out },
		       (struct kernel_matrix){ x, 1, in }, dweights, in, 1, 1);
	for (size_t b = 0; b < batch; b++) {
		const double *delta = dy + b * out;
		for (size_t o = 0; o < out; o++)
			dbias[o] += delta[o];
	}
	if (!dx)
		return;
	/* dX(b, j) = sum over o of dY(b, o) W(o, j). */
	kernel_product(batch, in, out, (struct kernel_matrix){ dy, out, 1 },
		       (struct kernel_matrix){ weights, 1, in }, dx, in, 1, 0);
}

/* Never exponentiate a large positive number. */
static double sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	double e = exp(z);
	return e / (1.0 + e);
}

/*
 * ReLU's "x if c > 0, else +0" for two values at a time without a branch:
 * the comparison gives a lane of all ones or all zeros, and x AND it is x
 * or +0, bit for bit the value of the scalar expression (a NaN or a zero
 * c selects +0 too).  A branch per value mispredicts on about half of
 * them: ReLU took as long as the matrix products of a 64-64 network.
 */
static void where_positive(size_t n, const double *c, const double *x, double *out)
{
	size_t i = 0;

	for (; i + 2 <= n; i += 2) {
		lanes2 positive = *(const lanes2 *)(c + i);
		lane_bits2 keep = positive > 0.0;
		*(lane_bits2 *)(out + i) = *(const lane_bits2 *)(x + i) & keep;
	}
	for (; i < n; i++)
		out[i] = c[i] > 0.0 ? x[i] : 0.0;
}

void activation_forward(enum activation act, size_t n, const double *z, double *a)
{
	switch (act) {
	case ACTIVATION_IDENTITY:
		if (a != z)
			memcpy(a, z, n * sizeof *a);
		break;
	case ACTIVATION_RELU:
		where_positive(n, z, z, a);
		break;
	case ACTIVATION_TANH:
		for (size_t i = 0; i < n; i++)
			a[i] = tanh(z[i]);
		break;
	case ACTIVATION_SIGMOID:
		for (size_t i = 0; i < n; i++)
			a[i] = sigmoid(z[i]);
		break;
	}
}

void activation_backward(enum activation act, size_t n, const double *a, const double *da,
			 double *dz)
{
	switch (act) {
	case ACTIVATION_IDENTITY:
		if (dz != da)
			memcpy(dz, da, n * sizeof *dz);
		break;
	case ACTIVATION_RELU:
		/* relu'(0) = 0, as PyTorch takes it. */
		where_positive(n, a, da, dz);
		break;
	case ACTIVATION_TANH:
		for (size_t i = 0; i < n; i++)
			dz[i] = da[i] * (1.0 - a[i] * a[i]);
		break;
	case ACTIVATION_SIGMOID:
		for (size_t i = 0; i < n; i++)
			dz[i] = da[i] * (a[i] * (1.0 - a[i]));
		break;
	}
}

void activation_backward_r(enum activation act, size_t n, const double *a, const double *da,
			   const double *rz, const double *rda, double *rdz)
{
	switch (act) {
	case ACTIVATION_IDENTITY:
		if (rdz != rda)
			memcpy(rdz, rda, n * sizeof *rdz);
		break;
	case ACTIVATION_RELU:
		where_positive(n, a, rda, rdz);
		break;
	case ACTIVATION_TANH:
		for (size_t i = 0; i < n; i++) {
			double d1 = 1.0 - a[i] * a[i];
			rdz[i] = rda[i] * d1 - 2.0 * a[i] * d1 * da[i] * rz[i];
		}
		break;
	case ACTIVATION_SIGMOID:
		for (size_t i = 0; i < n; i++) {
			double d1 = a[i] * (1.0 - a[i]);
			rdz[i] = rda[i] * d1 + d1 * (1.0 - 2.0 * a[i]) * da[i] * rz[i];
		}
		break;
	}
}

void residual_add(size_t n, const double *a, const double *x, double *h)
{
	for (size_t i = 0; i < n; i++)
		h[i] = a[i] + x[i];
}
