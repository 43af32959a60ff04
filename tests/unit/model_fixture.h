/* model_fixture.h - small models for the unit tests of the nn core.
 *
 * Shared by the tests that build models directly (models, hessian,
 * landscape): a schema with features f1.., classes class0.. and target t
 * moved into a model on the given layers, and random parameters scaled so
 * that no ReLU unit is likely to sit at its kink.
 */
#ifndef DESCENT_MODEL_FIXTURE_H
#define DESCENT_MODEL_FIXTURE_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "head.h"
#include "model.h"
#include "network.h"
#include "prng.h"
#include "schema.h"

static inline char *fixture_copy(const char *text)
{
	char *s = strdup(text);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* A model of head_name on layers; the schema is checked to have moved in. */
static inline void fixture_model(struct model *m, const char *head_name, size_t n_features,
				 size_t n_classes, const struct layer *layers, size_t n_layers)
{
	const struct head *head = head_find(head_name);
	struct schema s;
	struct error err;
	char name[32];

	ck_assert_ptr_nonnull(head);
	ck_assert_int_eq(schema_allocate(&s, n_features, n_classes, &err), 0);
	for (size_t j = 0; j < n_features; j++) {
		snprintf(name, sizeof name, "f%zu", j + 1);
		s.feature_names[j] = fixture_copy(name);
	}
	for (size_t k = 0; k < n_classes; k++) {
		snprintf(name, sizeof name, "class%zu", k);
		s.class_labels[k] = fixture_copy(name);
	}
	s.target_name = fixture_copy("t");
	ck_assert_msg(model_create(m, head, layers, n_layers, &s, &err) == 0, "%s", err.message);
	ck_assert_ptr_null(s.feature_names);
	ck_assert_uint_eq(s.n_features, 0);
}

/* Weights uniform in +-1.5/sqrt(in), biases in [-0.1, 0.4). */
static inline void fixture_randomize(const struct network *net, double *params, struct prng *r)
{
	for (size_t l = 0; l < net->n_layers; l++) {
		const struct layer *layer = &net->layers[l];
		double scale = 1.5 / sqrt((double)layer->in);
		for (size_t i = layer->weights; i < layer->biases; i++)
			params[i] = scale * (2.0 * prng_uniform(r) - 1.0);
		for (size_t i = layer->biases; i < layer->biases + layer->out; i++)
			params[i] = 0.5 * prng_uniform(r) - 0.1;
	}
}

#endif
