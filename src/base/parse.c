/* parse.c - the strict parsers every module shares: numbers in data and
 * model files and option values, whole numbers, and freeing string arrays.
 *
 * Nothing here allocates except what free_strings releases.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L     /* newlocale, uselocale */
#endif

#include "parse.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * strtod follows LC_NUMERIC; numbers in data and model files always use
 * the C locale's '.' whatever locale the program runs in.
 */
static locale_t c_numeric_locale(void)
{
	static locale_t c_locale = (locale_t)0;

	if (c_locale == (locale_t)0)
		c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c_locale;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Clinger's fast path for the common decimal ("-12.345", "+1.5e-3"): with
 * at most 19 significant digits the mantissa is read exactly into 64 bits;
 * when it is at most 2^53 it is an exact double, and so is 10^k for
 * |k| <= 22, so one IEEE multiplication or division rounds the exact value
 * correctly, giving the very bits strtod would.  Anything else (more
 * digits, larger exponents, hexadecimal, inf, nan, junk) returns 0 and
 * takes the general path, which also words the errors.
 */
static int parse_plain_decimal(const char *start, double *value)
{
	static const double powers_of_ten[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	const unsigned char *p = (const unsigned char *)start;
	uint64_t mantissa = 0;
	long exponent = 0;
	size_t significant, digits;
	int negative = 0;

	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	const unsigned char *whole = p;
	while (*p == '0')
		p++;
	const unsigned char *first = p;
	for (unsigned digit; (digit = (unsigned)*p - '0') < 10; p++)
		mantissa = mantissa * 10 + digit;
	significant = (size_t)(p - first);
	digits = (size_t)(p - whole);
	if (*p == '.') {
		const unsigned char *fraction = ++p;
		if (mantissa == 0)
			while (*p == '0')
				p++;
		const unsigned char *from = p;
		for (unsigned digit; (digit = (unsigned)*p - '0') < 10; p++)
			mantissa = mantissa * 10 + digit;
		significant += (size_t)(p - from);
		digits += (size_t)(p - fraction);
		if (p - fraction > 1000)
			return 0;
		exponent = -(long)(p - fraction);
	}
	if (digits == 0 || significant > 19)
		return 0;
	if (*p == 'e' || *p == 'E') {
		long power = 0;
		int below = 0;
		p++;
		if (*p == '+' || *p == '-')
			below = *p++ == '-';
		if ((unsigned)*p - '0' >= 10)
			return 0;
		for (unsigned digit; (digit = (unsigned)*p - '0') < 10; p++)
			if (power < 100000)
				power = power * 10 + digit;
		exponent += below ? -power : power;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' || mantissa > (UINT64_C(1) << 53))
		return 0;
	double magnitude = (double)mantissa;
	if (mantissa == 0)
		magnitude = 0.0;
	else if (exponent >= 0 && exponent <= 22)
		magnitude *= powers_of_ten[exponent];
	else if (exponent < 0 && exponent >= -22)
		magnitude /= powers_of_ten[-exponent];
	else
		return 0;
	*value = negative ? -magnitude : magnitude;
	return 1;
}

int parse_number_fast(const char *text, double *value)
{
	while (is_blank(*text))
		text++;
	return parse_plain_decimal(text, value);
}

#if DESCENT_PARSE_SWAR
int parse_number_padded(const char *text, double *value)
{
	const char *p = text;
	double number;

	while (*p == ' ' || *p == '\t')
		p++;
	p = parse_number_prefix(p, &number);
	if (!p || *p != '\0')
		return parse_number_fast(text, value);
	*value = number;
	return 1;
}
#else
int parse_number_padded(const char *text, double *value)
{
	return parse_number_fast(text, value);
}
#endif

int parse_finite_double(const char *text, double *value, const char **reason)
{
	const char *ignored;
	const char *start = text;
	const char *digits;
	char *end;
	double parsed;
	int saved_errno;

	if (!reason)
		reason = &ignored;
	if (!start)
		start = "";
	while (is_blank(*start))
		start++;
	if (*start == '\0') {
		*reason = "empty field";
		return -1;
	}
	if (parse_plain_decimal(start, value))
		return 0;
	/* strtod would accept hexadecimal; data files are decimal. */
	digits = start;
	if (*digits == '+' || *digits == '-')
		digits++;
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		*reason = "not a number";
		return -1;
	}

	locale_t c_locale = c_numeric_locale();
	locale_t previous = (locale_t)0;
	if (c_locale != (locale_t)0)
		previous = uselocale(c_locale);
	saved_errno = errno;
	errno = 0;
	parsed = strtod(start, &end);
	int range_error = errno == ERANGE;
	errno = saved_errno;
	if (previous != (locale_t)0)
		uselocale(previous);

	if (end == start) {
		*reason = "not a number";
		return -1;
	}
	while (is_blank(*end))
		end++;
	if (*end != '\0') {
		*reason = "not a number";
		return -1;
	}
	/* Overflow gives HUGE_VAL; underflow to a tiny or zero value is fine. */
	if (range_error && isinf(parsed)) {
		*reason = "out of range";
		return -1;
	}
	if (!isfinite(parsed)) {
		*reason = "not finite";
		return -1;
	}
	*value = parsed;
	return 0;
}

int parse_whole_number(const char *text, uint64_t max, uint64_t *value)
{
	uint64_t number = 0;

	if (!text || !*text)
		return -1;
	for (const char *p = text; *p; p++) {
		unsigned digit = (unsigned)(*p - '0');
		/* number * 10 + digit <= max, without max - digit wrapping when digit > max. */
		if (*p < '0' || *p > '9' || digit > max || number > (max - digit) / 10)
			return -1;
		number = number * 10 + digit;
	}
	*value = number;
	return 0;
}

void free_strings(char **strings, size_t count)
{
	if (!strings)
		return;
	for (size_t i = 0; i < count; i++)
		free(strings[i]);
	free(strings);
}
