/* test_stream.c - the shuffle buffer of --stream lets every row out exactly
 * once, keeps file order at capacity 0, is seeded, shuffles, and the batch
 * source hands its rows out in pieces. */
#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "stream.h"

/* Rows 0..n-1 (each row: its number, and its number negated) through a
 * buffer of capacity rows; order[] receives the numbers as they leave. */
static size_t pass_rows(size_t n, size_t capacity, uint64_t seed, size_t *order)
{
	struct shuffle_buffer b;
	struct error err = { 0 };
	size_t out = 0;
	const double *row;

	ck_assert_int_eq(shuffle_buffer_init(&b, capacity, 2, seed, &err), 0);
	for (size_t i = 0; i < n; i++) {
		double in[2] = { (double)i, -(double)i };
		row = shuffle_buffer_put(&b, in);
		if (i < capacity)
			ck_assert_ptr_null(row);
		else
			ck_assert_ptr_nonnull(row);
		if (row) {
			ck_assert(row[1] == -row[0]);
			order[out++] = (size_t)row[0];
		}
	}
	while ((row = shuffle_buffer_drain(&b)) != NULL) {
		ck_assert(row[1] == -row[0]);
		order[out++] = (size_t)row[0];
	}
	shuffle_buffer_free(&b);
	return out;
}

START_TEST(test_every_row_once)
{
	static const size_t sizes[][2] = { { 1000, 0 }, { 1000, 1 }, { 1000, 7 }, { 1000, 999 },
					   { 1000, 1000 }, { 1000, 5000 }, { 0, 10 }, { 3, 10 } };

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t n = sizes[k][0], capacity = sizes[k][1];
		size_t *order = malloc((n + 1) * sizeof *order);
		unsigned char *seen = calloc(n + 1, 1);
		ck_assert_uint_eq(pass_rows(n, capacity, 42, order), n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_lt(order[i], n);
			ck_assert_int_eq(seen[order[i]], 0);
			seen[order[i]] = 1;
			/* A row leaves at most capacity rows early. */
			ck_assert_uint_le(order[i], i + capacity);
		}
		free(order);
		free(seen);
	}
}
END_TEST

START_TEST(test_capacity_zero_is_file_order)
{
	size_t order[100];

	ck_assert_uint_eq(pass_rows(100, 0, 7, order), 100);
	for (size_t i = 0; i < 100; i++)
		ck_assert_uint_eq(order[i], i);
}
END_TEST

START_TEST(test_seeded_and_shuffled)
{
	size_t a[500], b[500], c[500], moved = 0;

	pass_rows(500, 64, 1, a);
	pass_rows(500, 64, 1, b);
	pass_rows(500, 64, 2, c);
	ck_assert_mem_eq(a, b, sizeof a);
	ck_assert(memcmp(a, c, sizeof a) != 0);
	for (size_t i = 0; i < 500; i++)
		moved += a[i] != i;
	ck_assert_uint_gt(moved, 400);
}
END_TEST

/* A buffer as large as the data is a uniform shuffle: each row leaves first
 * about equally often. */
START_TEST(test_full_buffer_uniform)
{
	size_t counts[4] = { 0 }, order[4];

	for (uint64_t seed = 0; seed < 4000; seed++) {
		pass_rows(4, 4, seed, order);
		counts[order[0]]++;
	}
	for (size_t k = 0; k < 4; k++)
		ck_assert_uint_gt(counts[k], 850);
}
END_TEST

START_TEST(test_batch_source)
{
	struct stream_batch b;
	struct error err = { 0 };
	struct row_batch piece;

	ck_assert_int_eq(stream_batch_init(&b, 2, 5, &err), 0);
	for (int i = 0; i < 5; i++) {
		double x[2] = { i, 10 * i };
		stream_batch_add(&b, x, 100 * i);
	}
	ck_assert_uint_eq(b.rows, 5);
	stream_batch_rewind(&b);
	ck_assert_int_eq(b.source.next(&b.source, 3, &piece, &err), 0);
	ck_assert_uint_eq(piece.rows, 3);
	ck_assert(piece.x[2] == 1 && piece.x[3] == 10 && piece.y[2] == 200);
	ck_assert_int_eq(b.source.next(&b.source, 3, &piece, &err), 0);
	ck_assert_uint_eq(piece.rows, 2);
	ck_assert(piece.x[0] == 3 && piece.y[1] == 400);
	ck_assert_int_eq(b.source.next(&b.source, 3, &piece, &err), 0);
	ck_assert_uint_eq(piece.rows, 0);
	stream_batch_clear(&b);
	ck_assert_uint_eq(b.rows, 0);
	stream_batch_free(&b);
}
END_TEST

static Suite *stream_suite(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_row_once);
	tcase_add_test(tc, test_capacity_zero_is_file_order);
	tcase_add_test(tc, test_seeded_and_shuffled);
	tcase_add_test(tc, test_full_buffer_uniform);
	tcase_add_test(tc, test_batch_source);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(stream_suite)
