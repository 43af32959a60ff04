/* parse.h - strict parsing shared by the data reader, the model file reader
 * and the command line, and the one helper that frees arrays of strings. */
#ifndef DESCENT_PARSE_H
#define DESCENT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a whole field as a finite double (C locale, surrounding spaces
 * allowed, decimal only).  Returns 0 on success, -1 with a reason
 * ("empty field", "not a number", "not finite", "out of range"); underflow
 * to a tiny or zero value is accepted.
 */
int parse_finite_double(const char *text, double *value, const char **reason);

/*
 * The common case of parse_finite_double, fast: a plain decimal, perhaps
 * with an exponent, that converts exactly without strtod.  Returns 1 with
 * *value set to the very double parse_finite_double would give, or 0 when
 * the text needs parse_finite_double (which then decides and words any
 * error).  A text it accepts is never blank nor a missing-value spelling.
 */
int parse_number_fast(const char *text, double *value);

/*
 * parse_number_fast for text that may be read up to 8 bytes past its
 * terminating NUL (the fields of csv_records' direct path): faster still,
 * several digits at a time.
 */
int parse_number_padded(const char *text, double *value);

/*
 * Parse text made only of decimal digits (no sign, no spaces) as a whole
 * number no larger than max.  Returns 0, or -1 when the text is empty, has
 * another character or exceeds max.
 */
int parse_whole_number(const char *text, uint64_t max, uint64_t *value);

/* Free count strings and the array that holds them; NULL is fine. */
void free_strings(char **strings, size_t count);

#endif
