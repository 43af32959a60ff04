/* gen - the deterministic data sets of tests/bench/run, as CSV on stdout.
 *
 * Usage: gen KIND ROWS SEED
 *   logistic    50 Gaussian features (6 significant digits, each column its
 *               own mean and scale), binary label 0/1 drawn from a logistic
 *               model: P(y = 1) = sigmoid(w.x + b), so the labels are noisy.
 *   regression  20 Gaussian features, a nonlinear target (sines, products,
 *               squares, a tanh and a linear part) plus Gaussian noise.
 *   wide        784 integer features 0-255 (a 28x28 "image") and a label
 *               c0..c9: each class has its own template of blobs, every row
 *               is its class's template, shifted by up to 3 pixels, with
 *               noisy intensities and speckle.
 *
 * The same KIND, ROWS and SEED give the same bytes: the generator is
 * splitmix64, uniforms take its top 53 bits, Gaussians come from
 * Box-Muller.  The model behind each set (weights, templates) is drawn from
 * a fixed seed of its own, so a set made with another SEED (the rows to
 * predict) follows the same model, and the first N rows of a larger set
 * with the same SEED are the N rows of the smaller one.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint64_t next(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double uniform(void)
{
	return ((double)(next() >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(void)
{
	return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

#define LOGISTIC_FEATURES 50
#define REGRESSION_FEATURES 20
#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define CLASSES 10

static void logistic(long rows, uint64_t seed)
{
	double mean[LOGISTIC_FEATURES], scale[LOGISTIC_FEATURES], w[LOGISTIC_FEATURES];
	double x[LOGISTIC_FEATURES];

	state = 20240901;
	for (int j = 0; j < LOGISTIC_FEATURES; j++) {
		mean[j] = 4.0 * (uniform() - 0.5);
		scale[j] = pow(10.0, 2.0 * uniform() - 1.0);
		/* a third of the features carry no signal */
		w[j] = j % 3 == 2 ? 0.0 : 2.0 * gaussian() / sqrt(LOGISTIC_FEATURES);
	}
	state = seed;
	for (int j = 0; j < LOGISTIC_FEATURES; j++)
		printf("x%d,", j + 1);
	printf("y\n");
	for (long i = 0; i < rows; i++) {
		double z = 0.25;

		for (int j = 0; j < LOGISTIC_FEATURES; j++) {
			double g = gaussian();

			x[j] = mean[j] + scale[j] * g;
			z += w[j] * g;
			printf("%.6g,", x[j]);
		}
		printf("%d\n", uniform() < 1.0 / (1.0 + exp(-z)));
	}
}

static void regression(long rows, uint64_t seed)
{
	double c[REGRESSION_FEATURES], x[REGRESSION_FEATURES];

	state = 20240902;
	for (int j = 0; j < REGRESSION_FEATURES; j++)
		c[j] = 0.3 * gaussian();
	state = seed;
	for (int j = 0; j < REGRESSION_FEATURES; j++)
		printf("x%d,", j + 1);
	printf("y\n");
	for (long i = 0; i < rows; i++) {
		double y;

		for (int j = 0; j < REGRESSION_FEATURES; j++) {
			x[j] = gaussian();
			printf("%.6g,", x[j]);
		}
		y = 2.0 * sin(2.0 * x[0]) + x[1] * x[2] + 0.5 * x[3] * x[3] - 1.5 * tanh(x[4] + x[5]) +
		    fabs(x[6]) * x[7] + cos(x[8] * x[9]);
		for (int j = 10; j < REGRESSION_FEATURES; j++)
			y += c[j] * x[j];
		y += 0.1 * gaussian();
		printf("%.6g\n", y);
	}
}

static void wide(long rows, uint64_t seed)
{
	static double template[CLASSES][PIXELS];

	state = 20240903;
	/* Every class shares the same few blobs and has two faint ones of its
	 * own: the classes overlap, so that a network has something to learn. */
	double shared[PIXELS] = {0};

	for (int k = -1; k < CLASSES; k++) {
		double *t = k < 0 ? shared : template[k];
		int blobs = k < 0 ? 4 : 2;
		double weight = k < 0 ? 0.8 : 0.45;

		for (int b = 0; b < blobs; b++) {
			double cr = 5 + 18 * uniform(), cc = 5 + 18 * uniform();
			double sr = 1.5 + 3 * uniform(), sc = 1.5 + 3 * uniform();

			for (int r = 0; r < SIDE; r++)
				for (int col = 0; col < SIDE; col++) {
					double dr = (r - cr) / sr, dc = (col - cc) / sc;

					t[r * SIDE + col] += weight * exp(-0.5 * (dr * dr + dc * dc));
				}
		}
	}
	for (int k = 0; k < CLASSES; k++)
		for (int p = 0; p < PIXELS; p++) {
			template[k][p] += shared[p];
			if (template[k][p] > 1.0)
				template[k][p] = 1.0;
		}
	state = seed;
	for (int p = 0; p < PIXELS; p++)
		printf("p%d,", p);
	printf("label\n");
	for (long i = 0; i < rows; i++) {
		int k = (int)(CLASSES * uniform());
		int shift_r = (int)(7 * uniform()) - 3, shift_c = (int)(7 * uniform()) - 3;
		double brightness = 0.4 + 0.6 * uniform();

		for (int r = 0; r < SIDE; r++)
			for (int col = 0; col < SIDE; col++) {
				int sr = r - shift_r, sc = col - shift_c;
				double t = sr >= 0 && sr < SIDE && sc >= 0 && sc < SIDE ?
					template[k][sr * SIDE + sc] : 0.0;
				double u = uniform(), v = 0.0;

				if (u < 0.08)
					v = 255.0 * uniform();
				else if (t > 0.2)
					v = 255.0 * brightness * t + 60.0 * gaussian();
				if (v < 0)
					v = 0;
				if (v > 255)
					v = 255;
				printf("%d,", (int)v);
			}
		printf("c%d\n", k);
	}
}

int main(int argc, char **argv)
{
	static char buffer[1 << 20];
	long rows;
	uint64_t seed;

	if (argc != 4 || (rows = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: gen logistic|regression|wide ROWS SEED\n");
		return 64;
	}
	seed = strtoull(argv[3], NULL, 10);
	setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
	if (strcmp(argv[1], "logistic") == 0)
		logistic(rows, seed);
	else if (strcmp(argv[1], "regression") == 0)
		regression(rows, seed);
	else if (strcmp(argv[1], "wide") == 0)
		wide(rows, seed);
	else {
		fprintf(stderr, "gen: no kind '%s'\n", argv[1]);
		return 64;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("gen: write error");
		return 74;
	}
	return 0;
}
