/* options.h - the command line as parsed: struct options and its parser.
 *
 * Internal to src/cli/: options.c fills a struct options from argv (and
 * prints --help, built from the registries); the modes (train_mode.c,
 * predict_mode.c) read it.  Nothing is read or written until every option
 * is known to be valid, so a usage error never leaves output behind.
 */
#ifndef DESCENT_CLI_OPTIONS_H
#define DESCENT_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dataset.h"
#include "error.h"
#include "landscape.h"
#include "layer.h"
#include "optim.h"
#include "spelling.h"

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
	struct landscape_request landscape;     /* --landscape: slices after training */
	int lr_find;                    /* --lr-find: the range test instead of training */
	double lr_find_min, lr_find_max;
	int rotate;                     /* --rotate[=SEED]: rotate the inputs */
	uint64_t rotate_seed;           /* its seed: SEED, or --seed */
	int rotate_seed_given;
	int probe_symmetry;             /* --probe symmetry */
	int curvature;                  /* --curvature[=ROWS]: curvature records */
	long curvature_rows;            /* its ROWS; 0 = every training row */
	long threads;                   /* --threads N: 0 = one per processor */
	int stream;                     /* --stream: one pass over stdin, constant memory */
	long shuffle_buffer;            /* --shuffle-buffer N: rows; 0 = file order */
	long report_every;              /* --report-every N: rows between progress records */
	const char *classes;            /* --classes A,B,C: a stream's class labels */
	unsigned char given[512];       /* given[c]: the option getopt returns as c was given */
};

enum long_only_option {
	OPTION_NO_HEADER = 256, OPTION_STANDARDIZE, OPTION_NO_SHUFFLE, OPTION_MOMENTUM,
	OPTION_RHO, OPTION_BETA1, OPTION_BETA2, OPTION_EPS, OPTION_WEIGHT_DECAY,
	OPTION_HISTORY, OPTION_SCHEDULE, OPTION_WARMUP, OPTION_PATIENCE, OPTION_SAVE,
	OPTION_INIT, OPTION_PREDICT, OPTION_PROBABILITIES, OPTION_HIDDEN, OPTION_ACTIVATION,
	OPTION_RESIDUAL, OPTION_HOLDOUT, OPTION_VALIDATION, OPTION_LOG, OPTION_METRICS,
	OPTION_SAVE_STATE, OPTION_FEATURES, OPTION_IGNORE, OPTION_MISSING, OPTION_CATEGORICAL,
	OPTION_LANDSCAPE, OPTION_LR_FIND, OPTION_ROTATE, OPTION_PROBE, OPTION_CURVATURE,
	OPTION_STREAM, OPTION_SHUFFLE_BUFFER, OPTION_REPORT_EVERY, OPTION_CLASSES,
	OPTION_THREADS
};

/*
 * Parse argv into o.  Returns 0 to go on, 1 when --help or --version has
 * been handled, -1 on a usage error.
 */
int options_parse(int argc, char **argv, struct options *o, struct error *err);
void options_print_help(FILE *out);
/* The long name of the option getopt returns as c ("?" if none). */
const char *options_long_name(int c);
/* " (did you mean 'NAME'?)" into text for a spelling match, or "". */
const char *options_did_you_mean(const struct spelling_match *match, char *text, size_t size);

#endif
