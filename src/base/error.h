/* error.h - exit statuses and the one error record every module fills in.
 *
 * Library functions never print or exit: they return -1 and describe the
 * failure in a struct error, which main() turns into "descent: MESSAGE" on
 * stderr and the exit status.  The statuses follow sysexits.h where one fits.
 */
#ifndef DESCENT_ERROR_H
#define DESCENT_ERROR_H

enum exit_status {
	EXIT_OK = 0,
	EXIT_DIVERGED = 3,      /* training hit a non-finite loss or gradient */
	EXIT_USAGE = 64,        /* bad option or option value */
	EXIT_DATA = 65,         /* bad input data or model file */
	EXIT_NOINPUT = 66,      /* a named file cannot be opened */
	EXIT_SOFTWARE = 70,     /* internal error (out of memory, a bug) */
	EXIT_CANTCREAT = 73,    /* an output file (--save, --log) cannot be created */
	EXIT_IO = 74,           /* write error */
	EXIT_INTERRUPTED = 130, /* stopped by SIGINT; weights still written */
	EXIT_TERMINATED = 143   /* stopped by SIGTERM; weights still written */
};

struct error {
	int status;             /* an enum exit_status */
	char message[1024];     /* without the "descent: " prefix */
};

/* Record a failure; always returns -1 so callers can "return error_set(...)". */
int error_set(struct error *err, int status, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

#endif
