/* kernel.c - the blocked, packed, multiversioned and threaded product (kernel.h).
 *
 * The classic layout (Goto and van de Geijn): for each block of KC terms
 * of the sums, the rows of A and of B are packed into panels of MR and NR
 * rows, interleaved term by term; a micro-kernel keeps an MR x NR tile of
 * C in registers and adds one term to each of its elements per step.
 * Between blocks the tile goes back to C, which a double holds exactly,
 * so the sums still run p = 0, 1, ..., K-1 for every element.  The tile's
 * NR columns are one vector of GCC's generic vector extension: element-wise
 * IEEE operations, one lane per element of C, whatever instructions carry
 * them.
 */
#define _POSIX_C_SOURCE 200809L
#include "kernel.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MR = 6, NR = 8, KC = 256 };

typedef double vec __attribute__((vector_size(NR * sizeof(double))));

/* A product smaller than this many multiply-adds stays on one thread. */
#define THREAD_WORK ((size_t)1 << 19)

struct job {
	size_t m, n, k;
	struct kernel_matrix a, b;
	double *c;
	size_t ci, ck;
	int accumulate;
};

/* Packing buffers, per thread, grown and never shrunk. */
static _Thread_local double *pack_a, *pack_b;
static _Thread_local size_t pack_a_size, pack_b_size;

static int reserve(double **buffer, size_t *size, size_t doubles)
{
	if (*size >= doubles)
		return 0;
	free(*buffer);
	*size = 0;
	*buffer = aligned_alloc(64, (doubles * sizeof(double) + 63) / 64 * 64);
	if (!*buffer)
		return -1;
	*size = doubles;
	return 0;
}

/* The triple loop itself: what every variant computes, when memory runs out. */
static void plain_product(const struct job *j, size_t n0, size_t n1)
{
	for (size_t i = 0; i < j->m; i++)
		for (size_t q = n0; q < n1; q++) {
			double *c = j->c + i * j->ci + q * j->ck;
			double sum = j->accumulate ? *c : 0.0;
			for (size_t p = 0; p < j->k; p++)
				sum += j->a.data[i * j->a.row_stride + p * j->a.column_stride] *
				       j->b.data[q * j->b.row_stride + p * j->b.column_stride];
			*c = sum;
		}
}

/*
 * Rows r0.. of x (rows of length kc from column p0) into panels of width
 * rows: panel[(t * kc + p) * width + s] = x(r0 + t * width + s, p0 + p),
 * zero past the last row.
 */
static inline __attribute__((always_inline)) void
pack(const struct kernel_matrix *x, size_t r0, size_t rows, size_t p0, size_t kc, size_t width,
     double *panel)
{
	size_t panels = (rows + width - 1) / width;

	for (size_t t = 0; t < panels; t++) {
		double *dst = panel + t * kc * width;
		size_t base = t * width, live = rows - base < width ? rows - base : width;
		if (x->column_stride == 1) {
			for (size_t s = 0; s < live; s++) {
				const double *src = x->data + (r0 + base + s) * x->row_stride + p0;
				for (size_t p = 0; p < kc; p++)
					dst[p * width + s] = src[p];
			}
		} else {
			for (size_t p = 0; p < kc; p++) {
				const double *src = x->data + (r0 + base) * x->row_stride +
						    (p0 + p) * x->column_stride;
				for (size_t s = 0; s < live; s++)
					dst[p * width + s] = src[s * x->row_stride];
			}
		}
		for (size_t s = live; s < width; s++)
			for (size_t p = 0; p < kc; p++)
				dst[p * width + s] = 0.0;
	}
}

/*
 * tile[r] += sum over p of a[p][r] * b[p], p in order: one vector of NR
 * lanes per row (AVX-512), or two of NR / 2 (narrower machines, where GCC
 * would otherwise carry the wide vectors through memory).  Lane by lane the
 * same operations either way.
 */
typedef double half __attribute__((vector_size(NR / 2 * sizeof(double))));

static inline __attribute__((always_inline)) void
micro(size_t kc, const double *restrict a, const double *restrict b, vec tile[MR], int wide)
{
	if (wide) {
		vec t0 = tile[0], t1 = tile[1], t2 = tile[2], t3 = tile[3], t4 = tile[4],
		    t5 = tile[5];
		for (size_t p = 0; p < kc; p++) {
			vec bv = *(const vec *)(b + p * NR);
			const double *ap = a + p * MR;
			t0 += ap[0] * bv;
			t1 += ap[1] * bv;
			t2 += ap[2] * bv;
			t3 += ap[3] * bv;
			t4 += ap[4] * bv;
			t5 += ap[5] * bv;
		}
		tile[0] = t0;
		tile[1] = t1;
		tile[2] = t2;
		tile[3] = t3;
		tile[4] = t4;
		tile[5] = t5;
		return;
	}
	half *h = (half *)tile;         /* row r: h[2 r], h[2 r + 1] */
	half l0 = h[0], u0 = h[1], l1 = h[2], u1 = h[3], l2 = h[4], u2 = h[5];
	half l3 = h[6], u3 = h[7], l4 = h[8], u4 = h[9], l5 = h[10], u5 = h[11];
	for (size_t p = 0; p < kc; p++) {
		half bl = *(const half *)(b + p * NR), bu = *(const half *)(b + p * NR + NR / 2);
		const double *ap = a + p * MR;
		l0 += ap[0] * bl;
		u0 += ap[0] * bu;
		l1 += ap[1] * bl;
		u1 += ap[1] * bu;
		l2 += ap[2] * bl;
		u2 += ap[2] * bu;
		l3 += ap[3] * bl;
		u3 += ap[3] * bu;
		l4 += ap[4] * bl;
		u4 += ap[4] * bu;
		l5 += ap[5] * bl;
		u5 += ap[5] * bu;
	}
	h[0] = l0; h[1] = u0; h[2] = l1; h[3] = u1; h[4] = l2; h[5] = u2;
	h[6] = l3; h[7] = u3; h[8] = l4; h[9] = u4; h[10] = l5; h[11] = u5;
}

/*
 * A product with one row (m == 1): C(0, q) = [C(0, q) +] sum over p of
 * a(p) B(q, p), for the one-output layers of linear and logistic models.
 * Each column is still its own sum in order; the columns go side by side,
 * ROW_LANES at a time: vectors over q when B's rows are adjacent (the
 * weight gradient), else one scalar sum per column (the forward pass, whose
 * B rows are the batch's rows).
 */
enum { ROW_LANES = 32 };
typedef double half_u __attribute__((vector_size(NR / 2 * sizeof(double)), aligned(8)));

static inline __attribute__((always_inline)) void row_product(const struct job *j, size_t n0,
							      size_t n1)
{
	const double *a = j->a.data, *bd = j->b.data;
	size_t as = j->a.column_stride, rs = j->b.row_stride, cs = j->b.column_stride, k = j->k;

	for (size_t q0 = n0; q0 < n1; q0 += ROW_LANES) {
		size_t cols = n1 - q0 < ROW_LANES ? n1 - q0 : ROW_LANES;
		double cells[ROW_LANES] __attribute__((aligned(64)));
		for (size_t s = 0; s < ROW_LANES; s++)
			cells[s] = s < cols && j->accumulate ? j->c[(q0 + s) * j->ck] : 0.0;
		if (rs == 1 && cols == ROW_LANES) {
			enum { H = ROW_LANES / (NR / 2) };
			half acc[H];
			memcpy(acc, cells, sizeof acc);
			for (size_t p = 0; p < k; p++) {
				double ap = a[p * as];
				const half_u *bp = (const half_u *)(bd + q0 + p * cs);
				for (int h = 0; h < H; h++)
					acc[h] += ap * bp[h];
			}
			memcpy(cells, acc, sizeof acc);
		} else {
			for (size_t g = 0; g < cols; g += 8) {
				size_t live = cols - g < 8 ? cols - g : 8;
				const double *b0 = bd + (q0 + g) * rs;
				double t[8];
				for (size_t s = 0; s < 8; s++)
					t[s] = cells[g + s];
				if (live == 8) {
					for (size_t p = 0; p < k; p++) {
						double ap = a[p * as];
						const double *bp = b0 + p * cs;
						t[0] += ap * bp[0];
						t[1] += ap * bp[rs];
						t[2] += ap * bp[2 * rs];
						t[3] += ap * bp[3 * rs];
						t[4] += ap * bp[4 * rs];
						t[5] += ap * bp[5 * rs];
						t[6] += ap * bp[6 * rs];
						t[7] += ap * bp[7 * rs];
					}
				} else {
					for (size_t p = 0; p < k; p++)
						for (size_t s = 0; s < live; s++)
							t[s] += a[p * as] * b0[s * rs + p * cs];
				}
				for (size_t s = 0; s < 8; s++)
					cells[g + s] = t[s];
			}
		}
		for (size_t s = 0; s < cols; s++)
			j->c[(q0 + s) * j->ck] = cells[s];
	}
}

/* Columns n0..n1 of C (n0 a multiple of NR). */
static inline __attribute__((always_inline)) void product_body(const struct job *j, size_t n0,
							       size_t n1, int wide)
{
	size_t m = j->m, n = n1 - n0, k = j->k;
	size_t m_panels = (m + MR - 1) / MR, n_panels = (n + NR - 1) / NR;
	size_t kc_max = k < KC ? k : KC;

	if (n == 0 || m == 0)
		return;
	if (m == 1) {
		row_product(j, n0, n1);
		return;
	}
	if (k == 0) {
		if (!j->accumulate)
			for (size_t i = 0; i < m; i++)
				for (size_t q = n0; q < n1; q++)
					j->c[i * j->ci + q * j->ck] = 0.0;
		return;
	}
	if (reserve(&pack_a, &pack_a_size, m_panels * MR * kc_max) != 0 ||
	    reserve(&pack_b, &pack_b_size, n_panels * NR * kc_max) != 0) {
		plain_product(j, n0, n1);
		return;
	}
	for (size_t p0 = 0; p0 < k; p0 += KC) {
		size_t kc = k - p0 < KC ? k - p0 : KC;
		int start = p0 == 0 && !j->accumulate;
		pack(&j->a, 0, m, p0, kc, MR, pack_a);
		pack(&j->b, n0, n, p0, kc, NR, pack_b);
		for (size_t tn = 0; tn < n_panels; tn++) {
			size_t q0 = n0 + tn * NR, cols = n1 - q0 < NR ? n1 - q0 : NR;
			for (size_t tm = 0; tm < m_panels; tm++) {
				size_t i0 = tm * MR, rows = m - i0 < MR ? m - i0 : MR;
				vec tile[MR];
				double (*cells)[NR] = (double (*)[NR])tile;
				memset(tile, 0, sizeof tile);
				if (!start)
					for (size_t r = 0; r < rows; r++)
						for (size_t s = 0; s < cols; s++)
							cells[r][s] = j->c[(i0 + r) * j->ci +
									   (q0 + s) * j->ck];
				micro(kc, pack_a + tm * kc * MR, pack_b + tn * kc * NR, tile, wide);
				for (size_t r = 0; r < rows; r++)
					for (size_t s = 0; s < cols; s++)
						j->c[(i0 + r) * j->ci + (q0 + s) * j->ck] = cells[r][s];
			}
		}
	}
}

__attribute__((target("avx512f"))) static void product_avx512(const struct job *j, size_t n0,
							       size_t n1)
{
	product_body(j, n0, n1, 1);
}

__attribute__((target("avx2"))) static void product_avx2(const struct job *j, size_t n0,
							  size_t n1)
{
	product_body(j, n0, n1, 0);
}

static void product_baseline(const struct job *j, size_t n0, size_t n1)
{
	product_body(j, n0, n1, 0);
}

typedef void product_fn(const struct job *j, size_t n0, size_t n1);

static product_fn *product_variant;
static pthread_once_t variant_once = PTHREAD_ONCE_INIT;

static void choose_variant(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f"))
		product_variant = product_avx512;
	else if (__builtin_cpu_supports("avx2"))
		product_variant = product_avx2;
	else
		product_variant = product_baseline;
}

int kernel_select(enum kernel_variant v)
{
	pthread_once(&variant_once, choose_variant);
	__builtin_cpu_init();
	switch (v) {
	case KERNEL_AUTO:
		choose_variant();
		return 0;
	case KERNEL_AVX512:
		if (!__builtin_cpu_supports("avx512f"))
			return -1;
		product_variant = product_avx512;
		return 0;
	case KERNEL_AVX2:
		if (!__builtin_cpu_supports("avx2"))
			return -1;
		product_variant = product_avx2;
		return 0;
	case KERNEL_BASELINE:
		product_variant = product_baseline;
		return 0;
	}
	return -1;
}

/*
 * The pool: workers 1..threads-1 wait for a new generation, compute their
 * share of pool.job and count themselves done; the caller computes share 0.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake, done;
	unsigned long generation;
	size_t threads;                 /* the caller included */
	size_t started;                 /* workers created */
	size_t pending;
	int busy;
	struct job job;
	size_t panels;                  /* NR-panels of the job's columns */
	size_t job_threads;             /* threads sharing the job */
	kernel_task *task;              /* kernel_parallel's, instead of job; else NULL */
	void *task_context;
	kernel_task *started_task;      /* kernel_start's, run by worker 1 */
	void *started_context;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
	   .done = PTHREAD_COND_INITIALIZER, .threads = 0 };

/* The columns of share t of threads: whole panels, as even as can be. */
static void share(size_t t, size_t threads, size_t panels, size_t n, size_t *n0, size_t *n1)
{
	size_t first = panels * t / threads, last = panels * (t + 1) / threads;

	*n0 = first * NR;
	*n1 = last * NR < n ? last * NR : n;
	if (*n0 > n)
		*n0 = n;
}

/*
 * The generation at each worker's creation: a worker that starts running
 * only after the caller has posted work must still see that work as new.
 */
static unsigned long born[257];

static void *worker(void *arg)
{
	size_t index = (size_t)(unsigned long)arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&pool.lock);
	seen = born[index];
	for (;;) {
		while (pool.generation == seen)
			pthread_cond_wait(&pool.wake, &pool.lock);
		seen = pool.generation;
		struct job job = pool.job;
		size_t threads = pool.job_threads, panels = pool.panels;
		kernel_task *task = pool.task;
		void *context = pool.task_context;
		pthread_mutex_unlock(&pool.lock);
		if (index < threads && task) {
			task(context, index, threads);
		} else if (index < threads) {
			size_t n0, n1;
			share(index, threads, panels, job.n, &n0, &n1);
			product_variant(&job, n0, n1);
		}
		pthread_mutex_lock(&pool.lock);
		if (index < threads && --pool.pending == 0)
			pthread_cond_signal(&pool.done);
	}
	return NULL;
}

static size_t online_processors(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (size_t)n : 1;
}

size_t kernel_set_threads(size_t threads)
{
	if (threads == 0)
		threads = online_processors();
	if (threads > 256)
		threads = 256;
	pthread_mutex_lock(&pool.lock);
	while (pool.busy)
		pthread_cond_wait(&pool.done, &pool.lock);
	/* Workers block every signal, so that SIGINT reaches the training thread. */
	sigset_t all, before;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &before);
	while (pool.started + 1 < threads) {
		pthread_t id;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		born[pool.started + 1] = pool.generation;
		int failed = pthread_create(&id, &attr, worker, (void *)(unsigned long)(pool.started + 1));
		pthread_attr_destroy(&attr);
		if (failed)
			break;
		pool.started++;
	}
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	pool.threads = threads < pool.started + 1 ? threads : pool.started + 1;
	threads = pool.threads;
	pthread_mutex_unlock(&pool.lock);
	return threads;
}

size_t kernel_threads(void)
{
	pthread_mutex_lock(&pool.lock);
	size_t threads = pool.threads ? pool.threads : 1;
	pthread_mutex_unlock(&pool.lock);
	return threads;
}

/* Run j over the pool; 0, or -1 when the pool is off or taken (the caller computes alone). */
static int run_on_pool(const struct job *j)
{
	size_t panels = (j->n + NR - 1) / NR;

	pthread_mutex_lock(&pool.lock);
	if (pool.threads < 2 || pool.busy || panels < 2) {
		pthread_mutex_unlock(&pool.lock);
		return -1;
	}
	size_t threads = pool.threads < panels ? pool.threads : panels;
	pool.busy = 1;
	pool.task = NULL;
	pool.job = *j;
	pool.panels = panels;
	pool.job_threads = threads;
	pool.pending = threads - 1;
	pool.generation++;
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.lock);

	size_t n0, n1;
	share(0, threads, panels, j->n, &n0, &n1);
	product_variant(j, n0, n1);

	pthread_mutex_lock(&pool.lock);
	while (pool.pending > 0)
		pthread_cond_wait(&pool.done, &pool.lock);
	pool.busy = 0;
	pthread_cond_broadcast(&pool.done);
	pthread_mutex_unlock(&pool.lock);
	return 0;
}

size_t kernel_parallel(size_t most, kernel_task *task, void *context)
{
	pthread_mutex_lock(&pool.lock);
	size_t threads = pool.threads < most ? pool.threads : most;
	if (threads < 2 || pool.busy) {
		pthread_mutex_unlock(&pool.lock);
		task(context, 0, 1);
		return 1;
	}
	pool.busy = 1;
	pool.task = task;
	pool.task_context = context;
	pool.job_threads = threads;
	pool.pending = threads - 1;
	pool.generation++;
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.lock);

	task(context, 0, threads);

	pthread_mutex_lock(&pool.lock);
	while (pool.pending > 0)
		pthread_cond_wait(&pool.done, &pool.lock);
	pool.busy = 0;
	pool.task = NULL;
	pthread_cond_broadcast(&pool.done);
	pthread_mutex_unlock(&pool.lock);
	return threads;
}

/* kernel_start's job as a kernel_parallel task: share 1 of 2 is the whole task. */
static void run_started(void *context, size_t t, size_t threads)
{
	(void)context;
	(void)threads;
	if (t == 1)
		pool.started_task(pool.started_context, 0, 1);
}

int kernel_start(kernel_task *task, void *context)
{
	pthread_mutex_lock(&pool.lock);
	if (pool.threads < 2 || pool.busy) {
		pthread_mutex_unlock(&pool.lock);
		return 0;
	}
	pool.busy = 1;
	pool.task = run_started;
	pool.task_context = NULL;
	pool.started_task = task;
	pool.started_context = context;
	pool.job_threads = 2;
	pool.pending = 1;
	pool.generation++;
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.lock);
	return 1;
}

void kernel_join(void)
{
	pthread_mutex_lock(&pool.lock);
	while (pool.pending > 0)
		pthread_cond_wait(&pool.done, &pool.lock);
	pool.busy = 0;
	pool.task = NULL;
	pool.started_task = NULL;
	pthread_cond_broadcast(&pool.done);
	pthread_mutex_unlock(&pool.lock);
}

void kernel_product(size_t m, size_t n, size_t k, struct kernel_matrix a,
		    struct kernel_matrix b, double *c, size_t c_row_stride,
		    size_t c_column_stride, int accumulate)
{
	struct job j = { m, n, k, a, b, c, c_row_stride, c_column_stride, accumulate };
	/* The orientation that pads the tiles least; each element's sum is the same. */
	size_t straight = (m + MR - 1) / MR * MR * ((n + NR - 1) / NR * NR);
	size_t swapped = (n + MR - 1) / MR * MR * ((m + NR - 1) / NR * NR);

	pthread_once(&variant_once, choose_variant);
	if (swapped < straight)
		j = (struct job){ n, m, k, b, a, c, c_column_stride, c_row_stride, accumulate };
	if (j.m * j.n * j.k >= THREAD_WORK && run_on_pool(&j) == 0)
		return;
	product_variant(&j, 0, j.n);
}
