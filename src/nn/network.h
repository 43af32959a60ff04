/* network.h - a stack of dense layers and the one parameter layout.
 *
 * A network maps inputs[batch x n_inputs] through its layers to outputs
 * [batch x n_outputs] that an output head (head.h) turns into a loss.
 * Hidden layers apply their activation, and a residual layer adds its
 * input: h = act(W x + b) + x.  The last layer is the output layer: its
 * activation is the identity and it has no skip.
 *
 * Parameters live in one flat array of n_params doubles.  Layer after
 * layer, it holds the weight matrix W (out x in, row-major) and then the
 * bias vector b (out).  network_create is the one place that works this
 * layout out; everything else uses the offsets it stores in each layer.
 * Gradients and optimizer state use the same layout.
 *
 * A network is only a description: it holds no parameters and no scratch.
 * Forward and backward passes work in a caller-owned struct workspace, so
 * one network can be evaluated by several callers at once.
 */
#ifndef DESCENT_NETWORK_H
#define DESCENT_NETWORK_H

#include <stddef.h>

#include "error.h"
#include "layer.h"
#include "prng.h"

struct layer {
	size_t in, out;
	enum activation activation;     /* identity for the output layer */
	int skip;                       /* adds its input; needs in == out */
	size_t weights;                 /* offset of W[out x in] in the parameters */
	size_t biases;                  /* offset of b[out] */
};

struct network {
	size_t n_layers;
	struct layer *layers;           /* n_layers, owned */
	size_t n_inputs, n_outputs;
	size_t n_params;
	size_t widest;                  /* largest width, inputs included */
};

/*
 * Build a network from n_layers layer descriptions (in, out, activation,
 * skip; the offsets are filled in here).  Each layer's in must be the
 * previous layer's out, a skip needs in == out, and the sizes must fit in
 * memory.  Returns 0, or -1 with EXIT_SOFTWARE (memory) or EXIT_DATA (a
 * description that does not fit together; err says which layer).
 */
int network_create(struct network *net, const struct layer *layers, size_t n_layers,
		   struct error *err);
void network_free(struct network *net);

/* mask[n_params]: 1 for every weight, 0 for every bias (weight decay). */
void network_weight_mask(const struct network *net, unsigned char *mask);

/*
 * Initial parameters: all zero for a network without hidden layers; else
 * every weight uniform in [-limit, limit] from the generator, layer by layer
 * in parameter order, biases zero.  The limit of a hidden layer is
 * He's sqrt(6 / in) for relu and Glorot's sqrt(6 / (in + out)) for tanh and
 * sigmoid; the output layer, whose activation is the identity, takes
 * Glorot's.
 */
void network_initialize(const struct network *net, double *params, struct prng *random);

/*
 * Room for the passes over batches of up to capacity rows.  The caller owns
 * it; workspace_free releases it.
 */
struct workspace {
	size_t capacity;                /* rows per pass */
	double **activations;           /* per layer [capacity x out]: act(W x + b) */
	double **outputs;               /* per layer [capacity x out]: what the next
					   layer reads (== activations unless skip) */
	double *output_grad;            /* [capacity x n_outputs]: d loss / d outputs */
	double *delta, *pre, *next;     /* [capacity x widest] each: backward scratch */
	double *row_scratch;            /* widest + 1 doubles for one row (heads) */
	double *block;                  /* the one allocation */
};

int workspace_create(struct workspace *ws, const struct network *net, size_t capacity,
		     struct error *err);
void workspace_free(struct workspace *ws);

/*
 * Forward pass of x[batch x n_inputs], batch <= ws->capacity.  Returns the
 * outputs [batch x n_outputs], which live in the workspace.
 */
const double *network_forward(const struct network *net, const double *params,
			      const double *x, size_t batch, struct workspace *ws);

/*
 * Backward pass after network_forward on the same x and batch, from
 * ws->output_grad [batch x n_outputs]: adds the gradient of the summed loss
 * with respect to every parameter into grad[n_params].
 */
void network_backward(const struct network *net, const double *params, const double *x,
		      size_t batch, struct workspace *ws, double *grad);

#endif
