/* stream_mode.c - --stream: train in one pass over standard input.
 *
 * The reader (csv_read.c) is given two handlers instead of a data set to
 * fill: on_start, once the header and the first row fix the inputs, makes
 * the model (or takes --init's) and the comment lines and starts the
 * trainer (train/stream_train.h), which writes the comments once the first
 * row is accepted; on_row hands each row to it.  Nothing but the shuffle
 * buffer and one batch is held.  Then the status record and the model, as
 * after any training.
 *
 * Owns the model, the trainer, the comment lines, the classes of --classes
 * and the log, and frees them before returning.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include "model_io.h"
#include "modes.h"
#include "output.h"
#include "parse.h"
#include "rotation.h"
#include "schedule.h"
#include "stream_train.h"
#include "train.h"

struct stream_run {
	const struct options *o;
	const struct head *head;
	struct model *m;
	const struct train_config *config;
	struct stream_config stream;
	struct stream_trainer trainer;
	char *preamble;         /* the comment lines, for the trainer */
	int started;
};

/* The plan is made: the model, the comments, the trainer. */
static int on_start(void *context, struct dataset *data, struct error *err)
{
	struct stream_run *r = context;
	const struct options *o = r->o;

	if (!o->init) {
		if (create_model(o, r->head, data, r->m, err) != 0)
			return -1;
		if (o->rotate && r->m->net.n_inputs > ROTATION_MAX_INPUTS)
			return error_set(err, EXIT_USAGE, "--rotate takes at most %d inputs, and the "
					 "data has %zu (a rotation has d x d entries and costs d^3 to "
					 "draw)", ROTATION_MAX_INPUTS, r->m->net.n_inputs);
		if (o->rotate && schema_set_rotation(&r->m->schema, stream_seed(o->rotate_seed,
							SEED_STREAM_ROTATE), err) != 0)
			return -1;
	}
	/* The comments wait for the first row to be accepted: bad data leaves stdout empty. */
	if (!o->quiet) {
		r->preamble = describe_configuration_text(o, r->m, r->config);
		if (!r->preamble)
			return error_set(err, EXIT_SOFTWARE, "out of memory");
		r->stream.preamble = r->preamble;
	}
	catch_interrupt();
	r->started = 1;
	return stream_train_start(&r->trainer, r->m, &r->stream, stdout, err);
}

static int on_row(void *context, const double *x, double y, struct error *err)
{
	struct stream_run *r = context;

	return stream_train_row(&r->trainer, x, y, err);
}

/*
 * --classes A,B,C: the labels, distinct and not empty, as many as the
 * model takes.  *labels is allocated (free_strings).
 */
static int parse_classes(const struct options *o, const struct head *head, char ***labels,
			 size_t *count, struct error *err)
{
	const char *p = o->classes;

	*labels = NULL;
	*count = 0;
	if (!head->classifier)
		return error_set(err, EXIT_USAGE, "--classes: the %s model is not a classifier",
				 head->name);
	*labels = calloc(strlen(p) + 1, sizeof **labels);
	if (!*labels)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	for (;;) {
		size_t length = strcspn(p, ",");
		if (length == 0)
			return error_set(err, EXIT_USAGE, "invalid --classes '%s': expected labels "
					 "separated by commas, none empty", o->classes);
		char *label = strndup(p, length);
		if (!label)
			return error_set(err, EXIT_SOFTWARE, "out of memory");
		for (size_t k = 0; k < *count; k++)
			if (strcmp((*labels)[k], label) == 0) {
				error_set(err, EXIT_USAGE, "--classes names '%s' twice", label);
				free(label);
				return -1;
			}
		(*labels)[(*count)++] = label;
		if (p[length] == '\0')
			break;
		p += length + 1;
	}
	if (*count < 2)
		return error_set(err, EXIT_USAGE, "--classes names %zu class; a classifier needs at "
				 "least 2", *count);
	if (head->max_classes > 0 && *count > (size_t)head->max_classes)
		return error_set(err, EXIT_USAGE, "--classes names %zu classes; %s needs %d%s%s%s",
				 *count, head->name, head->max_classes,
				 head->too_many_classes_hint ? " (" : "",
				 head->too_many_classes_hint ? head->too_many_classes_hint : "",
				 head->too_many_classes_hint ? ")" : "");
	return 0;
}

int cli_train_stream(const struct options *o, const struct head *head,
		     const struct train_config *config, struct error *err)
{
	struct csv_read_options reading;
	struct train_config c = *config;
	struct train_result result;
	struct dataset data = { 0 };
	struct model m = { 0 };
	struct stream_run r = { .o = o, .m = &m, .config = &c };
	char **classes = NULL;
	size_t n_classes = 0;
	FILE *log = NULL;
	int status = -1;

	/* What options.c could not check: the optimizer and schedule found by name. */
	if (optim_full_batch(c.optimizer))
		return error_set(err, EXIT_USAGE, "--stream takes a mini-batch step as rows arrive, "
				 "and %s needs the full-batch objective", c.optimizer->name);
	if (strcmp(c.schedule.kind->name, "constant") != 0 &&
	    strcmp(c.schedule.kind->name, "cyclic") != 0)
		return error_set(err, EXIT_USAGE, "the %s schedule changes the step size from epoch "
				 "to epoch, and --stream is one epoch (try constant or cyclic, with "
				 "--warmup)", c.schedule.kind->name);
	if (c.batch_size == 0)
		c.batch_size = 1;       /* options.c refused -b 0; not reached */
	c.log = NULL;
	if (o->init) {
		if (model_load(o->init, &m, err) != 0)
			return -1;
		if (check_init_conflicts(o, &m, err) != 0)
			goto done;
		head = m.head;
		cli_reading_options(o, head, &reading);
		cli_schema_options(&m, &reading, 1);
		if (o->standardize)
			fprintf(stderr, "descent: --standardize: keeping the statistics stored in %s\n",
				o->init);
		if (o->rotate)
			fprintf(stderr, "descent: --rotate: keeping the rotation stored in %s\n",
				o->init);
	} else {
		if (head->classifier && !o->classes) {
			error_set(err, EXIT_USAGE, "a %s model streamed from scratch needs its classes "
				  "before the first row, and a stream shows its labels only as they "
				  "come (try --classes A,B,... or --init MODEL)", head->name);
			goto done;
		}
		if (o->classes && parse_classes(o, head, &classes, &n_classes, err) != 0)
			goto done;
		cli_reading_options(o, head, &reading);
		reading.schema_classes = classes;
		reading.schema_n_classes = n_classes;
	}
	r.head = head;
	r.stream.train = &c;
	r.stream.shuffle_buffer = (size_t)o->shuffle_buffer;
	r.stream.shuffle_seed = stream_seed(o->seed, SEED_STREAM_SHUFFLE_BUFFER);
	r.stream.report_every = (size_t)o->report_every;
	reading.stream_start = on_start;
	reading.stream_row = on_row;
	reading.stream_context = &r;
	if (o->log) {
		log = fopen(o->log, "w");
		if (!log) {
			error_set(err, EXIT_CANTCREAT, "cannot create --log '%s': %s", o->log,
				  strerror(errno));
			goto done;
		}
		fputs("rows,progressive_loss,progressive_accuracy,lr,seconds\n", log);
		c.log = log;
	}

	/* Errors in the stream stop it where they are met, after the records so far. */
	if (cli_read_standard_input(&reading, &data, err) != 0 && !r.trainer.stopped)
		goto done;
	if (!r.started) {
		error_set(err, EXIT_SOFTWARE, "the stream ended before its first row");
		goto done;
	}
	if (stream_train_finish(&r.trainer, &result, err) != 0)
		goto done;
	if (train_interrupted && result.stop == TRAIN_COMPLETED)
		result.stop = TRAIN_INTERRUPTED;        /* while waiting for input */
	const char *state = train_stop_name(result.stop);
	model_write_status(stdout, state, result.epoch);
	model_write(stdout, &m);
	if (output_flush(stdout) != 0) {
		error_set(err, EXIT_IO, "write error");
		goto done;
	}
	if (o->save && model_save(o->save, &m, state, result.epoch, err) != 0)
		goto done;
	status = 0;
	if (result.stop == TRAIN_DIVERGED) {
		cli_print_message(result.message);
		status = error_set(err, EXIT_DIVERGED, "the last finite weights were written");
	} else if (result.stop == TRAIN_INTERRUPTED) {
		status = error_set(err, interrupted_status(), "%s after %zu rows of the stream; "
				   "the weights reached were written", train_interrupted == SIGTERM ?
				   "terminated (SIGTERM)" : "interrupted", r.trainer.rows);
	}
done:
	if (log) {
		int failed = ferror(log);
		failed |= fclose(log) != 0;
		if (failed && (status == 0 || err->status == EXIT_IO))
			status = error_set(err, EXIT_IO, "write error on --log '%s'", o->log);
	}
	stream_train_free(&r.trainer);
	free(r.preamble);
	dataset_free(&data);
	model_free(&m);
	free_strings(classes, n_classes);
	return status;
}
