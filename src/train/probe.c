/* probe.c - --probe symmetry on a copy of the parameters. */
#include "probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "objective.h"
#include "output.h"
#include "prng.h"

/* Rows (weights and biases) of layer l: new row perm[i] = old row i. */
static void permute_rows(const struct network *net, double *params, size_t l,
			 const size_t *perm, double *scratch)
{
	const struct layer *layer = &net->layers[l];
	double *w = params + layer->weights, *b = params + layer->biases;

	memcpy(scratch, w, layer->out * layer->in * sizeof *w);
	for (size_t i = 0; i < layer->out; i++)
		memcpy(w + perm[i] * layer->in, scratch + i * layer->in, layer->in * sizeof *w);
	memcpy(scratch, b, layer->out * sizeof *b);
	for (size_t i = 0; i < layer->out; i++)
		b[perm[i]] = scratch[i];
}

/* Columns of layer l's weights: new column perm[j] = old column j. */
static void permute_columns(const struct network *net, double *params, size_t l,
			    const size_t *perm, double *scratch)
{
	const struct layer *layer = &net->layers[l];
	double *w = params + layer->weights;

	for (size_t o = 0; o < layer->out; o++) {
		double *row = w + o * layer->in;
		memcpy(scratch, row, layer->in * sizeof *row);
		for (size_t j = 0; j < layer->in; j++)
			row[perm[j]] = scratch[j];
	}
}

/* Scratch for one permutation: the largest weight matrix. */
static double *permutation_scratch(const struct network *net)
{
	size_t largest = 1;

	for (size_t l = 0; l < net->n_layers; l++)
		if (net->layers[l].out * net->layers[l].in > largest)
			largest = net->layers[l].out * net->layers[l].in;
	return malloc(largest * sizeof(double));
}

int probe_permute_units(const struct network *net, double *params, size_t l,
			const size_t *perm, struct error *err)
{
	double *scratch = permutation_scratch(net);

	if (!scratch)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	permute_rows(net, params, l, perm, scratch);
	permute_columns(net, params, l + 1, perm, scratch);
	free(scratch);
	return 0;
}

int probe_skip_chain(const struct network *net, size_t l, size_t *first, size_t *last)
{
	size_t a = l, b = l;

	while (a > 0 && net->layers[a].skip)
		a--;
	while (b + 2 < net->n_layers && net->layers[b + 1].skip)
		b++;
	*first = a;
	*last = b;
	return net->layers[a].skip;
}

int probe_permute_shared(const struct network *net, double *params, size_t l,
			 const size_t *perm, struct error *err)
{
	size_t first, last;
	double *scratch;

	if (probe_skip_chain(net, l, &first, &last))
		return error_set(err, EXIT_USAGE, "layer %zu's units are tied to the inputs by an "
				 "identity skip: no permutation of the weights keeps them", l + 1);
	scratch = permutation_scratch(net);
	if (!scratch)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	for (size_t k = first; k <= last; k++) {
		permute_rows(net, params, k, perm, scratch);
		permute_columns(net, params, k + 1, perm, scratch);
	}
	free(scratch);
	return 0;
}

void probe_rescale_units(const struct network *net, double *params, size_t l, double c)
{
	const struct layer *layer = &net->layers[l], *next = &net->layers[l + 1];

	for (size_t i = 0; i < layer->out * layer->in + layer->out; i++)
		params[layer->weights + i] *= c;
	for (size_t i = 0; i < next->out * next->in; i++)
		params[next->weights + i] /= c;
}

int probe_evaluate(const struct model *m, const double *params, const struct data_view *rows,
		   double *loss, double *grad_norm, struct error *err)
{
	enum { PASS_ROWS = 256 };
	size_t capacity = rows->count < PASS_ROWS ? rows->count : PASS_ROWS;
	struct workspace ws = { 0 };
	struct memory_source source = { 0 };
	struct objective_sums sums = { 0 };
	double *grad = calloc(m->net.n_params ? m->net.n_params : 1, sizeof *grad);
	int result = -1;

	if (!grad) {
		error_set(err, EXIT_SOFTWARE, "out of memory");
		goto done;
	}
	if (capacity == 0)
		capacity = 1;
	if (workspace_create(&ws, &m->net, capacity, err) != 0 ||
	    memory_source_init(&source, rows, capacity, err) != 0 ||
	    objective_add(m, params, &source.source, &ws, grad, &sums, err) != 0)
		goto done;
	double count = sums.count ? (double)sums.count : 1.0, squares = 0.0;
	for (size_t i = 0; i < m->net.n_params; i++) {
		double g = grad[i] / count;
		squares += g * g;
	}
	*loss = sums.loss / count;
	*grad_norm = sqrt(squares);
	result = 0;
done:
	free(grad);
	workspace_free(&ws);
	memory_source_free(&source);
	return result;
}

/* A random permutation of n units, never the identity when n > 1. */
static void random_permutation(struct prng *random, size_t *perm, size_t n)
{
	int identity = 1;

	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	prng_shuffle(random, perm, n);
	for (size_t i = 0; i < n; i++)
		identity &= perm[i] == i;
	if (identity && n > 1) {
		perm[0] = 1;
		perm[1] = 0;
	}
}

int probe_symmetry(const struct model *m, const struct data_view *rows, uint64_t seed,
		   struct probe_record **records, size_t *n_records, struct error *err)
{
	const struct network *net = &m->net;
	size_t hidden = net->n_layers - 1, n = 0;
	double loss, norm;
	struct prng random;
	struct probe_record *out = NULL;
	double *copy = NULL;
	size_t *perm = NULL;
	int result = -1;

	*records = NULL;
	*n_records = 0;
	if (hidden == 0)
		return error_set(err, EXIT_USAGE, "--probe symmetry needs hidden layers (--hidden): "
				 "a model without them has no hidden units to permute or rescale");
	out = calloc(3 * hidden, sizeof *out);
	copy = malloc(net->n_params * sizeof *copy);
	perm = malloc(net->widest * sizeof *perm);
	if (!out || !copy || !perm) {
		error_set(err, EXIT_SOFTWARE, "out of memory");
		goto done;
	}
	if (probe_evaluate(m, m->params, rows, &loss, &norm, err) != 0)
		goto done;
	prng_seed(&random, seed);
	for (size_t l = 0; l < hidden; l++) {
		const struct layer *layer = &net->layers[l];
		size_t first, last;
		int tied = probe_skip_chain(net, l, &first, &last);
		for (int kind = 0; kind < 3; kind++) {
			struct probe_record *r = &out[n];
			memcpy(copy, m->params, net->n_params * sizeof *copy);
			if (kind == 0) {
				random_permutation(&random, perm, layer->out);
				if (probe_permute_units(net, copy, l, perm, err) != 0)
					goto done;
				snprintf(r->kind, sizeof r->kind, "permutation:%zu", l + 1);
			} else if (kind == 1) {
				if (tied || first == last)
					continue;
				random_permutation(&random, perm, layer->out);
				if (probe_permute_shared(net, copy, l, perm, err) != 0)
					goto done;
				snprintf(r->kind, sizeof r->kind, "permutation-shared:%zu", l + 1);
			} else {
				char factor[32];
				if (layer->activation != ACTIVATION_RELU || layer->skip ||
				    net->layers[l + 1].skip)
					continue;
				probe_rescale_units(net, copy, l, PROBE_RESCALE);
				output_format_shortest(factor, sizeof factor, PROBE_RESCALE);
				snprintf(r->kind, sizeof r->kind, "rescale:%zu:%s", l + 1, factor);
			}
			r->loss_before = loss;
			r->grad_norm_before = norm;
			if (probe_evaluate(m, copy, rows, &r->loss_after, &r->grad_norm_after, err) != 0)
				goto done;
			n++;
		}
	}
	*records = out;
	*n_records = n;
	out = NULL;
	result = 0;
done:
	free(out);
	free(copy);
	free(perm);
	return result;
}

void probe_write(FILE *out, const struct probe_record *records, size_t n_records)
{
	for (size_t i = 0; i < n_records; i++) {
		const struct probe_record *r = &records[i];
		fprintf(out, "symmetry,%s,", r->kind);
		output_write_exact(out, r->loss_before);
		putc(',', out);
		output_write_exact(out, r->loss_after);
		putc(',', out);
		output_write_exact(out, r->grad_norm_before);
		putc(',', out);
		output_write_exact(out, r->grad_norm_after);
		putc('\n', out);
	}
}
