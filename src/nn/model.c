/* model.c - putting a head, a network and a schema together. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

size_t model_shape_layers(const struct model_shape *shape, size_t inputs, size_t outputs,
			  struct layer *layers)
{
	size_t in = inputs, skips = 0;

	for (size_t l = 0; l < shape->n_hidden; l++) {
		size_t out = shape->hidden[l];
		int skip = shape->residual && in == out;
		layers[l] = (struct layer){ .in = in, .out = out, .activation = shape->activation,
					    .skip = skip };
		skips += (size_t)skip;
		in = out;
	}
	layers[shape->n_hidden] = (struct layer){ .in = in, .out = outputs,
						  .activation = ACTIVATION_IDENTITY };
	return skips;
}

int model_create(struct model *m, const struct head *head, const struct layer *layers,
		 size_t n_layers, struct schema *schema, struct error *err)
{
	size_t outputs = head->outputs(schema->n_classes);

	memset(m, 0, sizeof *m);
	if (n_layers == 0 || layers[0].in != schema->n_features)
		return error_set(err, EXIT_DATA, "the first layer takes %zu inputs, not the %zu "
				 "features", n_layers ? layers[0].in : 0, schema->n_features);
	if (layers[n_layers - 1].out != outputs)
		return error_set(err, EXIT_DATA, "a %s model with %zu classes needs %zu outputs, "
				 "not %zu", head->name, schema->n_classes, outputs,
				 layers[n_layers - 1].out);
	if (layers[n_layers - 1].activation != ACTIVATION_IDENTITY || layers[n_layers - 1].skip)
		return error_set(err, EXIT_DATA, "the output layer must be plain (identity, no skip)");
	if (network_create(&m->net, layers, n_layers, err) != 0)
		return -1;
	m->params = calloc(m->net.n_params, sizeof *m->params);
	m->is_weight = malloc(m->net.n_params);
	if (!m->params || !m->is_weight) {
		model_free(m);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	network_weight_mask(&m->net, m->is_weight);
	m->head = head;
	schema_move(&m->schema, schema);
	return 0;
}

void model_free(struct model *m)
{
	network_free(&m->net);
	schema_free(&m->schema);
	free(m->params);
	free(m->is_weight);
	memset(m, 0, sizeof *m);
}
