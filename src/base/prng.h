/* prng.h - the tool's own seeded pseudo-random generator.
 *
 * xoshiro256** seeded through splitmix64: the same seed gives the same
 * sequence on every machine, independent of the C library's rand().
 */
#ifndef DESCENT_PRNG_H
#define DESCENT_PRNG_H

#include <stddef.h>
#include <stdint.h>

struct prng {
	uint64_t s[4];
};

void prng_seed(struct prng *r, uint64_t seed);
uint64_t prng_next(struct prng *r);
/* Uniform in [0, 1) with 53 random bits. */
double prng_uniform(struct prng *r);
/* Uniform integer in [0, bound), without modulo bias; bound > 0. */
uint64_t prng_below(struct prng *r, uint64_t bound);
/* Fisher-Yates shuffle of index[0..n). */
void prng_shuffle(struct prng *r, size_t *index, size_t n);

#endif
