/* cli.c - options, help, and the train and predict modes.
 *
 * Parsing fills a struct options; nothing is read or written until every
 * option is known to be valid, so a usage error never leaves output behind.
 * Every path ends in finish(), which prints the error, if any, and checks
 * that standard output was written completely.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dataset.h"
#include "error.h"
#include "model.h"
#include "model_io.h"
#include "optim.h"
#include "output.h"
#include "schedule.h"
#include "train.h"

/* Which hyper-parameters the user set, so the optimizer's defaults fill the rest. */
enum {
	SET_LR = 1 << 0, SET_MOMENTUM = 1 << 1, SET_RHO = 1 << 2, SET_BETA1 = 1 << 3,
	SET_BETA2 = 1 << 4, SET_EPS = 1 << 5, SET_WEIGHT_DECAY = 1 << 6, SET_HISTORY = 1 << 7
};

struct options {
	const char *model;
	int model_given;
	const char *optimizer;
	struct optim_hyper hyper;
	unsigned hyper_given;
	long epochs;
	long batch_size;
	uint64_t seed;
	int shuffle;
	int header;
	char delimiter;
	const char *target;
	int standardize;
	const char *schedule;
	long warmup;
	long patience;
	const char *save;
	const char *init;
	const char *predict;
	int probabilities;
	int quiet;
};

enum long_only_option {
	OPTION_NO_HEADER = 256, OPTION_STANDARDIZE, OPTION_NO_SHUFFLE, OPTION_MOMENTUM,
	OPTION_RHO, OPTION_BETA1, OPTION_BETA2, OPTION_EPS, OPTION_WEIGHT_DECAY,
	OPTION_HISTORY, OPTION_SCHEDULE, OPTION_WARMUP, OPTION_PATIENCE, OPTION_SAVE,
	OPTION_INIT, OPTION_PREDICT, OPTION_PROBABILITIES
};

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "optimizer", required_argument, NULL, 'o' },
	{ "lr", required_argument, NULL, 'l' },
	{ "epochs", required_argument, NULL, 'e' },
	{ "batch-size", required_argument, NULL, 'b' },
	{ "seed", required_argument, NULL, 's' },
	{ "target", required_argument, NULL, 't' },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "no-header", no_argument, NULL, OPTION_NO_HEADER },
	{ "standardize", no_argument, NULL, OPTION_STANDARDIZE },
	{ "no-shuffle", no_argument, NULL, OPTION_NO_SHUFFLE },
	{ "momentum", required_argument, NULL, OPTION_MOMENTUM },
	{ "rho", required_argument, NULL, OPTION_RHO },
	{ "beta1", required_argument, NULL, OPTION_BETA1 },
	{ "beta2", required_argument, NULL, OPTION_BETA2 },
	{ "eps", required_argument, NULL, OPTION_EPS },
	{ "weight-decay", required_argument, NULL, OPTION_WEIGHT_DECAY },
	{ "history", required_argument, NULL, OPTION_HISTORY },
	{ "schedule", required_argument, NULL, OPTION_SCHEDULE },
	{ "warmup", required_argument, NULL, OPTION_WARMUP },
	{ "patience", required_argument, NULL, OPTION_PATIENCE },
	{ "save", required_argument, NULL, OPTION_SAVE },
	{ "init", required_argument, NULL, OPTION_INIT },
	{ "predict", required_argument, NULL, OPTION_PREDICT },
	{ "probabilities", no_argument, NULL, OPTION_PROBABILITIES },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/*
 * "  NAME  TEXT [TAIL]" with TEXT wrapped at 79 columns under itself, so the
 * entries of the registries read well whatever their length.
 */
static void print_entry(FILE *out, const char *name, const char *text, const char *tail)
{
	enum { INDENT = 14, WIDTH = 79 };
	int column = fprintf(out, "  %s", name);
	char words[512];

	/* The tail ("[lr 0.01]") comes last and is never broken. */
	snprintf(words, sizeof words, "%s", text);
	if (column >= INDENT - 1) {
		fputc('\n', out);
		column = 0;
	}
	fprintf(out, "%*s", INDENT - column, "");
	column = INDENT;
	for (char *word = strtok(words, " "); word || tail; word = strtok(NULL, " ")) {
		if (!word) {
			word = (char *)tail;
			tail = NULL;
		}
		int length = (int)strlen(word);
		if (column > INDENT && column + 1 + length > WIDTH) {
			fprintf(out, "\n%*s", INDENT, "");
			column = INDENT;
		}
		if (column > INDENT)
			fputc(' ', out), column++;
		fputs(word, out);
		column += length;
	}
	fputc('\n', out);
}

static void print_help(FILE *out)
{
	fputs("Usage: descent [OPTION]... < DATA.csv > RUN.out\n"
	      "       descent --predict MODEL [OPTION]... < DATA.csv\n"
	      "Train a model by stochastic gradient descent on the CSV data set on standard\n"
	      "input; write one record per epoch, then the model, to standard output.\n"
	      "\n"
	      "Model and data:\n"
	      "  -m, --model NAME        model to train [linear]\n"
	      "  -t, --target NAME|N     target column, by name or 1-based number [last]\n"
	      "  -d, --delimiter C       field delimiter, one character or 'tab' [,]\n"
	      "      --no-header         the first line is data, not column names\n"
	      "      --standardize       rescale features to mean 0, standard deviation 1\n"
	      "\n"
	      "Optimizer:\n"
	      "  -o, --optimizer NAME    update rule [sgd]\n"
	      "  -l, --lr X              step size [per optimizer, see below]\n"
	      "      --momentum G        momentum and nesterov coefficient [0.9]\n"
	      "      --rho R             decay of squared-gradient averages\n"
	      "                          [rmsprop 0.99; adadelta, adadelta-w 0.9]\n"
	      "      --beta1 B           adam-family first-moment decay [0.9]\n"
	      "      --beta2 B           adam-family second-moment decay [0.999]\n"
	      "      --eps E             denominator guard [adagrad 1e-10; rmsprop, adam,\n"
	      "                          adamw, amsgrad 1e-8; adadelta, adadelta-w 1e-6]\n"
	      "      --weight-decay L    L2 penalty on weights, never biases [0; adamw 0.01]\n"
	      "      --history M         lbfgs memory [10]\n"
	      "\n"
	      "Training loop:\n"
	      "  -e, --epochs N          passes over the data [10]\n"
	      "  -b, --batch-size B      examples per step, 0 for the full data set [32]\n"
	      "  -s, --seed S            seed of the shuffling generator [1]\n"
	      "      --no-shuffle        keep file order instead of a fresh permutation\n"
	      "      --schedule SPEC     step-size schedule [constant]\n"
	      "      --warmup N          linear warm-up over the first N steps [0]\n"
	      "      --patience N        stop after N epochs without improvement and keep\n"
	      "                          the best weights [0: off]\n"
	      "\n"
	      "Model files and prediction:\n"
	      "      --save FILE         also write the model to FILE (atomically)\n"
	      "      --init FILE         start from the model in FILE\n"
	      "      --predict FILE      predict each row with the model in FILE; no training\n"
	      "      --probabilities     with --predict, print class probabilities\n"
	      "\n"
	      "Output:\n"
	      "  -q, --quiet             no comments or epoch records, only the model\n"
	      "  -h, --help              print this help and exit\n"
	      "  -V, --version           print the version and exit\n"
	      "\n", out);
	fputs("Models:", out);
	for (size_t i = 0; model_kinds[i]; i++)
		fprintf(out, " %s", model_kinds[i]->name);
	fputc('\n', out);
	for (size_t i = 0; model_kinds[i]; i++)
		print_entry(out, model_kinds[i]->name, model_kinds[i]->summary, NULL);
	fputs("Optimizers:", out);
	for (size_t i = 0; optimizers[i]; i++)
		fprintf(out, " %s", optimizers[i]->name);
	fputc('\n', out);
	for (size_t i = 0; optimizers[i]; i++) {
		char lr[32];
		snprintf(lr, sizeof lr, "[lr %g]", optimizers[i]->defaults.lr);
		print_entry(out, optimizers[i]->name, optimizers[i]->summary, lr);
	}
	fputs("Schedules:", out);
	for (size_t i = 0; schedule_kinds[i]; i++)
		fprintf(out, " %s", schedule_kinds[i]->usage);
	fputc('\n', out);
	for (size_t i = 0; schedule_kinds[i]; i++)
		print_entry(out, schedule_kinds[i]->usage, schedule_kinds[i]->summary, NULL);
	fputs("\nExit status: 0 success, 3 diverged, 64 usage error, 65 bad data or model,\n"
	      "66 unreadable file, 70 internal error, 74 write error, 130 interrupted.\n"
	      "Full documentation: man descent\n", out);
}

/* ---- strict option values ---- */

static int parse_double_option(const char *name, const char *text, double low, int low_open,
			       double high, int high_open, double *value, struct error *err)
{
	const char *why;

	if (parse_finite_double(text, value, &why) != 0 || *value < low ||
	    (low_open && *value == low) || *value > high || (high_open && *value == high)) {
		char range[96];
		if (isinf(high))
			snprintf(range, sizeof range, "a number %s %g", low_open ? ">" : ">=", low);
		else
			snprintf(range, sizeof range, "a number in %c%g, %g%c", low_open ? '(' : '[',
				 low, high, high_open ? ')' : ']');
		return error_set(err, EXIT_USAGE, "invalid --%s '%s': expected %s", name, text,
				 range);
	}
	return 0;
}

static int parse_count_option(const char *name, const char *text, long low, long *value,
			      struct error *err)
{
	char *end;

	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < low)
		return error_set(err, EXIT_USAGE, "invalid --%s '%s': expected a whole number >= %ld",
				 name, text, low);
	*value = v;
	return 0;
}

static int parse_seed(const char *text, uint64_t *value, struct error *err)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-')
		return error_set(err, EXIT_USAGE,
				 "invalid --seed '%s': expected a whole number from 0 to %" PRIu64,
				 text, UINT64_MAX);
	*value = v;
	return 0;
}

static int parse_delimiter(const char *text, char *delimiter, struct error *err)
{
	if (strcmp(text, "tab") == 0 || strcmp(text, "\\t") == 0)
		*delimiter = '\t';
	else if (strlen(text) == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r')
		*delimiter = text[0];
	else
		return error_set(err, EXIT_USAGE,
				 "invalid --delimiter '%s': expected one character (not a quote or "
				 "newline) or 'tab'", text);
	return 0;
}

/*
 * Returns 0 to go on, 1 when --help or --version has been handled, -1 on a
 * usage error.
 */
static int parse_options(int argc, char **argv, struct options *o, struct error *err)
{
	int c;

	memset(o, 0, sizeof *o);
	o->model = "linear";
	o->optimizer = "sgd";
	o->epochs = 10;
	o->batch_size = 32;
	o->seed = 1;
	o->shuffle = 1;
	o->header = 1;
	o->delimiter = ',';
	o->schedule = "constant";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":m:o:l:e:b:s:t:d:qhV", long_options, NULL)) != -1) {
		int failed = 0;
		switch (c) {
		case 'm': o->model = optarg; o->model_given = 1; break;
		case 'o': o->optimizer = optarg; break;
		case 'l':
			failed = parse_double_option("lr", optarg, 0, 1, INFINITY, 0, &o->hyper.lr, err);
			o->hyper_given |= SET_LR;
			break;
		case 'e': failed = parse_count_option("epochs", optarg, 0, &o->epochs, err); break;
		case 'b':
			failed = parse_count_option("batch-size", optarg, 0, &o->batch_size, err);
			break;
		case 's': failed = parse_seed(optarg, &o->seed, err); break;
		case 't': o->target = optarg; break;
		case 'd': failed = parse_delimiter(optarg, &o->delimiter, err); break;
		case OPTION_NO_HEADER: o->header = 0; break;
		case OPTION_STANDARDIZE: o->standardize = 1; break;
		case OPTION_NO_SHUFFLE: o->shuffle = 0; break;
		case OPTION_MOMENTUM:
			failed = parse_double_option("momentum", optarg, 0, 0, 1, 1, &o->hyper.momentum,
						     err);
			o->hyper_given |= SET_MOMENTUM;
			break;
		case OPTION_RHO:
			failed = parse_double_option("rho", optarg, 0, 0, 1, 1, &o->hyper.rho, err);
			o->hyper_given |= SET_RHO;
			break;
		case OPTION_BETA1:
			failed = parse_double_option("beta1", optarg, 0, 0, 1, 1, &o->hyper.beta1, err);
			o->hyper_given |= SET_BETA1;
			break;
		case OPTION_BETA2:
			failed = parse_double_option("beta2", optarg, 0, 0, 1, 1, &o->hyper.beta2, err);
			o->hyper_given |= SET_BETA2;
			break;
		case OPTION_EPS:
			failed = parse_double_option("eps", optarg, 0, 1, INFINITY, 0, &o->hyper.eps, err);
			o->hyper_given |= SET_EPS;
			break;
		case OPTION_WEIGHT_DECAY:
			failed = parse_double_option("weight-decay", optarg, 0, 0, INFINITY, 0,
						     &o->hyper.weight_decay, err);
			o->hyper_given |= SET_WEIGHT_DECAY;
			break;
		case OPTION_HISTORY: {
			long history;
			failed = parse_count_option("history", optarg, 1, &history, err);
			o->hyper.history = history > 100000 ? 100000 : (int)history;
			o->hyper_given |= SET_HISTORY;
			break;
		}
		case OPTION_SCHEDULE: o->schedule = optarg; break;
		case OPTION_WARMUP: failed = parse_count_option("warmup", optarg, 0, &o->warmup, err); break;
		case OPTION_PATIENCE:
			failed = parse_count_option("patience", optarg, 0, &o->patience, err);
			break;
		case OPTION_SAVE: o->save = optarg; break;
		case OPTION_INIT: o->init = optarg; break;
		case OPTION_PREDICT: o->predict = optarg; break;
		case OPTION_PROBABILITIES: o->probabilities = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': print_help(stdout); return 1;
		case 'V': printf("descent %s\n", PACKAGE_VERSION); return 1;
		case ':':
			return error_set(err, EXIT_USAGE, "option '%s' requires an argument",
					 argv[optind - 1]);
		default:
			if (optopt)
				return error_set(err, EXIT_USAGE, "invalid option '-%c'", optopt);
			return error_set(err, EXIT_USAGE, "unrecognized option '%s'", argv[optind - 1]);
		}
		if (failed)
			return -1;
	}
	if (optind < argc)
		return error_set(err, EXIT_USAGE,
				 "unexpected argument '%s' (the data set is read from standard input)",
				 argv[optind]);
	if (o->probabilities && !o->predict)
		return error_set(err, EXIT_USAGE, "--probabilities needs --predict FILE");
	if (o->predict && o->init)
		return error_set(err, EXIT_USAGE, "--predict and --init cannot be used together");
	if (o->predict && o->save)
		return error_set(err, EXIT_USAGE, "--predict trains nothing, so --save has nothing to save");
	return 0;
}

/* ---- training ---- */

static void describe_configuration(FILE *out, const struct options *o, const struct model *m,
				   const struct train_config *c)
{
	const struct optim_hyper *h = &c->hyper;

	const double values[] = { h->lr, h->momentum, h->rho, h->beta1, h->beta2, h->eps,
				  h->weight_decay };
	const char *names[] = { "lr", "momentum", "rho", "beta1", "beta2", "eps", "weight-decay" };
	char number[32];

	fprintf(out, "# descent %s: --model %s --optimizer %s", PACKAGE_VERSION, m->kind->name,
		c->optimizer->name);
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		output_format_shortest(number, sizeof number, values[i]);
		fprintf(out, " --%s %s", names[i], number);
	}
	fprintf(out, " --history %d --schedule %s --warmup %ld --epochs %ld --batch-size %zu"
		" --seed %" PRIu64 " --patience %ld", h->history, o->schedule, o->warmup, o->epochs,
		c->batch_size, o->seed, o->patience);
	if (!c->shuffle)
		fputs(" --no-shuffle", out);
	if (o->standardize)
		fputs(" --standardize", out);
	if (!o->header)
		fputs(" --no-header", out);
	if (o->delimiter == '\t')
		fputs(" --delimiter tab", out);
	else if (o->delimiter != ',')
		fprintf(out, " --delimiter '%c'", o->delimiter);
	if (o->init)
		fprintf(out, " --init '%s'", o->init);
	if (m->target_name) {
		/* A comment is one line: show control characters as '?'. */
		fputs(" --target '", out);
		for (const char *p = m->target_name; *p; p++)
			putc((unsigned char)*p < 0x20 ? '?' : *p, out);
		putc('\'', out);
	}
	fprintf(out, "\n# kind,epoch,train_loss,val_loss,accuracy,lr,seconds\n");
}

static void on_interrupt(int signal_number)
{
	(void)signal_number;
	train_interrupted = 1;
}

static void catch_interrupt(void)
{
	struct sigaction action, previous;

	/* A run started with SIGINT ignored (nohup, "&" in a script) keeps it so. */
	if (sigaction(SIGINT, NULL, &previous) == 0 && previous.sa_handler == SIG_IGN)
		return;
	memset(&action, 0, sizeof action);
	action.sa_handler = on_interrupt;
	/* The second Ctrl-C finds the default action again and ends at once. */
	action.sa_flags = SA_RESETHAND;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
}

static void reading_options(const struct options *o, const struct model_kind *kind,
			    struct csv_read_options *r)
{
	memset(r, 0, sizeof *r);
	r->source = "<stdin>";
	r->delimiter = o->delimiter;
	r->has_header = o->header;
	r->target = o->target;
	r->classification = kind->classifier;
	r->max_classes = kind->max_classes;
	r->too_many_classes_hint = kind->too_many_classes_hint;
	r->model_name = kind->name;
}

/* Read the data in the model's schema: its features, its classes. */
static void schema_options(const struct model *m, struct csv_read_options *r, int target_required)
{
	r->schema_features = m->feature_names;
	r->schema_count = m->n_features;
	r->schema_target = m->target_name;
	r->target_required = target_required;
	if (m->kind->classifier) {
		r->schema_classes = m->class_labels;
		r->schema_n_classes = m->n_classes;
	}
}

/* Add a registry name to a ", "-separated list for a message. */
static void append_name(char *list, size_t size, const char *name)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%s", used ? ", " : "", name);
}

static int prepare_training(const struct options *o, struct train_config *c, struct error *err)
{
	const struct optimizer *optimizer = optimizer_find(o->optimizer);
	const struct optim_hyper *given = &o->hyper;

	if (!optimizer) {
		char names[512] = "";
		for (size_t i = 0; optimizers[i]; i++)
			append_name(names, sizeof names, optimizers[i]->name);
		return error_set(err, EXIT_USAGE, "unknown optimizer '%s' (one of: %s)", o->optimizer,
				 names);
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
	c->progress = !o->quiet && isatty(STDERR_FILENO);
	return 0;
}

/* Print a multi-line library message, each line as "descent: ...". */
static void print_message(const char *message)
{
	const char *line = message;

	while (*line) {
		size_t length = strcspn(line, "\n");
		fprintf(stderr, "descent: %.*s\n", (int)length, line);
		line += length;
		if (*line == '\n')
			line++;
	}
}

static int run_training(const struct options *o, struct error *err)
{
	const struct model_kind *kind = model_kind_find(o->model);
	struct csv_read_options reading;
	struct train_config config;
	struct train_result result;
	struct dataset data = { 0 };
	struct model m = { 0 };
	int status = -1;

	if (!kind) {
		char names[256] = "";
		for (size_t i = 0; model_kinds[i]; i++)
			append_name(names, sizeof names, model_kinds[i]->name);
		return error_set(err, EXIT_USAGE, "unknown model '%s' (one of: %s)", o->model, names);
	}
	if (prepare_training(o, &config, err) != 0)
		return -1;
	if (o->init) {
		if (model_load(o->init, &m, err) != 0)
			return -1;
		if (o->model_given && m.kind != kind) {
			error_set(err, EXIT_USAGE, "--model %s conflicts with the %s model in '%s'",
				  kind->name, m.kind->name, o->init);
			goto done;
		}
		kind = m.kind;
		reading_options(o, kind, &reading);
		schema_options(&m, &reading, 1);
		if (csv_read_dataset(stdin, &reading, &data, err) != 0)
			goto done;
		/* The saved statistics, not new ones: the weights were fitted to them. */
		dataset_apply_scaling(&data, m.feature_mean, m.feature_scale);
	} else {
		reading_options(o, kind, &reading);
		if (csv_read_dataset(stdin, &reading, &data, err) != 0)
			goto done;
		if (model_init(&m, kind, &data, err) != 0)
			goto done;
		if (o->standardize) {
			dataset_column_stats(&data, m.feature_mean, m.feature_scale);
			dataset_apply_scaling(&data, m.feature_mean, m.feature_scale);
		}
	}
	if (!o->quiet) {
		describe_configuration(stdout, o, &m, &config);
		if (output_flush(stdout) != 0) {
			error_set(err, EXIT_IO, "write error");
			goto done;
		}
	}
	catch_interrupt();
	if (train_run(&m, &data, &config, stdout, &result, err) != 0)
		goto done;
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
		print_message(result.message);
		status = error_set(err, EXIT_DIVERGED, "the last finite weights were written");
	} else if (result.stop == TRAIN_INTERRUPTED) {
		status = error_set(err, EXIT_INTERRUPTED,
				   "interrupted in epoch %ld; the weights reached were written",
				   result.epoch);
	}
done:
	dataset_free(&data);
	model_free(&m);
	return status;
}

/* ---- prediction ---- */

static int run_prediction(const struct options *o, struct error *err)
{
	struct csv_read_options reading;
	struct dataset data = { 0 };
	struct model m;
	int status = -1;

	if (model_load(o->predict, &m, err) != 0)
		return -1;
	if (o->model_given && strcmp(o->model, m.kind->name) != 0) {
		error_set(err, EXIT_USAGE, "--model %s conflicts with the %s model in '%s'",
			  o->model, m.kind->name, o->predict);
		goto done;
	}
	if (o->probabilities && !m.kind->classifier) {
		error_set(err, EXIT_USAGE, "--probabilities needs a classifier; '%s' holds a %s model",
			  o->predict, m.kind->name);
		goto done;
	}
	reading_options(o, m.kind, &reading);
	schema_options(&m, &reading, 0);
	if (csv_read_dataset(stdin, &reading, &data, err) != 0)
		goto done;
	dataset_apply_scaling(&data, m.feature_mean, m.feature_scale);
	double *z = malloc((m.sizes[m.n_layers] + m.n_classes + 1) * sizeof *z);
	if (!z) {
		error_set(err, EXIT_SOFTWARE, "out of memory");
		goto done;
	}
	double *p = z + m.sizes[m.n_layers];
	for (size_t row = 0; row < data.rows; row++) {
		model_forward(&m, m.params, data.x + row * data.features, z);
		if (!m.kind->classifier) {
			output_write_exact(stdout, z[0]);
		} else if (o->probabilities) {
			m.kind->probabilities(z, p, m.n_classes);
			for (size_t k = 0; k < m.n_classes; k++) {
				if (k)
					putc(',', stdout);
				output_write_exact(stdout, p[k]);
			}
		} else {
			output_write_field(stdout, m.class_labels[model_predict_class(&m, z)]);
		}
		putc('\n', stdout);
	}
	free(z);
	status = 0;
done:
	dataset_free(&data);
	model_free(&m);
	return status;
}

/* The one way out: report the error, then make sure stdout was written. */
static int finish(int status, const struct error *err)
{
	if (status != EXIT_OK)
		fprintf(stderr, "descent: %s\n", err->message);
	if (status == EXIT_USAGE)
		fputs("Try 'descent --help' for more information.\n", stderr);
	if (fclose(stdout) != 0 && status != EXIT_IO) {
		fputs("descent: write error\n", stderr);
		return EXIT_IO;
	}
	return status;
}

int descent_main(int argc, char **argv)
{
	struct options options;
	struct error err = { 0 };
	int outcome = parse_options(argc, argv, &options, &err);

	if (outcome == 1)
		return finish(EXIT_OK, &err);
	if (outcome == 0)
		outcome = options.predict ? run_prediction(&options, &err)
					  : run_training(&options, &err);
	return finish(outcome == 0 ? EXIT_OK : err.status, &err);
}
