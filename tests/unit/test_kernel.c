/* test_kernel.c - the matrix product under the dense layers: every code
 * variant the CPU can run (AVX-512, AVX2, baseline x86-64) and every number
 * of threads give the plain triple loop's numbers bit for bit, over shapes
 * that exercise the edges of the tiles, the one-row path, the blocks of
 * terms, strided operands and accumulation.
 */
#include "unit.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "layer.h"
#include "prng.h"

/* The definition of the result: each element one sum, terms in order. */
static void reference(size_t m, size_t n, size_t k, struct kernel_matrix a,
		      struct kernel_matrix b, double *c, size_t ci, size_t ck, int accumulate)
{
	for (size_t i = 0; i < m; i++)
		for (size_t q = 0; q < n; q++) {
			double sum = accumulate ? c[i * ci + q * ck] : 0.0;
			for (size_t p = 0; p < k; p++)
				sum += a.data[i * a.row_stride + p * a.column_stride] *
				       b.data[q * b.row_stride + p * b.column_stride];
			c[i * ci + q * ck] = sum;
		}
}

static double *random_array(struct prng *g, size_t n)
{
	double *x = malloc((n ? n : 1) * sizeof *x);

	ck_assert_ptr_nonnull(x);
	/* Values of very different sizes, so that the order of a sum shows. */
	for (size_t i = 0; i < n; i++)
		x[i] = (2.0 * prng_uniform(g) - 1.0) * (i % 7 == 0 ? 1e6 : i % 5 == 0 ? 1e-6 : 1.0);
	return x;
}

static const size_t shapes[][3] = {
	{ 1, 1, 1 }, { 1, 50, 32 }, { 32, 1, 50 }, { 1, 33, 7 }, { 7, 1, 300 },
	{ 6, 8, 5 }, { 5, 7, 3 }, { 13, 17, 0 }, { 64, 64, 64 }, { 64, 128, 784 },
	{ 65, 129, 513 }, { 128, 784, 64 }, { 3, 200, 257 }, { 100, 3, 20 },
	{ 1, 24, 13 }, { 40, 1, 50 }, { 1, 256, 8 }, { 256, 1, 17 },
};

/* Every shape, both layouts of each operand, both modes: against reference. */
static void check_all(const char *what)
{
	struct prng g;

	prng_seed(&g, 42);
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
		size_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
		double *a = random_array(&g, m * k), *b = random_array(&g, n * k);
		double *c0 = random_array(&g, m * n);
		double *want = malloc((m * n + 1) * sizeof *want);
		double *got = malloc((m * n + 1) * sizeof *got);
		ck_assert(want && got);
		for (int layout = 0; layout < 8; layout++) {
			struct kernel_matrix am = layout & 1 ? (struct kernel_matrix){ a, 1, m }
							     : (struct kernel_matrix){ a, k, 1 };
			struct kernel_matrix bm = layout & 2 ? (struct kernel_matrix){ b, 1, n }
							     : (struct kernel_matrix){ b, k, 1 };
			size_t ci = layout & 4 ? 1 : n, ck = layout & 4 ? m : 1;
			for (int accumulate = 0; accumulate < 2; accumulate++) {
				memcpy(want, c0, m * n * sizeof *want);
				memcpy(got, c0, m * n * sizeof *got);
				reference(m, n, k, am, bm, want, ci, ck, accumulate);
				kernel_product(m, n, k, am, bm, got, ci, ck, accumulate);
				if (memcmp(want, got, m * n * sizeof *got) != 0)
					ck_abort_msg("%s: %zu x %zu x %zu, layout %d, accumulate %d "
						     "differs from the plain loop", what, m, n, k,
						     layout, accumulate);
			}
		}
		free(a);
		free(b);
		free(c0);
		free(want);
		free(got);
	}
}

START_TEST(test_variants_agree)
{
	static const struct { enum kernel_variant v; const char *name; } variants[] = {
		{ KERNEL_BASELINE, "baseline" }, { KERNEL_AVX2, "avx2" },
		{ KERNEL_AVX512, "avx512" }, { KERNEL_AUTO, "auto" },
	};
	int ran = 0;

	kernel_set_threads(1);
	for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
		if (kernel_select(variants[i].v) != 0)
			continue;       /* the CPU lacks it */
		check_all(variants[i].name);
		ran++;
	}
	ck_assert_int_ge(ran, 2);
	kernel_select(KERNEL_AUTO);
}
END_TEST

START_TEST(test_threads_agree)
{
	static const size_t counts[] = { 1, 2, 3, 4, 7 };

	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		ck_assert_uint_ge(kernel_set_threads(counts[i]), 1);
		check_all("threads");
	}
	kernel_set_threads(1);
}
END_TEST

/* dense_forward and dense_backward against their definitions, bit for bit. */
/* kernel_parallel runs every share once, on as many threads as it says. */
struct shares {
	int ran[8];
	size_t threads_seen[8];
};

static void count_share(void *context, size_t t, size_t threads)
{
	struct shares *s = context;

	s->ran[t]++;
	s->threads_seen[t] = threads;
}

START_TEST(test_parallel_tasks)
{
	const size_t counts[] = { 1, 2, 3, 8 };

	for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
		struct shares s = { { 0 }, { 0 } };
		size_t pool = kernel_set_threads(counts[i]);
		size_t threads = kernel_parallel(4, count_share, &s);
		ck_assert_uint_eq(threads, pool < 4 ? pool : 4);
		for (size_t t = 0; t < 8; t++) {
			ck_assert_int_eq(s.ran[t], t < threads ? 1 : 0);
			if (t < threads)
				ck_assert_uint_eq(s.threads_seen[t], threads);
		}
	}
	kernel_set_threads(1);
}
END_TEST

/*
 * kernel_start runs its task once, as share 0 of 1, on another thread; until
 * kernel_join the pool is busy, so kernel_parallel there runs alone.  With
 * one thread it runs nothing and says so.
 */
struct started {
	pthread_t thread;
	int ran;
	size_t t, threads;
};

static void note_start(void *context, size_t t, size_t threads)
{
	struct started *s = context;

	s->thread = pthread_self();
	s->ran++;
	s->t = t;
	s->threads = threads;
}

START_TEST(test_start_and_join)
{
	struct started s = { .ran = 0 };
	struct shares shares = { { 0 }, { 0 } };

	kernel_set_threads(1);
	ck_assert_int_eq(kernel_start(note_start, &s), 0);
	ck_assert_int_eq(s.ran, 0);
	ck_assert_uint_eq(kernel_set_threads(2), 2);
	ck_assert_int_eq(kernel_start(note_start, &s), 1);
	ck_assert_uint_eq(kernel_parallel(2, count_share, &shares), 1);
	ck_assert_int_eq(shares.ran[0], 1);
	ck_assert_int_eq(shares.ran[1], 0);
	kernel_join();
	ck_assert_int_eq(s.ran, 1);
	ck_assert_uint_eq(s.t, 0);
	ck_assert_uint_eq(s.threads, 1);
	ck_assert(!pthread_equal(s.thread, pthread_self()));
	/* The pool is free again. */
	ck_assert_uint_eq(kernel_parallel(2, count_share, &shares), 2);
	ck_assert_int_eq(shares.ran[1], 1);
	kernel_set_threads(1);
}
END_TEST

START_TEST(test_dense_layers)
{
	enum { IN = 37, OUT = 19, BATCH = 23 };
	struct prng g;
	double w[OUT * IN], bias[OUT], x[BATCH * IN], dy[BATCH * OUT];
	double y[BATCH * OUT], dw[OUT * IN], db[OUT], dx[BATCH * IN];
	double want_dw[OUT * IN], want_db[OUT];

	prng_seed(&g, 7);
	for (size_t i = 0; i < OUT * IN; i++)
		w[i] = 2.0 * prng_uniform(&g) - 1.0;
	for (size_t i = 0; i < OUT; i++)
		bias[i] = prng_uniform(&g);
	for (size_t i = 0; i < BATCH * IN; i++)
		x[i] = 4.0 * prng_uniform(&g) - 2.0;
	for (size_t i = 0; i < BATCH * OUT; i++)
		dy[i] = prng_uniform(&g) - 0.5;
	for (size_t i = 0; i < OUT * IN; i++)
		dw[i] = want_dw[i] = 0.25 * (double)i;
	for (size_t i = 0; i < OUT; i++)
		db[i] = want_db[i] = 1.0;
	kernel_set_threads(2);
	dense_forward(w, bias, IN, OUT, BATCH, x, y);
	dense_backward(w, IN, OUT, BATCH, x, dy, dw, db, dx);
	kernel_set_threads(1);
	for (size_t b = 0; b < BATCH; b++)
		for (size_t o = 0; o < OUT; o++) {
			double sum = 0.0;
			for (size_t j = 0; j < IN; j++)
				sum += w[o * IN + j] * x[b * IN + j];
			ck_assert(y[b * OUT + o] == sum + bias[o]);
		}
	for (size_t b = 0; b < BATCH; b++)
		for (size_t o = 0; o < OUT; o++) {
			for (size_t j = 0; j < IN; j++)
				want_dw[o * IN + j] += dy[b * OUT + o] * x[b * IN + j];
			want_db[o] += dy[b * OUT + o];
		}
	ck_assert(memcmp(dw, want_dw, sizeof dw) == 0);
	ck_assert(memcmp(db, want_db, sizeof db) == 0);
	for (size_t b = 0; b < BATCH; b++)
		for (size_t j = 0; j < IN; j++) {
			double sum = 0.0;
			for (size_t o = 0; o < OUT; o++)
				sum += dy[b * OUT + o] * w[o * IN + j];
			ck_assert(dx[b * IN + j] == sum);
		}
}
END_TEST

static Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("product");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_variants_agree);
	tcase_add_test(tc, test_threads_agree);
	tcase_add_test(tc, test_dense_layers);
	tcase_add_test(tc, test_parallel_tasks);
	tcase_add_test(tc, test_start_and_join);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(kernel_suite)
