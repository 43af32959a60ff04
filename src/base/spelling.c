/* spelling.c - edit distance and the closest known name. */
#include "spelling.h"

#include <string.h>

static size_t smallest(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t spelling_distance(const char *a, const char *b)
{
	/* d[i][j]: distance between the first i characters of a and the first j of b. */
	size_t d[SPELLING_MAX_LENGTH + 1][SPELLING_MAX_LENGTH + 1];
	size_t n = strlen(a), m = strlen(b);

	if (n > SPELLING_MAX_LENGTH || m > SPELLING_MAX_LENGTH)
		return n > m ? n : m;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			size_t substitute = a[i - 1] != b[j - 1];
			d[i][j] = smallest(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitute);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[n][m];
}

void spelling_start(struct spelling_match *m, const char *word)
{
	m->word = word;
	m->best = NULL;
	m->distance = (size_t)-1;
}

void spelling_consider(struct spelling_match *m, const char *candidate)
{
	size_t distance = spelling_distance(m->word, candidate);

	if (distance < m->distance) {
		m->best = candidate;
		m->distance = distance;
	}
}

const char *spelling_suggestion(const struct spelling_match *m)
{
	size_t length, allowed;

	if (!m->best || m->distance == 0)
		return NULL;
	length = strlen(m->word) > strlen(m->best) ? strlen(m->word) : strlen(m->best);
	allowed = length / 3 > 1 ? length / 3 : 1;
	return m->distance <= allowed ? m->best : NULL;
}
