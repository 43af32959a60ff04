/* csv_records.h - CSV records out of a stream, for every reader of descent.
 *
 * The data reader (csv_read.c) and the model file reader (model_io.c) both
 * get their input as whole records from here: libcsv splits the stream,
 * this module copies each record's fields out of libcsv's reused buffer,
 * counts lines so that every message can name one, and turns every defect
 * of the CSV itself (NUL bytes, stray quotes, an unterminated quoted field,
 * a read error, and input that is not text at all: gzip, zip, binary) into
 * one "SOURCE:LINE: what is wrong" message.  What the
 * fields mean is the caller's business, in its handler.
 */
#ifndef DESCENT_CSV_RECORDS_H
#define DESCENT_CSV_RECORDS_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* One record, valid only during the handler call. */
struct csv_record {
	char **fields;          /* count NUL-terminated fields */
	size_t count;
	size_t line;            /* physical line the record starts on, 1-based */
	size_t end_line;        /* physical line it ends on */
	int terminated;         /* it ends with a line ending, not at the end of the input */
	int padded;             /* each field may be read up to 8 bytes past its NUL */
	/*
	 * NULL, or for each field whether it is a short plain decimal
	 * (parse_number_prefix, nothing around it) and then its value in
	 * numbers: exactly what parse_number_padded gives for the field.
	 * A field not marked may still be a number.
	 */
	const unsigned char *is_number;
	const double *numbers;
};

struct csv_records_options {
	const char *source;     /* name for messages: "<stdin>" or a path */
	char delimiter;
	/*
	 * -d space: fields are separated by runs of blanks (spaces and tabs)
	 * outside quotes, as numpy.savetxt and R's write.table write them;
	 * blanks at the start and end of a line are ignored.  delimiter is
	 * then unused.
	 */
	int blank_runs;
	int skip_comments;      /* lines starting with '#' between records are skipped */
	/*
	 * 1: everything on the calling thread.  Otherwise a large input (a
	 * pipe, or a regular file of 2 MiB or more) is read and split into
	 * fields by a second thread while the handler takes the records on
	 * the calling one: the same records, in the same order, with the same
	 * line numbers and errors.
	 */
	int threads;
};

/*
 * Called once per record.  Returns 0 to go on, or -1 (with err set) to
 * stop reading: csv_records_read then returns -1 at once.
 */
typedef int (*csv_record_handler)(void *context, const struct csv_record *record,
				  struct error *err);

/*
 * Read every record of in, in order, into handler.  A UTF-8 byte order mark
 * on the first line is skipped; blank lines between records are skipped.
 * Returns 0 at the end of the input, -1 with err set otherwise: EXIT_DATA
 * for bad CSV, EXIT_NOINPUT for a read error, EXIT_SOFTWARE for memory, or
 * whatever the handler set.  *lines receives the number of physical lines
 * read (may be NULL).
 */
int csv_records_read(FILE *in, const struct csv_records_options *options,
		     csv_record_handler handler, void *context, size_t *lines, struct error *err);

/*
 * When in is a regular file: about how many lines lie between its current
 * position and its end, read without moving the stream: the line feeds
 * counted when it holds at most 4 MiB, else those of its first 4 MiB
 * scaled to its size and a quarter added, so that it rarely falls short.
 * 0 when in is a pipe, a terminal or anything else that can be read only
 * once.  A reader that knows this can allocate its rows once instead of
 * moving them as they grow (pages it never writes cost no memory).
 */
size_t csv_lines_ahead(FILE *in);

/*
 * Set err to EXIT_DATA and "SOURCE:LINE: message", with any control
 * character of the message shown as \n, \r, \t or '?' so that it stays one
 * line.  Returns -1.
 */
int csv_error_at(struct error *err, const char *source, size_t line, const char *format, ...)
	__attribute__((format(printf, 4, 5)));

#endif
