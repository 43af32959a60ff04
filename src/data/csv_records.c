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
 * Ownership: the feeder's buffers live inside csv_records_read and are
 * freed before it returns; a handler must copy what it keeps.
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
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "parse.h"

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

	/* The direct path (see split_line): what each byte is to it, and the
	 * ends of the fields of the line being split. */
	unsigned char kind[256];
	char **ends;
	size_t ends_capacity;
	/* Fields read as numbers on the way (see struct csv_record). */
	int read_numbers;       /* the delimiter cannot be part of a number */
	unsigned char *is_number;
	double *numbers;
	size_t numbers_capacity;
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

	(void)c;
	if (!f->failed) {
		if (array_grow((void **)&f->fields, &f->fields_capacity, f->field_count + 1,
			       sizeof *f->fields) != 0) {
			fail_memory(f);
		} else {
			struct csv_record record = {
				.fields = f->fields, .count = f->field_count,
				.line = f->record_open ? f->record_line : f->line, .end_line = f->line,
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

/* Room for count fields' number marks and values. */
static int grow_numbers(struct feeder *f, size_t count)
{
	size_t capacity = f->numbers_capacity;

	if (array_grow((void **)&f->numbers, &capacity, count, sizeof *f->numbers) != 0)
		return -1;
	capacity = f->numbers_capacity;
	if (array_grow((void **)&f->is_number, &capacity, count, sizeof *f->is_number) != 0)
		return -1;
	f->numbers_capacity = capacity;
	return 0;
}

/*
 * The direct path for a line that is only unquoted fields, which is
 * nearly every line of real data: split it in place at the delimiters,
 * trim the spaces and tabs around each field as libcsv does, end each
 * field with a NUL and hand the record over, without libcsv and without
 * copying.  Only a whole line ending in LF (or CRLF) outside any record
 * qualifies; a quote, another CR, a NUL byte or a line of blanks sends
 * it back untouched (returns 1) to the general path, which gives the
 * same fields, or the error with its wording.  Returns 0 when the record
 * was handed over, -1 when it failed (f->failed set).
 */
static int split_line(struct feeder *f, char *line, size_t length)
{
	const unsigned char *kind = f->kind;
	char *end = line + length - 1;          /* the LF */
	char *p = line;
	size_t count = 0;

	if (f->record_open || *end != '\n')
		return 1;
	if (end > line && end[-1] == '\r')
		end--;
	for (;;) {
		while (kind[(unsigned char)*p] == BLANK)
			p++;
		if ((count >= f->fields_capacity || count >= f->ends_capacity ||
		     count >= f->numbers_capacity) &&
		    (array_grow((void **)&f->fields, &f->fields_capacity, count + 1,
				sizeof *f->fields) != 0 ||
		     array_grow((void **)&f->ends, &f->ends_capacity, count + 1,
				sizeof *f->ends) != 0 ||
		     grow_numbers(f, count + 1) != 0))
			return fail_memory(f);
		char *field = p;
#if DESCENT_PARSE_SWAR
		/*
		 * A short plain decimal followed at once by the delimiter or
		 * the end of the line (nearly every field of numeric data):
		 * its end and its value in one pass.
		 */
		if (f->read_numbers) {
			char *after = (char *)parse_number_prefix(p, &f->numbers[count]);
			if (after && (after == end || kind[(unsigned char)*after] == DELIMITER)) {
				f->is_number[count] = 1;
				f->fields[count] = field;
				f->ends[count++] = after;
				if (after == end)
					break;
				p = after + 1;
				continue;
			}
		}
#endif
		f->is_number[count] = 0;
		unsigned char k;
		while ((k = kind[(unsigned char)*p]) == ORDINARY || k == BLANK)
			p++;
		if (k == SPECIAL && p != end)
			return 1;
		char *stop = p;
		while (stop > field && kind[(unsigned char)stop[-1]] == BLANK)
			stop--;
		f->fields[count] = field;
		f->ends[count++] = stop;
		if (p == end)
			break;
		p++;
	}
	if (count == 1 && f->fields[0] == f->ends[0])
		return 1;       /* a blank line: libcsv skips it */
	for (size_t i = 0; i < count; i++)
		*f->ends[i] = '\0';

	struct csv_record record = {
		.fields = f->fields, .count = count, .line = f->line, .end_line = f->line,
		.padded = 1, .is_number = f->is_number, .numbers = f->numbers,
	};
	if (f->handler(f->context, &record, f->err) != 0) {
		f->failed = 1;
		return -1;
	}
	return 0;
}

/* Bytes asked of each fread: large blocks, not line by line. */
#define READ_BLOCK ((size_t)1 << 20)
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
		f->line++;
		if (f->line == 1 && size >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
			start += 3;     /* UTF-8 byte order mark */
			size -= 3;
		}
		if (f->line == 1 && refuse_binary(f, (const unsigned char *)start, size) != 0) {
			f->failed = 1;
			result = -1;
			break;
		}
		if (o->skip_comments && !f->record_open && start[0] == '#')
			continue;
		if (!o->blank_runs) {
			int direct = split_line(f, start, size);
			if (direct < 0) {
				result = -1;
				break;
			}
			if (direct == 0)
				continue;
		}
		if (memchr(start, '\0', size)) {
			f->failed = 1;
			result = csv_error_at(f->err, o->source, f->line, "NUL byte in input");
			break;
		}
		if (o->blank_runs) {
			size = collapse_blanks(f, start, size);
			if (size == SIZE_MAX) {
				result = fail_memory(f);
				break;
			}
			start = f->collapsed;
		}
		if (feed_line(f, parser, start, size) != 0) {
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
	free(f.ends);
	free(f.numbers);
	free(f.is_number);
	if (lines)
		*lines = f.line;
	return result;
}
