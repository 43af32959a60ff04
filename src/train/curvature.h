/* curvature.h - lambda_max, lambda_min and trace of the Hessian (--curvature).
 *
 * The Hessian is that of the full-batch training objective, mean loss +
 * weight_decay/2 |weights|^2, over the training rows or a fixed seeded
 * subsample of them, and it is only ever touched through exact
 * Hessian-vector products (hessian.h).
 *
 * Method (each figure from products alone):
 *   - the eigenvalue of largest magnitude, mu, by power iteration on H;
 *   - the other end of the spectrum by power iteration on the shifted
 *     operator mu I - H (mu >= 0: its largest eigenvalue is mu - lambda_min)
 *     or H - mu I (mu < 0: then mu is lambda_min and this gives lambda_max);
 *   - the trace by Hutchinson's estimator, the mean of z^T H z over
 *     CURVATURE_PROBES Rademacher vectors z drawn from a stream of the
 *     tool's generator seeded apart from the shuffling, the same vectors
 *     every estimate (so that epochs compare); a model with at most
 *     CURVATURE_EXACT_TRACE parameters gets the exact trace from the unit
 *     vectors instead.
 * Products at the same weights share one forward pass (kept while it fits
 * in 256 MiB), so each costs about two passes through the first layer.
 * Each power iteration stops when the Rayleigh quotient changes by at most
 * CURVATURE_TOLERANCE relative to itself from one product to the next, or
 * after CURVATURE_ITERATIONS products, and starts from the vector the same
 * iteration ended with at the previous estimate (warm start), so that a
 * slowly changing Hessian costs a few products per epoch.
 */
#ifndef DESCENT_CURVATURE_H
#define DESCENT_CURVATURE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hessian.h"
#include "model.h"
#include "prng.h"
#include "source.h"

#define CURVATURE_TOLERANCE 1e-2
#define CURVATURE_ITERATIONS 10
#define CURVATURE_PROBES 4
#define CURVATURE_EXACT_TRACE 16

struct curvature {
	const struct model *m;
	double weight_decay;
	size_t *subsample;              /* the rows read, when a subsample; owned */
	struct memory_source rows;
	struct hessian_workspace hw;
	uint64_t seed;                  /* of the starting vectors and the probes */
	double *vectors;                /* one allocation: the four below */
	double *dominant, *other;       /* the warm starts, unit length */
	double *hv, *probe;
	int warm;
	/* Settings, the defaults above unless changed after curvature_init. */
	double tolerance;
	int max_iterations;
	int probes;
	size_t exact_trace;             /* parameters up to which the trace is exact */
};

struct curvature_figures {
	double lambda_max, lambda_min, trace;
	long products;                  /* Hessian-vector products this estimate */
};

/*
 * Get ready to estimate the curvature of m's objective on training rows:
 * all of them (sample 0 or at least training->count) or sample rows drawn
 * without replacement by a generator seeded from seed, kept for every
 * estimate.  Returns 0, or -1 with EXIT_SOFTWARE.
 */
int curvature_init(struct curvature *c, const struct model *m, const struct data_view *training,
		   size_t sample, double weight_decay, uint64_t seed, struct error *err);
void curvature_free(struct curvature *c);

/* Estimate the figures at params.  Returns 0, or -1 when a row source fails. */
int curvature_estimate(struct curvature *c, const double *params, struct curvature_figures *f,
		       struct error *err);

/*
 * Only lambda_max (the largest eigenvalue, or the dominant one when it is
 * negative), from a cold start, to tolerance and iterations; for the
 * divergence message.  Returns 0, or -1.
 */
int curvature_largest(struct curvature *c, const double *params, double tolerance,
		      int iterations, double *lambda_max, struct error *err);

/* One product: hv = H v of the mean objective.  Returns 0, or -1. */
int curvature_product(struct curvature *c, const double *params, const double *v, double *hv,
		      struct error *err);

#endif
