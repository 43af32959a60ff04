/* head.h - output heads: what a network's outputs mean and their loss.
 *
 * A head (--model linear, logistic, softmax) says how many outputs the
 * network needs, the loss of a batch of outputs against its targets and
 * the gradient of that loss with respect to the outputs, and how outputs
 * become class probabilities and a predicted class.  Each head is one file
 * (head_NAME.c) and one line in the table in head.c.
 */
#ifndef DESCENT_HEAD_H
#define DESCENT_HEAD_H

#include <stddef.h>

struct head {
	const char *name;
	const char *summary;    /* one line for --help */
	int classifier;         /* targets are class labels */
	int max_classes;        /* 0 = no limit (classifiers only) */
	const char *too_many_classes_hint;
	/* Outputs of the network for a data set with n_classes classes. */
	size_t (*outputs)(size_t n_classes);
	/*
	 * The sum over the batch of the loss of outputs z[batch x outputs]
	 * against targets y[batch] (values, or class indices for
	 * classifiers).  When dz is not NULL, dz[batch x outputs] receives
	 * d loss_b / d z_b for each row b (not divided by the batch size).
	 */
	double (*loss)(const double *z, const double *y, size_t batch, size_t outputs,
		       double *dz);
	/*
	 * The gradient alone (optional; NULL means use loss): dz as loss
	 * fills it, bit for bit, without the loss.  Returns 1 when every
	 * row's loss is certainly below HEAD_LOSS_BOUND (so that the sum
	 * of any practical number of them is finite), 0 when it cannot
	 * tell cheaply: the caller then computes the loss.
	 */
	int (*gradient)(const double *z, const double *y, size_t batch, size_t outputs,
			double *dz);
	/*
	 * The second derivative of each row's loss with respect to its
	 * outputs applied to rz[batch x outputs] (exact Hessian-vector
	 * products, hessian.h): hrz_b = (d^2 loss_b / d z_b^2) rz_b.
	 */
	void (*loss_hessian)(const double *z, const double *y, size_t batch, size_t outputs,
			     const double *rz, double *hrz);
	/* Class probabilities p[n_classes] of one row's outputs (classifiers). */
	void (*probabilities)(const double *z, double *p, size_t n_classes);
	/*
	 * Optional: the class head_predict_class would pick from the
	 * probabilities, found without them when that is certain; SIZE_MAX
	 * when it is not (the probabilities then decide).
	 */
	size_t (*obvious_class)(const double *z, size_t n_classes);
};

/* The per-row loss bound of head.gradient's answer. */
#define HEAD_LOSS_BOUND 1e290

/* The registry, NULL-terminated, in --help order. */
extern const struct head *const heads[];
const struct head *head_find(const char *name);

/*
 * The predicted class of one row's outputs z: the most probable one (the
 * first on ties).  p is scratch for n_classes probabilities.
 */
size_t head_predict_class(const struct head *head, const double *z, size_t n_classes,
			  double *p);

#endif
