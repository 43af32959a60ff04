/* output.h - writing numbers and CSV fields.
 *
 * All records go out through these helpers so that every double reads back
 * exactly and every text field survives a CSV reader.  Output is always
 * comma-separated, whatever the input delimiter.
 */
#ifndef DESCENT_OUTPUT_H
#define DESCENT_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

/* Shortest "%.Ng" text (N from 15 to 17) that reads back as exactly x. */
void output_format_shortest(char *buffer, size_t size, double x);
/* Write x as "%.17g". */
void output_write_exact(FILE *out, double x);
/* Write x in its shortest exact form. */
void output_write_shortest(FILE *out, double x);
/* Write a text field, quoted (RFC 4180) when a CSV reader needs it to be. */
void output_write_field(FILE *out, const char *text);
/*
 * Write text as one shell word on one line, for a # comment: 'text' when
 * every byte is printable and none is a quote, else $'text' with C escapes
 * (\n, \t, \\, \', \xHH) as bash, ksh and zsh read them, so a comment
 * never spans lines and still says exactly what was given.
 */
void output_write_shell_word(FILE *out, const char *text);
/* Flush and report whether every write so far succeeded: 0 or -1. */
int output_flush(FILE *out);

#endif
