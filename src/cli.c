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
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "dataset.h"
#include "error.h"
#include "metrics.h"
#include "model.h"
#include "model_io.h"
#include "network.h"
#include "optim.h"
#include "output.h"
#include "parse.h"
#include "schedule.h"
#include "source.h"
#include "spelling.h"
#include "train.h"
#include "train_state.h"

/* Widths given to --hidden, at most this many layers. */
#define MAX_HIDDEN 64

/* Which hyper-parameters the user set, so the optimizer's defaults fill the rest. */
enum {
	SET_LR = 1 << 0, SET_MOMENTUM = 1 << 1, SET_RHO = 1 << 2, SET_BETA1 = 1 << 3,
	SET_BETA2 = 1 << 4, SET_EPS = 1 << 5, SET_WEIGHT_DECAY = 1 << 6, SET_HISTORY = 1 << 7
};

struct options {
	const char *model;
	int model_given;
	size_t hidden[MAX_HIDDEN];
	size_t n_hidden;
	const char *hidden_text;        /* as given, for messages; NULL if not given */
	enum activation activation;
	int activation_given;
	int residual;
	double holdout;                 /* 0 = none */
	const char *validation;
	const char *optimizer;
	struct optim_hyper hyper;
	unsigned hyper_given;
	long epochs;
	long batch_size;
	uint64_t seed;
	int shuffle;
	int header;
	char delimiter;
	int blank_runs;                 /* -d space */
	const char *target;
	const char *features;           /* --features COLS */
	const char *ignore;             /* --ignore COLS */
	const char *categorical;        /* --categorical COLS|auto */
	enum missing_policy missing;    /* --missing */
	int standardize;
	const char *schedule;
	long warmup;
	long patience;
	const char *save;
	const char *init;
	int save_state;                 /* --save-state: the run's state into --save FILE */
	const char *predict;
	int probabilities;
	int quiet;
	const char *log;                /* --log FILE: the epoch records as a CSV table */
	int metrics;                    /* --metrics: metric and confusion records (--predict) */
	unsigned char given[512];       /* given[c]: the option getopt returns as c was given */
};

enum long_only_option {
	OPTION_NO_HEADER = 256, OPTION_STANDARDIZE, OPTION_NO_SHUFFLE, OPTION_MOMENTUM,
	OPTION_RHO, OPTION_BETA1, OPTION_BETA2, OPTION_EPS, OPTION_WEIGHT_DECAY,
	OPTION_HISTORY, OPTION_SCHEDULE, OPTION_WARMUP, OPTION_PATIENCE, OPTION_SAVE,
	OPTION_INIT, OPTION_PREDICT, OPTION_PROBABILITIES, OPTION_HIDDEN, OPTION_ACTIVATION,
	OPTION_RESIDUAL, OPTION_HOLDOUT, OPTION_VALIDATION, OPTION_LOG, OPTION_METRICS,
	OPTION_SAVE_STATE, OPTION_FEATURES, OPTION_IGNORE, OPTION_MISSING, OPTION_CATEGORICAL
};

static const struct option long_options[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "hidden", required_argument, NULL, OPTION_HIDDEN },
	{ "activation", required_argument, NULL, OPTION_ACTIVATION },
	{ "residual", no_argument, NULL, OPTION_RESIDUAL },
	{ "holdout", required_argument, NULL, OPTION_HOLDOUT },
	{ "validation", required_argument, NULL, OPTION_VALIDATION },
	{ "optimizer", required_argument, NULL, 'o' },
	{ "lr", required_argument, NULL, 'l' },
	{ "epochs", required_argument, NULL, 'e' },
	{ "batch-size", required_argument, NULL, 'b' },
	{ "seed", required_argument, NULL, 's' },
	{ "target", required_argument, NULL, 't' },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "no-header", no_argument, NULL, OPTION_NO_HEADER },
	{ "features", required_argument, NULL, OPTION_FEATURES },
	{ "ignore", required_argument, NULL, OPTION_IGNORE },
	{ "missing", required_argument, NULL, OPTION_MISSING },
	{ "categorical", required_argument, NULL, OPTION_CATEGORICAL },
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
	{ "save-state", no_argument, NULL, OPTION_SAVE_STATE },
	{ "init", required_argument, NULL, OPTION_INIT },
	{ "predict", required_argument, NULL, OPTION_PREDICT },
	{ "probabilities", no_argument, NULL, OPTION_PROBABILITIES },
	{ "metrics", no_argument, NULL, OPTION_METRICS },
	{ "log", required_argument, NULL, OPTION_LOG },
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
	      "  -d, --delimiter C       field delimiter, one character, 'tab', or 'space'\n"
	      "                          (runs of blanks, as numpy.savetxt writes) [,]\n"
	      "      --no-header         the first line is data, not column names\n"
	      "      --features COLS     exactly these feature columns, in this order (names\n"
	      "                          or 1-based numbers, separated by commas) [all]\n"
	      "      --ignore COLS       every column but these and the target is a feature\n"
	      "      --missing HOW       empty fields, NA, NaN, nan, null: refuse, drop the\n"
	      "                          row, or mean (the training mean) [refuse]\n"
	      "      --categorical COLS  one-hot encode these text columns, or 'auto': every\n"
	      "                          column whose first value is not a number\n"
	      "      --standardize       rescale features to mean 0, standard deviation 1\n"
	      "                          (statistics of the training rows)\n"
	      "      --hidden W1,W2,...  hidden layers of these widths before the head [none]\n"
	      "      --activation NAME   of the hidden layers: relu, tanh, sigmoid [relu]\n"
	      "      --residual          add the identity skip h + act(W h + b) to every\n"
	      "                          hidden layer whose input and output widths are equal\n"
	      "\n"
	      "Validation:\n"
	      "      --holdout F         keep a seeded random fraction F of the rows out of\n"
	      "                          training, for validation (0 < F < 1)\n"
	      "      --validation FILE   validate on the CSV data set in FILE instead\n"
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
	      "      --patience N        stop after N epochs without improvement of the\n"
	      "                          validation loss (the training loss without\n"
	      "                          validation data) and keep the best weights [0: off]\n"
	      "\n"
	      "Model files and prediction:\n"
	      "      --save FILE         also write the model to FILE (atomically)\n"
	      "      --save-state        with --save, also write the training state\n"
	      "                          (optimizer, schedule, shuffling, epoch) to FILE\n"
	      "      --init FILE         start from the model in FILE; continue its run\n"
	      "                          when FILE holds a saved training state\n"
	      "      --predict FILE      predict each row with the model in FILE; no training\n"
	      "      --probabilities     with --predict, print class probabilities\n"
	      "      --metrics           with --predict, also write metric and confusion\n"
	      "                          records after the predictions (needs the target)\n"
	      "\n"
	      "Output:\n"
	      "  -q, --quiet             no comments or epoch records, only the model\n"
	      "                          (--predict: no header row, no metrics on stderr)\n"
	      "      --log FILE          write the epoch records to FILE instead, as a CSV\n"
	      "                          table with a header row (for pandas, gnuplot)\n"
	      "  -h, --help              print this help and exit\n"
	      "  -V, --version           print the version and exit\n"
	      "\n", out);
	fputs("Models:", out);
	for (size_t i = 0; heads[i]; i++)
		fprintf(out, " %s", heads[i]->name);
	fputc('\n', out);
	for (size_t i = 0; heads[i]; i++)
		print_entry(out, heads[i]->name, heads[i]->summary, NULL);
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
	      "66 unreadable file, 70 internal error, 73 cannot create an output file,\n"
	      "74 write error, 130 interrupted.\n"
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
	uint64_t v;

	if (parse_whole_number(text, LONG_MAX, &v) != 0 || (long)v < low)
		return error_set(err, EXIT_USAGE, "invalid --%s '%s': expected a whole number >= %ld",
				 name, text, low);
	*value = (long)v;
	return 0;
}

static int parse_seed(const char *text, uint64_t *value, struct error *err)
{
	if (parse_whole_number(text, UINT64_MAX, value) != 0)
		return error_set(err, EXIT_USAGE,
				 "invalid --seed '%s': expected a whole number from 0 to %" PRIu64,
				 text, UINT64_MAX);
	return 0;
}

/* --hidden 64,32: widths from 1 to 1e6, at most MAX_HIDDEN of them. */
static int parse_hidden(const char *text, struct options *o, struct error *err)
{
	const char *p = text;

	o->n_hidden = 0;
	o->hidden_text = text;
	for (;;) {
		char width[16];
		size_t length = strcspn(p, ",");
		uint64_t value;
		if (o->n_hidden == MAX_HIDDEN || length == 0 || length >= sizeof width)
			goto bad;
		memcpy(width, p, length);
		width[length] = '\0';
		if (parse_whole_number(width, 1000000, &value) != 0 || value == 0)
			goto bad;
		o->hidden[o->n_hidden++] = (size_t)value;
		if (p[length] == '\0')
			return 0;
		p += length + 1;
	}
bad:
	return error_set(err, EXIT_USAGE, "invalid --hidden '%s': expected widths from 1 to "
			 "1000000 separated by commas, at most %d layers", text, MAX_HIDDEN);
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

/* "unrecognized option '--standardise' (did you mean '--standardize'?)" */
static int unrecognized_option(const char *text, struct error *err)
{
	char name[SPELLING_MAX_LENGTH + 1];
	size_t length = strcspn(text, "=");
	struct spelling_match match;
	const char *suggestion = NULL;

	if (strncmp(text, "--", 2) == 0 && length - 2 < sizeof name) {
		memcpy(name, text + 2, length - 2);
		name[length - 2] = '\0';
		spelling_start(&match, name);
		for (const struct option *option = long_options; option->name; option++)
			spelling_consider(&match, option->name);
		suggestion = spelling_suggestion(&match);
	}
	if (suggestion)
		return error_set(err, EXIT_USAGE, "unrecognized option '%s' (did you mean '--%s'?)",
				 text, suggestion);
	return error_set(err, EXIT_USAGE, "unrecognized option '%s'", text);
}

/* "; did you mean 'adam'?" after an unknown registry name, or "". */
static const char *did_you_mean(const struct spelling_match *match, char *text, size_t size)
{
	const char *suggestion = spelling_suggestion(match);

	snprintf(text, size, suggestion ? "; did you mean '%s'?" : "", suggestion);
	return text;
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
	o->activation = ACTIVATION_RELU;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":m:o:l:e:b:s:t:d:qhV", long_options, NULL)) != -1) {
		int failed = 0;
		if (c >= 0 && (size_t)c < sizeof o->given)
			o->given[c] = 1;
		switch (c) {
		case 'm': o->model = optarg; o->model_given = 1; break;
		case OPTION_HIDDEN: failed = parse_hidden(optarg, o, err); break;
		case OPTION_ACTIVATION:
			if (activation_find(optarg, &o->activation) != 0 ||
			    o->activation == ACTIVATION_IDENTITY)
				failed = error_set(err, EXIT_USAGE, "invalid --activation '%s': expected "
						   "relu, tanh or sigmoid", optarg);
			o->activation_given = 1;
			break;
		case OPTION_RESIDUAL: o->residual = 1; break;
		case OPTION_HOLDOUT:
			failed = parse_double_option("holdout", optarg, 0, 1, 1, 1, &o->holdout, err);
			break;
		case OPTION_VALIDATION: o->validation = optarg; break;
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
		case 'd':
			/* -d space: runs of blanks, which no one character can say. */
			o->blank_runs = strcmp(optarg, "space") == 0;
			if (o->blank_runs)
				o->delimiter = ' ';
			else
				failed = parse_delimiter(optarg, &o->delimiter, err);
			break;
		case OPTION_NO_HEADER: o->header = 0; break;
		case OPTION_FEATURES:
		case OPTION_IGNORE:
		case OPTION_CATEGORICAL:
			if (!column_list_valid(optarg) &&
			    !(c == OPTION_CATEGORICAL && strcmp(optarg, "auto") == 0))
				failed = error_set(err, EXIT_USAGE, "invalid --%s '%s': expected column "
						   "names or 1-based numbers separated by commas%s",
						   c == OPTION_FEATURES ? "features" : c == OPTION_IGNORE ?
						   "ignore" : "categorical", optarg,
						   c == OPTION_CATEGORICAL ? ", or auto" : "");
			*(c == OPTION_FEATURES ? &o->features : c == OPTION_IGNORE ? &o->ignore
			  : &o->categorical) = optarg;
			break;
		case OPTION_MISSING:
			if (strcmp(optarg, "refuse") == 0)
				o->missing = MISSING_REFUSE;
			else if (strcmp(optarg, "drop") == 0)
				o->missing = MISSING_DROP;
			else if (strcmp(optarg, "mean") == 0)
				o->missing = MISSING_MEAN;
			else
				failed = error_set(err, EXIT_USAGE, "invalid --missing '%s': expected "
						   "refuse, drop or mean", optarg);
			break;
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
			long history = 0;
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
		case OPTION_SAVE_STATE: o->save_state = 1; break;
		case OPTION_PREDICT: o->predict = optarg; break;
		case OPTION_PROBABILITIES: o->probabilities = 1; break;
		case OPTION_METRICS: o->metrics = 1; break;
		case OPTION_LOG: o->log = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'h': print_help(stdout); return 1;
		case 'V': printf("descent %s\n", PACKAGE_VERSION); return 1;
		case ':':
			return error_set(err, EXIT_USAGE, "option '%s' requires an argument",
					 argv[optind - 1]);
		default:
			if (optopt)
				return error_set(err, EXIT_USAGE, "invalid option '-%c'", optopt);
			return unrecognized_option(argv[optind - 1], err);
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
	if (o->metrics && !o->predict)
		return error_set(err, EXIT_USAGE, "--metrics needs --predict FILE");
	if (o->save_state && !o->save)
		return error_set(err, EXIT_USAGE, "--save-state needs --save FILE");
	if (o->predict && o->init)
		return error_set(err, EXIT_USAGE, "--predict and --init cannot be used together");
	if (o->features && o->ignore)
		return error_set(err, EXIT_USAGE, "--features and --ignore cannot be used together: "
				 "--features alone names every feature column");
	if (o->predict && o->save)
		return error_set(err, EXIT_USAGE, "--predict trains nothing, so --save has nothing to save");
	if (o->holdout > 0 && o->validation)
		return error_set(err, EXIT_USAGE, "--holdout and --validation cannot be used together: "
				 "choose one source of validation rows");
	if (o->predict && (o->holdout > 0 || o->validation))
		return error_set(err, EXIT_USAGE, "--predict trains nothing, so it has nothing to "
				 "validate");
	return 0;
}

/* ---- training ---- */

/* A path or name in a comment, quoted, with control characters as '?'. */
static void write_quoted_name(FILE *out, const char *option, const char *name)
{
	fprintf(out, " --%s '", option);
	for (const char *p = name; *p; p++)
		putc((unsigned char)*p < 0x20 ? '?' : *p, out);
	putc('\'', out);
}

static void describe_configuration(FILE *out, const struct options *o, const struct model *m,
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
		" --seed %" PRIu64 " --patience %ld", h->history, o->schedule, o->warmup, o->epochs,
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
		fprintf(out, " --delimiter '%c'", o->delimiter);
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
	/* With --log the epoch records, and so their legend, go to the log. */
	fprintf(out, "\n%s", o->log ? "" :
		"# kind,epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds\n");
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

static void reading_options(const struct options *o, const struct head *head,
			    struct csv_read_options *r)
{
	memset(r, 0, sizeof *r);
	r->source = "<stdin>";
	r->delimiter = o->delimiter;
	r->blank_runs = o->blank_runs;
	r->features = o->features;
	r->ignore = o->ignore;
	r->categorical = o->categorical;
	r->missing = o->missing;
	r->has_header = o->header;
	r->target = o->target;
	r->classification = head->classifier;
	r->max_classes = head->max_classes;
	r->too_many_classes_hint = head->too_many_classes_hint;
	r->model_name = head->name;
}

/* Read the data in the model's schema: its features, its classes. */
static void schema_options(const struct model *m, struct csv_read_options *r, int target_required)
{
	r->schema_features = m->schema.feature_names;
	r->schema_count = m->schema.n_features;
	r->schema_target = m->schema.target_name;
	r->model_schema = &m->schema;
	r->target_required = target_required;
	if (m->head->classifier) {
		r->schema_classes = m->schema.class_labels;
		r->schema_n_classes = m->schema.n_classes;
	}
}

/* Add a registry name to a ", "-separated list for a message. */
static void append_name(char *list, size_t size, const char *name)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%s", used ? ", " : "", name);
}

/* "descent: warning: --beta1 does not apply to sgd (ignored)" */
static void warn_ignored(const char *option, const char *what)
{
	fprintf(stderr, "descent: warning: --%s does not apply to %s (ignored)\n", option, what);
}

/* The long name of the option getopt returns as c. */
static const char *option_name(int c)
{
	for (const struct option *option = long_options; option->name; option++)
		if (option->val == c)
			return option->name;
	return "?";
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
			warn_ignored(hyper[i].name, optimizer->name);
	if ((o->hyper_given & SET_LR) && strcmp(c->schedule.kind->name, "cyclic") == 0)
		warn_ignored("lr", "the cyclic schedule, which sets its own step sizes");
	if (o->given['b'] && optim_full_batch(optimizer))
		warn_ignored("batch-size", optimizer->name);
}

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
			warn_ignored(option_name(training_only[i]), "--predict");
}

/*
 * An output file must be creatable before any training: its directory
 * exists and is writable (--save writes a temporary file there, then
 * renames it), and it is not itself a directory.
 */
static int check_creatable(const char *option, const char *path, struct error *err)
{
	const char *slash = strrchr(path, '/');
	char directory[4096];
	struct stat info;

	if (stat(path, &info) == 0 && S_ISDIR(info.st_mode))
		return error_set(err, EXIT_CANTCREAT, "cannot create --%s '%s': it is a directory",
				 option, path);
	if (!slash)
		snprintf(directory, sizeof directory, ".");
	else if (slash == path)
		snprintf(directory, sizeof directory, "/");
	else
		snprintf(directory, sizeof directory, "%.*s", (int)(slash - path), path);
	if (stat(directory, &info) != 0)
		return error_set(err, EXIT_CANTCREAT, "cannot create --%s '%s': directory '%s': %s",
				 option, path, directory, strerror(errno));
	if (!S_ISDIR(info.st_mode))
		return error_set(err, EXIT_CANTCREAT, "cannot create --%s '%s': '%s' is not a "
				 "directory", option, path, directory);
	if (access(directory, W_OK) != 0)
		return error_set(err, EXIT_CANTCREAT, "cannot create --%s '%s': directory '%s': %s",
				 option, path, directory, strerror(errno));
	return 0;
}

/*
 * Largest over smallest standard deviation of the feature columns that
 * vary, over the rows as training sees them (after any standardisation);
 * 0 when fewer than two columns vary.
 */
static double feature_scale_ratio(const struct data_view *view)
{
	const struct dataset *d = view->data;
	double smallest = INFINITY, largest = 0.0;

	if (view->count == 0)
		return 0.0;
	for (size_t j = 0; j < d->features; j++) {
		double mean = 0.0, squares = 0.0;
		for (size_t i = 0; i < view->count; i++)
			mean += d->x[(view->rows ? view->rows[i] : i) * d->features + j];
		mean /= (double)view->count;
		for (size_t i = 0; i < view->count; i++) {
			double deviation = d->x[(view->rows ? view->rows[i] : i) * d->features + j] - mean;
			squares += deviation * deviation;
		}
		double deviation = sqrt(squares / (double)view->count);
		if (deviation > 0) {
			smallest = fmin(smallest, deviation);
			largest = fmax(largest, deviation);
		}
	}
	return largest > 0 && smallest < largest ? largest / smallest : 0.0;
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
			append_name(names, sizeof names, optimizers[i]->name);
			spelling_consider(&match, optimizers[i]->name);
		}
		return error_set(err, EXIT_USAGE, "unknown optimizer '%s'%s (one of: %s)", o->optimizer,
				 did_you_mean(&match, hint, sizeof hint), names);
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
	warn_inapplicable_training(o, c);
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
static int check_init_conflicts(const struct options *o, const struct model *m,
				struct error *err)
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
	return 0;
}

/* Seeds of the generators --seed drives, one stream each. */
enum { SEED_STREAM_INIT = 1, SEED_STREAM_HOLDOUT = 2 };

static uint64_t stream_seed(uint64_t seed, uint64_t stream)
{
	return seed ^ (stream * 0x9E3779B97F4A7C15u);
}

/* A new model of the shape the options ask for, initialised from --seed. */
static int create_model(const struct options *o, const struct head *head, struct dataset *data,
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

/*
 * The data set on standard input, and the reader's notes on stderr.  A
 * terminal is refused rather than waited on: the data belongs in a file.
 */
static int read_standard_input(const struct csv_read_options *reading, struct dataset *data,
			       struct error *err)
{
	if (isatty(STDIN_FILENO))
		return error_set(err, EXIT_USAGE, "standard input is a terminal: give the data set "
				 "as a file, as in 'descent < data.csv'");
	if (csv_read_dataset(stdin, reading, data, err) != 0)
		return -1;
	if (data->notes)
		print_message(data->notes);
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
	reading_options(o, m->head, &reading);
	schema_options(m, &reading, 1);
	reading.source = o->validation;
	result = csv_read_dataset(in, &reading, validation, err);
	fclose(in);
	if (result == 0 && validation->notes)
		print_message(validation->notes);
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

static int run_training(const struct options *o, struct error *err)
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
	int status = -1;

	if (!head) {
		char names[256] = "", hint[96];
		struct spelling_match match;
		spelling_start(&match, o->model);
		for (size_t i = 0; heads[i]; i++) {
			append_name(names, sizeof names, heads[i]->name);
			spelling_consider(&match, heads[i]->name);
		}
		return error_set(err, EXIT_USAGE, "unknown model '%s'%s (one of: %s)", o->model,
				 did_you_mean(&match, hint, sizeof hint), names);
	}
	if (prepare_training(o, &config, err) != 0)
		return -1;
	if ((o->save && check_creatable("save", o->save, err) != 0) ||
	    (o->log && check_creatable("log", o->log, err) != 0))
		return -1;
	if (o->init) {
		if (model_load(o->init, &m, err) != 0)
			return -1;
		if (check_init_conflicts(o, &m, err) != 0 || load_state(o, &m, &config, &saved, err) != 0)
			goto done;
		head = m.head;
		reading_options(o, head, &reading);
		schema_options(&m, &reading, 1);
	} else {
		reading_options(o, head, &reading);
	}
	if (read_standard_input(&reading, &data, err) != 0)
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
		if (o->standardize) {
			const size_t *rows = o->holdout > 0 ? split.training : NULL;
			size_t count = o->holdout > 0 ? split.n_training : data.rows;
			dataset_column_stats(&data, rows, count, m.schema.feature_mean,
					     m.schema.feature_scale);
			schema_standardize(&m.schema, data.x, data.rows);
		}
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
	config.feature_scale_ratio = feature_scale_ratio(&training);
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
	if (!o->quiet) {
		describe_configuration(stdout, o, &m, &config);
		if (output_flush(stdout) != 0) {
			error_set(err, EXIT_IO, "write error");
			goto done;
		}
	}
	catch_interrupt();
	config.save_state = o->save_state ? &reached : NULL;
	if (train_run(&m, &training, validation.data ? &validation : NULL, &config, stdout,
		      &result, err) != 0)
		goto done;
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
		print_message(result.message);
		status = error_set(err, EXIT_DIVERGED, "the last finite weights were written");
	} else if (result.stop == TRAIN_INTERRUPTED) {
		status = error_set(err, EXIT_INTERRUPTED,
				   "interrupted in epoch %ld; the weights reached were written",
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
	return status;
}

/* ---- prediction ---- */

/* One line per row: the value, the class label, or the class probabilities. */
static void write_predictions(const struct options *o, const struct model *m,
			      const double *z, size_t rows, double *p)
{
	size_t outputs = m->net.n_outputs, classes = m->schema.n_classes;

	for (size_t b = 0; b < rows; b++) {
		const double *row = z + b * outputs;
		if (!m->head->classifier) {
			output_write_exact(stdout, row[0]);
		} else if (o->probabilities) {
			m->head->probabilities(row, p, classes);
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

static int run_prediction(const struct options *o, struct error *err)
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
	reading_options(o, m.head, &reading);
	schema_options(&m, &reading, 0);
	if (read_standard_input(&reading, &data, err) != 0)
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
	while (rows.source.next(&rows.source, ws.capacity, &batch, err) == 0 && batch.rows > 0) {
		const double *z = network_forward(&m.net, m.params, batch.x, batch.rows, &ws);
		write_predictions(o, &m, z, batch.rows, ws.row_scratch);
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
