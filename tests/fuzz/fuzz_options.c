/* fuzz_options.c - libFuzzer target: the command line (options_parse).
 *
 * The input is split at NUL bytes and newlines into argv words after
 * "descent", and parsed as descent_main parses it.  The parser must never
 * crash, leak or exit: it returns 0 (go on), 1 (--help or --version, which
 * print on stdout, sent to /dev/null here) or -1 with a usage error.  A
 * parse that goes on has its --schedule parsed too, and its names looked
 * up, as train mode does before reading any data.
 */
#define _GNU_SOURCE     /* getopt_long */
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head.h"
#include "optim.h"
#include "options.h"
#include "schedule.h"

/* More words than any sensible command line; bounds the work per input. */
#define MAX_WORDS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* --help and --version print on stdout; libFuzzer reports on stderr. */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

/*
 * A fresh getopt, as in a new process: glibc keeps its place inside a
 * cluster of short options ("-qZq") between calls, and forgets it only
 * when optind is 0.  options_parse sets optind to 1, so reset it here.
 */
static void reset_getopt(void)
{
	static char name[] = "descent";
	char *argv[] = { name, NULL };

	optind = 0;
	while (getopt_long(1, argv, "", NULL, NULL) != -1)
		continue;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 2];
	int argc = 0;
	char *text = malloc(size + 1);
	static char name[] = "descent";

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[argc++] = name;
	/*
	 * Words end at a NUL or a newline; empty words are kept (argv may hold
	 * ""), but not the one after a final separator, so that a corpus file
	 * may end with a newline.
	 */
	for (char *word = text; argc < MAX_WORDS + 1;) {
		char *end = word + strcspn(word, "\n");
		int last = end == text + size;
		if (last && end == word)
			break;
		*end = '\0';
		argv[argc++] = word;
		if (last)
			break;
		word = end + 1;
	}
	argv[argc] = NULL;

	struct options o;
	struct error err = { 0 };
	reset_getopt();
	int outcome = options_parse(argc, argv, &o, &err);
	if (outcome == -1 && (err.status == 0 || err.message[0] == '\0'))
		abort();        /* a usage error always says what */
	if (outcome == 0) {
		struct schedule schedule;
		(void)head_find(o.model);
		(void)optimizer_find(o.optimizer);
		memset(&err, 0, sizeof err);
		if (schedule_parse(&schedule, o.schedule, &err) != 0 && err.message[0] == '\0')
			abort();
	}
	free(text);
	return 0;
}
