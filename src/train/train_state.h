/* train_state.h - the state records of --save-state, written and read back.
 *
 * After the model records of a --save file, --save-state adds where the
 * run stands (struct train_state, train.h), so that --init FILE continues
 * it exactly.  Every record's first field is "state"; the second names it:
 *
 *	state,format,1
 *	state,optimizer,NAME,COUNT               COUNT optimizer values follow
 *	state,epoch,EPOCH                        epochs done
 *	state,step,STEP                          steps done
 *	state,prng,W1,W2,W3,W4                   the shuffling generator (uint64)
 *	state,schedule,FACTOR_NOW,BEST,BAD_EPOCHS   the plateau schedule's memory
 *	state,best,EPOCH,LOSS                    best monitored loss so far
 *	state,order,POSITION,ROW                 per training row: the shuffled
 *	                                         order, ROW a data row from 1
 *	state,best_weight,INDEX,VALUE            per parameter, only when the
 *	                                         best epoch is not EPOCH
 *	state,optimizer_value,INDEX,VALUE        COUNT of them (optim_state_get)
 *	state,end,N                              N records from format to here
 *
 * Doubles are written with %.17g and read back bit-exact; BEST may be inf.
 * Other records (the model's, epochs, comments) are skipped by the reader,
 * and the model reader skips these.
 */
#ifndef DESCENT_TRAIN_STATE_H
#define DESCENT_TRAIN_STATE_H

#include <stdio.h>

#include "error.h"
#include "train.h"

/* Every state record.  Write errors are left for the caller's flush. */
void train_state_write(FILE *out, const struct train_state *s);

/*
 * Read the state records of in (named source in messages) into s, for a
 * model of n_params parameters.  A file without any leaves s->present 0
 * and returns 0.  A cut, inconsistent or unknown state is -1 with
 * EXIT_DATA and "SOURCE:LINE: what".
 */
int train_state_read(FILE *in, const char *source, size_t n_params, struct train_state *s,
		     struct error *err);
/* Open and read: EXIT_NOINPUT when path cannot be opened. */
int train_state_load(const char *path, size_t n_params, struct train_state *s, struct error *err);

#endif
