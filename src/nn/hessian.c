/* hessian.c - the R-operator forward and backward passes (hessian.h). */
#include "hessian.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int hessian_workspace_create(struct hessian_workspace *hw, const struct network *net,
			     size_t capacity, struct error *err)
{
	size_t doubles = 0;

	memset(hw, 0, sizeof *hw);
	if (workspace_create(&hw->ws, net, capacity, err) != 0)
		return -1;
	capacity = hw->ws.capacity;
	for (size_t l = 0; l < net->n_layers; l++)
		doubles += 2 * net->layers[l].out;
	doubles += net->n_outputs + 6 * net->widest;
	if (doubles > SIZE_MAX / sizeof(double) / capacity) {
		hessian_workspace_free(hw);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	hw->block = malloc(capacity * doubles * sizeof *hw->block);
	hw->rz = malloc(net->n_layers * sizeof *hw->rz);
	hw->rh = malloc(net->n_layers * sizeof *hw->rh);
	if (!hw->block || !hw->rz || !hw->rh) {
		hessian_workspace_free(hw);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	double *p = hw->block;
	for (size_t l = 0; l < net->n_layers; l++) {
		hw->rz[l] = p;
		p += capacity * net->layers[l].out;
		hw->rh[l] = p;
		p += capacity * net->layers[l].out;
	}
	hw->r_output_grad = p;
	p += capacity * net->n_outputs;
	double **scratch[] = { &hw->delta[0], &hw->delta[1], &hw->r_delta[0], &hw->r_delta[1],
			       &hw->pre, &hw->r_pre };
	for (size_t i = 0; i < sizeof scratch / sizeof scratch[0]; i++) {
		*scratch[i] = p;
		p += capacity * net->widest;
	}
	return 0;
}

int hessian_workspace_cache(struct hessian_workspace *hw, const struct network *net,
			    size_t rows, struct error *err)
{
	size_t per_row = 0;

	for (size_t l = 0; l < net->n_layers; l++)
		per_row += (net->layers[l].skip ? 2 : 1) * net->layers[l].out;
	free(hw->cache);
	hw->cache = NULL;
	hw->cache_size = hw->cache_used = 0;
	hw->cache_valid = 0;
	if (rows > SIZE_MAX / sizeof(double) / (per_row ? per_row : 1))
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	hw->cache = malloc((rows * per_row > 0 ? rows * per_row : 1) * sizeof *hw->cache);
	if (!hw->cache)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	hw->cache_size = rows * per_row;
	return 0;
}

/* Keep (save) or replay the forward pass of a batch at hw->cache + hw->cache_used. */
static int cache_batch(const struct network *net, size_t batch, struct hessian_workspace *hw,
		       int save)
{
	for (size_t l = 0; l < net->n_layers; l++) {
		size_t n = batch * net->layers[l].out;
		double *arrays[2] = { hw->ws.activations[l], hw->ws.outputs[l] };
		for (int k = 0; k < (net->layers[l].skip ? 2 : 1); k++) {
			if (hw->cache_used + n > hw->cache_size)
				return -1;
			double *kept = hw->cache + hw->cache_used;
			if (save)
				memcpy(kept, arrays[k], n * sizeof *kept);
			else
				memcpy(arrays[k], kept, n * sizeof *kept);
			hw->cache_used += n;
		}
	}
	return 0;
}

void hessian_workspace_free(struct hessian_workspace *hw)
{
	free(hw->cache);
	workspace_free(&hw->ws);
	free(hw->block);
	free(hw->rz);
	free(hw->rh);
	memset(hw, 0, sizeof *hw);
}

/* y[batch x out] += x[batch x in] W^T, W[out x in]. */
static void multiply_add(const double *w, size_t in, size_t out, size_t batch, const double *x,
			 double *y)
{
	for (size_t b = 0; b < batch; b++) {
		const double *row = x + b * in;
		double *result = y + b * out;
		for (size_t o = 0; o < out; o++) {
			const double *wo = w + o * in;
			double sum = 0.0;
			for (size_t j = 0; j < in; j++)
				sum += wo[j] * row[j];
			result[o] += sum;
		}
	}
}

/* dx[batch x in] += dy[batch x out] W, W[out x in]. */
static void multiply_transpose_add(const double *w, size_t in, size_t out, size_t batch,
				   const double *dy, double *dx)
{
	for (size_t b = 0; b < batch; b++) {
		const double *d = dy + b * out;
		double *result = dx + b * in;
		for (size_t o = 0; o < out; o++) {
			const double *wo = w + o * in;
			double scale = d[o];
			for (size_t j = 0; j < in; j++)
				result[j] += scale * wo[j];
		}
	}
}

/* dw[out x in] += dy^T x, and db[out] += the column sums of dy when db is not NULL. */
static void outer_add(size_t in, size_t out, size_t batch, const double *x, const double *dy,
		      double *dw, double *db)
{
	for (size_t b = 0; b < batch; b++) {
		const double *row = x + b * in, *d = dy + b * out;
		for (size_t o = 0; o < out; o++) {
			double scale = d[o];
			double *dwo = dw + o * in;
			for (size_t j = 0; j < in; j++)
				dwo[j] += scale * row[j];
			if (db)
				db[o] += scale;
		}
	}
}

/* R{z}, R{h} of every layer, after network_forward on the same x. */
static void r_forward(const struct network *net, const double *params, const double *v,
		      const double *x, size_t batch, struct hessian_workspace *hw)
{
	const double *input = x, *r_input = NULL;       /* R{x} = 0 */

	for (size_t l = 0; l < net->n_layers; l++) {
		const struct layer *layer = &net->layers[l];
		size_t n = batch * layer->out;
		double *rz = hw->rz[l], *rh = hw->rh[l];
		dense_forward(v + layer->weights, v + layer->biases, layer->in, layer->out, batch,
			      input, rz);
		if (r_input)
			multiply_add(params + layer->weights, layer->in, layer->out, batch, r_input,
				     rz);
		/* R{a} = act'(z) R{z}: activation_backward's product. */
		activation_backward(layer->activation, n, hw->ws.activations[l], rz, rh);
		if (layer->skip && r_input)
			for (size_t i = 0; i < n; i++)
				rh[i] += r_input[i];
		input = hw->ws.outputs[l];
		r_input = rh;
	}
}

/* Adds H v of the batch's summed loss into hv, from ws.output_grad and r_output_grad. */
static void r_backward(const struct network *net, const double *params, const double *v,
		       const double *x, size_t batch, struct hessian_workspace *hw, double *hv)
{
	double *delta = hw->ws.output_grad, *r_delta = hw->r_output_grad;

	for (size_t l = net->n_layers; l-- > 0;) {
		const struct layer *layer = &net->layers[l];
		size_t n = batch * layer->out;
		const double *input = l > 0 ? hw->ws.outputs[l - 1] : x;
		const double *r_input = l > 0 ? hw->rh[l - 1] : NULL;
		const double *a = hw->ws.activations[l];
		double *pre = delta, *r_pre = r_delta;
		if (layer->activation != ACTIVATION_IDENTITY) {
			pre = hw->pre;
			r_pre = hw->r_pre;
			activation_backward(layer->activation, n, a, delta, pre);
			activation_backward_r(layer->activation, n, a, delta, hw->rz[l], r_delta,
					      r_pre);
		}
		outer_add(layer->in, layer->out, batch, input, r_pre, hv + layer->weights,
			  hv + layer->biases);
		if (r_input)
			outer_add(layer->in, layer->out, batch, r_input, pre, hv + layer->weights,
				  NULL);
		if (l == 0)
			break;
		/* The two buffers alternate; the head's arrays are neither. */
		double *below = delta == hw->delta[0] ? hw->delta[1] : hw->delta[0];
		double *r_below = r_delta == hw->r_delta[0] ? hw->r_delta[1] : hw->r_delta[0];
		size_t m = batch * layer->in;
		if (layer->skip) {
			memcpy(below, delta, m * sizeof *below);
			memcpy(r_below, r_delta, m * sizeof *r_below);
		} else {
			memset(below, 0, m * sizeof *below);
			memset(r_below, 0, m * sizeof *r_below);
		}
		multiply_transpose_add(params + layer->weights, layer->in, layer->out, batch, pre,
				       below);
		multiply_transpose_add(params + layer->weights, layer->in, layer->out, batch, r_pre,
				       r_below);
		multiply_transpose_add(v + layer->weights, layer->in, layer->out, batch, pre,
				       r_below);
		delta = below;
		r_delta = r_below;
	}
}

int objective_hessian_vector(const struct model *m, const double *params, const double *v,
			     struct row_source *rows, struct hessian_workspace *hw, double *hv,
			     struct objective_sums *sums, struct error *err)
{
	const struct head *head = m->head;
	const struct network *net = &m->net;
	size_t outputs = net->n_outputs, classes = m->schema.n_classes;
	struct row_batch batch;
	int replay = hw->cache && hw->cache_valid, keep = hw->cache && !hw->cache_valid;

	hw->cache_used = 0;
	for (;;) {
		if (rows->next(rows, hw->ws.capacity, &batch, err) != 0) {
			hw->cache_valid = 0;
			return -1;
		}
		if (batch.rows == 0) {
			hw->cache_valid = keep || replay;
			return 0;
		}
		const double *z = hw->ws.outputs[net->n_layers - 1];
		if (!replay || cache_batch(net, batch.rows, hw, 0) != 0) {
			replay = 0;
			z = network_forward(net, params, batch.x, batch.rows, &hw->ws);
			if (keep && cache_batch(net, batch.rows, hw, 1) != 0)
				keep = 0;
		}
		r_forward(net, params, v, batch.x, batch.rows, hw);
		sums->loss += head->loss(z, batch.y, batch.rows, outputs, hw->ws.output_grad);
		head->loss_hessian(z, batch.y, batch.rows, outputs, hw->rh[net->n_layers - 1],
				   hw->r_output_grad);
		sums->count += batch.rows;
		if (head->classifier)
			for (size_t b = 0; b < batch.rows; b++)
				if ((double)head_predict_class(head, z + b * outputs, classes,
							       hw->ws.row_scratch) == batch.y[b])
					sums->correct++;
		r_backward(net, params, v, batch.x, batch.rows, hw, hv);
	}
}
