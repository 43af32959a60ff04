/* csv_records.c - cut a stream into lines, hand out records.
 *
 * The stream is read in large blocks (fread) and cut into physical lines,
 * counted for messages.  A line that is only unquoted fields (no quote,
 * no CR but a final CRLF, no NUL byte, not inside a multi-line record) -
 * nearly every line of real data - takes the direct path: split_line
 * splits it in place and passes the record on without libcsv or copies.
 * Every other line (quotes, -d space, NUL bytes, blank lines, the last
 * line without a line feed) is fed to libcsv as before: libcsv calls
 * field_done for every field and record_done at the end of every record.
 * field_done copies the field at once, because libcsv reuses its buffer;
 * record_done passes the whole record to the caller's handler.  Both
 * paths give the same fields (spaces and tabs around an unquoted field
 * trimmed), the same line numbers and the same errors.  libcsv has no way
 * to abort from a callback, so a failure is recorded in the feeder and
 * the loop stops at the end of that line.
 *
 * A large input is read on two threads (feed_threaded): a reading thread
 * reads chunks of whole lines and finds the direct path's fields and
 * numbers ahead (split_fields changes no byte), and the calling thread
 * takes every line in order exactly as above, only handed the fields
 * instead of finding them.
 *
 * Ownership: the feeder's buffers and the chunks live inside
 * csv_records_read and are freed before it returns (the reading thread is
 * joined first); a handler must copy what it keeps.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L     /* getline */
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE                 /* memmem */
#endif

#include "csv_records.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "parse.h"

/*
 * The fields of lines split on the direct path (split_fields): where each
 * starts and ends in its line, and whether it is a short plain decimal
 * with its value (see struct csv_record).  used fields, one line's after
 * another's.
 */
struct split {
	uint32_t *begin, *end;
	double *numbers;
	unsigned char *is_number;
	size_t used, capacity;
};

static void split_free(struct split *s)
{
	free(s->begin);
	free(s->end);
	free(s->numbers);
	free(s->is_number);
}

/* Room for one more field.  Returns 0, or -1 for memory. */
static int split_grow(struct split *s)
{
	size_t capacity = s->capacity ? 2 * s->capacity : 64;
	void *p;

	if (s->used < s->capacity)
		return 0;
	if (capacity > SIZE_MAX / sizeof *s->numbers)
		return -1;
	if (!(p = realloc(s->begin, capacity * sizeof *s->begin)))
		return -1;
	s->begin = p;
	if (!(p = realloc(s->end, capacity * sizeof *s->end)))
		return -1;
	s->end = p;
	if (!(p = realloc(s->numbers, capacity * sizeof *s->numbers)))
		return -1;
	s->numbers = p;
	if (!(p = realloc(s->is_number, capacity * sizeof *s->is_number)))
		return -1;
	s->is_number = p;
	s->capacity = capacity;
	return 0;
}

struct feeder {
	const struct csv_records_options *options;
	csv_record_handler handler;
	void *context;
	struct error *err;
	int failed;             /* an error is recorded: stop feeding */

	size_t line;            /* physical line being fed, 1-based */
	size_t record_line;     /* line where the current record started */
	int record_open;        /* a record has started and not yet ended */

	/* The current record's fields, copied out of libcsv's buffer. */
	char *text;             /* fields one after the other, each NUL-ended */
	size_t text_used, text_capacity;
	size_t *field_start;    /* offset of each field in text */
	size_t field_count, field_capacity;
	char **fields;          /* pointers handed to the handler */
	size_t fields_capacity;

	/* -d space: the line with its runs of blanks collapsed, and whether a
	 * quoted field is open at the end of the last line fed. */
	char *collapsed;
	size_t collapsed_capacity;
	int in_quotes;

	/* The direct path (see split_fields): what each byte is to it, and the
	 * fields of the line being split on this thread. */
	unsigned char kind[256];
	int read_numbers;       /* the delimiter cannot be part of a number */
	struct split split;
};

/* What a byte is to split_line. */
enum byte_kind {
	ORDINARY = 0,
	DELIMITER,
	BLANK,                  /* a space or tab that is not the delimiter: trimmed */
	SPECIAL,                /* a quote, CR, LF or NUL: libcsv's business */
};

/*
 * An error is one line on stderr even when the text it quotes holds line
 * breaks or other control characters.
 */
static void one_line(const char *text, char *out, size_t size)
{
	size_t used = 0;

	for (const char *p = text; *p && used + 3 < size; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != 0x7f) {
			out[used++] = (char)c;
			continue;
		}
		out[used++] = c == '\n' || c == '\r' || c == '\t' ? '\\' : '?';
		if (c == '\n' || c == '\r' || c == '\t')
			out[used++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
	}
	out[used] = '\0';
}

int csv_error_at(struct error *err, const char *source, size_t line, const char *format, ...)
{
	char what[sizeof err->message], clean[sizeof err->message];
	va_list ap;

	va_start(ap, format);
	vsnprintf(what, sizeof what, format, ap);
	va_end(ap);
	one_line(what, clean, sizeof clean);
	return error_set(err, EXIT_DATA, "%s:%zu: %s", source, line, clean);
}

static int fail_memory(struct feeder *f)
{
	f->failed = 1;
	return error_set(f->err, EXIT_SOFTWARE, "out of memory");
}

/* libcsv callback: a field ended.  Its buffer is reused, so copy it now. */
static void field_done(void *field, size_t length, void *data)
{
	struct feeder *f = data;

	if (f->failed)
		return;
	if (!f->record_open) {
		/* A record after a bare CR inside a line (see feed_line). */
		f->record_open = 1;
		f->record_line = f->line;
	}
	if (array_grow((void **)&f->field_start, &f->field_capacity, f->field_count + 1,
		       sizeof *f->field_start) != 0 ||
	    length > SIZE_MAX - 1 - f->text_used ||
	    array_grow((void **)&f->text, &f->text_capacity, f->text_used + length + 1, 1) != 0) {
		fail_memory(f);
		return;
	}
	f->field_start[f->field_count++] = f->text_used;
	if (length)
		memcpy(f->text + f->text_used, field, length);
	f->text_used += length;
	f->text[f->text_used++] = '\0';
}

/* libcsv callback: a record ended (c is the CR or LF, or -1 at the end). */
static void record_done(int c, void *data)
{
	struct feeder *f = data;

	if (!f->failed) {
		if (array_grow((void **)&f->fields, &f->fields_capacity, f->field_count + 1,
			       sizeof *f->fields) != 0) {
			fail_memory(f);
		} else {
			struct csv_record record = {
				.fields = f->fields, .count = f->field_count,
				.line = f->record_open ? f->record_line : f->line, .end_line = f->line,
				.terminated = c != -1,
			};
			for (size_t i = 0; i < f->field_count; i++)
				f->fields[i] = f->text + f->field_start[i];
			if (f->handler(f->context, &record, f->err) != 0)
				f->failed = 1;
		}
	}
	f->record_open = 0;
	f->field_count = 0;
	f->text_used = 0;
}

/* A line that holds no field: only spaces and tabs that do not delimit. */
static int is_blank_line(const char *line, size_t length, char delimiter)
{
	for (size_t i = 0; i < length; i++) {
		char c = line[i];
		if (c == '\r' || c == '\n')
			continue;
		if ((c == ' ' || c == '\t') && c != delimiter)
			continue;
		return 0;
	}
	return 1;
}

static int feed_line(struct feeder *f, struct csv_parser *parser, const char *line, size_t length)
{
	/*
	 * The line number of a record is where its first field starts.  A
	 * record not yet open starts on this line if the line holds anything
	 * but blanks; libcsv skips blank lines between records (without
	 * CSV_REPALL_NL), so blank lines in the middle of the data, and
	 * trailing ones, are accepted and only counted.  Inside an open
	 * record (a quoted field spanning lines) the start stays where it is.
	 * libcsv also ends a record at a bare CR inside a line; field_done
	 * then opens the next record on this same line.
	 */
	if (!f->record_open && !is_blank_line(line, length, f->options->delimiter)) {
		f->record_open = 1;
		f->record_line = f->line;
	}
	size_t parsed = csv_parse(parser, line, length, field_done, record_done, f);
	if (f->failed)
		return -1;
	if (parsed == length)
		return 0;

	if (csv_error(parser) != CSV_EPARSE)
		return fail_memory(f);
	/*
	 * Strict mode stopped at line[parsed]: a quote inside an unquoted
	 * field, or something other than a delimiter after a closing quote.
	 * That position is on this line, whatever line the record began on.
	 */
	f->failed = 1;
	/* Quoted fields separated by blanks: R's write.table. */
	const char *hint = "";
	if (!f->options->blank_runs && f->options->delimiter != ' ' &&
	    (memmem(line, length, "\" \"", 3) || memmem(line, length, "\" ", 2)))
		hint = ": the fields look separated by blanks (try -d space)";
	if (line[parsed] == '"')
		return csv_error_at(f->err, f->options->source, f->line,
				    "stray quote in field %zu%s", f->field_count + 1,
				    *hint ? hint : " (quote the whole field and double inner quotes)");
	return csv_error_at(f->err, f->options->source, f->line,
			    "unexpected text after the closing quote of field %zu%s",
			    f->field_count + 1, hint);
}

/*
 * -d space: each run of blanks outside quotes becomes one space (libcsv's
 * delimiter then), and blanks at the start and end of the line go.  The
 * quote state carries over lines, for a quoted field that spans them.
 * Returns the new length, or SIZE_MAX for memory.
 */
static size_t collapse_blanks(struct feeder *f, const char *line, size_t length)
{
	size_t used = 0;
	int pending = 0;

	if (array_grow((void **)&f->collapsed, &f->collapsed_capacity, length + 1, 1) != 0)
		return SIZE_MAX;
	for (size_t i = 0; i < length; i++) {
		char c = line[i];
		if (!f->in_quotes && (c == ' ' || c == '\t')) {
			pending = 1;
			continue;
		}
		if (!f->in_quotes && (c == '\r' || c == '\n')) {
			pending = 0;
			f->collapsed[used++] = c;
			continue;
		}
		if (pending && used > 0)
			f->collapsed[used++] = ' ';
		pending = 0;
		if (c == '"')
			f->in_quotes = !f->in_quotes;
		f->collapsed[used++] = c;
	}
	return used;
}

/*
 * The first line tells text from what is not: gzip and zip have magic
 * bytes, other binary data many control bytes.  Returns 0 for text.
 */
static int refuse_binary(struct feeder *f, const unsigned char *start, size_t size)
{
	const char *source = f->options->source;
	size_t control = 0, examined = size < 4096 ? size : 4096;

	if (size >= 2 && start[0] == 0x1f && start[1] == 0x8b)
		return csv_error_at(f->err, source, 1, "the input is gzip-compressed, not CSV text "
				    "(try zcat FILE | descent ...)");
	if (size >= 4 && memcmp(start, "PK\003\004", 4) == 0)
		return csv_error_at(f->err, source, 1, "the input is a zip archive (a spreadsheet?), "
				    "not CSV text (try libreoffice --headless --convert-to csv FILE)");
	for (size_t i = 0; i < examined; i++)
		if ((start[i] < 0x20 && start[i] != '\t' && start[i] != '\r' && start[i] != '\n' &&
		     start[i] != '\f') || start[i] == 0x7f)
			control++;
	if (control > 0 && control * 10 >= examined)
		return csv_error_at(f->err, source, 1, "the input looks binary, not CSV text "
				    "(try zcat FILE | descent ... if it is compressed)");
	return 0;
}

/*
 * The direct path for a line that is only unquoted fields, which is
 * nearly every line of real data: find its fields (the spaces and tabs
 * around each trimmed, as libcsv does) and read the short plain decimals
 * among them on the way, appending them to s, without changing a byte:
 * hand_over then ends each field with a NUL and passes the record on,
 * without libcsv and without copies.  Only a whole line ending in LF (or
 * CRLF) qualifies; a quote, another CR, a NUL byte or a line of blanks
 * sends it back untouched (returns 1, s as it was) to the general path,
 * which gives the same fields, or the error with its wording.  Returns 0
 * when the fields were appended, -1 for memory.  Only reads kind and line:
 * the reading thread calls it too.
 */
static int split_fields(const unsigned char kind[256], int read_numbers, const char *line,
			size_t length, struct split *s)
{
	const char *end = line + length - 1;    /* the LF */
	const char *p = line;
	size_t first = s->used;

	if (length == 0 || *end != '\n' || length > UINT32_MAX)
		return 1;
	if (end > line && end[-1] == '\r')
		end--;
	for (;;) {
		while (kind[(unsigned char)*p] == BLANK)
			p++;
		if (split_grow(s) != 0) {
			s->used = first;
			return -1;
		}
		size_t i = s->used;
		const char *field = p;
		s->begin[i] = (uint32_t)(field - line);
#if DESCENT_PARSE_SWAR
		/*
		 * A short plain decimal followed at once by the delimiter or
		 * the end of the line (nearly every field of numeric data):
		 * its end and its value in one pass.
		 */
		if (read_numbers) {
			const char *after = parse_number_prefix(p, &s->numbers[i]);
			if (after && (after == end || kind[(unsigned char)*after] == DELIMITER)) {
				s->is_number[i] = 1;
				s->end[i] = (uint32_t)(after - line);
				s->used++;
				if (after == end)
					break;
				p = after + 1;
				continue;
			}
		}
#endif
		s->is_number[i] = 0;
		unsigned char k;
		while ((k = kind[(unsigned char)*p]) == ORDINARY || k == BLANK)
			p++;
		if (k == SPECIAL && p != end) {
			s->used = first;
			return 1;
		}
		const char *stop = p;
		while (stop > field && kind[(unsigned char)stop[-1]] == BLANK)
			stop--;
		s->end[i] = (uint32_t)(stop - line);
		s->used++;
		if (p == end)
			break;
		p++;
	}
	if (s->used - first == 1 && s->begin[first] == s->end[first]) {
		s->used = first;
		return 1;       /* a blank line: libcsv skips it */
	}
	return 0;
}

/*
 * The record of a line split by split_fields (its count fields from
 * s->begin[first] on): each field ended with a NUL in place, then the
 * handler.  Returns 0, or -1 when it failed (f->failed set).
 */
static int hand_over(struct feeder *f, char *line, const struct split *s, size_t first,
		     size_t count)
{
	if (count > f->fields_capacity &&
	    array_grow((void **)&f->fields, &f->fields_capacity, count, sizeof *f->fields) != 0)
		return fail_memory(f);
	for (size_t i = 0; i < count; i++) {
		f->fields[i] = line + s->begin[first + i];
		line[s->end[first + i]] = '\0';
	}

	struct csv_record record = {
		.fields = f->fields, .count = count, .line = f->line, .end_line = f->line,
		.terminated = 1, .padded = 1, .is_number = s->is_number + first,
		.numbers = s->numbers + first,
	};
	if (f->handler(f->context, &record, f->err) != 0) {
		f->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * The direct path on this thread: 0 when the record was handed over, 1
 * when the line is for the general path (as split_fields; also inside a
 * record that spans lines), -1 when it failed (f->failed set).
 */
static int split_line(struct feeder *f, char *line, size_t length)
{
	if (f->record_open)
		return 1;
	f->split.used = 0;
	int direct = split_fields(f->kind, f->read_numbers, line, length, &f->split);
	if (direct < 0)
		return fail_memory(f);
	if (direct > 0)
		return 1;
	return hand_over(f, line, &f->split, 0, f->split.used);
}

/*
 * One physical line (with its LF, the last perhaps without): counted, then
 * the direct path or libcsv.  pre, when not NULL, holds the line's fields
 * already split by the reading thread (count of them from first on), used
 * unless the line is inside a record that spans lines.  Returns 0 to go
 * on, -1 to stop (the error set).
 */
static int take_line(struct feeder *f, struct csv_parser *parser, char *start, size_t size,
		     const struct split *pre, size_t first, size_t count)
{
	const struct csv_records_options *o = f->options;

	f->line++;
	if (f->line == 1 && size >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
		start += 3;     /* UTF-8 byte order mark */
		size -= 3;
	}
	if (f->line == 1 && refuse_binary(f, (const unsigned char *)start, size) != 0) {
		f->failed = 1;
		return -1;
	}
	if (o->skip_comments && !f->record_open && start[0] == '#')
		return 0;
	if (!o->blank_runs) {
		int direct = pre && !f->record_open ? hand_over(f, start, pre, first, count)
						    : split_line(f, start, size);
		if (direct <= 0)
			return direct;
	}
	if (memchr(start, '\0', size)) {
		f->failed = 1;
		return csv_error_at(f->err, o->source, f->line, "NUL byte in input");
	}
	if (o->blank_runs) {
		size = collapse_blanks(f, start, size);
		if (size == SIZE_MAX)
			return fail_memory(f);
		start = f->collapsed;
	}
	return feed_line(f, parser, start, size);
}

/*
 * Bytes asked of each fread: large blocks, not line by line.  The fuzz
 * build (--enable-fuzz) asks for small ones, so that short inputs cross
 * blocks too and a run does not map and fault in a megabyte under ASan.
 */
#ifdef CSV_READ_BLOCK
#define READ_BLOCK ((size_t)CSV_READ_BLOCK)
#else
#define READ_BLOCK ((size_t)1 << 20)
#endif
/* csv_lines_ahead counts the lines of this much of a file and scales. */
#define LINES_SAMPLE ((size_t)4 << 20)
/* Bytes after the data in the buffer, zeroed: a field may be read past its end. */
#define PADDING 16

/*
 * Read every line; returns 0 at the end of input or -1 with the error set.
 * The stream is read in large blocks and cut into physical lines (each
 * with its LF, the last perhaps without), so a line may span two blocks:
 * its start moves to the front of the buffer, which grows for a line
 * longer than a block.
 */
static int feed_stream(struct feeder *f, struct csv_parser *parser, FILE *in)
{
	const struct csv_records_options *o = f->options;
	char *buffer = NULL;
	size_t capacity = 0, begin = 0, end = 0;
	int at_end = 0, read_failed = 0, read_errno = 0;
	int result = 0;

	for (;;) {
		char *newline = begin < end ? memchr(buffer + begin, '\n', end - begin) : NULL;
		if (!newline && !at_end) {
			if (begin > 0) {
				memmove(buffer, buffer + begin, end - begin);
				end -= begin;
				begin = 0;
			}
			if (capacity - end < READ_BLOCK / 2) {
				size_t bigger = capacity ? 2 * capacity : READ_BLOCK;
				char *grown = bigger > capacity ? realloc(buffer, bigger + PADDING) : NULL;
				if (!grown) {
					result = fail_memory(f);
					break;
				}
				buffer = grown;
				capacity = bigger;
			}
			errno = 0;
			size_t wanted = capacity - end, got = fread(buffer + end, 1, wanted, in);
			end += got;
			memset(buffer + end, 0, PADDING);   /* see struct csv_record.padded */
			if (got < wanted) {
				at_end = 1;
				if (ferror(in)) {
					read_failed = 1;
					read_errno = errno ? errno : EIO;
				}
			}
			continue;
		}
		size_t size;
		if (newline)
			size = (size_t)(newline - (buffer + begin)) + 1;
		else if (begin < end)
			size = end - begin;     /* the last line, without a line feed */
		else
			break;
		char *start = buffer + begin;
		begin += size;
		if (take_line(f, parser, start, size, NULL, 0, 0) != 0) {
			result = -1;
			break;
		}
	}
	if (result == 0 && read_failed) {
		f->failed = 1;
		result = error_set(f->err, EXIT_NOINPUT, "%s: read error: %s", o->source,
				   strerror(read_errno));
	}
	free(buffer);
	return result;
}

/*
 * Reading on two threads.  A reading thread (read_ahead) reads the stream
 * in blocks of whole lines and splits every line it can on the direct
 * path (split_fields, which changes no byte); this thread takes the blocks
 * in order and each line as take_line always does, handing over the
 * fields found ahead instead of finding them.  The records, their order,
 * their line numbers and every error are the same as on one thread: only
 * where the fields were found differs.  The first line of the input (a
 * byte order mark, a binary check) and every line the reading thread
 * could not split take the one-thread way.
 */
enum { CHUNKS = 3 };
/* Bytes a chunk asks of fread: small enough that its split fields stay small
 * (in the fuzz build, READ_BLOCK's few: lines then cross chunks too). */
#ifdef CSV_READ_BLOCK
#define CHUNK_BLOCK READ_BLOCK
#else
#define CHUNK_BLOCK ((size_t)1 << 17)
#endif

/* A line of a chunk: where it is, and its fields when split ahead. */
struct chunk_line {
	size_t start, size;
	size_t first, count;    /* count == SIZE_MAX: not split ahead */
};

struct chunk {
	char *text;             /* capacity bytes, then PADDING zero bytes */
	size_t capacity;
	struct chunk_line *lines;
	size_t n_lines, lines_capacity;
	struct split split;
	int last;               /* the end of the input (or of the reading) */
	int read_errno;         /* nonzero: reading failed after these lines */
	int out_of_memory;      /* the reading thread ran out: these lines, then stop */
};

struct reader {
	FILE *in;
	const unsigned char *kind;
	int read_numbers;
	struct chunk chunks[CHUNKS];
	/* Under lock: chunks read, in order, and chunks free to read into. */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct chunk *ready[CHUNKS], *spare[CHUNKS];
	size_t ready_head, n_ready, n_spare;
	int stop;               /* the taker wants no more */
	/* n_ready and n_spare as last set, for waiting without the lock (wait_for). */
	atomic_size_t ready_seen, spare_seen;
	/* The reading thread's own: the partial line after a chunk's last LF. */
	char *carry;
	size_t carry_size, carry_capacity;
	int at_end;             /* the stream has ended or failed */
};

/*
 * Wait up to a millisecond for *count to become nonzero before the caller
 * sleeps on the condition variable.  Waking a sleeping thread takes a
 * system call and an interrupt to the other processor, on a virtual
 * machine a call to the host as well: with the two threads handing over
 * 700 chunks of the 92 MB benchmark file, about 1,900 futex calls and a
 * tenth of the reading time.  The other thread, when it runs, has a chunk
 * ready or free within a fraction of a millisecond (a chunk is parsed in
 * about 0.3 ms): waiting that long awake leaves about 200.
 */
#define WAIT_NS 1000000L

static long nanoseconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000000L + (now.tv_nsec - start->tv_nsec);
}

static void wait_for(const atomic_size_t *count)
{
	struct timespec start;

	if (atomic_load(count) != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned spin = 1; atomic_load(count) == 0; spin++) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		if (spin % 256 == 0 && nanoseconds_since(&start) > WAIT_NS)
			return;
	}
}

/* The reading thread: a spare chunk, or NULL when told to stop. */
static struct chunk *next_spare(struct reader *t)
{
	struct chunk *c = NULL;

	wait_for(&t->spare_seen);
	pthread_mutex_lock(&t->lock);
	while (!t->stop && t->n_spare == 0)
		pthread_cond_wait(&t->changed, &t->lock);
	if (!t->stop)
		c = t->spare[--t->n_spare];
	atomic_store(&t->spare_seen, t->n_spare);
	pthread_mutex_unlock(&t->lock);
	return c;
}

static void put_ready(struct reader *t, struct chunk *c)
{
	pthread_mutex_lock(&t->lock);
	t->ready[(t->ready_head + t->n_ready++) % CHUNKS] = c;
	atomic_store(&t->ready_seen, t->n_ready);
	pthread_cond_broadcast(&t->changed);
	pthread_mutex_unlock(&t->lock);
}

/* Grow a chunk's text to at least needed bytes (and the padding). */
static int chunk_reserve(struct chunk *c, size_t needed)
{
	size_t capacity = c->capacity ? c->capacity : CHUNK_BLOCK;

	while (capacity < needed) {
		if (capacity > SIZE_MAX / 2 - PADDING)
			return -1;
		capacity *= 2;
	}
	if (capacity == c->capacity)
		return 0;
	char *grown = realloc(c->text, capacity + PADDING);
	if (!grown)
		return -1;
	c->text = grown;
	c->capacity = capacity;
	return 0;
}

/*
 * Fill c: the line carried over, then blocks until there is a line feed
 * (or the input ends), then every whole line listed and split where it
 * can be; what follows the last line feed is carried to the next chunk.
 * Returns 1 at the end of the input, 0 otherwise, -1 for memory.
 */
static int fill_chunk(struct reader *t, struct chunk *c, int first_chunk)
{
	size_t end = t->carry_size, searched = 0, whole = 0;

	c->n_lines = 0;
	c->split.used = 0;
	if (chunk_reserve(c, end + CHUNK_BLOCK / 2) != 0)
		return -1;
	if (end)
		memcpy(c->text, t->carry, end);
	for (;;) {
		/* At the end of the input (or a read error) every byte left is lines. */
		if (t->at_end) {
			whole = end;
			break;
		}
		char *newline = searched < end ? memrchr(c->text + searched, '\n', end - searched) : NULL;
		if (newline) {
			whole = (size_t)(newline - c->text) + 1;
			break;
		}
		searched = end;
		if (c->capacity - end < CHUNK_BLOCK / 2 && chunk_reserve(c, 2 * c->capacity) != 0)
			return -1;
		errno = 0;
		size_t wanted = c->capacity - end, got = fread(c->text + end, 1, wanted, t->in);
		end += got;
		if (got < wanted) {
			t->at_end = 1;
			if (ferror(t->in))
				c->read_errno = errno ? errno : EIO;
		}
	}
	memset(c->text + end, 0, PADDING);      /* see struct csv_record.padded */
	t->carry_size = end - whole;
	if (t->carry_size) {
		if (array_grow((void **)&t->carry, &t->carry_capacity, t->carry_size, 1) != 0)
			return -1;
		memcpy(t->carry, c->text + whole, t->carry_size);
	}
	for (size_t at = 0; at < whole;) {
		const char *newline = memchr(c->text + at, '\n', whole - at);
		size_t size = newline ? (size_t)(newline - (c->text + at)) + 1 : whole - at;
		if (array_grow((void **)&c->lines, &c->lines_capacity, c->n_lines + 1,
			       sizeof *c->lines) != 0)
			return -1;
		struct chunk_line *line = &c->lines[c->n_lines++];
		*line = (struct chunk_line){ at, size, c->split.used, SIZE_MAX };
		if (!(first_chunk && at == 0)) {
			int direct = split_fields(t->kind, t->read_numbers, c->text + at, size,
						  &c->split);
			if (direct < 0)
				return -1;
			if (direct == 0)
				line->count = c->split.used - line->first;
		}
		at += size;
	}
	return t->at_end;
}

static void *read_ahead(void *context)
{
	struct reader *t = context;

	for (int first = 1;; first = 0) {
		struct chunk *c = next_spare(t);
		if (!c)
			break;
		c->last = c->out_of_memory = 0;
		c->read_errno = 0;
		int filled = fill_chunk(t, c, first);
		if (filled < 0) {
			c->n_lines = 0;
			c->out_of_memory = 1;
		}
		c->last = filled != 0 || c->read_errno != 0;
		put_ready(t, c);
		if (c->last)
			break;
	}
	return NULL;
}

/* This thread: the next chunk read, in order. */
static struct chunk *next_ready(struct reader *t)
{
	wait_for(&t->ready_seen);
	pthread_mutex_lock(&t->lock);
	while (t->n_ready == 0)
		pthread_cond_wait(&t->changed, &t->lock);
	struct chunk *c = t->ready[t->ready_head];
	t->ready_head = (t->ready_head + 1) % CHUNKS;
	t->n_ready--;
	atomic_store(&t->ready_seen, t->n_ready);
	pthread_mutex_unlock(&t->lock);
	return c;
}

static void give_back(struct reader *t, struct chunk *c)
{
	pthread_mutex_lock(&t->lock);
	t->spare[t->n_spare++] = c;
	atomic_store(&t->spare_seen, t->n_spare);
	pthread_cond_broadcast(&t->changed);
	pthread_mutex_unlock(&t->lock);
}

/*
 * Whether the input is large enough for a second thread to pay: a regular
 * file of at least two blocks, or a pipe (whose size nobody knows).
 */
static int worth_a_thread(FILE *in)
{
	struct stat st;
	int fd = fileno(in);
	off_t at = ftello(in);

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || at < 0)
		return 1;
	return st.st_size - at >= (off_t)(2 * READ_BLOCK);
}

/*
 * The lines this thread takes were written by the reading thread, on
 * another core: asked for one at a time they would come over one cache
 * line at a time.  Asking for the lines AHEAD_LINES further on overlaps
 * those transfers.
 */
#define AHEAD_LINES 3

static void prefetch_bytes(const void *start, size_t bytes)
{
	const char *p = start;

	for (size_t b = 0; b < bytes; b += 64)
		__builtin_prefetch(p + b);
	if (bytes)
		__builtin_prefetch(p + bytes - 1);
}

static void prefetch_line(const struct chunk *c, const struct chunk_line *line)
{
	prefetch_bytes(c->text + line->start, line->size);
	if (line->count == SIZE_MAX)
		return;
	prefetch_bytes(c->split.begin + line->first, line->count * sizeof *c->split.begin);
	prefetch_bytes(c->split.end + line->first, line->count * sizeof *c->split.end);
	prefetch_bytes(c->split.numbers + line->first, line->count * sizeof *c->split.numbers);
	prefetch_bytes(c->split.is_number + line->first, line->count);
}

/* Returns as feed_stream; 1 when no thread could be started (nothing read). */
static int feed_threaded(struct feeder *f, struct csv_parser *parser, FILE *in)
{
	struct reader t = { .in = in, .kind = f->kind, .read_numbers = f->read_numbers };
	pthread_attr_t attributes;
	pthread_t thread;
	int result = 0, read_errno = 0, out_of_memory = 0;

	if (pthread_mutex_init(&t.lock, NULL) != 0)
		return 1;
	if (pthread_cond_init(&t.changed, NULL) != 0) {
		pthread_mutex_destroy(&t.lock);
		return 1;
	}
	for (size_t i = 0; i < CHUNKS; i++)
		t.spare[t.n_spare++] = &t.chunks[i];
	atomic_init(&t.ready_seen, 0);
	atomic_init(&t.spare_seen, t.n_spare);
	/* A small stack: the thread needs little, and it counts against ulimit -d. */
	int started = pthread_attr_init(&attributes) == 0;
	if (started) {
		pthread_attr_setstacksize(&attributes, (size_t)1 << 18);
		started = pthread_create(&thread, &attributes, read_ahead, &t) == 0;
		pthread_attr_destroy(&attributes);
	}
	if (!started) {
		pthread_cond_destroy(&t.changed);
		pthread_mutex_destroy(&t.lock);
		return 1;
	}
	for (int last = 0; !last;) {
		struct chunk *c = next_ready(&t);
		for (size_t i = 0; i < c->n_lines && result == 0; i++) {
			const struct chunk_line *line = &c->lines[i];
			if (i + AHEAD_LINES < c->n_lines)
				prefetch_line(c, &c->lines[i + AHEAD_LINES]);
			int split = line->count != SIZE_MAX;
			if (take_line(f, parser, c->text + line->start, line->size,
				      split ? &c->split : NULL, line->first, split ? line->count : 0) != 0)
				result = -1;
		}
		last = c->last || result != 0;
		read_errno = c->read_errno;
		out_of_memory = c->out_of_memory;
		give_back(&t, c);
	}
	pthread_mutex_lock(&t.lock);
	t.stop = 1;
	pthread_cond_broadcast(&t.changed);
	pthread_mutex_unlock(&t.lock);
	pthread_join(thread, NULL);
	pthread_cond_destroy(&t.changed);
	pthread_mutex_destroy(&t.lock);
	for (size_t i = 0; i < CHUNKS; i++) {
		free(t.chunks[i].text);
		free(t.chunks[i].lines);
		split_free(&t.chunks[i].split);
	}
	free(t.carry);
	if (result == 0 && out_of_memory)
		result = fail_memory(f);
	if (result == 0 && read_errno) {
		f->failed = 1;
		result = error_set(f->err, EXIT_NOINPUT, "%s: read error: %s", f->options->source,
				   strerror(read_errno));
	}
	return result;
}

size_t csv_lines_ahead(FILE *in)
{
	struct stat st;
	int fd = fileno(in);
	off_t at = ftello(in);
	size_t lines = 0, sampled = 0;

	if (fd < 0 || at < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= at)
		return 0;
	size_t left = (size_t)(st.st_size - at);
	unsigned char *block = malloc(READ_BLOCK);
	if (!block)
		return 0;
	while (sampled < left && sampled < LINES_SAMPLE) {
		ssize_t got = pread(fd, block, READ_BLOCK, at + (off_t)sampled);
		if (got <= 0)
			break;
		for (const unsigned char *p = block, *end = block + got;
		     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			lines++;
		sampled += (size_t)got;
	}
	free(block);
	if (sampled >= left || sampled == 0)
		return lines;
	/* The rest at the sample's bytes per line, and a quarter more. */
	double estimate = (double)lines * ((double)left / (double)sampled) * 1.25 + 16.0;
	return estimate < (double)SIZE_MAX / 2 ? (size_t)estimate : SIZE_MAX / 2;
}

int csv_records_read(FILE *in, const struct csv_records_options *options,
		     csv_record_handler handler, void *context, size_t *lines, struct error *err)
{
	struct feeder f = {
		.options = options, .handler = handler, .context = context, .err = err,
	};
	struct csv_parser parser;
	int result;

	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return error_set(err, EXIT_SOFTWARE, "out of memory");
	csv_set_delim(&parser, options->blank_runs ? ' ' : (unsigned char)options->delimiter);
	/* libcsv grows a field's buffer by this much at a time (128 bytes by
	 * default): a 5 MB quoted field took 40,000 reallocs, minutes under
	 * valgrind, whose realloc always copies. */
	csv_set_blk_size(&parser, (size_t)1 << 16);
	f.kind[' '] = f.kind['\t'] = BLANK;
	f.kind['"'] = f.kind['\r'] = f.kind['\n'] = f.kind['\0'] = SPECIAL;
	f.kind[(unsigned char)options->delimiter] = DELIMITER;
	f.read_numbers = !strchr("+-.0123456789", options->delimiter);
	result = 1;
	if (options->threads != 1 && !options->blank_runs && worth_a_thread(in))
		result = feed_threaded(&f, &parser, in);
	if (result == 1)
		result = feed_stream(&f, &parser, in);
	if (result == 0 && csv_fini(&parser, field_done, record_done, &f) != 0 && !f.failed) {
		f.failed = 1;
		csv_error_at(err, options->source, f.record_line, "unterminated quoted field");
	}
	if (f.failed)
		result = -1;
	csv_free(&parser);
	free(f.text);
	free(f.field_start);
	free(f.fields);
	free(f.collapsed);
	split_free(&f.split);
	if (lines)
		*lines = f.line;
	return result;
}
