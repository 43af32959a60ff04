/* head_linear.c - linear regression: one real output, squared error. */
#include "head.h"

static size_t linear_outputs(size_t n_classes)
{
	(void)n_classes;
	return 1;
}

/* (z - y)^2 per row, without the factor 1/2, so d/dz = 2 (z - y). */
static double linear_loss(const double *z, const double *y, size_t batch, size_t outputs,
			  double *dz)
{
	double total = 0.0;

	(void)outputs;
	for (size_t b = 0; b < batch; b++) {
		double residual = z[b] - y[b];
		if (dz)
			dz[b] = 2.0 * residual;
		total += residual * residual;
	}
	return total;
}

/* d^2/dz^2 (z - y)^2 = 2. */
static void linear_loss_hessian(const double *z, const double *y, size_t batch, size_t outputs,
				const double *rz, double *hrz)
{
	(void)z;
	(void)y;
	(void)outputs;
	for (size_t b = 0; b < batch; b++)
		hrz[b] = 2.0 * rz[b];
}

const struct head head_linear = {
	.name = "linear",
	.summary = "linear regression, squared error (z - y)^2",
	.classifier = 0,
	.outputs = linear_outputs,
	.loss = linear_loss,
	.loss_hessian = linear_loss_hessian,
	.probabilities = NULL,
};
