#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int error_set(struct error *err, int status, const char *format, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->status = status;
	va_start(ap, format);
	vsnprintf(err->message, sizeof err->message, format, ap);
	va_end(ap);
	return -1;
}
