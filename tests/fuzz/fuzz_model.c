/* fuzz_model.c - libFuzzer target: the model-file reader (and the state reader).
 *
 * The input is a model file, read as --predict and --init read one
 * (model_read on a FILE).  A refusal must say why.  A model that loads
 * must round-trip: written with model_write and read back, it gives the
 * very same records again (so the same parameters, bit for bit); if not,
 * abort(), which libFuzzer reports.  The --save-state records of the same
 * bytes go through train_state_read for the loaded model's parameter
 * count, and a state that loads must round-trip the same way.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_io.h"
#include "train.h"
#include "train_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A stream over a copy of data[0..size), for reading. */
static FILE *open_bytes(const void *data, size_t size)
{
	return fmemopen(size ? (void *)data : (void *)"", size, "r");
}

/* The records write() makes of thing into a new buffer (*size bytes); NULL if none. */
static char *written(void (*write)(FILE *, const void *), const void *thing, size_t *size)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, size);

	if (!out)
		return NULL;
	write(out, thing);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void write_model(FILE *out, const void *m)
{
	model_write(out, m);
}

static void write_state(FILE *out, const void *s)
{
	train_state_write(out, s);
}

/* A refusal names its status and says what is wrong. */
static void check_refusal(const struct error *err)
{
	if (err->status != EXIT_DATA && err->status != EXIT_SOFTWARE)
		abort();
	if (err->message[0] == '\0')
		abort();
}

/* Model records out and in again: the same records, or abort(). */
static void check_model_round_trip(const struct model *m)
{
	size_t size1, size2;
	char *text1 = written(write_model, m, &size1);
	struct model again;
	struct error err = { 0 };

	if (!text1)
		return;
	FILE *in = open_bytes(text1, size1);
	if (!in || model_read(in, "round trip", &again, &err) != 0) {
		fprintf(stderr, "a loaded model does not read back: %s\n", err.message);
		abort();
	}
	fclose(in);
	char *text2 = written(write_model, &again, &size2);
	if (!text2 || size1 != size2 || memcmp(text1, text2, size1) != 0 ||
	    again.net.n_params != m->net.n_params ||
	    memcmp(again.params, m->params, m->net.n_params * sizeof *m->params) != 0) {
		fprintf(stderr, "a loaded model does not round-trip:\n%.*s\n---\n%.*s\n",
			(int)size1, text1, text2 ? (int)size2 : 0, text2 ? text2 : "");
		abort();
	}
	free(text2);
	model_free(&again);
	free(text1);
}

/* State records out and in again: the same records, or abort(). */
static void check_state_round_trip(const struct train_state *s, size_t n_params)
{
	size_t size1, size2;
	char *text1 = written(write_state, s, &size1);
	struct train_state again = { 0 };
	struct error err = { 0 };

	if (!text1)
		return;
	FILE *in = open_bytes(text1, size1);
	if (!in || train_state_read(in, "round trip", n_params, &again, &err) != 0 ||
	    !again.present) {
		fprintf(stderr, "a loaded state does not read back: %s\n", err.message);
		abort();
	}
	fclose(in);
	char *text2 = written(write_state, &again, &size2);
	if (!text2 || size1 != size2 || memcmp(text1, text2, size1) != 0) {
		fprintf(stderr, "a loaded state does not round-trip:\n%.*s\n---\n%.*s\n",
			(int)size1, text1, text2 ? (int)size2 : 0, text2 ? text2 : "");
		abort();
	}
	free(text2);
	train_state_free(&again);
	free(text1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m;
	struct error err = { 0 };
	FILE *in = open_bytes(data, size);

	if (!in)
		return 0;
	if (model_read(in, "fuzz", &m, &err) != 0) {
		check_refusal(&err);
		fclose(in);
		return 0;
	}
	check_model_round_trip(&m);

	/* The same bytes as the state records of a --save-state file. */
	struct train_state state = { 0 };
	rewind(in);
	memset(&err, 0, sizeof err);
	if (train_state_read(in, "fuzz", m.net.n_params, &state, &err) == 0) {
		if (state.present)
			check_state_round_trip(&state, m.net.n_params);
		train_state_free(&state);
	} else {
		check_refusal(&err);
	}
	fclose(in);
	model_free(&m);
	return 0;
}
