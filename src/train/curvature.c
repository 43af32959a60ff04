/* curvature.c - power iterations and Hutchinson's trace on exact products. */
#include "curvature.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* At most this many doubles (256 MiB) keep the forward pass between products. */
#define CURVATURE_CACHE_DOUBLES ((size_t)32 << 20)

/* Rows per pass through the network, as the training loop's passes. */
#define CURVATURE_PASS_ROWS 256

/* The curvature's own streams, apart from the shuffling seeded by seed itself. */
#define STREAM_SUBSAMPLE 0x63757276u    /* "curv" */
#define STREAM_START 0x73746172u        /* "star" */
#define STREAM_PROBES 0x70726f62u       /* "prob" */

static uint64_t stream_seed(uint64_t seed, uint64_t stream)
{
	return seed ^ (stream << 32 | stream);
}

static int compare_rows(const void *a, const void *b)
{
	size_t left = *(const size_t *)a, right = *(const size_t *)b;

	return left < right ? -1 : left > right;
}

static double dot(const double *a, const double *b, size_t n)
{
	double sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

/* v scaled to unit length; 0 when v is zero or not finite. */
static int normalize(double *v, size_t n)
{
	double length = sqrt(dot(v, v, n));

	if (!(length > 0.0) || !isfinite(length))
		return 0;
	for (size_t i = 0; i < n; i++)
		v[i] /= length;
	return 1;
}

/* A random unit vector, uniform entries before scaling. */
static void random_start(double *v, size_t n, struct prng *random)
{
	for (size_t i = 0; i < n; i++)
		v[i] = prng_uniform(random) - 0.5;
	if (!normalize(v, n) && n > 0)
		v[0] = 1.0;
}

int curvature_init(struct curvature *c, const struct model *m, const struct data_view *training,
		   size_t sample, double weight_decay, uint64_t seed, struct error *err)
{
	size_t n = m->net.n_params;
	struct data_view view = *training;

	memset(c, 0, sizeof *c);
	c->m = m;
	c->weight_decay = weight_decay;
	c->seed = seed;
	c->tolerance = CURVATURE_TOLERANCE;
	c->max_iterations = CURVATURE_ITERATIONS;
	c->probes = CURVATURE_PROBES;
	c->exact_trace = CURVATURE_EXACT_TRACE;
	if (sample > 0 && sample < training->count) {
		struct prng random;
		size_t count = training->count;
		size_t *all = malloc(count * sizeof *all);
		if (!all)
			return error_set(err, EXIT_SOFTWARE, "out of memory");
		for (size_t i = 0; i < count; i++)
			all[i] = training->rows ? training->rows[i] : i;
		/* The first sample rows of a partial Fisher-Yates shuffle, in file order. */
		prng_seed(&random, stream_seed(seed, STREAM_SUBSAMPLE));
		for (size_t i = 0; i < sample; i++) {
			size_t j = i + (size_t)prng_below(&random, count - i);
			size_t t = all[i];
			all[i] = all[j];
			all[j] = t;
		}
		qsort(all, sample, sizeof *all, compare_rows);
		c->subsample = all;
		view.rows = all;
		view.count = sample;
	}
	size_t capacity = view.count < CURVATURE_PASS_ROWS ? view.count : CURVATURE_PASS_ROWS;
	c->vectors = malloc(4 * (n ? n : 1) * sizeof *c->vectors);
	if (!c->vectors) {
		curvature_free(c);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	c->dominant = c->vectors;
	c->other = c->vectors + n;
	c->hv = c->vectors + 2 * n;
	c->probe = c->vectors + 3 * n;
	if (hessian_workspace_create(&c->hw, &m->net, capacity, err) != 0) {
		curvature_free(c);
		return -1;
	}
	if (memory_source_init(&c->rows, &view, capacity, err) != 0) {
		hessian_workspace_free(&c->hw);
		curvature_free(c);
		return -1;
	}
	/* The forward pass kept between the products of an estimate, when it fits. */
	size_t per_row = 0;
	for (size_t l = 0; l < m->net.n_layers; l++)
		per_row += 2 * m->net.layers[l].out;
	if (view.count <= CURVATURE_CACHE_DOUBLES / (per_row ? per_row : 1))
		hessian_workspace_cache(&c->hw, &m->net, view.count, NULL);
	return 0;
}

void curvature_free(struct curvature *c)
{
	if (c->hw.block)
		hessian_workspace_free(&c->hw);
	if (c->rows.source.next)
		memory_source_free(&c->rows);
	free(c->subsample);
	free(c->vectors);
	memset(c, 0, sizeof *c);
}

/* H v at the params of the estimate under way (the kept forward pass). */
static int product(struct curvature *c, const double *params, const double *v, double *hv,
		   struct error *err)
{
	const struct model *m = c->m;
	size_t n = m->net.n_params;
	struct objective_sums sums = { 0 };

	memset(hv, 0, n * sizeof *hv);
	memory_source_rewind(&c->rows);
	if (objective_hessian_vector(m, params, v, &c->rows.source, &c->hw, hv, &sums, err) != 0)
		return -1;
	if (sums.count > 0)
		objective_divide(hv, n, sums.count);
	if (c->weight_decay != 0.0)
		for (size_t i = 0; i < n; i++)
			if (m->is_weight[i])
				hv[i] += c->weight_decay * v[i];
	return 0;
}

int curvature_product(struct curvature *c, const double *params, const double *v, double *hv,
		      struct error *err)
{
	c->hw.cache_valid = 0;
	return product(c, params, v, hv, err);
}

/*
 * Power iteration on sign H + shift I from the unit vector v, which it
 * leaves at the latest iterate: the operator's largest-magnitude
 * eigenvalue into *value (the last Rayleigh quotient).  Adds the products
 * used to *products.
 */
static int power_iterate(struct curvature *c, const double *params, double *v, double sign,
			 double shift, double tolerance, int iterations, double *value,
			 long *products, struct error *err)
{
	size_t n = c->m->net.n_params;
	double previous = 0.0, rho = 0.0;

	for (int k = 0; k < iterations; k++) {
		if (product(c, params, v, c->hv, err) != 0)
			return -1;
		++*products;
		for (size_t i = 0; i < n; i++)
			c->hv[i] = sign * c->hv[i] + shift * v[i];
		rho = dot(v, c->hv, n);
		int converged = k > 0 && fabs(rho - previous) <= tolerance * fabs(rho);
		previous = rho;
		if (!isfinite(rho))
			break;
		memcpy(c->probe, v, n * sizeof *v);     /* the iterate, in case hv is zero */
		memcpy(v, c->hv, n * sizeof *v);
		if (!normalize(v, n)) {
			memcpy(v, c->probe, n * sizeof *v);
			break;                          /* an eigenvector of eigenvalue 0 */
		}
		if (converged)
			break;
	}
	*value = rho;
	return 0;
}

int curvature_largest(struct curvature *c, const double *params, double tolerance,
		      int iterations, double *lambda_max, struct error *err)
{
	struct prng random;
	long products = 0;

	prng_seed(&random, stream_seed(c->seed, STREAM_START));
	random_start(c->dominant, c->m->net.n_params, &random);
	c->warm = 0;
	c->hw.cache_valid = 0;
	return power_iterate(c, params, c->dominant, 1.0, 0.0, tolerance, iterations, lambda_max,
			     &products, err);
}

int curvature_estimate(struct curvature *c, const double *params, struct curvature_figures *f,
		       struct error *err)
{
	size_t n = c->m->net.n_params;
	double mu, other;
	struct prng random;

	memset(f, 0, sizeof *f);
	c->hw.cache_valid = 0;          /* new params: a fresh forward pass */
	if (!c->warm) {
		prng_seed(&random, stream_seed(c->seed, STREAM_START));
		random_start(c->dominant, n, &random);
		random_start(c->other, n, &random);
		c->warm = 1;
	}
	if (power_iterate(c, params, c->dominant, 1.0, 0.0, c->tolerance, c->max_iterations, &mu,
			  &f->products, err) != 0)
		return -1;
	if (mu >= 0) {
		/* mu I - H >= 0 (near enough): its top eigenvalue is mu - lambda_min. */
		if (power_iterate(c, params, c->other, -1.0, mu, c->tolerance, c->max_iterations,
				  &other, &f->products, err) != 0)
			return -1;
		f->lambda_max = mu;
		f->lambda_min = mu - other;
	} else {
		/* The dominant eigenvalue is the smallest; H - mu I >= 0 finds the largest. */
		if (power_iterate(c, params, c->other, 1.0, -mu, c->tolerance, c->max_iterations,
				  &other, &f->products, err) != 0)
			return -1;
		f->lambda_min = mu;
		f->lambda_max = mu + other;
	}
	/* The trace: exact from unit vectors for a small model, else Hutchinson's. */
	double sum = 0.0;
	int exact = n <= c->exact_trace;
	int count = exact ? (int)n : c->probes;
	prng_seed(&random, stream_seed(c->seed, STREAM_PROBES));
	for (int k = 0; k < count; k++) {
		if (exact) {
			memset(c->probe, 0, n * sizeof *c->probe);
			c->probe[k] = 1.0;
		} else {
			for (size_t i = 0; i < n; i++)
				c->probe[i] = prng_next(&random) >> 63 ? 1.0 : -1.0;
		}
		if (product(c, params, c->probe, c->hv, err) != 0)
			return -1;
		f->products++;
		sum += dot(c->probe, c->hv, n);
	}
	f->trace = exact ? sum : sum / (double)count;
	return 0;
}
