#include "output.h"

#include <stdlib.h>
#include <string.h>

void output_format_shortest(char *buffer, size_t size, double x)
{
	for (int digits = 15; digits < 17; digits++) {
		snprintf(buffer, size, "%.*g", digits, x);
		if (strtod(buffer, NULL) == x)
			return;
	}
	snprintf(buffer, size, "%.17g", x);
}

void output_write_exact(FILE *out, double x)
{
	fprintf(out, "%.17g", x);
}

void output_write_shortest(FILE *out, double x)
{
	char buffer[32];

	output_format_shortest(buffer, sizeof buffer, x);
	fputs(buffer, out);
}

static int field_needs_quotes(const char *text)
{
	size_t length = strlen(text);

	if (length == 0)
		return 1;
	/* Readers trim unquoted spaces, so keep them inside quotes. */
	if (text[0] == ' ' || text[0] == '\t' || text[length - 1] == ' ' ||
	    text[length - 1] == '\t' || text[0] == '#')
		return 1;
	return strpbrk(text, ",\"\r\n") != NULL;
}

void output_write_field(FILE *out, const char *text)
{
	if (!field_needs_quotes(text)) {
		fputs(text, out);
		return;
	}
	putc('"', out);
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			putc('"', out);
		putc(*p, out);
	}
	putc('"', out);
}

void output_write_shell_word(FILE *out, const char *text)
{
	int plain = 1;

	for (const unsigned char *p = (const unsigned char *)text; *p && plain; p++)
		plain = *p >= 0x20 && *p != 0x7f && *p != '\'';
	if (plain) {
		fprintf(out, "'%s'", text);
		return;
	}
	fputs("$'", out);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		switch (*p) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\'': fputs("\\'", out); break;
		default:
			/* Bytes from 0x80 up (UTF-8) are printable text. */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\x%02x", *p);
			else
				putc(*p, out);
		}
	}
	putc('\'', out);
}

int output_flush(FILE *out)
{
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
