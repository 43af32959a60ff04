/* spelling.h - "did you mean ...?" for misspelt option and registry names.
 *
 * spelling_distance is the optimal-string-alignment edit distance: the
 * fewest insertions, deletions, substitutions and swaps of two adjacent
 * characters that turn one string into the other.  A caller offers every
 * known name to spelling_consider and asks spelling_suggestion for the
 * closest one, which is returned only when it is close enough to be a
 * plausible typo.  Nothing is allocated.
 */
#ifndef DESCENT_SPELLING_H
#define DESCENT_SPELLING_H

#include <stddef.h>

/* Names longer than this are compared by length only (never suggested). */
#define SPELLING_MAX_LENGTH 63

size_t spelling_distance(const char *a, const char *b);

struct spelling_match {
	const char *word;       /* what the user typed */
	const char *best;       /* the closest name so far, NULL before any */
	size_t distance;
};

void spelling_start(struct spelling_match *m, const char *word);
/* Remember candidate if it is closer to the word than any before it (first wins ties). */
void spelling_consider(struct spelling_match *m, const char *candidate);
/*
 * The closest name, or NULL when none is within max(1, length / 3) edits
 * of the word (length of the longer of the two), or the word is the name.
 */
const char *spelling_suggestion(const struct spelling_match *m);

#endif
