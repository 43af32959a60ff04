/* model.h - a trained or trainable model: head, network, schema, weights.
 *
 * A model is an output head (head.h) on a network (network.h), with the
 * schema (schema.h) that says which columns feed it and how they are
 * standardised, and its parameters in the network's flat layout.  The model
 * owns all of it; model_free releases it.  Passes over data go through
 * objective.h with a caller-owned workspace, so a model never changes
 * while it is evaluated.
 */
#ifndef DESCENT_MODEL_H
#define DESCENT_MODEL_H

#include <stddef.h>

#include "error.h"
#include "head.h"
#include "network.h"
#include "schema.h"

struct model {
	const struct head *head;
	struct network net;
	struct schema schema;
	double *params;                 /* net.n_params */
	unsigned char *is_weight;       /* net.n_params: 1 for weights, 0 for biases */
};

/* The architecture the command line asks for. */
struct model_shape {
	const size_t *hidden;           /* widths of the hidden layers */
	size_t n_hidden;
	enum activation activation;     /* of every hidden layer */
	int residual;                   /* skip on every hidden layer with in == out */
};

/*
 * The layer descriptions of shape between inputs and outputs, into
 * layers[shape->n_hidden + 1].  Returns how many layers have a skip.
 */
size_t model_shape_layers(const struct model_shape *shape, size_t inputs, size_t outputs,
			  struct layer *layers);

/*
 * A model with zeroed parameters.  The schema is moved in (left empty in
 * the caller); the layers must take schema->n_features inputs and give the
 * outputs the head needs for schema->n_classes classes.  Returns 0, or -1:
 * EXIT_DATA when the pieces do not fit, EXIT_SOFTWARE for memory (the
 * schema is then still the caller's).
 */
int model_create(struct model *m, const struct head *head, const struct layer *layers,
		 size_t n_layers, struct schema *schema, struct error *err);
void model_free(struct model *m);

#endif
