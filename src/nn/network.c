/* network.c - the parameter layout, initialisation, forward and backward. */
#include "network.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* a * b + c, or SIZE_MAX when that overflows. */
static size_t checked_multiply_add(size_t a, size_t b, size_t c)
{
	if (a != 0 && b > (SIZE_MAX - c) / a)
		return SIZE_MAX;
	return a * b + c;
}

int network_create(struct network *net, const struct layer *layers, size_t n_layers,
		   struct error *err)
{
	size_t offset = 0;

	memset(net, 0, sizeof *net);
	if (n_layers == 0)
		return error_set(err, EXIT_DATA, "a network needs at least one layer");
	for (size_t l = 0; l < n_layers; l++) {
		const struct layer *layer = &layers[l];
		if (layer->in == 0 || layer->out == 0)
			return error_set(err, EXIT_DATA, "layer %zu has no inputs or no outputs", l + 1);
		if (l > 0 && layer->in != layers[l - 1].out)
			return error_set(err, EXIT_DATA,
					 "layer %zu has %zu inputs but layer %zu has %zu outputs",
					 l + 1, layer->in, l, layers[l - 1].out);
		if (layer->skip && layer->in != layer->out)
			return error_set(err, EXIT_DATA,
					 "layer %zu adds its input but has %zu inputs and %zu outputs",
					 l + 1, layer->in, layer->out);
		/* out * in weights and out biases, counted without overflow. */
		size_t size = checked_multiply_add(layer->out, layer->in, layer->out);
		if (size == SIZE_MAX || offset > SIZE_MAX / sizeof(double) - size)
			return error_set(err, EXIT_DATA, "layer %zu is too large", l + 1);
		offset += size;
	}
	if (offset > SIZE_MAX / sizeof(double) / 4)
		return error_set(err, EXIT_DATA, "the network is too large");
	net->layers = malloc(n_layers * sizeof *net->layers);
	if (!net->layers)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	memcpy(net->layers, layers, n_layers * sizeof *layers);
	net->n_layers = n_layers;
	net->n_inputs = layers[0].in;
	net->n_outputs = layers[n_layers - 1].out;
	net->widest = net->n_inputs;
	offset = 0;
	for (size_t l = 0; l < n_layers; l++) {
		struct layer *layer = &net->layers[l];
		layer->weights = offset;
		layer->biases = offset + layer->out * layer->in;
		offset = layer->biases + layer->out;
		if (layer->out > net->widest)
			net->widest = layer->out;
	}
	net->n_params = offset;
	return 0;
}

void network_free(struct network *net)
{
	free(net->layers);
	memset(net, 0, sizeof *net);
}

void network_weight_mask(const struct network *net, unsigned char *mask)
{
	for (size_t l = 0; l < net->n_layers; l++) {
		const struct layer *layer = &net->layers[l];
		memset(mask + layer->weights, 1, layer->biases - layer->weights);
		memset(mask + layer->biases, 0, layer->out);
	}
}

void network_initialize(const struct network *net, double *params, struct prng *random)
{
	memset(params, 0, net->n_params * sizeof *params);
	if (net->n_layers == 1)
		return;
	for (size_t l = 0; l < net->n_layers; l++) {
		const struct layer *layer = &net->layers[l];
		double fan = layer->activation == ACTIVATION_RELU ? (double)layer->in
				: (double)(layer->in + layer->out);
		double limit = sqrt(6.0 / fan);
		for (size_t i = layer->weights; i < layer->biases; i++)
			params[i] = limit * (2.0 * prng_uniform(random) - 1.0);
	}
}

int workspace_create(struct workspace *ws, const struct network *net, size_t capacity,
		     struct error *err)
{
	size_t doubles = 0;

	memset(ws, 0, sizeof *ws);
	if (capacity == 0)
		capacity = 1;
	/* Per layer one array, two for a residual one; then the scratch. */
	for (size_t l = 0; l < net->n_layers; l++)
		doubles += (net->layers[l].skip ? 2 : 1) * net->layers[l].out;
	doubles += net->n_outputs + 3 * net->widest;
	if (doubles > SIZE_MAX / sizeof(double) / capacity - net->widest - 1)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	ws->block = malloc((capacity * doubles + net->widest + 1) * sizeof *ws->block);
	ws->activations = malloc(net->n_layers * sizeof *ws->activations);
	ws->outputs = malloc(net->n_layers * sizeof *ws->outputs);
	if (!ws->block || !ws->activations || !ws->outputs) {
		workspace_free(ws);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	ws->capacity = capacity;
	double *p = ws->block;
	for (size_t l = 0; l < net->n_layers; l++) {
		size_t size = capacity * net->layers[l].out;
		ws->activations[l] = p;
		p += size;
		ws->outputs[l] = ws->activations[l];
		if (net->layers[l].skip) {
			ws->outputs[l] = p;
			p += size;
		}
	}
	ws->output_grad = p;
	p += capacity * net->n_outputs;
	ws->delta = p;
	p += capacity * net->widest;
	ws->pre = p;
	p += capacity * net->widest;
	ws->next = p;
	p += capacity * net->widest;
	ws->row_scratch = p;
	return 0;
}

void workspace_free(struct workspace *ws)
{
	free(ws->block);
	free(ws->activations);
	free(ws->outputs);
	memset(ws, 0, sizeof *ws);
}

const double *network_forward(const struct network *net, const double *params,
			      const double *x, size_t batch, struct workspace *ws)
{
	const double *input = x;

	for (size_t l = 0; l < net->n_layers; l++) {
		const struct layer *layer = &net->layers[l];
		double *a = ws->activations[l];
		dense_forward(params + layer->weights, params + layer->biases, layer->in, layer->out,
			      batch, input, a);
		if (layer->activation != ACTIVATION_IDENTITY)
			activation_forward(layer->activation, batch * layer->out, a, a);
		if (layer->skip)
			residual_add(batch * layer->out, a, input, ws->outputs[l]);
		input = ws->outputs[l];
	}
	return input;
}

void network_backward(const struct network *net, const double *params, const double *x,
		      size_t batch, struct workspace *ws, double *grad)
{
	/* delta: d loss / d (this layer's output h), starting at the head. */
	double *delta = ws->output_grad;

	for (size_t l = net->n_layers; l-- > 0;) {
		const struct layer *layer = &net->layers[l];
		size_t n = batch * layer->out;
		const double *input = l > 0 ? ws->outputs[l - 1] : x;
		/* d loss / d (W x + b): through the activation, unless identity. */
		double *pre = delta;
		if (layer->activation != ACTIVATION_IDENTITY) {
			pre = ws->pre;
			activation_backward(layer->activation, n, ws->activations[l], delta, pre);
		}
		/* The input gradient is needed only below the first layer. */
		double *below = l > 0 ? (delta == ws->next ? ws->delta : ws->next) : NULL;
		dense_backward(params + layer->weights, layer->in, layer->out, batch, input, pre,
			       grad + layer->weights, grad + layer->biases, below);
		if (below && layer->skip)
			for (size_t i = 0; i < n; i++)
				below[i] += delta[i];
		delta = below;
	}
}
