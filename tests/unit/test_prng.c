/* test_prng.c - the generator is xoshiro256** seeded by splitmix64, and
 * everything built on it is deterministic. */
#include "unit.h"
#include <stdlib.h>

#include "prng.h"

/*
 * First outputs for seeds 0 and 1, from an independent Python rendering of
 * splitmix64 + xoshiro256** (Blackman and Vigna's published algorithms).
 */
START_TEST(test_reference_sequence)
{
	static const uint64_t seed0[] = { 0x99ec5f36cb75f2b4u, 0xbf6e1f784956452au,
					  0x1a5f849d4933e6e0u, 0x6aa594f1262d2d2cu };
	static const uint64_t seed1[] = { 0xb3f2af6d0fc710c5u, 0x853b559647364ceau,
					  0x92f89756082a4514u, 0x642e1c7bc266a3a7u };
	struct prng r;

	prng_seed(&r, 0);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(prng_next(&r), seed0[i]);
	prng_seed(&r, 1);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(prng_next(&r), seed1[i]);
}
END_TEST

START_TEST(test_same_seed_same_shuffle)
{
	size_t a[100], b[100];
	struct prng r1, r2;

	for (size_t i = 0; i < 100; i++)
		a[i] = b[i] = i;
	prng_seed(&r1, 42);
	prng_seed(&r2, 42);
	prng_shuffle(&r1, a, 100);
	prng_shuffle(&r2, b, 100);
	for (size_t i = 0; i < 100; i++)
		ck_assert_uint_eq(a[i], b[i]);
}
END_TEST

START_TEST(test_shuffle_is_permutation)
{
	size_t index[257];
	int seen[257] = { 0 };
	size_t moved = 0;
	struct prng r;

	for (size_t i = 0; i < 257; i++)
		index[i] = i;
	prng_seed(&r, 7);
	prng_shuffle(&r, index, 257);
	for (size_t i = 0; i < 257; i++) {
		ck_assert_uint_lt(index[i], 257);
		seen[index[i]]++;
		moved += index[i] != i;
	}
	for (size_t i = 0; i < 257; i++)
		ck_assert_int_eq(seen[i], 1);
	ck_assert_uint_gt(moved, 200);
}
END_TEST

START_TEST(test_different_seeds_differ)
{
	struct prng r1, r2;

	prng_seed(&r1, 1);
	prng_seed(&r2, 2);
	ck_assert_uint_ne(prng_next(&r1), prng_next(&r2));
}
END_TEST

START_TEST(test_uniform_and_below_ranges)
{
	struct prng r;
	double sum = 0;
	int counts[3] = { 0 };

	prng_seed(&r, 3);
	for (int i = 0; i < 30000; i++) {
		double u = prng_uniform(&r);
		ck_assert(u >= 0.0 && u < 1.0);
		sum += u;
		uint64_t k = prng_below(&r, 3);
		ck_assert_uint_lt(k, 3);
		counts[k]++;
	}
	ck_assert_double_eq_tol(sum / 30000, 0.5, 0.01);
	for (int k = 0; k < 3; k++)
		ck_assert_int_gt(counts[k], 9500);
}
END_TEST

static Suite *prng_suite(void)
{
	Suite *s = suite_create("prng");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_reference_sequence);
	tcase_add_test(tc, test_same_seed_same_shuffle);
	tcase_add_test(tc, test_shuffle_is_permutation);
	tcase_add_test(tc, test_different_seeds_differ);
	tcase_add_test(tc, test_uniform_and_below_ranges);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(prng_suite)
