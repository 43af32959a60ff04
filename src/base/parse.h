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
 * Parse text made only of decimal digits (no sign, no spaces) as a whole
 * number no larger than max.  Returns 0, or -1 when the text is empty, has
 * another character or exceeds max.
 */
int parse_whole_number(const char *text, uint64_t max, uint64_t *value);

/* Free count strings and the array that holds them; NULL is fine. */
void free_strings(char **strings, size_t count);

#endif
