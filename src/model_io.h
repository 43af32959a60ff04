/* model_io.h - model records: writing them, reading them back, saving.
 *
 * The records (SPEC section 7; man page OUTPUT FORMAT) are CSV lines whose
 * first field names the kind: model, layers, target, feature, class,
 * weight, bias.  Doubles are written with %.17g so they read back
 * bit-exact.  A reader skips # comments and every other record kind, so a
 * whole earlier stdout is a valid model file.
 */
#ifndef DESCENT_MODEL_IO_H
#define DESCENT_MODEL_IO_H

#include <stdio.h>

#include "error.h"
#include "model.h"

/* status,STATE,EPOCH: how the run ended and the epoch of the weights. */
void model_write_status(FILE *out, const char *state, long epoch);
/* Every model record.  Write errors are left for the caller's flush. */
void model_write(FILE *out, const struct model *m);

/*
 * Read the model in "in" (named source in messages) into m.  Returns 0, or
 * -1 with EXIT_DATA and "SOURCE:LINE: what" for a bad or incomplete model.
 */
int model_read(FILE *in, const char *source, struct model *m, struct error *err);
/* Open and read a model file: EXIT_NOINPUT when it cannot be opened. */
int model_load(const char *path, struct model *m, struct error *err);

/*
 * Write the status and model records to path atomically: a temporary file
 * in the same directory, flushed and synced, then renamed over path.
 */
int model_save(const char *path, const struct model *m, const char *state, long epoch,
	       struct error *err);

#endif
