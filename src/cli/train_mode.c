/* train_mode.c - training: read, build or load the model, train, write.
 *
 * Owns everything it creates for the run (data, validation data, holdout
 * split, model, saved state) and frees it before returning.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dataset.h"
#include "landscape.h"
#include "lr_find.h"
#include "model_io.h"
#include "modes.h"
#include "network.h"
#include "output.h"
#include "probe.h"
#include "rotation.h"
#include "schedule.h"
#include "source.h"
#include "train.h"
#include "train_state.h"

/* A path or name in the comment: one shell word, escaped so the comment stays one line. */
static void write_quoted_name(FILE *out, const char *option, const char *name)
{
	fprintf(out, " --%s ", option);
	output_write_shell_word(out, name);
}

void describe_configuration(FILE *out, const struct options *o, const struct model *m,
			    const struct train_config *c)
{
	const struct optim_hyper *h = &c->hyper;
	const double values[] = { h->lr, h->momentum, h->rho, h->beta1, h->beta2, h->eps,
				  h->weight_decay };
	const char *names[] = { "lr", "momentum", "rho", "beta1", "beta2", "eps", "weight-decay" };
	const struct network *net = &m->net;
	char number[32];
	int residual = 0;

	fprintf(out, "# descent %s: --model %s", PACKAGE_VERSION, m->head->name);
	if (net->n_layers > 1) {
		fputs(" --hidden ", out);
		for (size_t l = 0; l + 1 < net->n_layers; l++) {
			fprintf(out, "%s%zu", l ? "," : "", net->layers[l].out);
			residual |= net->layers[l].skip;
		}
		fprintf(out, " --activation %s", activation_name(net->layers[0].activation));
		if (residual)
			fputs(" --residual", out);
	}
	fprintf(out, " --optimizer %s", c->optimizer->name);
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		output_format_shortest(number, sizeof number, values[i]);
		fprintf(out, " --%s %s", names[i], number);
	}
	fprintf(out, " --history %d --schedule %s --warmup %ld --epochs %ld --batch-size %zu"
		" --seed %" PRIu64 " --patience %ld", h->history, o->schedule, o->warmup,
		o->stream ? 1 : o->epochs,
		c->batch_size, o->seed, o->patience);
	if (!c->shuffle)
		fputs(" --no-shuffle", out);
	if (o->standardize)
		fputs(" --standardize", out);
	if (o->holdout > 0) {
		output_format_shortest(number, sizeof number, o->holdout);
		fprintf(out, " --holdout %s", number);
	}
	if (o->validation)
		write_quoted_name(out, "validation", o->validation);
	if (!o->header)
		fputs(" --no-header", out);
	if (o->blank_runs)
		fputs(" --delimiter space", out);
	else if (o->delimiter == '\t')
		fputs(" --delimiter tab", out);
	else if (o->delimiter != ',')
		write_quoted_name(out, "delimiter", (char[]){ o->delimiter, '\0' });
	if (o->features)
		write_quoted_name(out, "features", o->features);
	if (o->ignore)
		write_quoted_name(out, "ignore", o->ignore);
	if (o->categorical)
		write_quoted_name(out, "categorical", o->categorical);
	if (o->missing != MISSING_REFUSE)
		fprintf(out, " --missing %s", o->missing == MISSING_DROP ? "drop" : "mean");
	if (o->init)
		write_quoted_name(out, "init", o->init);
	if (m->schema.target_name)
		write_quoted_name(out, "target", m->schema.target_name);
	if (o->log)
		write_quoted_name(out, "log", o->log);
	if (m->schema.rotation && o->init)
		fputs(" --rotate (kept from --init)", out);
	else if (m->schema.rotation)
		fprintf(out, " --rotate=%" PRIu64, o->rotate_seed);
	if (o->probe_symmetry)
		fputs(" --probe symmetry", out);
	if (o->stream)
		fprintf(out, " --stream --shuffle-buffer %ld --report-every %ld", o->shuffle_buffer,
			o->report_every);
	/* With --log the epoch records, and so their legend, go to the log. */
	fprintf(out, "\n%s", o->log || o->lr_find ? "" : o->stream ?
		"# kind,rows,progressive_loss,progressive_accuracy,lr,seconds\n" :
		"# kind,epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds\n");
}

char *describe_configuration_text(const struct options *o, const struct model *m,
				  const struct train_config *c)
{
	char *text = NULL;
	size_t length;
	FILE *out = open_memstream(&text, &length);

	if (!out)
		return NULL;
	describe_configuration(out, o, m, c);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * The first SIGINT or SIGTERM asks the loop to stop after the current step.
 * The second ends the process at once, by the signal's default action,
 * after removing the temporary file of a --save in progress.
 */
static void on_interrupt(int signal_number)
{
	if (!train_interrupted) {
		train_interrupted = signal_number;
		return;
	}
	model_save_abandon();
	signal(signal_number, SIG_DFL);
	raise(signal_number);   /* delivered as soon as the handler returns */
}

void catch_interrupt(void)
{
	static const int signals[] = { SIGINT, SIGTERM };
	struct sigaction action, previous;

	memset(&action, 0, sizeof action);
	action.sa_handler = on_interrupt;
	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
		sigaddset(&action.sa_mask, signals[i]);
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		/* A run started with one ignored (nohup, "&" in a script) keeps it so. */
		if (sigaction(signals[i], NULL, &previous) == 0 && previous.sa_handler == SIG_IGN)
			continue;
		sigaction(signals[i], &action, NULL);
	}
}

/* 130 after SIGINT, 143 after SIGTERM: 128 plus the signal, as a shell reports it. */
int interrupted_status(void)
{
	return train_interrupted == SIGTERM ? EXIT_TERMINATED : EXIT_INTERRUPTED;
}

/*
 * Options given that the run will not use: a hyper-parameter the optimizer
 * does not read (its struct optimizer says which it does), --lr under a
 * schedule that sets its own step sizes, a batch size for a full-batch
 * method.
 */
static void warn_inapplicable_training(const struct options *o, const struct train_config *c)
{
	static const struct { unsigned given; const char *name; unsigned uses; } hyper[] = {
		{ SET_MOMENTUM, "momentum", OPTIM_USES_MOMENTUM },
		{ SET_RHO, "rho", OPTIM_USES_RHO },
		{ SET_BETA1, "beta1", OPTIM_USES_BETAS },
		{ SET_BETA2, "beta2", OPTIM_USES_BETAS },
		{ SET_EPS, "eps", OPTIM_USES_EPS },
		{ SET_HISTORY, "history", OPTIM_USES_HISTORY },
	};
	const struct optimizer *optimizer = c->optimizer;

	for (size_t i = 0; i < sizeof hyper / sizeof hyper[0]; i++)
		if ((o->hyper_given & hyper[i].given) && !(optimizer->uses & hyper[i].uses))
			cli_warn_ignored(hyper[i].name, optimizer->name);
	if ((o->hyper_given & SET_LR) && strcmp(c->schedule.kind->name, "cyclic") == 0)
		cli_warn_ignored("lr", "the cyclic schedule, which sets its own step sizes");
	if (o->given['b'] && optim_full_batch(optimizer))
		cli_warn_ignored("batch-size", optimizer->name);
}

static int prepare_training(const struct options *o, struct train_config *c, struct error *err)
{
	const struct optimizer *optimizer = optimizer_find(o->optimizer);
	const struct optim_hyper *given = &o->hyper;

	if (!optimizer) {
		char names[512] = "", hint[96];
		struct spelling_match match;
		spelling_start(&match, o->optimizer);
		for (size_t i = 0; optimizers[i]; i++) {
			cli_append_name(names, sizeof names, optimizers[i]->name);
			spelling_consider(&match, optimizers[i]->name);
		}
		return error_set(err, EXIT_USAGE, "unknown optimizer '%s'%s (one of: %s)", o->optimizer,
				 options_did_you_mean(&match, hint, sizeof hint), names);
	}
	memset(c, 0, sizeof *c);
	c->optimizer = optimizer;
	c->hyper = optimizer->defaults;
	if (o->hyper_given & SET_LR) c->hyper.lr = given->lr;
	if (o->hyper_given & SET_MOMENTUM) c->hyper.momentum = given->momentum;
	if (o->hyper_given & SET_RHO) c->hyper.rho = given->rho;
	if (o->hyper_given & SET_BETA1) c->hyper.beta1 = given->beta1;
	if (o->hyper_given & SET_BETA2) c->hyper.beta2 = given->beta2;
	if (o->hyper_given & SET_EPS) c->hyper.eps = given->eps;
	if (o->hyper_given & SET_WEIGHT_DECAY) c->hyper.weight_decay = given->weight_decay;
	if (o->hyper_given & SET_HISTORY) c->hyper.history = given->history;
	if (schedule_parse(&c->schedule, o->schedule, err) != 0)
		return -1;
	c->schedule.warmup = o->warmup;
	c->epochs = o->epochs;
	c->batch_size = (size_t)o->batch_size;
	c->seed = o->seed;
	c->shuffle = o->shuffle;
	c->patience = o->patience;
	c->quiet = o->quiet;
	c->curvature = o->curvature;
	c->curvature_rows = (size_t)o->curvature_rows;
	c->progress = !o->quiet && isatty(STDERR_FILENO);
	warn_inapplicable_training(o, c);
	return 0;
}

/* "64,32" for the hidden layers of a network, "none" without any. */
static void describe_hidden(const struct network *net, char *text, size_t size)
{
	size_t used = 0;

	snprintf(text, size, "none");
	for (size_t l = 0; l + 1 < net->n_layers && used < size; l++)
		used += (size_t)snprintf(text + used, size - used, "%s%zu", l ? "," : "",
					 net->layers[l].out);
}

/*
 * With --init the architecture comes from the file; options that say
 * otherwise are a usage error naming the difference.
 */
int check_init_conflicts(const struct options *o, const struct model *m, struct error *err)
{
	const struct network *net = &m->net;
	size_t n_hidden = net->n_layers - 1;
	int skips = 0;
	char hidden[256];

	describe_hidden(net, hidden, sizeof hidden);
	for (size_t l = 0; l < n_hidden; l++)
		skips |= net->layers[l].skip;
	if (o->model_given && strcmp(o->model, m->head->name) != 0)
		return error_set(err, EXIT_USAGE, "--model %s conflicts with the %s model in '%s'",
				 o->model, m->head->name, o->init);
	if (o->hidden_text) {
		int same = o->n_hidden == n_hidden;
		for (size_t l = 0; same && l < n_hidden; l++)
			same = o->hidden[l] == net->layers[l].out;
		if (!same)
			return error_set(err, EXIT_USAGE, "--hidden %s conflicts with the hidden layers "
					 "in '%s' (%s)", o->hidden_text, o->init, hidden);
	}
	if (o->activation_given && n_hidden > 0 && o->activation != net->layers[0].activation)
		return error_set(err, EXIT_USAGE, "--activation %s conflicts with the %s hidden "
				 "layers in '%s'", activation_name(o->activation),
				 activation_name(net->layers[0].activation), o->init);
	if (o->residual && !skips)
		return error_set(err, EXIT_USAGE, "--residual conflicts with '%s', whose layers have "
				 "no skip connections", o->init);
	if (o->rotate && !m->schema.rotation)
		return error_set(err, EXIT_USAGE, "--rotate conflicts with '%s', whose weights were "
				 "fitted to unrotated inputs (train afresh to rotate)", o->init);
	if (o->probe_symmetry && n_hidden == 0)
		return error_set(err, EXIT_USAGE, "--probe symmetry needs hidden layers, and the model "
				 "in '%s' has none: no hidden units to permute or rescale", o->init);
	return 0;
}

uint64_t stream_seed(uint64_t seed, uint64_t stream)
{
	return seed ^ (stream * 0x9E3779B97F4A7C15u);
}

/* A new model of the shape the options ask for, initialised from --seed. */
int create_model(const struct options *o, const struct head *head, struct dataset *data,
		 struct model *m, struct error *err)
{
	struct model_shape shape = {
		.hidden = o->hidden, .n_hidden = o->n_hidden, .activation = o->activation,
		.residual = o->residual,
	};
	struct layer layers[MAX_HIDDEN + 1];
	struct prng random;

	size_t skips = model_shape_layers(&shape, data->features,
					  head->outputs(data->schema.n_classes), layers);
	if (o->residual && skips == 0)
		return error_set(err, EXIT_USAGE, "--residual adds a skip only to a hidden layer whose "
				 "width equals its input width, and none does (%zu features, "
				 "--hidden %s)", data->features, o->hidden_text ? o->hidden_text : "none");
	if (model_create(m, head, layers, o->n_hidden + 1, &data->schema, err) != 0)
		return -1;
	prng_seed(&random, stream_seed(o->seed, SEED_STREAM_INIT));
	network_initialize(&m->net, m->params, &random);
	return 0;
}

/* The validation rows of --validation FILE, in the model's schema. */
static int read_validation(const struct options *o, const struct model *m,
			   struct dataset *validation, struct error *err)
{
	struct csv_read_options reading;
	FILE *in = fopen(o->validation, "r");
	int result;

	if (!in)
		return error_set(err, EXIT_NOINPUT, "cannot open '%s': %s", o->validation,
				 strerror(errno));
	cli_reading_options(o, m->head, &reading);
	cli_schema_options(m, &reading, 1);
	reading.source = o->validation;
	result = csv_read_dataset(in, &reading, validation, err);
	fclose(in);
	if (result == 0 && validation->notes)
		cli_print_message(validation->notes);
	if (result == 0)
		schema_standardize(&m->schema, validation->x, validation->rows);
	return result;
}

/* For model_save_with: the state records after the model's. */
static void write_state(FILE *out, const void *state)
{
	train_state_write(out, state);
}

/*
 * The saved training state of --init FILE, if it holds one: it continues
 * only with the optimizer it was saved with.
 */
static int load_state(const struct options *o, const struct model *m, struct train_config *c,
		      struct train_state *saved, struct error *err)
{
	if (train_state_load(o->init, m->net.n_params, saved, err) != 0)
		return -1;
	if (!saved->present)
		return 0;
	if (saved->optimizer != c->optimizer)
		return error_set(err, EXIT_USAGE, "optimizer %s conflicts with the %s state saved in "
				 "'%s': give --optimizer %s to continue the run, or remove the state "
				 "records (grep -v '^state,') to start afresh", c->optimizer->name,
				 saved->optimizer->name, o->init, saved->optimizer->name);
	c->resume = saved;
	return 0;
}

/*
 * --landscape: the slices after the last epoch record, before the status
 * record; written even with -q, which drops only comments and epochs.
 */
static int write_landscapes(const struct options *o, const struct model *m,
			    const double *initial, const struct data_view *training,
			    const struct data_view *validation, struct error *err)
{
	const struct landscape_request *r = &o->landscape;

	if (r->line_points) {
		if (!o->quiet)
			fputs("# kind,alpha,train_loss,val_loss\n", stdout);
		if (landscape_line(m, initial, m->params, training, validation, r->line_points,
				   stdout, err) != 0)
			return -1;
	}
	if (r->plane_points) {
		if (!o->quiet)
			fputs("# kind,a,b,loss\n", stdout);
		if (landscape_plane(m, m->params, training, r->plane_points, r->plane_radius,
				    o->seed, stdout, err) != 0)
			return -1;
	}
	return 0;
}

/*
 * --probe symmetry: its records after the last epoch record (and any
 * landscape), before the status record; written even with -q.
 */
static int write_symmetry(const struct options *o, const struct model *m,
			  const struct data_view *training, struct error *err)
{
	struct probe_record *records;
	size_t n;

	if (probe_symmetry(m, training, stream_seed(o->seed, SEED_STREAM_PROBE), &records, &n,
			   err) != 0)
		return -1;
	if (!o->quiet)
		fputs("# kind,transform,loss_before,loss_after,grad_norm_before,grad_norm_after\n",
		      stdout);
	probe_write(stdout, records, n);
	free(records);
	return 0;
}

/* --lr-find: the range test's records on stdout, its suggestion on stderr. */
static int run_lr_find(const struct options *o, const struct model *m,
		       const struct data_view *training, const struct train_config *c,
		       struct error *err)
{
	struct lr_find_result found;

	if (o->hyper_given & SET_LR)
		cli_warn_ignored("lr", "--lr-find, which sets its own step sizes");
	if (strcmp(o->schedule, "constant") != 0 || o->warmup > 0)
		cli_warn_ignored(o->warmup > 0 ? "warmup" : "schedule",
				 "--lr-find, which sets its own step sizes");
	if (!o->quiet) {
		describe_configuration(stdout, o, m, c);
		fputs("# kind,step,lr,loss,smoothed_loss\n", stdout);
	}
	if (lr_find_run(m, m->params, training, c, o->lr_find_min, o->lr_find_max, stdout,
			&found, err) != 0)
		return -1;
	fprintf(stderr, "descent: --lr-find: %ld steps over %ld epoch%s, step sizes %g to %g%s\n",
		found.steps, found.epochs, found.epochs == 1 ? "" : "s", o->lr_find_min,
		found.last_lr, found.stopped ? " (stopped: the smoothed loss passed 4 times its lowest)" : "");
	if (found.suggested < 0) {
		fprintf(stderr, "descent: --lr-find: the smoothed loss never fell, so there is no "
			"step size to suggest (try a smaller --lr-find=MIN:MAX)\n");
		return 0;
	}
	if (found.steepest >= 0)
		fprintf(stderr, "descent: --lr-find: the smoothed loss falls fastest at step %ld "
			"(step size %.3g)\n", found.steepest + 1, found.steepest_lr);
	fprintf(stderr, "descent: --lr-find: the smoothed loss is lowest at step %ld (step size "
		"%.3g)%s; a tenth of that is the suggestion (try --lr %.3g)\n", found.suggested + 1,
		found.lowest_lr, found.suggested + 1 == found.steps && !found.stopped ?
		", the end of the range" : "", found.suggestion);
	return 0;
}

int cli_train(const struct options *o, struct error *err)
{
	const struct head *head = head_find(o->model);
	struct csv_read_options reading;
	struct train_config config;
	struct train_result result;
	struct dataset data = { 0 }, validation_data = { 0 };
	struct holdout split = { 0 };
	struct model m = { 0 };
	struct train_state saved = { 0 }, reached = { 0 };
	FILE *log = NULL;
	double *initial = NULL;         /* --landscape line: the weights before training */
	char *preamble = NULL;          /* the comment lines, for train_run */
	int status = -1;

	if (!head) {
		char names[256] = "", hint[96];
		struct spelling_match match;
		spelling_start(&match, o->model);
		for (size_t i = 0; heads[i]; i++) {
			cli_append_name(names, sizeof names, heads[i]->name);
			spelling_consider(&match, heads[i]->name);
		}
		return error_set(err, EXIT_USAGE, "unknown model '%s'%s (one of: %s)", o->model,
				 options_did_you_mean(&match, hint, sizeof hint), names);
	}
	if (prepare_training(o, &config, err) != 0)
		return -1;
	if ((o->save && cli_check_creatable("save", o->save, err) != 0) ||
	    (o->log && cli_check_creatable("log", o->log, err) != 0))
		return -1;
	if (o->stream)
		return cli_train_stream(o, head, &config, err);
	if (o->init) {
		if (model_load(o->init, &m, err) != 0)
			return -1;
		if (check_init_conflicts(o, &m, err) != 0 || load_state(o, &m, &config, &saved, err) != 0)
			goto done;
		head = m.head;
		cli_reading_options(o, head, &reading);
		cli_schema_options(&m, &reading, 1);
	} else {
		cli_reading_options(o, head, &reading);
	}
	if (cli_read_standard_input(&reading, &data, err) != 0)
		goto done;
	if (o->holdout > 0 &&
	    dataset_holdout(data.rows, o->holdout, stream_seed(o->seed, SEED_STREAM_HOLDOUT),
			    &split, err) != 0)
		goto done;
	if (o->init) {
		/* The saved statistics, not new ones: the weights were fitted to them. */
		if (o->standardize)
			fprintf(stderr, "descent: --standardize: keeping the statistics stored in %s\n",
				o->init);
		if (o->rotate)
			fprintf(stderr, "descent: --rotate: keeping the rotation stored in %s\n",
				o->init);
		schema_standardize(&m.schema, data.x, data.rows);
	} else {
		if (create_model(o, head, &data, &m, err) != 0)
			goto done;
		/* --missing mean: the training rows' means, before their statistics. */
		if (o->missing == MISSING_MEAN &&
		    dataset_fill_missing(&data, o->holdout > 0 ? split.training : NULL,
					 o->holdout > 0 ? split.n_training : data.rows, &m.schema,
					 err) != 0)
			goto done;
		/* --rotate: Q over the network's inputs, applied after the statistics. */
		if (o->rotate && m.net.n_inputs > ROTATION_MAX_INPUTS) {
			error_set(err, EXIT_USAGE, "--rotate takes at most %d inputs, and the data has "
				  "%zu (a rotation has d x d entries and costs d^3 to draw)",
				  ROTATION_MAX_INPUTS, m.net.n_inputs);
			goto done;
		}
		if (o->rotate && schema_set_rotation(&m.schema, stream_seed(o->rotate_seed,
							SEED_STREAM_ROTATE), err) != 0)
			goto done;
		if (o->standardize) {
			const size_t *rows = o->holdout > 0 ? split.training : NULL;
			size_t count = o->holdout > 0 ? split.n_training : data.rows;
			dataset_column_stats(&data, rows, count, m.schema.feature_mean,
					     m.schema.feature_scale);
		}
		if (o->standardize || o->rotate)
			schema_standardize(&m.schema, data.x, data.rows);
	}
	if (o->validation && read_validation(o, &m, &validation_data, err) != 0)
		goto done;

	struct data_view training = { &data, NULL, data.rows }, validation = { 0 };
	if (o->holdout > 0) {
		training = (struct data_view){ &data, split.training, split.n_training };
		validation = (struct data_view){ &data, split.holdout, split.n_holdout };
	} else if (o->validation) {
		validation = (struct data_view){ &validation_data, NULL, validation_data.rows };
	}
	if (o->lr_find) {
		status = run_lr_find(o, &m, &training, &config, err);
		goto done;
	}
	if (o->log) {
		log = fopen(o->log, "w");
		if (!log) {
			error_set(err, EXIT_CANTCREAT, "cannot create --log '%s': %s", o->log,
				  strerror(errno));
			goto done;
		}
		fputs("epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds\n", log);
		config.log = log;
	}
	/* The comments wait for train_run to accept the data: bad data leaves stdout empty. */
	if (!o->quiet) {
		preamble = describe_configuration_text(o, &m, &config);
		if (!preamble) {
			error_set(err, EXIT_SOFTWARE, "out of memory");
			goto done;
		}
		config.preamble = preamble;
	}
	catch_interrupt();
	config.save_state = o->save_state ? &reached : NULL;
	if (o->landscape.line_points) {         /* the line starts where training does */
		initial = malloc(m.net.n_params * sizeof *initial);
		if (!initial) {
			error_set(err, EXIT_SOFTWARE, "out of memory");
			goto done;
		}
		memcpy(initial, m.params, m.net.n_params * sizeof *initial);
	}
	if (train_run(&m, &training, validation.data ? &validation : NULL, &config, stdout,
		      &result, err) != 0)
		goto done;
	if (result.stop != TRAIN_INTERRUPTED &&
	    write_landscapes(o, &m, initial, &training, validation.data ? &validation : NULL,
			     err) != 0)
		goto done;
	if (o->probe_symmetry && result.stop != TRAIN_INTERRUPTED &&
	    write_symmetry(o, &m, &training, err) != 0)
		goto done;
	if (train_interrupted && result.stop != TRAIN_INTERRUPTED)
		result.stop = TRAIN_INTERRUPTED;        /* while the landscape was drawn */
	const char *state = train_stop_name(result.stop);
	model_write_status(stdout, state, result.epoch);
	model_write(stdout, &m);
	if (output_flush(stdout) != 0) {
		error_set(err, EXIT_IO, "write error");
		goto done;
	}
	if (o->save_state && !reached.present)
		fprintf(stderr, "descent: --save-state: the run %s, so '%s' holds the model without "
			"a training state to continue from\n", state, o->save);
	if (o->save && model_save_with(o->save, &m, state, result.epoch,
				       reached.present ? write_state : NULL, &reached, err) != 0)
		goto done;
	status = 0;
	if (result.stop == TRAIN_DIVERGED) {
		cli_print_message(result.message);
		status = error_set(err, EXIT_DIVERGED, "the last finite weights were written");
	} else if (result.stop == TRAIN_LINE_SEARCH_FAILED) {
		cli_print_message(result.message);
		status = error_set(err, EXIT_DIVERGED, "the weights before that step were written");
	} else if (result.stop == TRAIN_INTERRUPTED) {
		status = error_set(err, interrupted_status(),
				   "%s in epoch %ld; the weights reached were written",
				   train_interrupted == SIGTERM ? "terminated (SIGTERM)" : "interrupted",
				   result.epoch);
	}
done:
	if (log) {
		int failed = ferror(log);
		failed |= fclose(log) != 0;
		if (failed && (status == 0 || err->status == EXIT_IO))
			status = error_set(err, EXIT_IO, "write error on --log '%s'", o->log);
	}
	dataset_free(&data);
	dataset_free(&validation_data);
	dataset_holdout_free(&split);
	model_free(&m);
	train_state_free(&saved);
	train_state_free(&reached);
	free(initial);
	free(preamble);
	return status;
}
