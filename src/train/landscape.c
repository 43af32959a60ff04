/* landscape.c - the line and plane slices of --landscape.
 *
 * Every loss is one pass of objective_add over the rows, in file order.
 */
#define _POSIX_C_SOURCE 200809L
#include "landscape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "objective.h"
#include "output.h"
#include "parse.h"
#include "train.h"

/* The plane's directions come from their own stream of --seed. */
#define LANDSCAPE_STREAM 0x4C414E44534341ull      /* "LANDSCA" */

static int parse_part(const char *part, size_t length, struct landscape_request *r,
		      const char *whole, struct error *err)
{
	char text[128], *fields[4];
	size_t n_fields = 0;
	uint64_t points;
	double radius = LANDSCAPE_PLANE_RADIUS;
	const char *why;

	if (length >= sizeof text)
		goto bad;
	memcpy(text, part, length);
	text[length] = '\0';
	for (char *p = text;; ) {
		if (n_fields == 4)
			goto bad;
		fields[n_fields++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (strcmp(fields[0], "line") == 0 && n_fields <= 2) {
		points = LANDSCAPE_LINE_POINTS;
		if (n_fields == 2 && (parse_whole_number(fields[1], LANDSCAPE_MAX_LINE_POINTS,
							 &points) != 0 || points < 2))
			goto bad;
		r->line_points = (size_t)points;
		return 0;
	}
	if (strcmp(fields[0], "plane") == 0 && n_fields <= 3) {
		points = LANDSCAPE_PLANE_POINTS;
		if (n_fields >= 2 && (parse_whole_number(fields[1], LANDSCAPE_MAX_PLANE_POINTS,
							 &points) != 0 || points < 2))
			goto bad;
		if (n_fields == 3 && (parse_finite_double(fields[2], &radius, &why) != 0 ||
				      radius <= 0))
			goto bad;
		r->plane_points = (size_t)points;
		r->plane_radius = radius;
		return 0;
	}
bad:
	return error_set(err, EXIT_USAGE, "invalid --landscape '%s': expected line[:N] (N from 2 "
			 "to %d) or plane[:N[:RADIUS]] (N from 2 to %d, RADIUS > 0), or both "
			 "separated by a comma", whole, LANDSCAPE_MAX_LINE_POINTS,
			 LANDSCAPE_MAX_PLANE_POINTS);
}

int landscape_parse(const char *text, struct landscape_request *r, struct error *err)
{
	const char *p = text;

	for (;;) {
		size_t length = strcspn(p, ",");
		if (parse_part(p, length, r, text, err) != 0)
			return -1;
		if (p[length] == '\0')
			return 0;
		p += length + 1;
	}
}

double landscape_alpha(size_t i, size_t n)
{
	return (4.0 * (double)i - (double)(n - 1)) / (2.0 * (double)(n - 1));
}

double landscape_coordinate(size_t i, size_t n, double radius)
{
	return radius * (2.0 * (double)i - (double)(n - 1)) / (double)(n - 1);
}

/* A workspace and a source over one view: what a loss needs. */
struct evaluator {
	const struct model *m;
	struct workspace ws;
	struct memory_source rows;
};

#define EVALUATOR_ROWS 256

static int evaluator_init(struct evaluator *e, const struct model *m,
			  const struct data_view *view, struct error *err)
{
	size_t capacity = view->count < EVALUATOR_ROWS ? view->count : EVALUATOR_ROWS;

	memset(e, 0, sizeof *e);
	e->m = m;
	if (capacity == 0)
		capacity = 1;
	if (workspace_create(&e->ws, &m->net, capacity, err) != 0)
		return -1;
	if (memory_source_init(&e->rows, view, capacity, err) != 0) {
		workspace_free(&e->ws);
		return -1;
	}
	return 0;
}

static void evaluator_free(struct evaluator *e)
{
	workspace_free(&e->ws);
	memory_source_free(&e->rows);
}

/* Mean data loss of params over the evaluator's rows (the epoch records' figure). */
static double mean_loss(struct evaluator *e, const double *params)
{
	struct objective_sums sums = { 0 };

	memory_source_rewind(&e->rows);
	objective_add(e->m, params, &e->rows.source, &e->ws, NULL, &sums, NULL);
	return sums.count ? sums.loss / (double)sums.count : 0.0;
}

int landscape_line(const struct model *m, const double *initial, const double *final,
		   const struct data_view *training, const struct data_view *validation,
		   size_t points, FILE *out, struct error *err)
{
	size_t n = m->net.n_params;
	struct evaluator train = { 0 }, check = { 0 };
	double *point = malloc((n ? n : 1) * sizeof *point);
	int status = -1;

	if (!point) {
		error_set(err, EXIT_SOFTWARE, "out of memory");
		goto done;
	}
	if (evaluator_init(&train, m, training, err) != 0 ||
	    (validation && evaluator_init(&check, m, validation, err) != 0))
		goto done;
	for (size_t i = 0; i < points && !train_interrupted; i++) {
		double alpha = landscape_alpha(i, points);
		/* (1 - alpha) w0 + alpha w1 is w0 exactly at 0 and w1 exactly at 1. */
		for (size_t k = 0; k < n; k++)
			point[k] = (1.0 - alpha) * initial[k] + alpha * final[k];
		fputs("line,", out);
		output_write_shortest(out, alpha);
		putc(',', out);
		output_write_shortest(out, mean_loss(&train, point));
		putc(',', out);
		if (validation)
			output_write_shortest(out, mean_loss(&check, point));
		putc('\n', out);
	}
	if (output_flush(out) != 0) {
		error_set(err, EXIT_IO, "write error");
		goto done;
	}
	status = 0;
done:
	free(point);
	if (train.m)
		evaluator_free(&train);
	if (check.m)
		evaluator_free(&check);
	return status;
}

/* A standard normal deviate (Box-Muller, the cosine branch only). */
static double gaussian(struct prng *random)
{
	double u1 = 1.0 - prng_uniform(random);         /* (0, 1]: log is finite */
	double u2 = prng_uniform(random);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

void landscape_direction(const struct network *net, const double *w, struct prng *random,
			 double *d)
{
	memset(d, 0, net->n_params * sizeof *d);
	for (size_t l = 0; l < net->n_layers; l++) {
		const struct layer *layer = &net->layers[l];
		for (size_t o = 0; o < layer->out; o++) {
			double *row = d + layer->weights + o * layer->in;
			const double *weights = w + layer->weights + o * layer->in;
			double row_norm = 0.0, weight_norm = 0.0;
			for (size_t j = 0; j < layer->in; j++) {
				row[j] = gaussian(random);
				row_norm += row[j] * row[j];
				weight_norm += weights[j] * weights[j];
			}
			row_norm = sqrt(row_norm);
			weight_norm = sqrt(weight_norm);
			for (size_t j = 0; j < layer->in; j++)
				row[j] = row_norm > 0 ? row[j] * (weight_norm / row_norm) : 0.0;
		}
	}
}

int landscape_plane(const struct model *m, const double *w, const struct data_view *training,
		    size_t points, double radius, uint64_t seed, FILE *out, struct error *err)
{
	size_t n = m->net.n_params;
	struct evaluator train = { 0 };
	double *d = malloc(3 * (n ? n : 1) * sizeof *d);
	struct prng random;
	int status = -1;

	if (!d) {
		error_set(err, EXIT_SOFTWARE, "out of memory");
		goto done;
	}
	double *d1 = d, *d2 = d + n, *point = d + 2 * n;
	if (evaluator_init(&train, m, training, err) != 0)
		goto done;
	prng_seed(&random, seed ^ LANDSCAPE_STREAM);
	landscape_direction(&m->net, w, &random, d1);
	landscape_direction(&m->net, w, &random, d2);
	for (size_t i = 0; i < points && !train_interrupted; i++) {
		double a = landscape_coordinate(i, points, radius);
		for (size_t j = 0; j < points; j++) {
			double b = landscape_coordinate(j, points, radius);
			for (size_t k = 0; k < n; k++)
				point[k] = w[k] + a * d1[k] + b * d2[k];
			fputs("plane,", out);
			output_write_shortest(out, a);
			putc(',', out);
			output_write_shortest(out, b);
			putc(',', out);
			output_write_shortest(out, mean_loss(&train, point));
			putc('\n', out);
		}
		putc('\n', out);        /* gnuplot's splot: one grid row per block */
		if (output_flush(out) != 0)
			break;
	}
	if (output_flush(out) != 0) {
		error_set(err, EXIT_IO, "write error");
		goto done;
	}
	status = 0;
done:
	free(d);
	if (train.m)
		evaluator_free(&train);
	return status;
}
