/* csv_records.c - feed a stream to libcsv line by line, hand out records.
 *
 * The stream is read one physical line at a time (getline, so that a NUL
 * byte is seen and refused with its line number) and each line is fed to
 * libcsv.  libcsv calls field_done for every field and record_done at the
 * end of every record.  field_done copies the field at once, because libcsv
 * reuses its buffer; record_done passes the whole record to the caller's
 * handler.  libcsv has no way to abort from a callback, so a failure is
 * recorded in the feeder and the loop stops at the end of that line.
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

/* Read every line; returns 0 at the end of input or -1 with the error set. */
static int feed_stream(struct feeder *f, struct csv_parser *parser, FILE *in)
{
	const struct csv_records_options *o = f->options;
	char *line = NULL;
	size_t line_capacity = 0;
	ssize_t length;
	int result = 0;

	for (;;) {
		errno = 0;
		length = getline(&line, &line_capacity, in);
		if (length < 0)
			break;
		f->line++;
		const char *start = line;
		size_t size = (size_t)length;
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
	if (length < 0) {
		if (ferror(in)) {
			f->failed = 1;
			result = error_set(f->err, EXIT_NOINPUT, "%s: read error: %s", o->source,
					   strerror(errno ? errno : EIO));
		} else if (errno == ENOMEM) {
			result = fail_memory(f);
		}
	}
	free(line);
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
	if (lines)
		*lines = f.line;
	return result;
}
