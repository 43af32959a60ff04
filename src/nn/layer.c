/* layer.c - dense layers, activations and the residual add over a batch. */
#include "layer.h"

#include <math.h>
#include <string.h>

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

void dense_forward(const double *weights, const double *bias, size_t in, size_t out,
		   size_t batch, const double *x, double *y)
{
	for (size_t b = 0; b < batch; b++) {
		const double *row = x + b * in;
		double *result = y + b * out;
		for (size_t o = 0; o < out; o++) {
			const double *w = weights + o * in;
			double sum = 0.0;
			for (size_t j = 0; j < in; j++)
				sum += w[j] * row[j];
			result[o] = sum + bias[o];
		}
	}
}

void dense_backward(const double *weights, size_t in, size_t out, size_t batch,
		    const double *x, const double *dy, double *dweights, double *dbias,
		    double *dx)
{
	for (size_t b = 0; b < batch; b++) {
		const double *row = x + b * in;
		const double *delta = dy + b * out;
		for (size_t o = 0; o < out; o++) {
			double d = delta[o];
			double *dw = dweights + o * in;
			for (size_t j = 0; j < in; j++)
				dw[j] += d * row[j];
			dbias[o] += d;
		}
	}
	if (!dx)
		return;
	for (size_t b = 0; b < batch; b++) {
		const double *delta = dy + b * out;
		double *result = dx + b * in;
		for (size_t j = 0; j < in; j++)
			result[j] = 0.0;
		for (size_t o = 0; o < out; o++) {
			const double *w = weights + o * in;
			double d = delta[o];
			for (size_t j = 0; j < in; j++)
				result[j] += d * w[j];
		}
	}
}

/* Never exponentiate a large positive number. */
static double sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	double e = exp(z);
	return e / (1.0 + e);
}

void activation_forward(enum activation act, size_t n, const double *z, double *a)
{
	switch (act) {
	case ACTIVATION_IDENTITY:
		if (a != z)
			memcpy(a, z, n * sizeof *a);
		break;
	case ACTIVATION_RELU:
		for (size_t i = 0; i < n; i++)
			a[i] = z[i] > 0.0 ? z[i] : 0.0;
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
		for (size_t i = 0; i < n; i++)
			dz[i] = a[i] > 0.0 ? da[i] : 0.0;
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
		for (size_t i = 0; i < n; i++)
			rdz[i] = a[i] > 0.0 ? rda[i] : 0.0;
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
