/* model_io.h - model records: writing them, reading them back, saving.
 *
 * The records (SPEC section 7; man page OUTPUT FORMAT) are CSV lines whose
 * first field names the kind.  Version 2, written here:
 *
 *	format,descent-model,2
 *	model,HEAD
 *	layer,L,IN,OUT,ACTIVATION,SKIP           one per layer, L from 1
 *	target,NAME
 *	class,INDEX,LABEL                        classifiers, INDEX from 0
 *	feature,INDEX,NAME,MEAN,SCALE            INDEX from 1
 *	category,INDEX,VALUE                     one-hot input INDEX is 1 for VALUE
 *	missing,INDEX,VALUE                      --missing mean: input INDEX's fill
 *	rotation,ROW,COLUMN,VALUE                --rotate: Q, d x d entries row by row
 *	weight,L,ROW,COLUMN,VALUE / bias,L,ROW,VALUE   in parameter order
 *	end,N                                    N records from format to here
 *
 * Version 1 (descent 0.1: no format or end record, "layers,IN,OUT", class
 * records after the features) is still read.  Doubles are written with
 * %.17g so they read back bit-exact.  A reader skips # comments and every
 * other record kind, so a whole earlier stdout is a valid model file.
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
 * Sizes the file declares are checked against the records it holds before
 * anything of that size is allocated, so memory follows the file's length.
 */
int model_read(FILE *in, const char *source, struct model *m, struct error *err);
/* Open and read a model file: EXIT_NOINPUT when it cannot be opened. */
int model_load(const char *path, struct model *m, struct error *err);

/*
 * Write the status and model records to path atomically: a temporary file
 * in the same directory, flushed and synced, then renamed over path.  A
 * symbolic link is followed, and the file it points to replaced in that
 * file's directory, so the link stays a link.  A path that exists and is
 * not a regular file (a character device such as /dev/null, a FIFO) is
 * written through, without a temporary file: renaming would replace it.
 */
int model_save(const char *path, const struct model *m, const char *state, long epoch,
	       struct error *err);
/* The same, with more records (the training state) written by more() after the model. */
int model_save_with(const char *path, const struct model *m, const char *state, long epoch,
		    void (*more)(FILE *out, const void *context), const void *context,
		    struct error *err);
/*
 * Remove the temporary file of a save in progress, if any: for a signal
 * handler that is about to end the process (async-signal-safe: one
 * unlink).  A save holds SIGINT and SIGTERM while it creates or renames
 * the file, so the handler never sees half a path.
 */
void model_save_abandon(void);

#endif
