/* optim_lbfgs.c - full-batch limited-memory BFGS with a strong-Wolfe line search.
 *
 * Each iteration builds a quasi-Newton direction d = -H g from the last
 * `history` curvature pairs (s = change in w, y = change in gradient) by the
 * two-loop recursion, then searches along d for a step that satisfies the
 * strong Wolfe conditions
 *
 *	f(w + a d) <= f(w) + C1 a g.d                 (sufficient decrease)
 *	|grad f(w + a d).d| <= C2 |g.d|               (curvature)
 *
 * by bracketing and zooming with safeguarded cubic interpolation (Nocedal &
 * Wright, Numerical Optimization, 2nd ed., algorithms 3.5 and 3.6).  The
 * curvature condition makes y.s > 0 for the new pair, which keeps H positive
 * definite.
 *
 * The state owns one allocation holding every array below; the caller owns
 * w, grad and the objective.  w, *value and grad only ever change together,
 * to a point the objective was evaluated at, so they always agree.
 *
 * Non-finite trial points (an overflow along a too-long step) are treated as
 * "too far" and the search backs off towards the last good point; only when
 * no trial point at all is finite does the iteration report NONFINITE.
 */
#include "optim.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WOLFE_DECREASE 1e-4             /* C1 */
#define WOLFE_CURVATURE 0.9             /* C2, the usual choice for quasi-Newton */
#define MAX_EVALUATIONS 25              /* objective calls per line search */
#define GRADIENT_TOLERANCE 1e-10        /* converged when max|g| is this small */
#define CHANGE_TOLERANCE 1e-12          /* ...or f or w moves by less, relatively */
#define CURVATURE_MINIMUM 1e-10         /* pairs with y.s below this are dropped */

struct optim_lbfgs_state {
	size_t n;
	int history;            /* capacity: pairs kept at most */
	int pairs;              /* pairs kept now */
	int newest;             /* slot of the newest pair in the ring */
	double *steps;          /* s: history x n, a ring */
	double *grad_changes;   /* y: history x n, same slots */
	double *inverse_curvature;      /* 1 / (y.s) per slot */
	double *two_loop_alpha;         /* history: scratch for the recursion */
	double *direction;              /* n */
	double *trial_w, *trial_grad;   /* n each: the point being evaluated */
	double *best_w, *best_grad;     /* n each: the best point of the search */
};

/* One point on the line w + step * direction. */
struct line_point {
	double step;
	double value;           /* phi(step) = f(w + step d) */
	double slope;           /* phi'(step) = grad f(w + step d) . d */
	int finite;             /* value and the whole gradient are finite */
};

enum search_outcome {
	SEARCH_WOLFE,           /* best point satisfies both conditions */
	SEARCH_DECREASE,        /* out of evaluations; best point only decreases f */
	SEARCH_FLAT,            /* no decrease within rounding of w: a minimum to machine precision */
	SEARCH_FAILED,          /* out of evaluations, no trial point decreased f: step far too long */
	SEARCH_NONFINITE        /* no trial point was even finite */
};

static double dot(const double *a, const double *b, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

static double max_abs(const double *a, size_t n)
{
	double largest = 0;

	for (size_t i = 0; i < n; i++)
		if (fabs(a[i]) > largest)
			largest = fabs(a[i]);
	return largest;
}

static int all_finite(const double *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(a[i]))
			return 0;
	return 1;
}

static void swap_buffers(double **a, double **b)
{
	double *t = *a;

	*a = *b;
	*b = t;
}

/*
 * State for n parameters with a memory of h->history pairs (at least one).
 * NULL when out of memory or n is 0.  Free with optim_lbfgs_destroy.
 */
void *optim_lbfgs_create(size_t n, const struct optim_hyper *h)
{
	struct optim_lbfgs_state *s;
	size_t history = h->history < 1 ? 1 : (size_t)h->history;
	size_t doubles;
	double *block;

	if (n == 0 || history > (SIZE_MAX / sizeof(double) - 5) / (2 * n + 2) - 5)
		return NULL;
	doubles = 2 * history * n + 2 * history + 5 * n;
	s = calloc(1, sizeof *s);
	block = calloc(doubles, sizeof *block);
	if (!s || !block) {
		free(s);
		free(block);
		return NULL;
	}
	s->n = n;
	s->history = (int)history;
	s->steps = block;
	s->grad_changes = s->steps + history * n;
	s->inverse_curvature = s->grad_changes + history * n;
	s->two_loop_alpha = s->inverse_curvature + history;
	s->direction = s->two_loop_alpha + history;
	s->trial_w = s->direction + n;
	s->trial_grad = s->trial_w + n;
	s->best_w = s->trial_grad + n;
	s->best_grad = s->best_w + n;
	return s;
}

void optim_lbfgs_destroy(void *state)
{
	struct optim_lbfgs_state *s = state;

	if (!s)
		return;
	/* steps is the start of the one block. */
	free(s->steps);
	free(s);
}

/*
 * direction = -H grad by the two-loop recursion (N&W algorithm 7.4), with
 * the initial H0 = (s.y / y.y) I from the newest pair, or I when there is
 * none.
 */
static void lbfgs_direction(struct optim_lbfgs_state *s, const double *grad)
{
	size_t n = s->n;
	double *q = s->direction;
	double scale = 1;
	int slot;

	memcpy(q, grad, n * sizeof *q);
	/* Newest to oldest. */
	slot = s->newest;
	for (int k = 0; k < s->pairs; k++) {
		double *step = s->steps + (size_t)slot * n;
		double *change = s->grad_changes + (size_t)slot * n;
		double alpha = s->inverse_curvature[slot] * dot(step, q, n);

		s->two_loop_alpha[slot] = alpha;
		for (size_t i = 0; i < n; i++)
			q[i] -= alpha * change[i];
		slot = (slot + s->history - 1) % s->history;
	}
	if (s->pairs > 0) {
		double *change = s->grad_changes + (size_t)s->newest * n;

		scale = 1 / (s->inverse_curvature[s->newest] * dot(change, change, n));
	}
	for (size_t i = 0; i < n; i++)
		q[i] *= scale;
	/* Oldest to newest: slot is now just before the oldest. */
	for (int k = 0; k < s->pairs; k++) {
		double *step, *change, beta;

		slot = (slot + 1) % s->history;
		step = s->steps + (size_t)slot * n;
		change = s->grad_changes + (size_t)slot * n;
		beta = s->inverse_curvature[slot] * dot(change, q, n);
		for (size_t i = 0; i < n; i++)
			q[i] += (s->two_loop_alpha[slot] - beta) * step[i];
	}
	for (size_t i = 0; i < n; i++)
		q[i] = -q[i];
}

/* Evaluate f at w + step * direction into trial_w and trial_grad. */
static struct line_point evaluate_at(struct optim_lbfgs_state *s, const struct optim_objective *f,
				     const double *w, double step)
{
	struct line_point p = { .step = step };

	for (size_t i = 0; i < s->n; i++)
		s->trial_w[i] = w[i] + step * s->direction[i];
	p.value = f->evaluate(f->context, s->trial_w, s->trial_grad);
	p.finite = isfinite(p.value) && all_finite(s->trial_grad, s->n);
	p.slope = p.finite ? dot(s->trial_grad, s->direction, s->n) : NAN;
	return p;
}

/*
 * The minimiser of the cubic through two points with their values and slopes
 * (N&W equation 3.59), or NAN when the cubic has no local minimum.
 */
static double cubic_minimizer(const struct line_point *a, const struct line_point *b)
{
	double d1 = a->slope + b->slope - 3 * (a->value - b->value) / (a->step - b->step);
	double discriminant = d1 * d1 - a->slope * b->slope;
	double d2;

	if (!(discriminant >= 0))
		return NAN;
	d2 = sqrt(discriminant);
	if (b->step < a->step)
		d2 = -d2;
	return b->step - (b->step - a->step) * (b->slope + d2 - d1) /
			 (b->slope - a->slope + 2 * d2);
}

/*
 * Next trial inside the bracket [lo, hi] (either order).  The safeguard keeps
 * it at least a tenth of the width from both ends, so every trial shrinks the
 * bracket to at most 0.9 of its width.  Past a non-finite end there is
 * nothing to interpolate: step a tenth of the way from lo instead.
 */
static double zoom_trial(const struct line_point *lo, const struct line_point *hi)
{
	double left = fmin(lo->step, hi->step), right = fmax(lo->step, hi->step);
	double margin = 0.1 * (right - left);
	double step;

	if (!hi->finite)
		return lo->step + 0.1 * (hi->step - lo->step);
	step = cubic_minimizer(lo, hi);
	if (isnan(step))
		step = 0.5 * (left + right);
	return fmin(fmax(step, left + margin), right - margin);
}

/*
 * Next trial beyond last, which decreased f and still slopes downhill:
 * the cubic minimiser through previous and last, kept between one and ten
 * more lengths of the last jump beyond last.
 */
static double extrapolation_trial(const struct line_point *previous, const struct line_point *last)
{
	double jump = last->step - previous->step;
	double nearest = last->step + jump, farthest = last->step + 10 * jump;
	double step = cubic_minimizer(previous, last);

	if (isnan(step) || step > farthest)
		return farthest;
	return fmax(step, nearest);
}

/*
 * Is p too far along to be the low end of a bracket: not finite, without
 * sufficient decrease from start, or no lower than the best point so far?
 */
static int overshoots(const struct line_point *p, const struct line_point *start,
		      const struct line_point *lo)
{
	return !p->finite || p->value > start->value + WOLFE_DECREASE * p->step * start->slope ||
	       p->value >= lo->value;
}

/* The strong curvature condition: the slope has flattened enough. */
static int flat_enough(const struct line_point *p, const struct line_point *start)
{
	return fabs(p->slope) <= -WOLFE_CURVATURE * start->slope;
}

/* Make the trial point the best one; its arrays move to best_w/best_grad. */
static void keep_trial(struct optim_lbfgs_state *s, struct line_point *lo, const struct line_point *trial)
{
	*lo = *trial;
	swap_buffers(&s->best_w, &s->trial_w);
	swap_buffers(&s->best_grad, &s->trial_grad);
}

/*
 * Search along s->direction from w (value, slope0 = grad.direction < 0) for
 * a strong-Wolfe step.  The best point found (lowest f, sufficient decrease)
 * is left in best_w/best_grad and described by *best.
 */
static enum search_outcome line_search(struct optim_lbfgs_state *s, const struct optim_objective *f,
				       const double *w, double value, double slope0,
				       double first_step, struct line_point *best)
{
	const struct line_point start = { .step = 0, .value = value, .slope = slope0, .finite = 1 };
	struct line_point lo = start, hi, previous, trial;
	double scale_w = max_abs(w, s->n), scale_direction = max_abs(s->direction, s->n);
	int evaluations = 0, any_finite = 0;
	double step = first_step;

	/* Bracketing: walk outwards until [lo, hi] must hold an acceptable step. */
	for (;;) {
		if (evaluations == MAX_EVALUATIONS)
			goto out_of_evaluations;
		trial = evaluate_at(s, f, w, step);
		evaluations++;
		any_finite |= trial.finite;
		if (overshoots(&trial, &start, &lo)) {
			hi = trial;
			break;
		}
		if (flat_enough(&trial, &start)) {
			keep_trial(s, &lo, &trial);
			*best = lo;
			return SEARCH_WOLFE;
		}
		if (trial.slope >= 0) {
			/* Passed a minimum: it lies between trial and lo. */
			hi = lo;
			keep_trial(s, &lo, &trial);
			break;
		}
		previous = lo;
		keep_trial(s, &lo, &trial);
		step = extrapolation_trial(&previous, &lo);
	}

	/*
	 * Zoom.  Invariants: lo has the lowest f so far among points with
	 * sufficient decrease, and the slope at lo points towards hi.
	 */
	while (evaluations < MAX_EVALUATIONS) {
		double width = fabs(hi.step - lo.step);

		/* Stop once the two ends no longer differ in w. */
		if (width * scale_direction <=
		    DBL_EPSILON * (scale_w + fmax(lo.step, hi.step) * scale_direction))
			break;
		trial = evaluate_at(s, f, w, zoom_trial(&lo, &hi));
		evaluations++;
		any_finite |= trial.finite;
		if (overshoots(&trial, &start, &lo)) {
			hi = trial;
			continue;
		}
		if (flat_enough(&trial, &start)) {
			keep_trial(s, &lo, &trial);
			*best = lo;
			return SEARCH_WOLFE;
		}
		if (trial.slope * (hi.step - lo.step) >= 0)
			hi = lo;
		keep_trial(s, &lo, &trial);
	}

out_of_evaluations:
	*best = lo;
	if (lo.step > 0)
		return SEARCH_DECREASE;
	if (!any_finite)
		return SEARCH_NONFINITE;
	/* The bracket shrank to nothing, or the evaluations ran out while it was still wide. */
	return evaluations < MAX_EVALUATIONS ? SEARCH_FLAT : SEARCH_FAILED;
}

/* Remember the pair (best_w - w, best_grad - grad) unless its curvature is too small. */
static void lbfgs_remember(struct optim_lbfgs_state *s, const double *w, const double *grad)
{
	size_t n = s->n;
	double curvature = 0;
	int slot;
	double *step, *change;

	for (size_t i = 0; i < n; i++)
		curvature += (s->best_w[i] - w[i]) * (s->best_grad[i] - grad[i]);
	if (!(curvature > CURVATURE_MINIMUM))
		return;
	slot = (s->newest + 1) % s->history;
	step = s->steps + (size_t)slot * n;
	change = s->grad_changes + (size_t)slot * n;
	for (size_t i = 0; i < n; i++) {
		step[i] = s->best_w[i] - w[i];
		change[i] = s->best_grad[i] - grad[i];
	}
	s->inverse_curvature[slot] = 1 / curvature;
	s->newest = slot;
	if (s->pairs < s->history)
		s->pairs++;
}

int optim_lbfgs_iterate(void *state, const struct optim_objective *f, double lr, double *w,
			double *value, double *grad)
{
	struct optim_lbfgs_state *s = state;
	size_t n = s->n;

	if (!isfinite(*value) || !all_finite(grad, n))
		return OPTIM_ITERATE_NONFINITE;
	if (max_abs(grad, n) <= GRADIENT_TOLERANCE)
		return OPTIM_ITERATE_CONVERGED;

	/*
	 * Two attempts: the quasi-Newton direction, and if its line search
	 * finds no decrease, steepest descent with the memory cleared.
	 */
	for (;;) {
		struct line_point best;
		enum search_outcome outcome;
		double slope0, first_step, old_value, w_change;

		if (s->pairs > 0)
			lbfgs_direction(s, grad);
		slope0 = s->pairs > 0 ? dot(grad, s->direction, n) : NAN;
		if (!(slope0 < 0 && isfinite(slope0))) {
			/* No memory, or rounding has cost descent: start afresh. */
			s->pairs = 0;
			for (size_t i = 0; i < n; i++)
				s->direction[i] = -grad[i];
			slope0 = -dot(grad, grad, n);
		}

		/*
		 * Without curvature information d = -g carries the gradient's
		 * units; shrink the first trial as PyTorch does.
		 */
		first_step = lr;
		if (s->pairs == 0) {
			double norm1 = 0;

			for (size_t i = 0; i < n; i++)
				norm1 += fabs(grad[i]);
			first_step = lr * fmin(1, 1 / norm1);
		}

		outcome = line_search(s, f, w, *value, slope0, first_step, &best);
		if (outcome == SEARCH_NONFINITE)
			return OPTIM_ITERATE_NONFINITE;
		if (outcome == SEARCH_FLAT || outcome == SEARCH_FAILED) {
			/*
			 * Steepest descent that cannot go lower within rounding has
			 * converged; one that ran out of evaluations has not moved,
			 * and calling that converged would hide a step size far too
			 * large (issue 10).
			 */
			if (s->pairs == 0)
				return outcome == SEARCH_FLAT ? OPTIM_ITERATE_CONVERGED
							      : OPTIM_ITERATE_SEARCH_FAILED;
			s->pairs = 0;
			continue;
		}

		lbfgs_remember(s, w, grad);
		w_change = 0;
		for (size_t i = 0; i < n; i++)
			w_change = fmax(w_change, fabs(s->best_w[i] - w[i]));
		old_value = *value;
		memcpy(w, s->best_w, n * sizeof *w);
		memcpy(grad, s->best_grad, n * sizeof *grad);
		*value = best.value;

		if (max_abs(grad, n) <= GRADIENT_TOLERANCE ||
		    fabs(old_value - *value) <= CHANGE_TOLERANCE * fabs(old_value) ||
		    w_change <= CHANGE_TOLERANCE * max_abs(w, n))
			return OPTIM_ITERATE_CONVERGED;
		return OPTIM_ITERATE_PROGRESS;
	}
}

/*
 * The state for --save-state: the number of pairs P, then each pair from
 * the oldest: 1/(y.s), s[n], y[n].  1 + P (2n + 1) doubles.  The line
 * search's scratch is not state; w, f(w) and its gradient are the caller's.
 */
size_t optim_lbfgs_state_size(const void *state)
{
	const struct optim_lbfgs_state *s = state;

	return 1 + (size_t)s->pairs * (2 * s->n + 1);
}

void optim_lbfgs_state_get(const void *state, double *values)
{
	const struct optim_lbfgs_state *s = state;
	size_t n = s->n;
	int slot = (s->newest + s->history - s->pairs + 1) % s->history;       /* the oldest */

	*values++ = (double)s->pairs;
	for (int k = 0; k < s->pairs; k++, slot = (slot + 1) % s->history) {
		*values++ = s->inverse_curvature[slot];
		memcpy(values, s->steps + (size_t)slot * n, n * sizeof *values);
		values += n;
		memcpy(values, s->grad_changes + (size_t)slot * n, n * sizeof *values);
		values += n;
	}
}

/* A smaller --history keeps the newest pairs. */
int optim_lbfgs_state_set(void *state, const double *values, size_t count)
{
	struct optim_lbfgs_state *s = state;
	size_t n = s->n, per_pair = 2 * n + 1;

	if (count < 1 || !(values[0] >= 0) || values[0] != floor(values[0]) ||
	    (count - 1) % per_pair != 0 || values[0] != (double)((count - 1) / per_pair))
		return -1;
	for (size_t i = 1; i < count; i++)
		if (!isfinite(values[i]) || ((i - 1) % per_pair == 0 && !(values[i] > 0)))
			return -1;
	size_t pairs = (count - 1) / per_pair, skip = 0;
	if (pairs > (size_t)s->history) {
		skip = pairs - (size_t)s->history;
		pairs = (size_t)s->history;
	}
	values += 1 + skip * per_pair;
	for (size_t slot = 0; slot < pairs; slot++) {
		s->inverse_curvature[slot] = *values++;
		memcpy(s->steps + slot * n, values, n * sizeof *values);
		values += n;
		memcpy(s->grad_changes + slot * n, values, n * sizeof *values);
		values += n;
	}
	s->pairs = (int)pairs;
	s->newest = pairs ? (int)pairs - 1 : 0;
	return 0;
}

const struct optimizer optim_lbfgs = {
	.name = "lbfgs",
	.summary = "L-BFGS, full batch, strong-Wolfe line search; memory --history",
	.uses = OPTIM_USES_HISTORY,
	.defaults = {
		.lr = 1.0, .momentum = 0.9, .rho = 0.9,
		.beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
		.weight_decay = 0, .history = 10,
	},
	.state_arrays = 0,
	.decoupled_weight_decay = 0,
	.step = NULL,
	.create = optim_lbfgs_create,
	.iterate = optim_lbfgs_iterate,
	.destroy = optim_lbfgs_destroy,
	.state_size = optim_lbfgs_state_size,
	.state_get = optim_lbfgs_state_get,
	.state_set = optim_lbfgs_state_set,
};
