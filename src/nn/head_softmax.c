/* head_softmax.c - multinomial logistic regression: K logits, cross-entropy. */
#include "head.h"

#include <math.h>

static size_t softmax_outputs(size_t n_classes)
{
	return n_classes;
}

/* The largest logit, subtracted before exponentiating so nothing overflows. */
static double largest(const double *z, size_t k)
{
	double m = z[0];

	for (size_t i = 1; i < k; i++)
		if (z[i] > m)
			m = z[i];
	return m;
}

/*
 * Per row, logsumexp(z) - z_y, with logsumexp(z) = m + log(sum e^(z_i - m))
 * for m the largest logit: every exponent is at most 0, and the sum is at
 * least 1, so neither overflows nor underflows to a log of zero.
 * d/dz_i = softmax(z)_i - [i = y].
 */
static double softmax_loss(const double *z, const double *y, size_t batch, size_t outputs,
			   double *dz)
{
	double total = 0.0;

	for (size_t b = 0; b < batch; b++) {
		const double *row = z + b * outputs;
		size_t target = (size_t)y[b];
		double m = largest(row, outputs), sum = 0.0;
		for (size_t i = 0; i < outputs; i++)
			sum += exp(row[i] - m);
		total += m + log(sum) - row[target];
		if (dz) {
			double *d = dz + b * outputs;
			for (size_t i = 0; i < outputs; i++)
				d[i] = exp(row[i] - m) / sum;
			d[target] -= 1.0;
		}
	}
	return total;
}

/*
 * The gradient of softmax_loss without the log.  A row's loss is at most
 * (m - z_y) + log K, below HEAD_LOSS_BOUND when every |z_i| is at most a
 * quarter of it (the test is false for a NaN logit).
 */
static int softmax_gradient(const double *z, const double *y, size_t batch, size_t outputs,
			    double *dz)
{
	int bounded = 1;

	for (size_t b = 0; b < batch; b++) {
		const double *row = z + b * outputs;
		double *d = dz + b * outputs;
		double m = largest(row, outputs), sum = 0.0;
		for (size_t i = 0; i < outputs; i++) {
			d[i] = exp(row[i] - m);
			sum += d[i];
			if (!(fabs(row[i]) <= 0.25 * HEAD_LOSS_BOUND))
				bounded = 0;
		}
		for (size_t i = 0; i < outputs; i++)
			d[i] /= sum;
		d[(size_t)y[b]] -= 1.0;
	}
	return bounded;
}

/* d^2/dz^2 = diag(p) - p p^T for p = softmax(z), whatever the target. */
static void softmax_loss_hessian(const double *z, const double *y, size_t batch,
				 size_t outputs, const double *rz, double *hrz)
{
	(void)y;
	for (size_t b = 0; b < batch; b++) {
		const double *row = z + b * outputs, *r = rz + b * outputs;
		double *h = hrz + b * outputs;
		double m = largest(row, outputs), sum = 0.0, dot = 0.0;
		for (size_t i = 0; i < outputs; i++) {
			h[i] = exp(row[i] - m);
			sum += h[i];
		}
		for (size_t i = 0; i < outputs; i++) {
			h[i] /= sum;
			dot += h[i] * r[i];
		}
		for (size_t i = 0; i < outputs; i++)
			h[i] *= r[i] - dot;
	}
}

static void softmax_probabilities(const double *z, double *p, size_t n_classes)
{
	double m = largest(z, n_classes), sum = 0.0;

	for (size_t i = 0; i < n_classes; i++) {
		p[i] = exp(z[i] - m);
		sum += p[i];
	}
	for (size_t i = 0; i < n_classes; i++)
		p[i] /= sum;
}

const struct head head_softmax = {
	.name = "softmax",
	.summary = "multinomial logistic regression over K classes, cross-entropy",
	.classifier = 1,
	.max_classes = 0,
	.outputs = softmax_outputs,
	.loss = softmax_loss,
	.gradient = softmax_gradient,
	.loss_hessian = softmax_loss_hessian,
	.probabilities = softmax_probabilities,
};
