/* model.h - models: dense layers feeding an output head with its loss.
 *
 * Parameters live in one flat array of doubles.  For each layer l (inputs
 * n_in, outputs n_out) the array holds the weight matrix, n_out x n_in,
 * row-major, followed by its n_out biases.  Gradients use the same layout.
 * Issue scope so far: no hidden layers, so sizes = {features, outputs}.
 *
 * A model kind (linear, logistic, ...) is an output head: how many outputs
 * it needs, its per-example loss and the gradient of that loss with respect
 * to the outputs, and how outputs become predictions.  Each head is one file
 * (model_NAME.c) and one line in the table in model.c.
 */
#ifndef DESCENT_MODEL_H
#define DESCENT_MODEL_H

#include <stddef.h>

#include "dataset.h"

struct model_kind {
	const char *name;
	const char *summary;    /* one line for --help */
	int classifier;         /* targets are class labels */
	int max_classes;        /* 0 = no limit (classifiers only) */
	const char *too_many_classes_hint;
	/* Outputs of the head for a data set with n_classes classes. */
	size_t (*outputs)(size_t n_classes);
	/*
	 * Loss of one example with outputs z[outputs] and target y (a value, or
	 * a class index for classifiers).  When dz is not NULL, store
	 * d loss / d z in dz[outputs].
	 */
	double (*loss)(const double *z, double y, double *dz, size_t outputs);
	/* Class probabilities p[n_classes] from outputs z (classifiers only). */
	void (*probabilities)(const double *z, double *p, size_t n_classes);
};

/* The registry, NULL-terminated, in --help order. */
extern const struct model_kind *const model_kinds[];
const struct model_kind *model_kind_find(const char *name);

struct model {
	const struct model_kind *kind;
	size_t n_layers;        /* number of weight layers (1 without hidden) */
	size_t *sizes;          /* n_layers + 1 entries: inputs ... outputs */
	size_t n_params;
	double *params;         /* n_params */
	unsigned char *is_weight; /* n_params: 1 for weights, 0 for biases */
	/* Description carried with the weights so prediction can reproduce. */
	size_t n_features;
	char **feature_names;   /* n_features */
	double *feature_mean;   /* n_features; 0 unless standardised */
	double *feature_scale;  /* n_features; 1 unless standardised */
	char *target_name;      /* may be NULL */
	size_t n_classes;
	char **class_labels;    /* n_classes */
	/* Scratch for forward/backward, sized by model_init. */
	double *scratch;
};

/*
 * Build a zero-initialised model of this kind for the data set's features
 * and classes (names and labels are copied).  Returns 0 or -1 (memory).
 */
int model_init(struct model *m, const struct model_kind *kind, const struct dataset *d,
	       struct error *err);
/*
 * Allocate a zeroed model with these layer sizes (n_layers + 1 entries) and
 * room for n_classes labels; names and labels are left NULL for the caller
 * (the model file reader) to fill.  Scales start at 1.
 */
int model_allocate(struct model *m, const struct model_kind *kind, const size_t *sizes,
		   size_t n_layers, size_t n_classes, struct error *err);
void model_free(struct model *m);

/*
 * Mean loss over the examples index[0..count) of d (all rows when index is
 * NULL and count is d->rows).  When grad is not NULL it is overwritten with
 * the gradient of that mean loss, same layout as params.
 */
double model_loss_grad(const struct model *m, const double *params, const struct dataset *d,
		       const size_t *index, size_t count, double *grad);

/* Outputs z[sizes[n_layers]] for one example's features x[n_features]. */
void model_forward(const struct model *m, const double *params, const double *x, double *z);

/*
 * Mean loss over every row of d in one pass; for a classifier also the
 * fraction of rows whose predicted class is the target, into *accuracy
 * (left alone for a regression).
 */
double model_evaluate(const struct model *m, const double *params, const struct dataset *d,
		      double *accuracy);

/* Index of the largest probability (classifiers) for outputs z. */
size_t model_predict_class(const struct model *m, const double *z);

#endif
