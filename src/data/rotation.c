/* rotation.c - Haar-random orthogonal matrices by Householder QR. */
#include "rotation.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prng.h"

/* A standard normal deviate: Marsaglia's polar method. */
static double normal(struct prng *r)
{
	for (;;) {
		double u = 2.0 * prng_uniform(r) - 1.0, v = 2.0 * prng_uniform(r) - 1.0;
		double s = u * u + v * v;
		if (s > 0.0 && s < 1.0)
			return u * sqrt(-2.0 * log(s) / s);
	}
}

int rotation_random(double *q, size_t d, uint64_t seed, struct error *err)
{
	double *a = malloc((d ? d * d : 1) * sizeof *a);
	double *v = malloc((d ? d : 1) * sizeof *v);
	double *diagonal = malloc((d ? d : 1) * sizeof *diagonal);
	struct prng random;

	if (!a || !v || !diagonal) {
		free(a);
		free(v);
		free(diagonal);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	prng_seed(&random, seed);
	for (size_t i = 0; i < d * d; i++)
		a[i] = normal(&random);
	/*
	 * Column k: the reflection H_k = I - 2 u u^T (u = v / |v| over rows
	 * k..d-1) takes A[k.., k] to (alpha, 0, ..., 0); the unit vectors are
	 * kept in the lower part of a (below the diagonal) and in v[k] for
	 * the diagonal entry, so that Q = H_0 H_1 ... H_{d-1} can be formed.
	 */
	for (size_t k = 0; k < d; k++) {
		double norm = 0.0;
		for (size_t i = k; i < d; i++)
			norm += a[i * d + k] * a[i * d + k];
		norm = sqrt(norm);
		double alpha = a[k * d + k] > 0 ? -norm : norm;
		double u0 = a[k * d + k] - alpha, length = u0 * u0;
		for (size_t i = k + 1; i < d; i++)
			length += a[i * d + k] * a[i * d + k];
		length = sqrt(length);
		diagonal[k] = alpha;
		if (length == 0.0) {    /* the column is already (alpha, 0...): H_k = I */
			v[k] = 0.0;
			for (size_t i = k + 1; i < d; i++)
				a[i * d + k] = 0.0;
			continue;
		}
		v[k] = u0 / length;
		for (size_t i = k + 1; i < d; i++)
			a[i * d + k] /= length;
		/* The columns right of k: A[k.., j] -= 2 u (u . A[k.., j]). */
		for (size_t j = k + 1; j < d; j++) {
			double dot = v[k] * a[k * d + j];
			for (size_t i = k + 1; i < d; i++)
				dot += a[i * d + k] * a[i * d + j];
			a[k * d + j] -= 2.0 * dot * v[k];
			for (size_t i = k + 1; i < d; i++)
				a[i * d + j] -= 2.0 * dot * a[i * d + k];
		}
	}
	/* Q = H_0 (H_1 (... (H_{d-1} I))): each H_k touches rows k.. only. */
	memset(q, 0, d * d * sizeof *q);
	for (size_t i = 0; i < d; i++)
		q[i * d + i] = 1.0;
	for (size_t k = d; k-- > 0;) {
		for (size_t j = 0; j < d; j++) {
			double dot = v[k] * q[k * d + j];
			for (size_t i = k + 1; i < d; i++)
				dot += a[i * d + k] * q[i * d + j];
			q[k * d + j] -= 2.0 * dot * v[k];
			for (size_t i = k + 1; i < d; i++)
				q[i * d + j] -= 2.0 * dot * a[i * d + k];
		}
	}
	/* A = Q R = (Q D)(D R) with D = sign(diag R): R's diagonal made positive. */
	for (size_t j = 0; j < d; j++)
		if (diagonal[j] < 0)
			for (size_t i = 0; i < d; i++)
				q[i * d + j] = -q[i * d + j];
	free(a);
	free(v);
	free(diagonal);
	return 0;
}

void rotation_apply(const double *q, size_t d, const double *x, double *y)
{
	for (size_t i = 0; i < d; i++) {
		double sum = 0.0;
		for (size_t j = 0; j < d; j++)
			sum += q[i * d + j] * x[j];
		y[i] = sum;
	}
}
