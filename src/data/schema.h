/* schema.h - what the columns of a data set mean, kept with a model.
 *
 * A schema names the features (in the model's input order) and the target,
 * lists the class labels of a classifier in sorted order, and holds the
 * standardisation statistics that turn a raw feature into the model's
 * input: (x - mean) / scale.  The data reader builds one for the data it
 * reads; training moves it into the model (schema_move), so there is one
 * owner and nothing is copied.  The model file records it and reads it back.
 *
 * The schema also owns the encoding of the data's columns into the
 * network's inputs.  A numeric column is one input.  A categorical column
 * (--categorical) is one-hot encoded: one input per value of its
 * vocabulary, in byte order; those inputs carry the column's name in
 * feature_names and the value in feature_category, so the inputs of one
 * categorical column are the consecutive ones with the same name and a
 * category (schema_column_width).  A value outside the vocabulary encodes
 * as all zeros.  With --missing mean, feature_fill holds the training mean
 * of every input, which replaces a missing value (NaN) before
 * standardisation; for a one-hot column these are the value frequencies.
 * Model records: feature,INDEX,... per input, category,INDEX,VALUE per
 * one-hot input, missing,INDEX,VALUE per input (model_io.h).
 *
 * With --rotate the schema also holds an orthogonal matrix Q (rotation.h)
 * over the network's inputs (after one-hot expansion), applied after the
 * standardisation: x <- Q (x - mean) / scale; model records
 * rotation,ROW,COLUMN,VALUE.
 */
#ifndef DESCENT_SCHEMA_H
#define DESCENT_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct schema {
	size_t n_features;
	char **feature_names;   /* n_features, owned */
	double *feature_mean;   /* n_features; 0 unless standardised */
	double *feature_scale;  /* n_features; 1 unless standardised */
	/* n_features or NULL (no categorical column): the value input j is one
	 * for, NULL for a numeric input; owned. */
	char **feature_category;
	/* n_features or NULL (no --missing mean): what replaces a missing
	 * input value; owned. */
	double *feature_fill;
	/* n_features x n_features, row-major, or NULL (no --rotate); owned.
	 * n_features more doubles follow it: schema_standardize's scratch, so
	 * one schema is not standardised from two threads at once. */
	double *rotation;
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
/*
 * x[j] = (x[j] - mean[j]) / scale[j] for rows rows of n_features values; a
 * missing value (NaN) first becomes feature_fill[j] when the schema has one;
 * then, when the schema has a rotation, each row becomes Q row.
 */
void schema_standardize(const struct schema *s, double *x, size_t rows);
/* Room for feature_category (all NULL): returns 0, or -1 with EXIT_SOFTWARE. */
int schema_allocate_categories(struct schema *s, struct error *err);
/* Room for feature_fill (all 0): returns 0, or -1 with EXIT_SOFTWARE. */
int schema_allocate_fill(struct schema *s, struct error *err);
/* Room for rotation (all 0): returns 0, or -1 with EXIT_SOFTWARE. */
int schema_allocate_rotation(struct schema *s, struct error *err);
/*
 * --rotate: a Haar-random rotation of the inputs drawn from seed
 * (rotation_random).  Returns 0, or -1 with EXIT_SOFTWARE.
 */
int schema_set_rotation(struct schema *s, uint64_t seed, struct error *err);
/*
 * The number of inputs of the column whose first input is first: 1 for a
 * numeric column, the size of the vocabulary for a categorical one.
 */
size_t schema_column_width(const struct schema *s, size_t first);

#endif
