/* cli.c - descent as a command: parse, run a mode, and the one way out.
 *
 * Every path ends in finish(), which prints the error, if any, and checks
 * that standard output was written completely.  The helpers below are the
 * ones both modes use (modes.h).
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700         /* realpath */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modes.h"
#include "kernel.h"
#include "options.h"

void cli_reading_options(const struct options *o, const struct head *head,
			    struct csv_read_options *r)
{
	memset(r, 0, sizeof *r);
	r->source = "<stdin>";
	r->delimiter = o->delimiter;
	r->blank_runs = o->blank_runs;
	r->features = o->features;
	r->ignore = o->ignore;
	r->categorical = o->categorical;
	r->missing = o->missing;
	r->has_header = o->header;
	r->threads = o->threads;
	r->target = o->target;
	r->classification = head->classifier;
	r->max_classes = head->max_classes;
	r->too_many_classes_hint = head->too_many_classes_hint;
	r->model_name = head->name;
}

/* Read the data in the model's schema: its features, its classes. */
void cli_schema_options(const struct model *m, struct csv_read_options *r, int target_required)
{
	r->schema_features = m->schema.feature_names;
	r->schema_count = m->schema.n_features;
	r->schema_target = m->schema.target_name;
	r->model_schema = &m->schema;
	r->target_required = target_required;
	if (m->head->classifier) {
		r->schema_classes = m->schema.class_labels;
		r->schema_n_classes = m->schema.n_classes;
	}
}

/* Add a registry name to a ", "-separated list for a message. */
void cli_append_name(char *list, size_t size, const char *name)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%s", used ? ", " : "", name);
}

/* "descent: warning: --beta1 does not apply to sgd (ignored)" */
void cli_warn_ignored(const char *option, const char *what)
{
	fprintf(stderr, "descent: warning: --%s does not apply to %s (ignored)\n", option, what);
}

/* The directory of target (path as given, or where its link points) exists and is writable. */
static int check_directory(const char *option, const char *path, const char *target,
			   struct error *err)
{
	const char *slash = strrchr(target, '/');
	char directory[4096];
	struct stat info;

	if (!slash)
		snprintf(directory, sizeof directory, ".");
	else if (slash == target)
		snprintf(directory, sizeof directory, "/");
	else
		snprintf(directory, sizeof directory, "%.*s", (int)(slash - target), target);
	if (stat(directory, &info) != 0)
		return error_set(err, EXIT_CANTCREAT, "cannot create --%s '%s': directory '%s': %s",
				 option, path, directory, strerror(errno));
	if (!S_ISDIR(info.st_mode))
		return error_set(err, EXIT_CANTCREAT, "cannot create --%s '%s': '%s' is not a "
				 "directory", option, path, directory);
	if (access(directory, W_OK) != 0)
		return error_set(err, EXIT_CANTCREAT, "cannot create --%s '%s': directory '%s': %s",
				 option, path, directory, strerror(errno));
	return 0;
}

/*
 * An output file must be creatable before any training: its directory
 * exists and is writable (--save writes a temporary file there, then
 * renames it), and it is not itself a directory.  A device or a FIFO is
 * written through, so it must be writable itself; a symbolic link is
 * checked where it points, where --save will write.
 */
int cli_check_creatable(const char *option, const char *path, struct error *err)
{
	char *resolved = NULL;
	struct stat info;

	if (stat(path, &info) == 0 && S_ISDIR(info.st_mode))
		return error_set(err, EXIT_CANTCREAT, "cannot create --%s '%s': it is a directory",
				 option, path);
	if (stat(path, &info) == 0 && !S_ISREG(info.st_mode)) {
		if (access(path, W_OK) != 0)
			return error_set(err, EXIT_CANTCREAT, "cannot write --%s '%s': %s", option,
					 path, strerror(errno));
		return 0;
	}
	if (lstat(path, &info) == 0 && S_ISLNK(info.st_mode))
		resolved = realpath(path, NULL);        /* NULL when dangling: check the link's place */
	int result = check_directory(option, path, resolved ? resolved : path, err);
	free(resolved);
	return result;
}

/* Print a multi-line library message, each line as "descent: ...". */
void cli_print_message(const char *message)
{
	const char *line = message;

	while (*line) {
		size_t length = strcspn(line, "\n");
		fprintf(stderr, "descent: %.*s\n", (int)length, line);
		line += length;
		if (*line == '\n')
			line++;
	}
}

/*
 * The data set on standard input, and the reader's notes on stderr.  A
 * terminal is refused rather than waited on: the data belongs in a file.
 */
int cli_read_standard_input(const struct csv_read_options *reading, struct dataset *data,
			       struct error *err)
{
	if (isatty(STDIN_FILENO))
		return error_set(err, EXIT_USAGE, "standard input is a terminal: give the data set "
				 "as a file, as in 'descent < data.csv'");
	if (csv_read_dataset(stdin, reading, data, err) != 0)
		return -1;
	if (data->notes)
		cli_print_message(data->notes);
	return 0;
}

/* The one way out: report the error, then make sure stdout was written. */
static int finish(int status, const struct error *err)
{
	if (status != EXIT_OK)
		fprintf(stderr, "descent: %s\n", err->message);
	if (status == EXIT_USAGE)
		fputs("Try 'descent --help' for more information.\n", stderr);
	if (fclose(stdout) != 0 && status != EXIT_IO) {
		fputs("descent: write error\n", stderr);
		return EXIT_IO;
	}
	return status;
}

int descent_main(int argc, char **argv)
{
	struct options options;
	struct error err = { 0 };
	int outcome = options_parse(argc, argv, &options, &err);

	if (outcome == 1)
		return finish(EXIT_OK, &err);
	if (outcome == 0)
		kernel_set_threads((size_t)options.threads);
	if (outcome == 0)
		outcome = options.predict ? cli_predict(&options, &err)
					  : cli_train(&options, &err);
	return finish(outcome == 0 ? EXIT_OK : err.status, &err);
}
