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

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DESCENT_PARSE_SWAR 1
#include <string.h>

/*
 * How many of the 8 bytes at p are decimal digits before the first one
 * that is not (0 to 8), and in *number the value of those digits: all at
 * once in a 64-bit word (SWAR), without a branch per digit.
 */
static inline unsigned parse_leading_digits(const unsigned char *p, uint64_t *number)
{
	uint64_t chunk, x, not_digit;
	unsigned count;

	memcpy(&chunk, p, sizeof chunk);
	x = chunk ^ UINT64_C(0x3030303030303030);       /* a digit byte becomes 0..9 */
	not_digit = (((x & UINT64_C(0x7F7F7F7F7F7F7F7F)) + UINT64_C(0x7676767676767676)) | x) &
		    UINT64_C(0x8080808080808080);
	count = not_digit ? (unsigned)__builtin_ctzll(not_digit) >> 3 : 8;
	if (count == 0) {
		*number = 0;
		return 0;
	}
	/* The digits to the top, zero bytes (leading zeros) below them. */
	x <<= 64 - 8 * count;
	x = x * 10 + (x >> 8);
	*number = (((x & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x000F424000000064)) +
		   (((x >> 16) & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x0000271000000001))) >> 32;
	return count;
}

/*
 * The short plain decimal at text ([+-]digits[.digits], at most 7 digits
 * on each side of the point, at least one digit; no leading blanks), read
 * 8 bytes at a time, so up to 8 bytes may be read from the first byte
 * after the number on.
 * Returns the byte after the number, with *value set to the very double
 * parse_finite_double gives for it (Clinger: at most 14 digits are exact,
 * and so is the one division), or NULL when the text does not start with
 * such a number.  What follows the number is the caller's business.
 */
static inline const char *parse_number_prefix(const char *text, double *value)
{
	static const uint64_t scale[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000 };
	static const double powers_of_ten[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7 };
	const unsigned char *p = (const unsigned char *)text;
	uint64_t whole, fraction = 0, bits;
	unsigned whole_digits, fraction_digits = 0;

	uint64_t negative = *p == '-';
	p += (*p == '-') | (*p == '+');
	whole_digits = parse_leading_digits(p, &whole);
	if (whole_digits == 8)
		return NULL;
	p += whole_digits;
	if (*p == '.') {
		fraction_digits = parse_leading_digits(++p, &fraction);
		if (fraction_digits == 8)
			return NULL;
		p += fraction_digits;
	}
	if (whole_digits + fraction_digits == 0)
		return NULL;
	double magnitude = (double)(whole * scale[fraction_digits] + fraction) /
			   powers_of_ten[fraction_digits];
	memcpy(&bits, &magnitude, sizeof bits);
	bits |= negative << 63;
	memcpy(value, &bits, sizeof bits);
	return (const char *)p;
}
#endif

/*
 * Parse text made only of decimal digits (no sign, no spaces) as a whole
 * number no larger than max.  Returns 0, or -1 when the text is empty, has
 * another character or exceeds max.
 */
int parse_whole_number(const char *text, uint64_t max, uint64_t *value);

/* Free count strings and the array that holds them; NULL is fine. */
void free_strings(char **strings, size_t count);

#endif
