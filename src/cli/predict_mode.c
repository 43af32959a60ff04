/* predict_mode.c - --predict: one line per row, and metrics when the
 * data carries the target.  Owns the data, model and workspace it creates. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_records.h"
#include "dataset.h"
#include "metrics.h"
#include "model_io.h"
#include "modes.h"
#include "network.h"
#include "output.h"
#include "source.h"

/* Training options given with --predict, which trains nothing. */
static void warn_inapplicable_prediction(const struct options *o)
{
	static const int training_only[] = {
		'o', 'l', 'e', 'b', 's', OPTION_NO_SHUFFLE, OPTION_STANDARDIZE, OPTION_HIDDEN,
		OPTION_ACTIVATION, OPTION_RESIDUAL, OPTION_MOMENTUM, OPTION_RHO, OPTION_BETA1,
		OPTION_BETA2, OPTION_EPS, OPTION_WEIGHT_DECAY, OPTION_HISTORY, OPTION_SCHEDULE,
		OPTION_WARMUP, OPTION_PATIENCE, OPTION_LOG,
	};

	for (size_t i = 0; i < sizeof training_only / sizeof training_only[0]; i++)
		if (o->given[training_only[i]])
			cli_warn_ignored(options_long_name(training_only[i]), "--predict");
}

static int all_finite(const double *values, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (!isfinite(values[i]))
			return 0;
	return 1;
}

/*
 * One line per row: the value, the class label, or the class
 * probabilities.  A row whose outputs (or probabilities) are not all
 * finite - finite but huge weights overflow - is never printed: the rows
 * before it are, and its place in the batch is returned; SIZE_MAX when
 * every row was written.
 */
static size_t write_predictions(const struct options *o, const struct model *m,
				const double *z, size_t rows, double *p)
{
	size_t outputs = m->net.n_outputs, classes = m->schema.n_classes;

	for (size_t b = 0; b < rows; b++) {
		const double *row = z + b * outputs;
		if (!all_finite(row, outputs))
			return b;
		if (m->head->classifier) {
			m->head->probabilities(row, p, classes);
			if (!all_finite(p, classes))
				return b;
		}
		if (!m->head->classifier) {
			output_write_exact(stdout, row[0]);
		} else if (o->probabilities) {
			for (size_t k = 0; k < classes; k++) {
				if (k)
					putc(',', stdout);
				output_write_exact(stdout, p[k]);
			}
		} else {
			output_write_field(stdout,
					   m->schema.class_labels[head_predict_class(m->head, row,
										     classes, p)]);
		}
		putc('\n', stdout);
	}
	return SIZE_MAX;
}

/* The confusion matrix as a table, rows the true class, columns the predicted one. */
static void print_confusion(FILE *out, const struct model *m, const struct metrics *s)
{
	enum { MAX_WIDTH = 16 };
	size_t classes = s->n_classes;
	int width = 5;

	for (size_t k = 0; k < classes; k++) {
		int length = (int)strlen(m->schema.class_labels[k]);
		width = length > width ? (length < MAX_WIDTH ? length : MAX_WIDTH) : width;
	}
	for (size_t k = 0; k < classes * classes; k++) {
		int digits = snprintf(NULL, 0, "%zu", s->confusion[k]);
		width = digits > width ? digits : width;
	}
	fputs("confusion matrix (rows: true class, columns: predicted class):\n", out);
	fprintf(out, "%*s", width, "");
	for (size_t j = 0; j < classes; j++)
		fprintf(out, "  %*.*s", width, width, m->schema.class_labels[j]);
	putc('\n', out);
	for (size_t i = 0; i < classes; i++) {
		fprintf(out, "%*.*s", width, width, m->schema.class_labels[i]);
		for (size_t j = 0; j < classes; j++)
			fprintf(out, "  %*zu", width, s->confusion[i * classes + j]);
		putc('\n', out);
	}
}

/* "metric,NAME,VALUE" */
static void write_metric(FILE *out, const char *name, double value)
{
	fprintf(out, "metric,%s,", name);
	output_write_shortest(out, value);
	putc('\n', out);
}

/*
 * How good the predictions were, for data that carries the target: a
 * readable summary on stderr (unless -q), and with --metrics the metric and
 * confusion records on stdout.
 */
static void report_metrics(const struct options *o, const struct model *m,
			   const struct metrics *s)
{
	if (!o->quiet) {
		if (m->head->classifier) {
			fprintf(stderr, "accuracy  %.6g (%zu of %zu rows)\nlog-loss  %.6g\n",
				metrics_accuracy(s), s->correct, s->count, metrics_log_loss(s));
			if (s->confusion)
				print_confusion(stderr, m, s);
			else
				fprintf(stderr, "(no confusion matrix for more than %d classes)\n",
					METRICS_MAX_CONFUSION);
		} else {
			fprintf(stderr, "rmse  %.6g\nmae   %.6g\nr2    %.6g   (%zu rows)\n",
				metrics_rmse(s), metrics_mae(s), metrics_r2(s), s->count);
		}
	}
	if (!o->metrics)
		return;
	if (m->head->classifier) {
		write_metric(stdout, "accuracy", metrics_accuracy(s));
		write_metric(stdout, "log_loss", metrics_log_loss(s));
		for (size_t i = 0; s->confusion && i < s->n_classes; i++) {
			for (size_t j = 0; j < s->n_classes; j++) {
				fputs("confusion,", stdout);
				output_write_field(stdout, m->schema.class_labels[i]);
				putc(',', stdout);
				output_write_field(stdout, m->schema.class_labels[j]);
				fprintf(stdout, ",%zu\n", s->confusion[i * s->n_classes + j]);
			}
		}
	} else {
		write_metric(stdout, "rmse", metrics_rmse(s));
		write_metric(stdout, "mae", metrics_mae(s));
		write_metric(stdout, "r2", metrics_r2(s));
	}
}

int cli_predict(const struct options *o, struct error *err)
{
	struct csv_read_options reading;
	struct dataset data = { 0 };
	struct workspace ws = { 0 };
	struct memory_source rows = { 0 };
	struct row_batch batch;
	struct metrics scores = { 0 };
	struct model m;
	int status = -1;

	warn_inapplicable_prediction(o);
	if (model_load(o->predict, &m, err) != 0)
		return -1;
	if (o->model_given && strcmp(o->model, m.head->name) != 0) {
		error_set(err, EXIT_USAGE, "--model %s conflicts with the %s model in '%s'",
			  o->model, m.head->name, o->predict);
		goto done;
	}
	if (o->probabilities && !m.head->classifier) {
		error_set(err, EXIT_USAGE, "--probabilities needs a classifier; '%s' holds a %s model",
			  o->predict, m.head->name);
		goto done;
	}
	cli_reading_options(o, m.head, &reading);
	cli_schema_options(&m, &reading, 0);
	if (cli_read_standard_input(&reading, &data, err) != 0)
		goto done;
	schema_standardize(&m.schema, data.x, data.rows);
	struct data_view all = { &data, NULL, data.rows };
	if (o->metrics && !data.y) {
		error_set(err, EXIT_DATA, "--metrics needs the target column '%s' in the data",
			  m.schema.target_name ? m.schema.target_name : "(last)");
		goto done;
	}
	if (workspace_create(&ws, &m.net, 256, err) != 0 ||
	    memory_source_init(&rows, &all, 256, err) != 0 ||
	    (data.y && metrics_init(&scores, m.head, m.schema.n_classes, err) != 0))
		goto done;
	/* A header row names the column, so the predictions paste beside the input. */
	if (o->probabilities && !o->quiet) {
		for (size_t k = 0; k < m.schema.n_classes; k++) {
			if (k)
				putc(',', stdout);
			output_write_field(stdout, m.schema.class_labels[k]);
		}
		putc('\n', stdout);
	} else if (!o->quiet) {
		fputs("prediction\n", stdout);
	}
	for (size_t done_rows = 0; rows.source.next(&rows.source, ws.capacity, &batch, err) == 0 &&
	     batch.rows > 0; done_rows += batch.rows) {
		const double *z = network_forward(&m.net, m.params, batch.x, batch.rows, &ws);
		size_t bad = write_predictions(o, &m, z, batch.rows, ws.row_scratch);
		if (bad != SIZE_MAX) {
			csv_error_at(err, reading.source, data.lines[done_rows + bad],
				     "the prediction for this row is not finite: the model's weights "
				     "and this row's values overflow a double (was the model "
				     "trained to divergence?)");
			goto done;
		}
		if (batch.y)
			metrics_add(&scores, z, batch.y, batch.rows, m.net.n_outputs, ws.row_scratch);
	}
	if (data.y)
		report_metrics(o, &m, &scores);
	status = 0;
done:
	metrics_free(&scores);
	workspace_free(&ws);
	memory_source_free(&rows);
	dataset_free(&data);
	model_free(&m);
	return status;
}
