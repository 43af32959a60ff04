/* model_logistic.c - binary logistic regression on one logit. */
#include "model.h"

#include <math.h>

static size_t logistic_outputs(size_t n_classes)
{
	(void)n_classes;
	return 1;
}

static double sigmoid(double z)
{
	/* Never exponentiate a large positive number. */
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	double e = exp(z);
	return e / (1.0 + e);
}

/*
 * Binary cross-entropy with logits, log(1 + e^z) - y z, written as
 * max(z, 0) - y z + log1p(e^-|z|) so that no term overflows.  The one
 * exponential e^-|z| also gives the sigmoid, for the gradient.
 */
static double logistic_loss(const double *z, double y, double *dz, size_t outputs)
{
	double logit = z[0], e = exp(-fabs(logit));

	(void)outputs;
	if (dz)
		dz[0] = (logit >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - y;
	return fmax(logit, 0.0) - y * logit + log1p(e);
}

static void logistic_probabilities(const double *z, double *p, size_t n_classes)
{
	(void)n_classes;
	p[1] = sigmoid(z[0]);
	p[0] = 1.0 - p[1];
}

const struct model_kind model_logistic = {
	.name = "logistic",
	.summary = "binary logistic regression, cross-entropy with logits",
	.classifier = 1,
	.max_classes = 2,
	.too_many_classes_hint = "try --model softmax",
	.outputs = logistic_outputs,
	.loss = logistic_loss,
	.probabilities = logistic_probabilities,
};
