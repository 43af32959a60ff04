/* model.c - the model registry, parameter layout, loss and gradient.
 *
 * A model owns its sizes, parameters, weight mask, the copied feature names,
 * standardisation statistics and class labels, and a scratch buffer for the
 * outputs of one example; model_free releases all of them.
 */
#define _POSIX_C_SOURCE 200809L
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const struct model_kind model_linear, model_logistic;

const struct model_kind *const model_kinds[] = {
	&model_linear,
	&model_logistic,
	NULL
};

const struct model_kind *model_kind_find(const char *name)
{
	for (size_t i = 0; model_kinds[i]; i++)
		if (strcmp(model_kinds[i]->name, name) == 0)
			return model_kinds[i];
	return NULL;
}

static void free_strings(char **strings, size_t count)
{
	if (!strings)
		return;
	for (size_t i = 0; i < count; i++)
		free(strings[i]);
	free(strings);
}

int model_allocate(struct model *m, const struct model_kind *kind, const size_t *sizes,
		   size_t n_layers, size_t n_classes, struct error *err)
{
	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->n_layers = n_layers;
	m->sizes = malloc((n_layers + 1) * sizeof *m->sizes);
	if (!m->sizes)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	memcpy(m->sizes, sizes, (n_layers + 1) * sizeof *sizes);
	size_t widest = 0;
	for (size_t l = 0; l < n_layers; l++) {
		m->n_params += sizes[l + 1] * sizes[l] + sizes[l + 1];
		if (sizes[l + 1] > widest)
			widest = sizes[l + 1];
	}
	m->n_features = sizes[0];
	m->n_classes = n_classes;
	m->params = calloc(m->n_params ? m->n_params : 1, sizeof *m->params);
	m->is_weight = calloc(m->n_params ? m->n_params : 1, 1);
	m->feature_names = calloc(m->n_features ? m->n_features : 1, sizeof *m->feature_names);
	m->feature_mean = calloc(m->n_features ? m->n_features : 1, sizeof *m->feature_mean);
	m->feature_scale = malloc((m->n_features ? m->n_features : 1) * sizeof *m->feature_scale);
	m->class_labels = calloc(n_classes ? n_classes : 1, sizeof *m->class_labels);
	/* outputs z, d loss / d z, and class probabilities */
	m->scratch = malloc((2 * widest + n_classes + 1) * sizeof *m->scratch);
	if (!m->params || !m->is_weight || !m->feature_names || !m->feature_mean ||
	    !m->feature_scale || !m->class_labels || !m->scratch) {
		model_free(m);
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	}
	for (size_t j = 0; j < m->n_features; j++)
		m->feature_scale[j] = 1.0;
	size_t offset = 0;
	for (size_t l = 0; l < n_layers; l++) {
		size_t weights = sizes[l + 1] * sizes[l];
		memset(m->is_weight + offset, 1, weights);
		offset += weights + sizes[l + 1];
	}
	return 0;
}

int model_init(struct model *m, const struct model_kind *kind, const struct dataset *d,
	       struct error *err)
{
	size_t sizes[2] = { d->features, kind->outputs(d->n_classes) };

	if (model_allocate(m, kind, sizes, 1, d->n_classes, err) != 0)
		return -1;
	for (size_t j = 0; j < d->features; j++) {
		m->feature_names[j] = strdup(d->feature_names[j]);
		if (!m->feature_names[j])
			goto out_of_memory;
	}
	for (size_t k = 0; k < d->n_classes; k++) {
		m->class_labels[k] = strdup(d->class_labels[k]);
		if (!m->class_labels[k])
			goto out_of_memory;
	}
	if (d->target_name) {
		m->target_name = strdup(d->target_name);
		if (!m->target_name)
			goto out_of_memory;
	}
	return 0;
out_of_memory:
	model_free(m);
	return error_set(err, EXIT_SOFTWARE, "out of memory");
}

void model_free(struct model *m)
{
	free_strings(m->feature_names, m->n_features);
	free_strings(m->class_labels, m->n_classes);
	free(m->sizes);
	free(m->params);
	free(m->is_weight);
	free(m->feature_mean);
	free(m->feature_scale);
	free(m->target_name);
	free(m->scratch);
	memset(m, 0, sizeof *m);
}

/*
 * z[out] = W x + b for one dense layer whose parameters start at p:
 * W is out x in row-major, then b[out].
 */
static void dense_forward(const double *p, size_t in, size_t out, const double *x, double *z)
{
	const double *bias = p + out * in;

	for (size_t o = 0; o < out; o++) {
		const double *row = p + o * in;
		double sum = 0.0;
		for (size_t j = 0; j < in; j++)
			sum += row[j] * x[j];
		z[o] = sum + bias[o];
	}
}

/* Accumulate the layer's gradient: dW += dz x^T, db += dz. */
static void dense_backward(double *grad, size_t in, size_t out, const double *x, const double *dz)
{
	double *bias = grad + out * in;

	for (size_t o = 0; o < out; o++) {
		double *row = grad + o * in;
		for (size_t j = 0; j < in; j++)
			row[j] += dz[o] * x[j];
		bias[o] += dz[o];
	}
}

void model_forward(const struct model *m, const double *params, const double *x, double *z)
{
	dense_forward(params, m->sizes[0], m->sizes[1], x, z);
}

double model_loss_grad(const struct model *m, const double *params, const struct dataset *d,
		       const size_t *index, size_t count, double *grad)
{
	size_t in = m->sizes[0], out = m->sizes[1];
	double *z = m->scratch, *dz = m->scratch + out;
	double total = 0.0;

	if (grad)
		memset(grad, 0, m->n_params * sizeof *grad);
	for (size_t k = 0; k < count; k++) {
		size_t row = index ? index[k] : k;
		const double *x = d->x + row * d->features;
		dense_forward(params, in, out, x, z);
		total += m->kind->loss(z, d->y[row], grad ? dz : NULL, out);
		if (grad)
			dense_backward(grad, in, out, x, dz);
	}
	if (count == 0)
		return 0.0;
	if (grad)
		for (size_t i = 0; i < m->n_params; i++)
			grad[i] /= (double)count;
	return total / (double)count;
}

size_t model_predict_class(const struct model *m, const double *z)
{
	double *p = m->scratch + 2 * m->sizes[m->n_layers];
	size_t best = 0;

	m->kind->probabilities(z, p, m->n_classes);
	for (size_t k = 1; k < m->n_classes; k++)
		if (p[k] > p[best])
			best = k;
	return best;
}

double model_evaluate(const struct model *m, const double *params, const struct dataset *d,
		      double *accuracy)
{
	size_t out = m->sizes[m->n_layers];
	double *z = m->scratch;         /* model_predict_class uses past 2 * out */
	double total = 0.0;
	size_t right = 0;

	for (size_t row = 0; row < d->rows; row++) {
		model_forward(m, params, d->x + row * d->features, z);
		total += m->kind->loss(z, d->y[row], NULL, out);
		if (m->kind->classifier && (double)model_predict_class(m, z) == d->y[row])
			right++;
	}
	if (d->rows == 0)
		return 0.0;
	if (m->kind->classifier && accuracy)
		*accuracy = (double)right / (double)d->rows;
	return total / (double)d->rows;
}
