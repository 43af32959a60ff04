/* schema.h - what the columns of a data set mean, kept with a model.
 *
 * A schema names the features (in the model's input order) and the target,
 * lists the class labels of a classifier in sorted order, and holds the
 * standardisation statistics that turn a raw feature into the model's
 * input: (x - mean) / scale.  The data reader builds one for the data it
 * reads; training moves it into the model (schema_move), so there is one
 * owner and nothing is copied.  The model file records it and reads it back.
 */
#ifndef DESCENT_SCHEMA_H
#define DESCENT_SCHEMA_H

#include <stddef.h>

#include "error.h"

struct schema {
	size_t n_features;
	char **feature_names;   /* n_features, owned */
	double *feature_mean;   /* n_features; 0 unless standardised */
	double *feature_scale;  /* n_features; 1 unless standardised */
	char *target_name;      /* owned; NULL when unknown */
	size_t n_classes;       /* 0 for a regression */
	char **class_labels;    /* n_classes, owned, sorted */
};

/*
 * Room for n_features names (NULL), statistics (mean 0, scale 1) and
 * n_classes labels (NULL; no array at all without classes).  Returns 0, or
 * -1 with EXIT_SOFTWARE.
 */
int schema_allocate(struct schema *s, size_t n_features, size_t n_classes, struct error *err);
/* Free everything; safe on a zeroed or moved-from schema, leaves it zeroed. */
void schema_free(struct schema *s);
/* Give everything in *from to *to (which must be empty); *from is left zeroed. */
void schema_move(struct schema *to, struct schema *from);
/* x[j] = (x[j] - mean[j]) / scale[j] for rows rows of n_features values. */
void schema_standardize(const struct schema *s, double *x, size_t rows);

#endif
