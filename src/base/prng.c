#include "prng.h"

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rotate_left(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void prng_seed(struct prng *r, uint64_t seed)
{
	uint64_t state = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&state);
}

uint64_t prng_next(struct prng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotate_left(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotate_left(s[3], 45);
	return result;
}

double prng_uniform(struct prng *r)
{
	return (double)(prng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t prng_below(struct prng *r, uint64_t bound)
{
	/* Reject the top sliver of the range that would bias low values. */
	uint64_t threshold = -bound % bound;

	for (;;) {
		uint64_t x = prng_next(r);
		if (x >= threshold)
			return x % bound;
	}
}

void prng_shuffle(struct prng *r, size_t *index, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)prng_below(r, i);
		size_t tmp = index[i - 1];
		index[i - 1] = index[j];
		index[j] = tmp;
	}
}
