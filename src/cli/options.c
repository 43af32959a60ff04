/* options.c - the option table, --help, and strict option values. */
#define _POSIX_C_SOURCE 200809L
#include "options.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "config.h"
#include "head.h"
#include "lr_find.h"
#include "parse.h"
#include "schedule.h"

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
	{ "landscape", required_argument, NULL, OPTION_LANDSCAPE },
	{ "lr-find", optional_argument, NULL, OPTION_LR_FIND },
	{ "rotate", optional_argument, NULL, OPTION_ROTATE },
	{ "probe", required_argument, NULL, OPTION_PROBE },
	{ "curvature", optional_argument, NULL, OPTION_CURVATURE },
	{ "stream", no_argument, NULL, OPTION_STREAM },
	{ "shuffle-buffer", required_argument, NULL, OPTION_SHUFFLE_BUFFER },
	{ "report-every", required_argument, NULL, OPTION_REPORT_EVERY },
	{ "classes", required_argument, NULL, OPTION_CLASSES },
	{ "threads", required_argument, NULL, OPTION_THREADS },
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

void options_print_help(FILE *out)
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
	      "      --threads N         threads for reading the input, the matrix products\n"
	      "                          of wide layers and each epoch's evaluation; the\n"
	      "                          numbers never depend on it (1: one thread in all)\n"
	      "                          [one per processor]\n"
	      "\n"
	      "Loss landscape:\n"
	      "      --curvature[=ROWS]  after every epoch, lambda_max, lambda_min and trace\n"
	      "                          of the Hessian from exact Hessian-vector products,\n"
	      "                          on ROWS seeded training rows [all]\n"
	      "      --landscape SPEC    after training, the loss on a slice of weight space:\n"
	      "                          line[:N] from the initial to the final weights [51]\n"
	      "                          or plane[:N[:RADIUS]] around the final weights in two\n"
	      "                          random directions [21:1]; for both, repeat the option\n"
	      "                          or separate them by a comma\n"
	      "      --lr-find[=MIN:MAX] train nothing: the step-size range test from MIN to\n"
	      "                          MAX [1e-7:10]; suggests a --lr on standard error\n"
	      "      --rotate[=SEED]     multiply the (standardised) inputs by a random\n"
	      "                          orthogonal matrix drawn from SEED [--seed], kept\n"
	      "                          with the model; sgd does not notice, adam does\n"
	      "      --probe symmetry    after training, the loss and gradient norm under\n"
	      "                          permutations and relu rescalings of hidden units\n"
	      "\n"
	      "Streaming (data larger than memory):\n"
	      "      --stream            train in one pass over standard input in constant\n"
	      "                          memory, holding no data set (one epoch)\n"
	      "      --shuffle-buffer N  with --stream, shuffle through a buffer of N rows\n"
	      "                          [0: file order]\n"
	      "      --report-every N    with --stream, a progress record every N rows\n"
	      "                          [10000; 0: only at the end]\n"
	      "      --classes A,B,...   with --stream, the class labels of a new classifier\n"
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
const char *options_did_you_mean(const struct spelling_match *match, char *text, size_t size)
{
	const char *suggestion = spelling_suggestion(match);

	if (suggestion)
		snprintf(text, size, "; did you mean '%s'?", suggestion);
	else if (size > 0)
		text[0] = '\0';
	return text;
}

/*
 * --stream reads standard input once and keeps no row: whatever needs the
 * data twice, or all of it before the first step, is refused, saying why.
 */
static int options_check_stream(const struct options *o, struct error *err)
{
	const char *needs = NULL;

	if (!o->stream) {
		if (o->given[OPTION_SHUFFLE_BUFFER] || o->given[OPTION_REPORT_EVERY] || o->classes)
			return error_set(err, EXIT_USAGE, "--%s needs --stream",
					 o->classes ? "classes" : o->given[OPTION_SHUFFLE_BUFFER] ?
					 "shuffle-buffer" : "report-every");
		return 0;
	}
	if (o->predict)
		return error_set(err, EXIT_USAGE, "--predict trains nothing: --stream belongs to "
				 "training");
	if (o->given['e'] && o->epochs != 1)
		return error_set(err, EXIT_USAGE, "--stream makes one pass over standard input, "
				 "which cannot be read again: --epochs must be 1");
	if (o->given['b'] && o->batch_size == 0)
		return error_set(err, EXIT_USAGE, "--batch-size 0 steps on the full data set, and "
				 "--stream never holds it (give a batch size)");
	if (strcmp(o->optimizer, "lbfgs") == 0)
		return error_set(err, EXIT_USAGE, "--stream takes a mini-batch step as rows arrive, "
				 "and lbfgs needs the full-batch objective again at every iteration");
	if (o->holdout > 0)
		needs = "--holdout keeps rows aside to evaluate after every epoch";
	else if (o->validation)
		needs = "--validation evaluates its rows after every epoch";
	else if (o->patience > 0)
		needs = "--patience compares the losses of whole epochs";
	else if (o->lr_find)
		needs = "--lr-find trains on the rows before the run";
	else if (o->curvature)
		needs = "--curvature measures the training rows after every epoch";
	else if (o->landscape.line_points || o->landscape.plane_points)
		needs = "--landscape evaluates the training rows after training";
	else if (o->probe_symmetry)
		needs = "--probe symmetry evaluates the training rows after training";
	else if (o->save_state)
		needs = "--save-state saves a row order to continue from";
	if (needs)
		return error_set(err, EXIT_USAGE, "%s, and --stream reads its rows once and keeps "
				 "none (its progress records measure each batch before its step)",
				 needs);
	if (!o->init && o->standardize)
		return error_set(err, EXIT_USAGE, "--standardize needs the column statistics before "
				 "the first step, and --stream reads the data once (try --init MODEL: "
				 "its statistics are kept, e.g. from --standardize -e 0 on a sample)");
	if (!o->init && o->missing == MISSING_MEAN)
		return error_set(err, EXIT_USAGE, "--missing mean fills in the training means, known "
				 "only at the end of a stream (try --missing drop, or --init MODEL "
				 "trained with --missing mean)");
	if (!o->init && o->categorical)
		return error_set(err, EXIT_USAGE, "--categorical needs every value of the column "
				 "before the first step, and --stream reads the data once (try --init "
				 "MODEL trained with --categorical on a sample)");
	if (o->init && o->classes)
		return error_set(err, EXIT_USAGE, "--classes conflicts with --init: the classes are "
				 "the model's");
	if (!o->shuffle && o->shuffle_buffer > 0)
		return error_set(err, EXIT_USAGE, "--no-shuffle conflicts with --shuffle-buffer %ld",
				 o->shuffle_buffer);
	return 0;
}

/*
 * Returns 0 to go on, 1 when --help or --version has been handled, -1 on a
 * usage error.
 */
int options_parse(int argc, char **argv, struct options *o, struct error *err)
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
	o->report_every = 10000;
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
		case 't':
			/* As in a column list: columns count from 1, and none is unnamed. */
			if (strspn(optarg, "0") == strlen(optarg))
				failed = error_set(err, EXIT_USAGE, "invalid --target '%s': expected a "
						   "column name or a 1-based column number", optarg);
			o->target = optarg;
			break;
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
		case OPTION_LANDSCAPE: failed = landscape_parse(optarg, &o->landscape, err); break;
		case OPTION_LR_FIND:
			o->lr_find = 1;
			failed = lr_find_parse(optarg, &o->lr_find_min, &o->lr_find_max, err);
			break;
		case OPTION_ROTATE:
			o->rotate = 1;
			if (optarg && parse_whole_number(optarg, UINT64_MAX, &o->rotate_seed) != 0)
				failed = error_set(err, EXIT_USAGE, "invalid --rotate '%s': expected a "
						   "seed, a whole number from 0 to %" PRIu64, optarg,
						   UINT64_MAX);
			o->rotate_seed_given = optarg != NULL;
			break;
		case OPTION_THREADS:
			failed = parse_count_option("threads", optarg, 1, &o->threads, err);
			break;
		case OPTION_CURVATURE:
			o->curvature = 1;
			if (optarg)
				failed = parse_count_option("curvature", optarg, 1, &o->curvature_rows,
							    err);
			break;
		case OPTION_PROBE:
			if (strcmp(optarg, "symmetry") == 0)
				o->probe_symmetry = 1;
			else
				failed = error_set(err, EXIT_USAGE, "invalid --probe '%s': expected "
						   "symmetry", optarg);
			break;
		case OPTION_STREAM: o->stream = 1; break;
		case OPTION_SHUFFLE_BUFFER:
			failed = parse_count_option("shuffle-buffer", optarg, 0, &o->shuffle_buffer,
						    err);
			break;
		case OPTION_REPORT_EVERY:
			failed = parse_count_option("report-every", optarg, 0, &o->report_every, err);
			break;
		case OPTION_CLASSES: o->classes = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'h': options_print_help(stdout); return 1;
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
	if (o->predict && (o->landscape.line_points || o->landscape.plane_points || o->lr_find))
		return error_set(err, EXIT_USAGE, "--predict trains nothing, so it has no %s",
				 o->lr_find ? "step sizes to try (--lr-find)" : "landscape to show");
	if (o->predict && o->curvature)
		return error_set(err, EXIT_USAGE, "--predict trains nothing, so it has no curvature "
				 "to follow (--curvature belongs to training)");
	if (o->lr_find && o->curvature)
		return error_set(err, EXIT_USAGE, "--lr-find trains no model, so --curvature has no "
				 "epochs to follow");
	if (o->lr_find && strcmp(o->optimizer, "lbfgs") == 0)
		return error_set(err, EXIT_USAGE, "--lr-find needs a first-order optimizer: lbfgs "
				 "takes full-batch steps along its own line search");
	if (o->lr_find && o->save)
		return error_set(err, EXIT_USAGE, "--lr-find trains no model, so --save has nothing "
				 "to save");
	if (o->lr_find && (o->landscape.line_points || o->landscape.plane_points))
		return error_set(err, EXIT_USAGE, "--lr-find trains no model, so it has no landscape "
				 "to show (run --landscape on a training run)");
	if (o->lr_find && o->log)
		return error_set(err, EXIT_USAGE, "--lr-find trains no model, so --log has no epoch "
				 "records to write");
	if (o->predict && (o->holdout > 0 || o->validation))
		return error_set(err, EXIT_USAGE, "--predict trains nothing, so it has nothing to "
				 "validate");
	if (o->rotate && !o->rotate_seed_given)
		o->rotate_seed = o->seed;
	if (o->predict && (o->rotate || o->probe_symmetry))
		return error_set(err, EXIT_USAGE, "--predict trains nothing: %s", o->rotate ?
				 "--rotate belongs to training (a rotated model carries its rotation, "
				 "and --predict applies it)" : "--probe symmetry probes a trained model");
	if (o->lr_find && o->probe_symmetry)
		return error_set(err, EXIT_USAGE, "--lr-find trains no model, so --probe symmetry "
				 "has no trained weights to probe");
	if (o->probe_symmetry && !o->init && o->n_hidden == 0)
		return error_set(err, EXIT_USAGE, "--probe symmetry needs hidden layers (--hidden): "
				 "a model without them has no hidden units to permute or rescale");
	return options_check_stream(o, err);
}

/* The long name of the option getopt returns as c. */
const char *options_long_name(int c)
{
	for (const struct option *option = long_options; option->name; option++)
		if (option->val == c)
			return option->name;
	return "?";
}
