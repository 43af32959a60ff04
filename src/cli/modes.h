/* modes.h - the train and predict modes, and what they share.
 *
 * Internal to src/cli/.  Each mode reads its input, runs, writes its
 * output and returns 0, or -1 with err filled in; cli.c's finish() turns
 * that into the message and the exit status.
 */
#ifndef DESCENT_CLI_MODES_H
#define DESCENT_CLI_MODES_H

#include "dataset.h"
#include "error.h"
#include "head.h"
#include "model.h"
#include "options.h"

/* Train (train_mode.c) or predict (predict_mode.c) as the options say. */
int cli_train(const struct options *o, struct error *err);
int cli_predict(const struct options *o, struct error *err);

/* How to read the data for this head, from the options. */
void cli_reading_options(const struct options *o, const struct head *head,
			 struct csv_read_options *r);
/* Read the data in the model's schema: its features, its classes. */
void cli_schema_options(const struct model *m, struct csv_read_options *r, int target_required);
/* The data set on standard input (a terminal is refused), notes on stderr. */
int cli_read_standard_input(const struct csv_read_options *reading, struct dataset *data,
			    struct error *err);
/* Add a registry name to a ", "-separated list for a message. */
void cli_append_name(char *list, size_t size, const char *name);
/* "descent: warning: --OPTION does not apply to WHAT (ignored)" */
void cli_warn_ignored(const char *option, const char *what);
/* EXIT_CANTCREAT unless path can be created (before any work). */
int cli_check_creatable(const char *option, const char *path, struct error *err);
/* A multi-line message, each line as "descent: ...". */
void cli_print_message(const char *message);

/* --stream (stream_mode.c): train in one pass over standard input. */
struct train_config;
int cli_train_stream(const struct options *o, const struct head *head,
		     const struct train_config *config, struct error *err);
/* Shared by the two ways of training (train_mode.c). */
void describe_configuration(FILE *out, const struct options *o, const struct model *m,
			    const struct train_config *c);
/* The same comment lines as a string to free (train_config.preamble); NULL: out of memory. */
char *describe_configuration_text(const struct options *o, const struct model *m,
				  const struct train_config *c);
void catch_interrupt(void);
/* The exit status of a run stopped by the first signal: 130 (SIGINT) or 143 (SIGTERM). */
int interrupted_status(void);
int check_init_conflicts(const struct options *o, const struct model *m, struct error *err);
int create_model(const struct options *o, const struct head *head, struct dataset *data,
		 struct model *m, struct error *err);
/* Seeds of the generators --seed drives, one stream each. */
enum { SEED_STREAM_INIT = 1, SEED_STREAM_HOLDOUT = 2, SEED_STREAM_ROTATE = 3,
       SEED_STREAM_PROBE = 4, SEED_STREAM_SHUFFLE_BUFFER = 5 };
uint64_t stream_seed(uint64_t seed, uint64_t stream);

#endif
