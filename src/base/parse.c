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
 * Clinger's fast path for the common plain decimal ("-12.345"): with at
 * most 15 significant digits the mantissa is an exact double, and so is
 * 10^k for k <= 22, so one IEEE division rounds the exact quotient
 * correctly, giving the very bits strtod would.  Anything else (exponents,
 * more digits, junk) returns 0 and takes the general path.
 */
static int parse_plain_decimal(const char *start, double *value)
{
	static const double powers_of_ten[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	const char *p = start;
	uint64_t mantissa = 0;
	int significant = 0, decimals = 0, digits = 0, negative = 0;

	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (mantissa == 0 && *p == '0')
			continue;
		if (++significant > 15)
			return 0;
		mantissa = mantissa * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (++decimals > 22)
				return 0;
			if (mantissa == 0 && *p == '0')
				continue;
			if (++significant > 15)
				return 0;
			mantissa = mantissa * 10 + (uint64_t)(*p - '0');
		}
	}
	while (is_blank(*p))
		p++;
	if (digits == 0 || *p != '\0')
		return 0;
	double magnitude = (double)mantissa / powers_of_ten[decimals];
	*value = negative ? -magnitude : magnitude;
	return 1;
}

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
		if (*p < '0' || *p > '9' || number > (max - digit) / 10)
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
