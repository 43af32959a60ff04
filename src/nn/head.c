/* head.c - the registry of output heads.
 *
 * The table below is the list of models the tool offers: --help prints it
 * in this order and --model NAME is looked up here.
 */
#include "head.h"

#include <stdint.h>
#include <string.h>

extern const struct head head_linear, head_logistic, head_softmax;

const struct head *const heads[] = {
	&head_linear,
	&head_logistic,
	&head_softmax,
	NULL
};

const struct head *head_find(const char *name)
{
	for (size_t i = 0; heads[i]; i++)
		if (strcmp(heads[i]->name, name) == 0)
			return heads[i];
	return NULL;
}

size_t head_predict_class(const struct head *head, const double *z, size_t n_classes,
			  double *p)
{
	size_t best = head->obvious_class ? head->obvious_class(z, n_classes) : SIZE_MAX;

	if (best != SIZE_MAX)
		return best;
	best = 0;
	head->probabilities(z, p, n_classes);
	for (size_t k = 1; k < n_classes; k++)
		if (p[k] > p[best])
			best = k;
	return best;
}
