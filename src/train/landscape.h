/* landscape.h - loss landscape slices: a line and a plane through weight space.
 *
 * After training, --landscape line evaluates the loss along the straight
 * line from the initial to the final weights, and --landscape plane on a
 * grid around the final weights in the plane of two random,
 * filter-normalised directions (Li et al. 2018).  Every loss is the mean
 * data loss of objective_add over the rows, as the epoch records report it
 * (no weight-decay term).  The records go to out:
 *
 *     line,ALPHA,TRAIN_LOSS,VAL_LOSS     (VAL_LOSS empty without validation rows)
 *     plane,A,B,LOSS                     (a blank line after each row of the grid)
 */
#ifndef DESCENT_LANDSCAPE_H
#define DESCENT_LANDSCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "model.h"
#include "network.h"
#include "prng.h"
#include "source.h"

#define LANDSCAPE_LINE_POINTS 51        /* default N of line[:N] */
#define LANDSCAPE_PLANE_POINTS 21       /* default N of plane[:N[:RADIUS]] */
#define LANDSCAPE_PLANE_RADIUS 1.0
#define LANDSCAPE_MAX_LINE_POINTS 100001
#define LANDSCAPE_MAX_PLANE_POINTS 1001

/* What --landscape asked for; all zero: nothing. */
struct landscape_request {
	size_t line_points;     /* 0: no line */
	size_t plane_points;    /* 0: no plane */
	double plane_radius;
};

/*
 * Add the slices of one --landscape value to r: "line[:N]",
 * "plane[:N[:RADIUS]]", or several separated by commas.  Returns 0, or -1
 * with EXIT_USAGE naming the bad part.
 */
int landscape_parse(const char *text, struct landscape_request *r, struct error *err);

/* ALPHA of point i of n on the line: -0.5 + 2 i / (n - 1); exact at 0 and 1. */
double landscape_alpha(size_t i, size_t n);
/* Coordinate of grid index i of n: radius (2 i - (n - 1)) / (n - 1). */
double landscape_coordinate(size_t i, size_t n, double radius);

/*
 * The line records: points values of ALPHA from -0.5 to 1.5, the weights
 * (1 - ALPHA) initial + ALPHA final.  validation may be NULL.  Stops early
 * (returning 0) when train_interrupted is set.  Returns 0, or -1 on a
 * write error (EXIT_IO) or lack of memory.
 */
int landscape_line(const struct model *m, const double *initial, const double *final,
		   const struct data_view *training, const struct data_view *validation,
		   size_t points, FILE *out, struct error *err);

/*
 * A random direction for weights w, filter-normalised: Gaussian entries
 * from random, then every row of every weight matrix scaled to the norm
 * of the same row of w; biases zero.  d has net->n_params entries.
 */
void landscape_direction(const struct network *net, const double *w, struct prng *random,
			 double *d);

/*
 * The plane records: points x points losses at w + A d1 + B d2 for A, B
 * from -radius to radius, d1 and d2 landscape_direction's from a generator
 * seeded from seed (its own stream).  Rows of the grid (one A each) are
 * followed by a blank line.
 */
int landscape_plane(const struct model *m, const double *w, const struct data_view *training,
		    size_t points, double radius, uint64_t seed, FILE *out, struct error *err);

#endif
