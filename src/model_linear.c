/* model_linear.c - linear regression: one real output, squared error. */
#include "model.h"

static size_t linear_outputs(size_t n_classes)
{
	(void)n_classes;
	return 1;
}

/* (z - y)^2, without the factor 1/2, so d/dz = 2 (z - y). */
static double linear_loss(const double *z, double y, double *dz, size_t outputs)
{
	double residual = z[0] - y;

	(void)outputs;
	if (dz)
		dz[0] = 2.0 * residual;
	return residual * residual;
}

const struct model_kind model_linear = {
	.name = "linear",
	.summary = "linear regression, squared error (z - y)^2",
	.classifier = 0,
	.outputs = linear_outputs,
	.loss = linear_loss,
	.probabilities = NULL,
};
