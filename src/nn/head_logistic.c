/* head_logistic.c - binary logistic regression on one logit. */
#include "head.h"

#include <math.h>
#include <stdint.h>

static size_t logistic_outputs(size_t n_classes)
{
	(void)n_classes;
	return 1;
}

/*
 * Binary cross-entropy with logits, log(1 + e^z) - y z, written as
 * max(z, 0) - y z + log1p(e^-|z|) so that no term overflows.  The one
 * exponential e^-|z| also gives the sigmoid, for the gradient.
 */
static double logistic_loss(const double *z, const double *y, size_t batch, size_t outputs,
			    double *dz)
{
	double total = 0.0;

	(void)outputs;
	for (size_t b = 0; b < batch; b++) {
		double logit = z[b], e = exp(-fabs(logit));
		if (dz)
			dz[b] = (logit >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - y[b];
		total += fmax(logit, 0.0) - y[b] * logit + log1p(e);
	}
	return total;
}

/*
 * The gradient of logistic_loss without the log1p.  With y 0 or 1 a row's
 * loss is at most |z| + log 2, so it is below HEAD_LOSS_BOUND when |z| is
 * at most half that (the test is false for a NaN logit).
 */
static int logistic_gradient(const double *z, const double *y, size_t batch, size_t outputs,
			     double *dz)
{
	int bounded = 1;

	(void)outputs;
	for (size_t b = 0; b < batch; b++) {
		double logit = z[b], e = exp(-fabs(logit));
		dz[b] = (logit >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - y[b];
		if (!(fabs(logit) <= 0.5 * HEAD_LOSS_BOUND))
			bounded = 0;
	}
	return bounded;
}

/* d^2/dz^2 = sigmoid(z) (1 - sigmoid(z)), whatever the target. */
static void logistic_loss_hessian(const double *z, const double *y, size_t batch,
				  size_t outputs, const double *rz, double *hrz)
{
	(void)y;
	(void)outputs;
	for (size_t b = 0; b < batch; b++) {
		double e = exp(-fabs(z[b])), p = 1.0 / (1.0 + e);
		hrz[b] = p * (1.0 - p) * rz[b];
	}
}

/* p[1] = sigmoid(z), never exponentiating a large positive number. */
static void logistic_probabilities(const double *z, double *p, size_t n_classes)
{
	(void)n_classes;
	if (z[0] >= 0) {
		p[1] = 1.0 / (1.0 + exp(-z[0]));
	} else {
		double e = exp(z[0]);
		p[1] = e / (1.0 + e);
	}
	p[0] = 1.0 - p[1];
}

/*
 * Class 1 exactly when logistic_probabilities gives p[1] > p[0].  A logit
 * beyond 1e-6 either way puts the sigmoid at least 2.4e-7 from 1/2, far
 * more than its rounding error, so the sign decides without exp; near 0
 * (and for NaN) the probabilities do, ties going to class 0 as there.
 */
static size_t logistic_obvious_class(const double *z, size_t n_classes)
{
	(void)n_classes;
	if (z[0] > 1e-6)
		return 1;
	if (z[0] < -1e-6)
		return 0;
	return SIZE_MAX;
}

const struct head head_logistic = {
	.name = "logistic",
	.summary = "binary logistic regression, cross-entropy with logits",
	.classifier = 1,
	.max_classes = 2,
	.too_many_classes_hint = "try --model softmax",
	.outputs = logistic_outputs,
	.loss = logistic_loss,
	.gradient = logistic_gradient,
	.loss_hessian = logistic_loss_hessian,
	.probabilities = logistic_probabilities,
	.obvious_class = logistic_obvious_class,
};
