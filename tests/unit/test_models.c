/* test_models.c - layers, networks, heads and the objective: known values,
 * numerical stability, the parameter layout and initialisation, and every
 * gradient against central finite differences.
 *
 * The gradient checks go through objective_add with a memory source over a
 * small random data set, for every head, activation and depth, with and
 * without residual layers, over batches of 1, 3 and every row, and with a
 * workspace smaller than the batch so that one pass is cut into pieces.
 */
#include "unit.h"
#include "model_fixture.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head.h"
#include "layer.h"
#include "model.h"
#include "network.h"
#include "objective.h"
#include "prng.h"
#include "schema.h"
#include "source.h"

enum { ROWS = 7, FEATURES = 3, MAX_LAYERS = 8 };

static double data_x[ROWS * FEATURES], data_y[ROWS];

/*
 * A small data set with random features in [-2, 2); targets are real
 * values in [-1, 2) (n_classes 0) or class indices below n_classes, each
 * class present at least once.
 */
static struct dataset make_data(size_t n_classes)
{
	struct dataset d = { .rows = ROWS, .features = FEATURES, .x = data_x, .y = data_y,
			     .n_classes = n_classes };
	struct prng r;

	prng_seed(&r, 11);
	for (size_t i = 0; i < ROWS * FEATURES; i++)
		data_x[i] = 4.0 * prng_uniform(&r) - 2.0;
	for (size_t i = 0; i < ROWS; i++)
		data_y[i] = n_classes ? (double)(i < n_classes ? i : prng_below(&r, n_classes))
				      : 3.0 * prng_uniform(&r) - 1.0;
	return d;
}

/* The layers of shape between FEATURES inputs and outputs; returns how many. */
static size_t shape_layers(const size_t *hidden, size_t n_hidden, enum activation act,
			   int residual, size_t outputs, struct layer *layers, size_t *skips)
{
	struct model_shape shape = { .hidden = hidden, .n_hidden = n_hidden, .activation = act,
				     .residual = residual };

	ck_assert_uint_le(n_hidden + 1, MAX_LAYERS);
	*skips = model_shape_layers(&shape, FEATURES, outputs, layers);
	return n_hidden + 1;
}

/* One pass over the source: the sums (and the summed gradient into grad). */
static struct objective_sums pass(const struct model *m, const double *params,
				  struct memory_source *src, struct workspace *ws, double *grad)
{
	struct objective_sums sums = { 0 };
	struct error err;

	memory_source_rewind(src);
	ck_assert_msg(objective_add(m, params, &src->source, ws, grad, &sums, &err) == 0, "%s",
		      err.message);
	return sums;
}

static double mean_loss(const struct model *m, const double *params,
			struct memory_source *src, struct workspace *ws)
{
	struct objective_sums sums = pass(m, params, src, ws, NULL);

	ck_assert_uint_gt(sums.count, 0);
	return sums.loss / (double)sums.count;
}

/* Some unit of every relu layer is alive on the first rows: not all dead. */
static void check_relu_alive(const struct model *m, struct workspace *ws, const char *what)
{
	size_t batch = ws->capacity < ROWS ? ws->capacity : ROWS;

	network_forward(&m->net, m->params, data_x, batch, ws);
	for (size_t l = 0; l < m->net.n_layers; l++) {
		const struct layer *layer = &m->net.layers[l];
		size_t alive = 0, n = batch * layer->out;
		if (layer->activation != ACTIVATION_RELU)
			continue;
		for (size_t i = 0; i < n; i++)
			alive += ws->activations[l][i] > 0.0;
		ck_assert_msg(alive > 0,
			      "%s: layer %zu has %zu of %zu relu units alive", what, l + 1, alive, n);
	}
}

/* The batches a gradient check runs over. */
struct batching {
	const size_t *rows;     /* NULL: rows 0..count-1 */
	size_t count;
	size_t ws_capacity;     /* rows per pass of the workspace */
	size_t source_capacity; /* rows the source gathers at a time */
};

static const size_t one_row[1] = { 4 };
static const size_t three_rows[3] = { 6, 0, 3 };
static const size_t shuffled[ROWS] = { 5, 3, 3, 0, 6, 1, 2 };
static const struct batching batchings[] = {
	{ NULL, ROWS, ROWS, ROWS },     /* the full set, in one pass */
	{ NULL, ROWS, 3, 3 },           /* the full set in pieces of 3, 3, 1 */
	{ one_row, 1, 1, 1 },           /* batch size 1 */
	{ three_rows, 3, 3, 3 },        /* batch size 3, gathered */
	{ three_rows, 3, 2, 3 },        /* ... in pieces of 2 and 1 */
	{ shuffled, ROWS, ROWS, 2 },    /* the source gathers less than the workspace */
	{ shuffled, ROWS, 4, ROWS },    /* a repeated row, in pieces of 4 and 3 */
};

/*
 * The analytic gradient of the mean loss (objective_add's summed gradient
 * over its count) against central differences of the mean loss, for every
 * parameter at random weights, over every batching.
 */
static void check_gradient(const char *head_name, size_t n_classes, const struct layer *layers,
			   size_t n_layers, const char *what)
{
	struct dataset d = make_data(n_classes);
	struct model m;
	struct prng r;
	struct error err;
	char label[256];

	fixture_model(&m, head_name, FEATURES, n_classes, layers, n_layers);
	prng_seed(&r, 5 + n_layers);
	fixture_randomize(&m.net, m.params, &r);
	size_t n = m.net.n_params;
	double *grad = malloc(n * sizeof *grad);
	double *params = malloc(n * sizeof *params);
	double *whole = malloc(n * sizeof *whole);
	ck_assert_ptr_nonnull(grad);
	ck_assert_ptr_nonnull(params);
	ck_assert_ptr_nonnull(whole);
	memcpy(params, m.params, n * sizeof *params);

	for (size_t c = 0; c < sizeof batchings / sizeof batchings[0]; c++) {
		const struct batching *b = &batchings[c];
		struct data_view view = { .data = &d, .rows = b->rows, .count = b->count };
		struct memory_source src;
		struct workspace ws;

		snprintf(label, sizeof label, "%s, batching %zu (%zu rows, pieces of %zu)", what, c,
			 b->count, b->ws_capacity);
		ck_assert_int_eq(memory_source_init(&src, &view, b->source_capacity, &err), 0);
		ck_assert_int_eq(workspace_create(&ws, &m.net, b->ws_capacity, &err), 0);
		if (c == 0)
			check_relu_alive(&m, &ws, label);

		for (size_t i = 0; i < n; i++)
			grad[i] = 0.0;
		struct objective_sums sums = pass(&m, params, &src, &ws, grad);
		ck_assert_uint_eq(sums.count, b->count);
		/* The parameters are only read. */
		ck_assert_int_eq(memcmp(params, m.params, n * sizeof *params), 0);
		double scale = 0.0;
		for (size_t i = 0; i < n; i++) {
			grad[i] /= (double)sums.count;
			scale = fmax(scale, fabs(grad[i]));
		}
		ck_assert_msg(scale > 1e-3, "%s: the gradient is (nearly) zero", label);
		for (size_t i = 0; i < n; i++) {
			double saved = params[i], h = 1e-6;
			params[i] = saved + h;
			double up = mean_loss(&m, params, &src, &ws);
			params[i] = saved - h;
			double down = mean_loss(&m, params, &src, &ws);
			params[i] = saved;
			double numeric = (up - down) / (2 * h);
			ck_assert_msg(fabs(numeric - grad[i]) <= 1e-6 * fmax(1.0, fabs(numeric)),
				      "%s: parameter %zu: analytic %.12g, numeric %.12g", label, i,
				      grad[i], numeric);
		}
		/* However the pass is cut, the same rows give the same gradient. */
		if (c == 0)
			memcpy(whole, grad, n * sizeof *whole);
		if (c == 1)
			ck_assert_msg(memcmp(whole, grad, n * sizeof *whole) == 0,
				      "%s: the gradient depends on the pieces", label);
		workspace_free(&ws);
		memory_source_free(&src);
	}
	free(whole);
	free(params);
	free(grad);
	model_free(&m);
}

struct head_case {
	const char *name;
	size_t n_classes, outputs;
};

static const struct head_case head_cases[] = {
	{ "linear", 0, 1 },
	{ "logistic", 2, 1 },
	{ "softmax", 3, 3 },
	{ "softmax", 4, 4 },
};

static const enum activation hidden_activations[] = {
	ACTIVATION_RELU, ACTIVATION_TANH, ACTIVATION_SIGMOID
};

/* One loop test per head case: every depth and activation. */
START_TEST(test_gradients)
{
	const struct head_case *hc = &head_cases[_i];
	struct layer layers[MAX_LAYERS];
	size_t skips;
	char what[160];
	struct prng r;

	/* No hidden layer: the head on a plain linear map. */
	snprintf(what, sizeof what, "%s/%zu classes, no hidden layer", hc->name, hc->n_classes);
	size_t n_layers = shape_layers(NULL, 0, ACTIVATION_RELU, 1, hc->outputs, layers, &skips);
	ck_assert_uint_eq(skips, 0);
	check_gradient(hc->name, hc->n_classes, layers, n_layers, what);

	prng_seed(&r, 2024 + _i);
	for (size_t a = 0; a < sizeof hidden_activations / sizeof hidden_activations[0]; a++) {
		enum activation act = hidden_activations[a];
		const char *act_name = activation_name(act);
		static const size_t plain[2] = { 4, 4 };
		static const size_t skipping[3] = { 3, 4, 4 };

		/* 3 -> 4 -> 4 -> outputs, plain and with the 4 -> 4 skip. */
		for (int residual = 0; residual < 2; residual++) {
			snprintf(what, sizeof what, "%s/%zu classes, %s 4,4%s", hc->name,
				 hc->n_classes, act_name, residual ? " residual" : "");
			n_layers = shape_layers(plain, 2, act, residual, hc->outputs, layers, &skips);
			ck_assert_uint_eq(skips, (size_t)residual);
			ck_assert_int_eq(layers[1].skip, residual);
			check_gradient(hc->name, hc->n_classes, layers, n_layers, what);
		}
		/* 3 -> 3 -> 4 -> 4: skips on the first layer (no input gradient below) and the third. */
		snprintf(what, sizeof what, "%s/%zu classes, %s 3,4,4 residual", hc->name,
			 hc->n_classes, act_name);
		n_layers = shape_layers(skipping, 3, act, 1, hc->outputs, layers, &skips);
		ck_assert_uint_eq(skips, 2);
		ck_assert(layers[0].skip && !layers[1].skip && layers[2].skip && !layers[3].skip);
		check_gradient(hc->name, hc->n_classes, layers, n_layers, what);

		/* Random small shapes: 1 to 3 hidden layers of 2 to 4 units. */
		for (int trial = 0; trial < 2; trial++) {
			size_t hidden[3], n_hidden = 1 + (size_t)prng_below(&r, 3);
			int residual = (int)prng_below(&r, 2);
			int len = snprintf(what, sizeof what, "%s/%zu classes, %s", hc->name,
					   hc->n_classes, act_name);
			for (size_t h = 0; h < n_hidden; h++) {
				hidden[h] = 2 + (size_t)prng_below(&r, 3);
				len += snprintf(what + len, sizeof what - (size_t)len, "%s%zu",
						h ? "," : " ", hidden[h]);
			}
			snprintf(what + len, sizeof what - (size_t)len, "%s",
				 residual ? " residual" : "");
			n_layers = shape_layers(hidden, n_hidden, act, residual, hc->outputs, layers,
						&skips);
			check_gradient(hc->name, hc->n_classes, layers, n_layers, what);
		}
	}
}
END_TEST

/* objective_add adds to what the sums and the gradient already hold. */
START_TEST(test_objective_adds)
{
	struct dataset d = make_data(3);
	struct layer layers[2] = {
		{ .in = FEATURES, .out = 4, .activation = ACTIVATION_TANH },
		{ .in = 4, .out = 3, .activation = ACTIVATION_IDENTITY },
	};
	struct data_view view = { .data = &d, .count = ROWS };
	struct memory_source src;
	struct workspace ws;
	struct model m;
	struct prng r;
	struct error err;

	fixture_model(&m, "softmax", FEATURES, 3, layers, 2);
	prng_seed(&r, 3);
	fixture_randomize(&m.net, m.params, &r);
	ck_assert_int_eq(memory_source_init(&src, &view, ROWS, &err), 0);
	ck_assert_int_eq(workspace_create(&ws, &m.net, 2, &err), 0);
	size_t n = m.net.n_params;
	double *fresh = calloc(n, sizeof *fresh), *added = malloc(n * sizeof *added);
	ck_assert_ptr_nonnull(fresh);
	ck_assert_ptr_nonnull(added);
	for (size_t i = 0; i < n; i++)
		added[i] = 1.0;
	struct objective_sums once = pass(&m, m.params, &src, &ws, fresh);
	struct objective_sums sums = { .loss = 10.0, .count = 2, .correct = 1 };
	memory_source_rewind(&src);
	ck_assert_int_eq(objective_add(&m, m.params, &src.source, &ws, added, &sums, &err), 0);
	ck_assert_double_eq_tol(sums.loss, 10.0 + once.loss, 1e-12);
	ck_assert_uint_eq(sums.count, 2 + ROWS);
	ck_assert_uint_eq(sums.correct, 1 + once.correct);
	for (size_t i = 0; i < n; i++)
		ck_assert_double_eq_tol(added[i], 1.0 + fresh[i], 1e-12);
	/* An exhausted source adds nothing. */
	struct objective_sums empty = { 0 };
	ck_assert_int_eq(objective_add(&m, m.params, &src.source, &ws, NULL, &empty, &err), 0);
	ck_assert_uint_eq(empty.count, 0);
	ck_assert(empty.loss == 0.0);
	free(fresh);
	free(added);
	workspace_free(&ws);
	memory_source_free(&src);
	model_free(&m);
}
END_TEST

/* f(y) = sum c y + sum y^2 / 2 of a dense layer's output, and dy = c + y. */
static double dense_scalar(const double *w, const double *bias, const double *x,
			   const double *c, double *y, double *dy)
{
	enum { IN = 3, OUT = 2, BATCH = 2 };
	double f = 0.0;

	dense_forward(w, bias, IN, OUT, BATCH, x, y);
	for (size_t i = 0; i < OUT * BATCH; i++) {
		f += c[i] * y[i] + 0.5 * y[i] * y[i];
		if (dy)
			dy[i] = c[i] + y[i];
	}
	return f;
}

START_TEST(test_dense_backward)
{
	enum { IN = 3, OUT = 2, BATCH = 2 };
	double w[OUT * IN] = { 0.5, -1.25, 2.0, 0.75, 0.1, -0.3 };
	double bias[OUT] = { 0.2, -0.4 };
	double x[BATCH * IN] = { 1.0, -2.0, 0.5, -0.25, 0.3, 1.5 };
	double c[BATCH * OUT] = { 0.3, -0.7, 1.1, 0.2 };
	double y[BATCH * OUT], dy[BATCH * OUT], dx[BATCH * IN];
	double dw[OUT * IN], db[OUT];

	/* Forward by hand: y = x W^T + b, row by row. */
	dense_scalar(w, bias, x, c, y, dy);
	for (size_t b = 0; b < BATCH; b++)
		for (size_t o = 0; o < OUT; o++) {
			double z = bias[o];
			for (size_t j = 0; j < IN; j++)
				z += w[o * IN + j] * x[b * IN + j];
			ck_assert_double_eq_tol(y[b * OUT + o], z, 1e-15);
		}

	/* dx is overwritten, dW and db accumulate onto what they hold. */
	for (size_t i = 0; i < BATCH * IN; i++)
		dx[i] = 1e300;
	for (size_t i = 0; i < OUT * IN; i++)
		dw[i] = 1.0;
	db[0] = db[1] = -2.0;
	dense_backward(w, IN, OUT, BATCH, x, dy, dw, db, dx);

	for (size_t i = 0; i < BATCH * IN; i++) {
		double saved = x[i], h = 1e-6;
		x[i] = saved + h;
		double up = dense_scalar(w, bias, x, c, y, NULL);
		x[i] = saved - h;
		double down = dense_scalar(w, bias, x, c, y, NULL);
		x[i] = saved;
		double numeric = (up - down) / (2 * h);
		ck_assert_msg(fabs(dx[i] - numeric) <= 1e-7 * fmax(1.0, fabs(numeric)),
			      "dx[%zu]: analytic %.12g, numeric %.12g", i, dx[i], numeric);
	}
	for (size_t i = 0; i < OUT * IN; i++) {
		double saved = w[i], h = 1e-6;
		w[i] = saved + h;
		double up = dense_scalar(w, bias, x, c, y, NULL);
		w[i] = saved - h;
		double down = dense_scalar(w, bias, x, c, y, NULL);
		w[i] = saved;
		double numeric = (up - down) / (2 * h);
		ck_assert_msg(fabs(dw[i] - 1.0 - numeric) <= 1e-7 * fmax(1.0, fabs(numeric)),
			      "dW[%zu]: analytic %.12g, numeric %.12g", i, dw[i] - 1.0, numeric);
	}
	for (size_t o = 0; o < OUT; o++)
		ck_assert_double_eq_tol(db[o], -2.0 + dy[o] + dy[OUT + o], 1e-14);

	/* Without dx only the parameter gradients move. */
	dense_scalar(w, bias, x, c, y, dy);
	double dw2[OUT * IN] = { 0 }, db2[OUT] = { 0 };
	dense_backward(w, IN, OUT, BATCH, x, dy, dw2, db2, NULL);
	for (size_t i = 0; i < OUT * IN; i++)
		ck_assert_double_eq_tol(dw2[i], dw[i] - 1.0, 1e-14);
}
END_TEST

START_TEST(test_activations_and_residual)
{
	double z[5] = { -800.0, -0.5, 0.0, 0.25, 800.0 }, a[5], dz[5];
	const double da[5] = { 1.0, 2.0, -1.0, 3.0, 0.5 };
	enum activation act;

	activation_forward(ACTIVATION_RELU, 5, z, a);
	ck_assert(a[0] == 0.0 && a[1] == 0.0 && a[2] == 0.0 && a[3] == 0.25 && a[4] == 800.0);
	activation_backward(ACTIVATION_RELU, 5, a, da, dz);
	ck_assert(dz[0] == 0.0 && dz[1] == 0.0 && dz[2] == 0.0 && dz[3] == 3.0 && dz[4] == 0.5);

	activation_forward(ACTIVATION_SIGMOID, 5, z, a);
	for (int i = 0; i < 5; i++)
		ck_assert(isfinite(a[i]));
	ck_assert(a[0] >= 0.0 && a[0] < 1e-300 && a[4] == 1.0 && a[2] == 0.5);
	ck_assert_double_eq_tol(a[1], 1.0 / (1.0 + exp(0.5)), 1e-16);
	activation_backward(ACTIVATION_SIGMOID, 5, a, da, dz);
	ck_assert_double_eq_tol(dz[2], -0.25, 1e-16);
	ck_assert_double_eq_tol(dz[3], 3.0 * a[3] * (1.0 - a[3]), 1e-16);

	activation_forward(ACTIVATION_TANH, 5, z, a);
	ck_assert(a[0] == -1.0 && a[4] == 1.0);
	ck_assert_double_eq_tol(a[1], tanh(-0.5), 1e-16);
	activation_backward(ACTIVATION_TANH, 5, a, da, dz);
	ck_assert_double_eq_tol(dz[1], 2.0 * (1.0 - tanh(0.5) * tanh(0.5)), 1e-15);
	ck_assert_double_eq_tol(dz[2], -1.0, 1e-16);

	/* In place, and the identity. */
	double copy_z[5];
	memcpy(copy_z, z, sizeof z);
	activation_forward(ACTIVATION_TANH, 5, copy_z, copy_z);
	ck_assert_int_eq(memcmp(copy_z, a, sizeof a), 0);
	activation_forward(ACTIVATION_IDENTITY, 5, z, a);
	ck_assert_int_eq(memcmp(z, a, sizeof a), 0);

	double h[3];
	residual_add(3, (const double[]){ 1.0, -2.0, 0.5 }, (const double[]){ 0.25, 4.0, -0.5 }, h);
	ck_assert(h[0] == 1.25 && h[1] == 2.0 && h[2] == 0.0);

	/* The names. */
	for (int i = ACTIVATION_IDENTITY; i <= ACTIVATION_SIGMOID; i++) {
		ck_assert_int_eq(activation_find(activation_name((enum activation)i), &act), 0);
		ck_assert_int_eq(act, i);
	}
	ck_assert_str_eq(activation_name(ACTIVATION_RELU), "relu");
	ck_assert_str_eq(activation_name(ACTIVATION_TANH), "tanh");
	ck_assert_str_eq(activation_name(ACTIVATION_SIGMOID), "sigmoid");
	ck_assert_str_eq(activation_name(ACTIVATION_IDENTITY), "identity");
	ck_assert_int_eq(activation_find("swish", &act), -1);
	ck_assert_int_eq(activation_find("", &act), -1);
}
END_TEST

/* A residual layer's forward value, by hand: h = tanh(W x + b) + x. */
START_TEST(test_residual_forward)
{
	struct layer layers[2] = {
		{ .in = 2, .out = 2, .activation = ACTIVATION_TANH, .skip = 1 },
		{ .in = 2, .out = 1, .activation = ACTIVATION_IDENTITY },
	};
	struct network net;
	struct workspace ws;
	struct error err;
	/* W1 = [[0.5, -1], [2, 0.25]], b1 = [0.1, -0.2]; W2 = [3, -1], b2 = 0.5. */
	const double params[9] = { 0.5, -1.0, 2.0, 0.25, 0.1, -0.2, 3.0, -1.0, 0.5 };
	const double x[4] = { 1.0, 2.0, -0.5, 0.75 };

	ck_assert_int_eq(network_create(&net, layers, 2, &err), 0);
	ck_assert_uint_eq(net.n_params, 9);
	ck_assert_int_eq(workspace_create(&ws, &net, 2, &err), 0);
	const double *out = network_forward(&net, params, x, 2, &ws);
	for (size_t b = 0; b < 2; b++) {
		const double *row = x + 2 * b;
		double h0 = tanh(0.5 * row[0] - row[1] + 0.1) + row[0];
		double h1 = tanh(2.0 * row[0] + 0.25 * row[1] - 0.2) + row[1];
		ck_assert_double_eq_tol(ws.outputs[0][2 * b], h0, 1e-15);
		ck_assert_double_eq_tol(ws.outputs[0][2 * b + 1], h1, 1e-15);
		ck_assert_double_eq_tol(out[b], 3.0 * h0 - h1 + 0.5, 1e-14);
	}
	workspace_free(&ws);
	network_free(&net);
}
END_TEST

/* Squared error without 1/2, by hand, directly and through a model. */
START_TEST(test_linear_loss_value)
{
	const struct head *linear = head_find("linear");
	const double z[2] = { 1.5, -0.5 }, y[2] = { 1.0, 0.25 };
	double dz[2];
	struct dataset d = make_data(0);
	struct layer layer = { .in = FEATURES, .out = 1, .activation = ACTIVATION_IDENTITY };
	const size_t one = 2;
	struct data_view view = { .data = &d, .rows = &one, .count = 1 };
	struct memory_source src;
	struct workspace ws;
	struct model m;
	struct error err;

	ck_assert_uint_eq(linear->outputs(5), 1);
	ck_assert(linear->loss(z, y, 2, 1, dz) == 0.25 + 0.5625);
	ck_assert(dz[0] == 1.0 && dz[1] == -1.5);
	ck_assert(linear->loss(z, y, 1, 1, NULL) == 0.25);

	fixture_model(&m, "linear", FEATURES, 0, &layer, 1);
	m.params[0] = 0.5, m.params[1] = -1.0, m.params[2] = 2.0, m.params[3] = 0.25;
	ck_assert_int_eq(memory_source_init(&src, &view, 1, &err), 0);
	ck_assert_int_eq(workspace_create(&ws, &m.net, 4, &err), 0);
	const double *row = data_x + 2 * FEATURES;
	double zz = 0.5 * row[0] - row[1] + 2.0 * row[2] + 0.25;
	double expected = (zz - data_y[2]) * (zz - data_y[2]);
	struct objective_sums sums = pass(&m, m.params, &src, &ws, NULL);
	ck_assert_uint_eq(sums.count, 1);
	ck_assert_uint_eq(sums.correct, 0);     /* not a classifier */
	ck_assert_double_eq_tol(sums.loss, expected, 1e-14 * expected);
	workspace_free(&ws);
	memory_source_free(&src);
	model_free(&m);
}
END_TEST

/* At zero weights every logit is 0: log 2 per row (logistic), log K (softmax). */
START_TEST(test_loss_at_zero)
{
	static const struct head_case cases[] = {
		{ "logistic", 2, 1 }, { "softmax", 3, 3 }, { "softmax", 4, 4 }
	};

	for (size_t c = 0; c < 3; c++) {
		struct dataset d = make_data(cases[c].n_classes);
		struct layer layers[2] = {
			{ .in = FEATURES, .out = 2, .activation = ACTIVATION_RELU },
			{ .in = 2, .out = cases[c].outputs, .activation = ACTIVATION_IDENTITY },
		};
		struct data_view view = { .data = &d, .count = ROWS };
		struct memory_source src;
		struct workspace ws;
		struct model m;
		struct error err;

		fixture_model(&m, cases[c].name, FEATURES, cases[c].n_classes, layers, 2);
		for (size_t i = 0; i < m.net.n_params; i++)
			ck_assert(m.params[i] == 0.0);  /* model_create zeroes them */
		ck_assert_int_eq(memory_source_init(&src, &view, ROWS, &err), 0);
		ck_assert_int_eq(workspace_create(&ws, &m.net, 3, &err), 0);
		struct objective_sums sums = pass(&m, m.params, &src, &ws, NULL);
		ck_assert_uint_eq(sums.count, ROWS);
		ck_assert_double_eq_tol(sums.loss / ROWS, log((double)cases[c].n_classes), 1e-15);
		workspace_free(&ws);
		memory_source_free(&src);
		model_free(&m);
	}
}
END_TEST

/* Huge logits must neither overflow nor lose the linear tail. */
START_TEST(test_logistic_loss_is_stable)
{
	const struct head *logistic = head_find("logistic");
	double dz[4], z, y;

	z = 800, y = 0;
	ck_assert_double_eq_tol(logistic->loss(&z, &y, 1, 1, dz), 800.0, 1e-12);
	ck_assert_double_eq_tol(dz[0], 1.0, 1e-15);
	z = -800, y = 1;
	ck_assert_double_eq_tol(logistic->loss(&z, &y, 1, 1, dz), 800.0, 1e-12);
	ck_assert_double_eq_tol(dz[0], -1.0, 1e-15);
	z = 800, y = 1;
	ck_assert(logistic->loss(&z, &y, 1, 1, dz) == 0.0 && dz[0] == 0.0);
	z = 40, y = 1;
	ck_assert_double_eq_tol(logistic->loss(&z, &y, 1, 1, NULL), exp(-40.0), 1e-30);
	z = 0.3, y = 1;
	ck_assert_double_eq_tol(logistic->loss(&z, &y, 1, 1, NULL), log1p(exp(0.3)) - 0.3, 1e-15);
	z = 0.0, y = 0;
	ck_assert_double_eq_tol(logistic->loss(&z, &y, 1, 1, dz), log(2.0), 1e-16);
	ck_assert_double_eq_tol(dz[0], 0.5, 1e-16);

	/* A batch: the sum of the rows, a gradient per row. */
	const double zs[4] = { 800.0, -800.0, 0.0, -2.0 }, ys[4] = { 0.0, 1.0, 1.0, 0.0 };
	ck_assert_double_eq_tol(logistic->loss(zs, ys, 4, 1, dz),
				1600.0 + log(2.0) + log1p(exp(-2.0)), 1e-12);
	ck_assert_double_eq_tol(dz[0], 1.0, 1e-15);
	ck_assert_double_eq_tol(dz[1], -1.0, 1e-15);
	ck_assert_double_eq_tol(dz[2], -0.5, 1e-16);
	ck_assert_double_eq_tol(dz[3], 1.0 / (1.0 + exp(2.0)), 1e-16);
}
END_TEST

START_TEST(test_softmax_loss_is_stable)
{
	const struct head *softmax = head_find("softmax");
	/* Row by row: huge, huge and equal, moderate, zero logits. */
	const double z[12] = { 1000.0, -1000.0, 0.0,
			       1000.0, 1000.0, 1000.0,
			       0.5, -1.0, 2.0,
			       0.0, 0.0, 0.0 };
	double dz[12], y[4];

	ck_assert_uint_eq(softmax->outputs(4), 4);
	/* Target 0 of the huge row: the loss is e^-1000 = 0, finite. */
	y[0] = 0;
	ck_assert(softmax->loss(z, y, 1, 3, dz) == 0.0);
	ck_assert(dz[0] == 0.0 && dz[1] == 0.0 && dz[2] == 0.0);
	y[0] = 1;
	ck_assert_double_eq_tol(softmax->loss(z, y, 1, 3, dz), 2000.0, 1e-12);
	ck_assert(dz[0] == 1.0 && dz[1] == -1.0 && dz[2] == 0.0);
	y[0] = 2;
	ck_assert_double_eq_tol(softmax->loss(z, y, 1, 3, dz), 1000.0, 1e-12);
	ck_assert(dz[0] == 1.0 && dz[1] == 0.0 && dz[2] == -1.0);

	y[0] = 2, y[1] = 1, y[2] = 0, y[3] = 1;
	double lse = log(exp(0.5) + exp(-1.0) + exp(2.0));
	double expected = 1000.0 + log(3.0) + lse - 0.5 + log(3.0);
	double loss = softmax->loss(z, y, 4, 3, dz);
	ck_assert(isfinite(loss));
	ck_assert_double_eq_tol(loss, expected, 1e-12);
	/* Every row of dz sums to 0: softmax minus the one-hot target. */
	for (size_t b = 0; b < 4; b++) {
		double sum = 0.0;
		for (size_t k = 0; k < 3; k++) {
			ck_assert(isfinite(dz[3 * b + k]));
			sum += dz[3 * b + k];
		}
		ck_assert_double_eq_tol(sum, 0.0, 1e-15);
	}
	ck_assert_double_eq_tol(dz[3 + 0], 1.0 / 3.0, 1e-15);
	ck_assert_double_eq_tol(dz[3 + 1], 1.0 / 3.0 - 1.0, 1e-15);
	ck_assert_double_eq_tol(dz[6 + 0], exp(0.5 - lse) - 1.0, 1e-15);
	ck_assert_double_eq_tol(dz[6 + 2], exp(2.0 - lse), 1e-15);
	ck_assert_double_eq_tol(dz[9 + 1], 1.0 / 3.0 - 1.0, 1e-15);
	/* Without dz, the same loss. */
	ck_assert(softmax->loss(z, y, 4, 3, NULL) == loss);
}
END_TEST

/*
 * The logistic head's shortcut (the sign of a logit far from 0) picks the
 * class its probabilities pick, at every scale of logit, near the edge of
 * the shortcut, at 0 and for NaN.
 */
START_TEST(test_logistic_obvious_class_agrees)
{
	const struct head *logistic = head_find("logistic");
	double p[2];
	size_t checked = 0;

	ck_assert_ptr_nonnull(logistic->obvious_class);
	for (int sign = -1; sign <= 1; sign += 2)
		for (double magnitude = 1e-300; magnitude < 1e300; magnitude *= 1.37) {
			for (int step = -3; step <= 3; step++) {
				double z = sign * magnitude * (1.0 + step * 1e-3);
				logistic->probabilities(&z, p, 2);
				size_t by_probability = p[1] > p[0] ? 1 : 0;
				ck_assert_uint_eq(head_predict_class(logistic, &z, 2, p), by_probability);
				checked++;
			}
		}
	const double edges[] = { 1e-6, -1e-6, nextafter(1e-6, 1), nextafter(-1e-6, -1), 0.0, -0.0,
				 NAN, INFINITY, -INFINITY };
	for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
		double z = edges[i];
		logistic->probabilities(&z, p, 2);
		ck_assert_uint_eq(head_predict_class(logistic, &z, 2, p), p[1] > p[0] ? 1 : 0);
	}
	ck_assert_uint_gt(checked, 1000);
}
END_TEST

START_TEST(test_probabilities_and_prediction)
{
	const struct head *logistic = head_find("logistic"), *softmax = head_find("softmax");
	double p[4], z;

	/* softmax(0, log 2, log 3) = 1/6, 2/6, 3/6. */
	softmax->probabilities((const double[]){ 0.0, log(2.0), log(3.0) }, p, 3);
	ck_assert_double_eq_tol(p[0], 1.0 / 6.0, 1e-15);
	ck_assert_double_eq_tol(p[1], 2.0 / 6.0, 1e-15);
	ck_assert_double_eq_tol(p[2], 3.0 / 6.0, 1e-15);
	const double huge[4] = { 1000.0, -1000.0, 999.0, 1000.0 };
	softmax->probabilities(huge, p, 4);
	double sum = 0.0;
	for (int k = 0; k < 4; k++) {
		ck_assert(isfinite(p[k]) && p[k] >= 0.0);
		sum += p[k];
	}
	ck_assert_double_eq_tol(sum, 1.0, 1e-15);
	ck_assert_double_eq_tol(p[2], exp(-1.0) / (2.0 + exp(-1.0)), 1e-15);
	ck_assert(p[1] == 0.0);

	for (z = -800.0; z <= 800.0; z += 160.0) {
		logistic->probabilities(&z, p, 2);
		ck_assert(isfinite(p[0]) && isfinite(p[1]));
		ck_assert_double_eq_tol(p[0] + p[1], 1.0, 1e-15);
	}
	z = 0.7;
	logistic->probabilities(&z, p, 2);
	ck_assert_double_eq_tol(p[1], 1.0 / (1.0 + exp(-0.7)), 1e-15);
	z = -0.7;
	logistic->probabilities(&z, p, 2);
	ck_assert_double_eq_tol(p[1], 1.0 / (1.0 + exp(0.7)), 1e-15);

	/* The most probable class, the first on ties. */
	ck_assert_uint_eq(head_predict_class(softmax, (const double[]){ 3.0, -1.0, 2.0 }, 3, p), 0);
	ck_assert_uint_eq(head_predict_class(softmax, (const double[]){ 0.1, 2.0, 2.0 }, 3, p), 1);
	ck_assert_uint_eq(head_predict_class(softmax, (const double[]){ -5.0, -4.0, 1.0, 0.0 }, 4,
					     p), 2);
	ck_assert_uint_eq(head_predict_class(softmax, huge, 4, p), 0);
	z = 0.5;
	ck_assert_uint_eq(head_predict_class(logistic, &z, 2, p), 1);
	z = -0.5;
	ck_assert_uint_eq(head_predict_class(logistic, &z, 2, p), 0);
	z = 0.0;
	ck_assert_uint_eq(head_predict_class(logistic, &z, 2, p), 0);
}
END_TEST

START_TEST(test_network_create_refusals)
{
	struct network net;
	struct error err;
	const struct layer skip_mismatch[2] = {
		{ .in = 3, .out = 4, .activation = ACTIVATION_RELU, .skip = 1 },
		{ .in = 4, .out = 1 },
	};
	const struct layer chain_mismatch[3] = {
		{ .in = 3, .out = 4, .activation = ACTIVATION_RELU },
		{ .in = 4, .out = 4, .activation = ACTIVATION_TANH, .skip = 1 },
		{ .in = 5, .out = 1 },
	};
	const struct layer empty_layer[2] = {
		{ .in = 3, .out = 0, .activation = ACTIVATION_RELU },
		{ .in = 0, .out = 1 },
	};

	ck_assert_int_eq(network_create(&net, skip_mismatch, 2, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_msg(strstr(err.message, "layer 1") != NULL, "%s", err.message);
	ck_assert_ptr_null(net.layers);
	network_free(&net);

	ck_assert_int_eq(network_create(&net, chain_mismatch, 3, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_msg(strstr(err.message, "layer 3") != NULL, "%s", err.message);
	ck_assert_ptr_null(net.layers);

	ck_assert_int_eq(network_create(&net, empty_layer, 2, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_int_eq(network_create(&net, chain_mismatch, 0, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);

	/* The same layers with the sizes put right are accepted. */
	struct layer fixed[3];
	memcpy(fixed, chain_mismatch, sizeof fixed);
	fixed[2].in = 4;
	ck_assert_int_eq(network_create(&net, fixed, 3, &err), 0);
	network_free(&net);
	memcpy(fixed, skip_mismatch, 2 * sizeof *fixed);
	fixed[0].skip = 0;
	ck_assert_int_eq(network_create(&net, fixed, 2, &err), 0);
	network_free(&net);

	/* A model refuses an output layer that is not plain, or sizes that do not fit. */
	struct schema s;
	struct model m;
	const struct layer bad_output[1] = {
		{ .in = 2, .out = 1, .activation = ACTIVATION_RELU },
	};
	const struct layer two_outputs[1] = { { .in = 2, .out = 2 } };
	ck_assert_int_eq(schema_allocate(&s, 2, 0, &err), 0);
	ck_assert_int_eq(model_create(&m, head_find("linear"), bad_output, 1, &s, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_int_eq(model_create(&m, head_find("linear"), two_outputs, 1, &s, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_int_eq(model_create(&m, head_find("linear"), skip_mismatch, 2, &s, &err), -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_uint_eq(s.n_features, 2);     /* still the caller's */
	schema_free(&s);
}
END_TEST

START_TEST(test_layout_and_weight_mask)
{
	const struct layer layers[3] = {
		{ .in = 3, .out = 4, .activation = ACTIVATION_RELU },
		{ .in = 4, .out = 4, .activation = ACTIVATION_RELU, .skip = 1 },
		{ .in = 4, .out = 2, .activation = ACTIVATION_IDENTITY },
	};
	/* W1 [0,12) b1 [12,16) W2 [16,32) b2 [32,36) W3 [36,44) b3 [44,46). */
	const size_t weights[3] = { 0, 16, 36 }, biases[3] = { 12, 32, 44 };
	struct network net;
	struct error err;
	unsigned char mask[46];
	struct model m;

	ck_assert_int_eq(network_create(&net, layers, 3, &err), 0);
	ck_assert_uint_eq(net.n_layers, 3);
	ck_assert_uint_eq(net.n_params, 46);
	ck_assert_uint_eq(net.n_inputs, 3);
	ck_assert_uint_eq(net.n_outputs, 2);
	ck_assert_uint_eq(net.widest, 4);
	for (size_t l = 0; l < 3; l++) {
		ck_assert_uint_eq(net.layers[l].weights, weights[l]);
		ck_assert_uint_eq(net.layers[l].biases, biases[l]);
		ck_assert_uint_eq(net.layers[l].in, layers[l].in);
		ck_assert_uint_eq(net.layers[l].out, layers[l].out);
		ck_assert_int_eq(net.layers[l].skip, layers[l].skip);
	}
	memset(mask, 0xAA, sizeof mask);
	network_weight_mask(&net, mask);
	for (size_t i = 0; i < 46; i++) {
		int expect = i < 12 || (i >= 16 && i < 32) || (i >= 36 && i < 44);
		ck_assert_msg(mask[i] == expect, "mask[%zu] = %d", i, mask[i]);
	}
	network_free(&net);

	/* A model's is_weight is the same mask. */
	fixture_model(&m, "softmax", 3, 2, layers, 3);
	ck_assert_uint_eq(m.net.n_params, 46);
	ck_assert_int_eq(memcmp(m.is_weight, mask, sizeof mask), 0);
	model_free(&m);

	/* Without hidden layers: W[out x in] then b. */
	const struct layer single[1] = { { .in = 3, .out = 1 } };
	fixture_model(&m, "linear", 3, 0, single, 1);
	ck_assert_uint_eq(m.net.n_params, 4);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(m.is_weight[i], 1);
	ck_assert_int_eq(m.is_weight[3], 0);
	model_free(&m);
}
END_TEST

START_TEST(test_model_shape_layers)
{
	const size_t hidden[4] = { 3, 5, 5, 2 };
	struct model_shape shape = { .hidden = hidden, .n_hidden = 4,
				     .activation = ACTIVATION_SIGMOID, .residual = 1 };
	struct layer layers[5];

	ck_assert_uint_eq(model_shape_layers(&shape, 3, 4, layers), 2);
	const size_t in[5] = { 3, 3, 5, 5, 2 }, out[5] = { 3, 5, 5, 2, 4 };
	const int skip[5] = { 1, 0, 1, 0, 0 };
	for (size_t l = 0; l < 5; l++) {
		ck_assert_uint_eq(layers[l].in, in[l]);
		ck_assert_uint_eq(layers[l].out, out[l]);
		ck_assert_int_eq(layers[l].skip, skip[l]);
		ck_assert_int_eq(layers[l].activation, l < 4 ? ACTIVATION_SIGMOID
							      : ACTIVATION_IDENTITY);
	}
	shape.residual = 0;
	ck_assert_uint_eq(model_shape_layers(&shape, 3, 4, layers), 0);
	for (size_t l = 0; l < 5; l++)
		ck_assert_int_eq(layers[l].skip, 0);
}
END_TEST

/* Every weight of layer l within limit, the largest above fraction of it. */
static void check_layer_init(const struct network *net, const double *params, size_t l,
			     double limit, double above, const char *what)
{
	const struct layer *layer = &net->layers[l];
	double largest = 0.0;

	for (size_t i = layer->weights; i < layer->biases; i++) {
		ck_assert_msg(fabs(params[i]) <= limit, "%s layer %zu: weight %.17g beyond %.17g",
			      what, l + 1, params[i], limit);
		largest = fmax(largest, fabs(params[i]));
	}
	ck_assert_msg(largest > above, "%s layer %zu: largest weight %.17g, expected above %.17g",
		      what, l + 1, largest, above);
	for (size_t i = layer->biases; i < layer->biases + layer->out; i++)
		ck_assert_msg(params[i] == 0.0, "%s layer %zu: bias %.17g", what, l + 1, params[i]);
}

START_TEST(test_initialize)
{
	struct network net;
	struct error err;
	struct prng r;
	double params[200], again[200];

	/* Without hidden layers: all zero, whatever was there. */
	const struct layer single[1] = { { .in = 5, .out = 3 } };
	ck_assert_int_eq(network_create(&net, single, 1, &err), 0);
	for (size_t i = 0; i < 200; i++)
		params[i] = 7.0;
	prng_seed(&r, 1);
	network_initialize(&net, params, &r);
	for (size_t i = 0; i < net.n_params; i++)
		ck_assert(params[i] == 0.0);
	ck_assert(params[net.n_params] == 7.0);         /* nothing beyond */
	network_free(&net);

	for (size_t a = 0; a < 3; a++) {
		enum activation act = hidden_activations[a];
		const char *what = activation_name(act);
		const struct layer layers[3] = {
			{ .in = 3, .out = 6, .activation = act },
			{ .in = 6, .out = 6, .activation = act, .skip = 1 },
			{ .in = 6, .out = 2, .activation = ACTIVATION_IDENTITY },
		};
		ck_assert_int_eq(network_create(&net, layers, 3, &err), 0);
		ck_assert_uint_le(net.n_params, 200);
		for (size_t i = 0; i < 200; i++)
			params[i] = again[i] = 7.0;
		prng_seed(&r, 42);
		network_initialize(&net, params, &r);
		prng_seed(&r, 42);
		network_initialize(&net, again, &r);
		ck_assert_int_eq(memcmp(params, again, sizeof params), 0);
		ck_assert(params[net.n_params] == 7.0);
		prng_seed(&r, 43);
		network_initialize(&net, again, &r);
		ck_assert_int_ne(memcmp(params, again, net.n_params * sizeof *params), 0);

		for (size_t l = 0; l < 2; l++) {
			double in = (double)layers[l].in, out = (double)layers[l].out;
			double he = sqrt(6.0 / in), glorot = sqrt(6.0 / (in + out));
			if (act == ACTIVATION_RELU)
				/* He's limit, which is wider than Glorot's. */
				check_layer_init(&net, params, l, he, glorot, what);
			else
				check_layer_init(&net, params, l, glorot, 0.75 * glorot, what);
		}
		/* The output layer: Glorot, whatever the hidden activation. */
		check_layer_init(&net, params, 2, sqrt(6.0 / 8.0), 0.75 * sqrt(6.0 / 8.0), what);
		network_free(&net);
	}
}
END_TEST

START_TEST(test_registry)
{
	const char *names[3] = { "linear", "logistic", "softmax" };
	size_t count = 0;

	for (size_t i = 0; i < 3; i++) {
		const struct head *h = head_find(names[i]);
		ck_assert_ptr_nonnull(h);
		ck_assert_str_eq(h->name, names[i]);
		ck_assert_ptr_eq(heads[i], h);
		ck_assert_ptr_nonnull(h->loss);
		ck_assert_ptr_nonnull(h->outputs);
		ck_assert_ptr_nonnull(h->summary);
	}
	while (heads[count])
		count++;
	ck_assert_uint_eq(count, 3);
	ck_assert_ptr_null(head_find("softmax-typo"));
	ck_assert_ptr_null(head_find("perceptron"));
	ck_assert_ptr_null(head_find(""));
	ck_assert_int_eq(head_find("logistic")->max_classes, 2);
	ck_assert_int_eq(head_find("logistic")->classifier, 1);
	ck_assert_int_eq(head_find("softmax")->classifier, 1);
	ck_assert_int_eq(head_find("softmax")->max_classes, 0);
	ck_assert_int_eq(head_find("linear")->classifier, 0);
	ck_assert_ptr_nonnull(head_find("logistic")->probabilities);
	ck_assert_ptr_nonnull(head_find("softmax")->probabilities);
}
END_TEST

/*
 * Accuracy through objective_add's correct count, on hand-made rows:
 * logistic z = x (predicts class 1 for x > 0), softmax z = (x1, x2, 0).
 */
START_TEST(test_accuracy)
{
	double x1[6] = { -2.0, -1.0, 1.0, 2.0, 3.0, 0.0 };
	double y1[6] = { 0, 1, 1, 1, 0, 0 };    /* right: rows 0, 2, 3, 5 */
	double x2[10] = { 2.0, 1.0, -1.0, 3.0, -1.0, -2.0, 0.5, 0.5, 1.0, -1.0 };
	double y2[5] = { 0, 1, 2, 1, 2 };       /* predicted 0, 1, 2, 0, 0 */
	struct dataset d1 = { .rows = 6, .features = 1, .x = x1, .y = y1, .n_classes = 2 };
	struct dataset d2 = { .rows = 5, .features = 2, .x = x2, .y = y2, .n_classes = 3 };
	const struct layer l1[1] = { { .in = 1, .out = 1 } };
	const struct layer l2[1] = { { .in = 2, .out = 3 } };
	struct data_view v1 = { .data = &d1, .count = 6 }, v2 = { .data = &d2, .count = 5 };
	struct memory_source s1, s2;
	struct workspace w1, w2;
	struct model m1, m2;
	struct error err;

	fixture_model(&m1, "logistic", 1, 2, l1, 1);
	m1.params[0] = 1.0;
	ck_assert_int_eq(memory_source_init(&s1, &v1, 6, &err), 0);
	ck_assert_int_eq(workspace_create(&w1, &m1.net, 4, &err), 0);
	struct objective_sums sums = pass(&m1, m1.params, &s1, &w1, NULL);
	ck_assert_uint_eq(sums.count, 6);
	ck_assert_uint_eq(sums.correct, 4);
	double loss = head_find("logistic")->loss(x1, y1, 6, 1, NULL);
	ck_assert_double_eq_tol(sums.loss, loss, 1e-14);
	/* Rows 1, 4 and 4 again: all wrong. */
	const size_t wrong[3] = { 1, 4, 4 };
	memory_source_select(&s1, wrong, 3, 3);
	sums = (struct objective_sums){ 0 };
	ck_assert_int_eq(objective_add(&m1, m1.params, &s1.source, &w1, NULL, &sums, &err), 0);
	ck_assert_uint_eq(sums.count, 3);
	ck_assert_uint_eq(sums.correct, 0);

	/* Softmax: W = [[1, 0], [0, 1], [0, 0]], b = 0. */
	fixture_model(&m2, "softmax", 2, 3, l2, 1);
	m2.params[0] = 1.0;
	m2.params[3] = 1.0;
	ck_assert_int_eq(memory_source_init(&s2, &v2, 5, &err), 0);
	ck_assert_int_eq(workspace_create(&w2, &m2.net, 2, &err), 0);
	sums = pass(&m2, m2.params, &s2, &w2, NULL);
	ck_assert_uint_eq(sums.count, 5);
	ck_assert_uint_eq(sums.correct, 3);

	workspace_free(&w1);
	workspace_free(&w2);
	memory_source_free(&s1);
	memory_source_free(&s2);
	model_free(&m1);
	model_free(&m2);
}
END_TEST

static Suite *models_suite(void)
{
	Suite *s = suite_create("models");
	TCase *tc = tcase_create("core");
	TCase *gradients = tcase_create("gradients");

	tcase_add_test(tc, test_objective_adds);
	tcase_add_test(tc, test_dense_backward);
	tcase_add_test(tc, test_activations_and_residual);
	tcase_add_test(tc, test_residual_forward);
	tcase_add_test(tc, test_linear_loss_value);
	tcase_add_test(tc, test_loss_at_zero);
	tcase_add_test(tc, test_logistic_loss_is_stable);
	tcase_add_test(tc, test_softmax_loss_is_stable);
	tcase_add_test(tc, test_probabilities_and_prediction);
	tcase_add_test(tc, test_logistic_obvious_class_agrees);
	tcase_add_test(tc, test_network_create_refusals);
	tcase_add_test(tc, test_layout_and_weight_mask);
	tcase_add_test(tc, test_model_shape_layers);
	tcase_add_test(tc, test_initialize);
	tcase_add_test(tc, test_registry);
	tcase_add_test(tc, test_accuracy);
	suite_add_tcase(s, tc);
	/* Some 2000 passes per head: room for valgrind. */
	tcase_set_timeout(gradients, 60);
	tcase_add_loop_test(gradients, test_gradients, 0,
			    (int)(sizeof head_cases / sizeof head_cases[0]));
	suite_add_tcase(s, gradients);
	return s;
}

UNIT_MAIN(models_suite)
