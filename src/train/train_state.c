/* train_state.c - the state records of --save-state out and back in.
 *
 * The writer prints struct train_state as the records listed in
 * train_state.h.  The reader takes every record from csv_records.c, skips
 * all but the state records, and checks them as they come: the format
 * record first, each single record once, the rows of each array in order,
 * the end record last and counting the records before it, so that a cut
 * or edited state is refused rather than continued from.
 */
#define _POSIX_C_SOURCE 200809L
#include "train_state.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "csv_records.h"
#include "output.h"
#include "parse.h"

static void write_value(FILE *out, const char *kind, size_t index, double value)
{
	fprintf(out, "state,%s,%zu,", kind, index);
	output_write_exact(out, value);
	putc('\n', out);
}

void train_state_write(FILE *out, const struct train_state *s)
{
	size_t records = 7;     /* format to best */

	fputs("state,format,1\n", out);
	fprintf(out, "state,optimizer,%s,%zu\n", s->optimizer->name, s->n_optimizer_values);
	fprintf(out, "state,epoch,%ld\nstate,step,%ld\n", s->epoch, s->step);
	fprintf(out, "state,prng,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
		s->random.s[0], s->random.s[1], s->random.s[2], s->random.s[3]);
	fputs("state,schedule,", out);
	output_write_exact(out, s->factor_now);
	putc(',', out);
	output_write_exact(out, s->plateau_best);
	fprintf(out, ",%ld\nstate,best,%ld,", s->bad_epochs, s->best_epoch);
	output_write_exact(out, s->best_loss);
	putc('\n', out);
	for (size_t i = 0; i < s->n_order; i++, records++)
		fprintf(out, "state,order,%zu,%zu\n", i + 1, s->order[i] + 1);
	for (size_t i = 0; s->best_weights && i < s->n_params; i++, records++)
		write_value(out, "best_weight", i + 1, s->best_weights[i]);
	for (size_t i = 0; i < s->n_optimizer_values; i++, records++)
		write_value(out, "optimizer_value", i + 1, s->optimizer_values[i]);
	fprintf(out, "state,end,%zu\n", records);
}

/* ---- reading ---- */

enum single { OPTIMIZER, EPOCH, STEP, PRNG, SCHEDULE, BEST, SINGLES };
static const char *const single_names[SINGLES] = {
	"optimizer", "epoch", "step", "prng", "schedule", "best"
};

struct state_reader {
	const char *source;
	size_t n_params;
	struct train_state *s;
	size_t sequence;                /* records seen, of every kind */
	size_t format_sequence;         /* 0 until state,format */
	int ended;
	int seen[SINGLES];
	size_t declared_values;         /* COUNT of state,optimizer */
	size_t order_capacity, values_capacity, n_best;
};

static int fail_at(struct state_reader *r, const struct csv_record *record, struct error *err,
		   const char *format, ...) __attribute__((format(printf, 4, 5)));

static int fail_at(struct state_reader *r, const struct csv_record *record, struct error *err,
		   const char *format, ...)
{
	char what[sizeof err->message];
	va_list ap;

	va_start(ap, format);
	vsnprintf(what, sizeof what, format, ap);
	va_end(ap);
	return csv_error_at(err, r->source, record->line, "%s", what);
}

static int whole(const char *text, uint64_t max, uint64_t *value)
{
	return parse_whole_number(text, max, value);
}

static int whole_long(const char *text, long *value)
{
	uint64_t v;

	if (whole(text, LONG_MAX, &v) != 0)
		return -1;
	*value = (long)v;
	return 0;
}

static int finite(const char *text, double *value)
{
	const char *why;

	return parse_finite_double(text, value, &why);
}

/* Field 2 of state,KIND,INDEX,VALUE-like records: the next index, from 1. */
static int next_index(const char *text, size_t expected)
{
	uint64_t index;

	return whole(text, SIZE_MAX, &index) != 0 || index != expected ? -1 : 0;
}

static int read_single(struct state_reader *r, enum single kind, const struct csv_record *record,
		       struct error *err)
{
	static const size_t fields[SINGLES] = { 4, 3, 3, 6, 5, 4 };
	static const char *const forms[SINGLES] = {
		"state,optimizer,NAME,COUNT", "state,epoch,EPOCH", "state,step,STEP",
		"state,prng,W1,W2,W3,W4", "state,schedule,FACTOR_NOW,BEST,BAD_EPOCHS",
		"state,best,EPOCH,LOSS"
	};
	struct train_state *s = r->s;
	char **f = record->fields;
	uint64_t count;
	int bad = 0;

	if (r->seen[kind]++)
		return fail_at(r, record, err, "a second state,%s record", single_names[kind]);
	if (record->count != fields[kind])
		return fail_at(r, record, err, "%s record needs: %s", single_names[kind], forms[kind]);
	switch (kind) {
	case OPTIMIZER:
		s->optimizer = optimizer_find(f[2]);
		if (!s->optimizer)
			return fail_at(r, record, err, "unknown optimizer '%s' in the state", f[2]);
		bad = whole(f[3], SIZE_MAX, &count);
		r->declared_values = (size_t)count;
		break;
	case EPOCH: bad = whole_long(f[2], &s->epoch); break;
	case STEP: bad = whole_long(f[2], &s->step); break;
	case PRNG:
		for (int i = 0; i < 4 && !bad; i++)
			bad = whole(f[2 + i], UINT64_MAX, &s->random.s[i]);
		break;
	case SCHEDULE:
		bad = finite(f[2], &s->factor_now) || !(s->factor_now > 0) ||
		      whole_long(f[4], &s->bad_epochs);
		if (!bad && strcmp(f[3], "inf") == 0)
			s->plateau_best = HUGE_VAL;     /* no loss reported yet */
		else if (!bad)
			bad = finite(f[3], &s->plateau_best);
		break;
	case BEST:
		bad = whole_long(f[2], &s->best_epoch) || finite(f[3], &s->best_loss);
		break;
	case SINGLES: break;
	}
	if (bad)
		return fail_at(r, record, err, "bad value in %s record (form: %s)", single_names[kind],
			       forms[kind]);
	return 0;
}

/* state,order,POSITION,ROW, state,best_weight,INDEX,VALUE, state,optimizer_value,INDEX,VALUE */
static int read_row(struct state_reader *r, const char *kind, const struct csv_record *record,
		    struct error *err)
{
	struct train_state *s = r->s;
	char **f = record->fields;
	uint64_t row;
	double value;

	if (record->count != 4)
		return fail_at(r, record, err, "%s record needs 4 fields", kind);
	if (strcmp(kind, "order") == 0) {
		if (next_index(f[2], s->n_order + 1) != 0)
			return fail_at(r, record, err, "state,order %s out of order", f[2]);
		if (whole(f[3], SIZE_MAX, &row) != 0 || row == 0)
			return fail_at(r, record, err, "bad row number '%s' in state,order", f[3]);
		if (array_grow((void **)&s->order, &r->order_capacity, s->n_order + 1,
			       sizeof *s->order) != 0)
			return error_set(err, EXIT_SOFTWARE, "out of memory");
		s->order[s->n_order++] = (size_t)row - 1;
		return 0;
	}
	int is_best = strcmp(kind, "best_weight") == 0;
	size_t *done = is_best ? &r->n_best : &s->n_optimizer_values;
	size_t limit = is_best ? r->n_params : r->declared_values;
	if (!is_best && !r->seen[OPTIMIZER])
		return fail_at(r, record, err, "state,optimizer_value before state,optimizer");
	if (next_index(f[2], *done + 1) != 0 || *done + 1 > limit)
		return fail_at(r, record, err, "state,%s %s out of order or beyond %zu", kind, f[2],
			       limit);
	if (finite(f[3], &value) != 0)
		return fail_at(r, record, err, "bad value '%s' in state,%s", f[3], kind);
	if (is_best) {
		if (!s->best_weights && !(s->best_weights = malloc(r->n_params * sizeof value)))
			return error_set(err, EXIT_SOFTWARE, "out of memory");
		s->best_weights[(*done)++] = value;
		return 0;
	}
	if (array_grow((void **)&s->optimizer_values, &r->values_capacity, *done + 1,
		       sizeof value) != 0)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	s->optimizer_values[(*done)++] = value;
	return 0;
}

static int read_record(void *context, const struct csv_record *record, struct error *err)
{
	struct state_reader *r = context;
	char **f = record->fields;

	r->sequence++;
	if (record->count == 0 || strcmp(f[0], "state") != 0)
		return 0;       /* model records, epochs, status */
	if (record->count < 2)
		return fail_at(r, record, err, "state record without a kind");
	if (r->ended)
		return fail_at(r, record, err, "state record after state,end");
	if (strcmp(f[1], "format") == 0) {
		if (r->format_sequence)
			return fail_at(r, record, err, "a second state,format record");
		if (record->count != 3 || strcmp(f[2], "1") != 0)
			return fail_at(r, record, err, "state format '%s' is not one this descent reads "
				       "(state,format,1)", record->count > 2 ? f[2] : "");
		r->format_sequence = r->sequence;
		return 0;
	}
	if (!r->format_sequence)
		return fail_at(r, record, err, "state,%s before state,format", f[1]);
	for (int k = 0; k < SINGLES; k++)
		if (strcmp(f[1], single_names[k]) == 0)
			return read_single(r, (enum single)k, record, err);
	if (strcmp(f[1], "order") == 0 || strcmp(f[1], "best_weight") == 0 ||
	    strcmp(f[1], "optimizer_value") == 0)
		return read_row(r, f[1], record, err);
	if (strcmp(f[1], "end") == 0) {
		uint64_t n;
		if (record->count != 3 || whole(f[2], SIZE_MAX, &n) != 0)
			return fail_at(r, record, err, "state,end record needs: state,end,N");
		if (n != r->sequence - r->format_sequence)
			return fail_at(r, record, err, "state,end counts %" PRIu64 " records, but %zu "
				       "come before it (the file was cut or edited?)", n,
				       r->sequence - r->format_sequence);
		r->ended = 1;
		return 0;
	}
	return fail_at(r, record, err, "unknown state record 'state,%s'", f[1]);
}

/* After the last record: everything there, and consistent. */
static int check_complete(struct state_reader *r, struct error *err)
{
	struct train_state *s = r->s;

	if (!r->ended)
		return error_set(err, EXIT_DATA, "%s: the state ends without its state,end record "
				 "(the file was cut short?)", r->source);
	for (int k = 0; k < SINGLES; k++)
		if (!r->seen[k])
			return error_set(err, EXIT_DATA, "%s: incomplete state: no state,%s record",
					 r->source, single_names[k]);
	if (s->n_optimizer_values != r->declared_values)
		return error_set(err, EXIT_DATA, "%s: incomplete state: %zu of %zu optimizer values",
				 r->source, s->n_optimizer_values, r->declared_values);
	if (s->best_epoch > s->epoch)
		return error_set(err, EXIT_DATA, "%s: the state's best epoch %ld is after its epoch %ld",
				 r->source, s->best_epoch, s->epoch);
	if (r->n_best != (s->best_epoch < s->epoch ? r->n_params : 0))
		return error_set(err, EXIT_DATA, "%s: the state holds %zu best weights, expected %zu",
				 r->source, r->n_best, s->best_epoch < s->epoch ? r->n_params : 0);
	if (s->step < 0 || s->epoch < 0)
		return error_set(err, EXIT_DATA, "%s: bad state position", r->source);
	return 0;
}

int train_state_read(FILE *in, const char *source, size_t n_params, struct train_state *s,
		     struct error *err)
{
	struct csv_records_options options = {
		.source = source, .delimiter = ',', .skip_comments = 1,
	};
	struct state_reader r = { .source = source, .n_params = n_params, .s = s };
	int result;

	memset(s, 0, sizeof *s);
	s->n_params = n_params;
	result = csv_records_read(in, &options, read_record, &r, NULL, err);
	if (result == 0 && r.format_sequence)
		result = check_complete(&r, err);
	if (result != 0) {
		train_state_free(s);
		return -1;
	}
	s->present = r.format_sequence != 0;
	return 0;
}

int train_state_load(const char *path, size_t n_params, struct train_state *s, struct error *err)
{
	FILE *in = fopen(path, "r");

	if (!in)
		return error_set(err, EXIT_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
	int result = train_state_read(in, path, n_params, s, err);
	fclose(in);
	return result;
}
