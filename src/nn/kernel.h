/* kernel.h - the matrix product under the dense layers, and its threads.
 *
 * kernel_product computes C(i,k) = [C(i,k) +] sum over p of A(i,p) B(k,p)
 * for strided A[M x K], B[N x K] and C[M x N]: the one operation that
 * dense_forward (Y = X W^T), dense_backward (dW += dY^T X, dX = dY W) need.
 *
 * Every element of C is one sum, taken in the order p = 0, 1, ..., K-1,
 * one rounded product and one rounded addition at a time (no fused
 * multiply-add: the library is compiled with -ffp-contract=off), starting
 * from 0 or from the element's value.  That is the order of the plain
 * triple loop, so the result is the same bit for bit on every machine,
 * whatever the vector width of the code variant the CPU runs (AVX-512,
 * AVX2 or baseline x86-64, chosen once at run time), and whatever the
 * number of threads: blocking, packing and vectorising only change which
 * elements are computed side by side, never the order within one.
 *
 * Large products are cut into column blocks of C that the threads of a
 * persistent pool (kernel_set_threads) compute at the same time.
 */
#ifndef DESCENT_KERNEL_H
#define DESCENT_KERNEL_H

#include <stddef.h>

struct kernel_matrix {
	const double *data;
	size_t row_stride, column_stride;       /* element (r, c) at r * row + c * column */
};

/*
 * C[M x N] = A[M x K] B[N x K]^T, or C += that when accumulate (the sum of
 * each element then starts from its value).  C may not overlap A or B.
 */
void kernel_product(size_t m, size_t n, size_t k, struct kernel_matrix a,
		    struct kernel_matrix b, double *c, size_t c_row_stride,
		    size_t c_column_stride, int accumulate);

/*
 * Threads for large products: 0 means one per online processor.  Returns
 * the number in use.  The numbers computed never depend on it.
 */
size_t kernel_set_threads(size_t threads);
size_t kernel_threads(void);

/*
 * Run task(context, t, threads) for t = 0 .. threads-1 at the same time on
 * the pool's threads (the caller runs t = 0) and return threads when all
 * are done: at most `most`, and 1 when the pool has one thread or is busy
 * (the caller then runs task(context, 0, 1) alone).  A product inside a
 * task runs on the task's thread.  The task must split its work so that
 * the numbers do not depend on threads.
 */
typedef void kernel_task(void *context, size_t t, size_t threads);
size_t kernel_parallel(size_t most, kernel_task *task, void *context);

/*
 * Start task(context, 0, 1) on one of the pool's workers and return 1 at
 * once, or return 0 without running it when the pool has no worker free
 * (one thread, or busy).  Until kernel_join, which waits for the task to
 * end, the pool is busy: products and kernel_parallel on other threads run
 * on their caller's thread alone.
 */
int kernel_start(kernel_task *task, void *context);
void kernel_join(void);

/* Code variants, best first; only for tests and benchmarks. */
enum kernel_variant { KERNEL_AUTO, KERNEL_AVX512, KERNEL_AVX2, KERNEL_BASELINE };
/* Force a variant (KERNEL_AUTO: the best the CPU has).  -1 if the CPU lacks it. */
int kernel_select(enum kernel_variant v);

#endif
