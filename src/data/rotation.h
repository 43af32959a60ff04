/* rotation.h - a random orthogonal matrix for --rotate.
 *
 * rotation_random draws a d x d matrix A of independent standard normal
 * entries from the tool's seeded generator (polar method), factors it
 * A = QR by Householder reflections and flips the columns of Q whose
 * diagonal entry of R is negative, so that R has a positive diagonal: that
 * Q is uniformly (Haar) distributed over the orthogonal matrices.  The
 * same seed gives the same Q.  The schema (schema.h) keeps it and applies
 * it after standardisation: x <- Q (x - mean) / scale.
 */
#ifndef DESCENT_ROTATION_H
#define DESCENT_ROTATION_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* --rotate refuses wider inputs: Q has d^2 entries and costs d^3 to draw. */
#define ROTATION_MAX_INPUTS 1024

/*
 * q[d x d] (row-major) = a Haar-random orthogonal matrix from seed.
 * Returns 0, or -1 with EXIT_SOFTWARE (memory).
 */
int rotation_random(double *q, size_t d, uint64_t seed, struct error *err);

/* y[d] = q[d x d] x[d]; y and x must not overlap. */
void rotation_apply(const double *q, size_t d, const double *x, double *y);

#endif
