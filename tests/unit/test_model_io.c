/* test_model_io.c - model records round trip bit-exact; the reader skips
 * what is not a model record and refuses broken models; save is atomic. */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_io.h"

static char *names[3] = { "plain", "with,comma", " spaced \"quoted\"" };
static char *labels[2] = { "benign", "malignant, \"very\"" };

/* A logistic model with awkward names and weights that need 17 digits. */
static void make_model(struct model *m)
{
	double x[3] = { 0 }, y[1] = { 0 };
	struct dataset d = { .rows = 1, .features = 3, .x = x, .y = y, .feature_names = names,
			     .target_name = "diagnosis", .n_classes = 2, .class_labels = labels };
	struct error err;

	ck_assert_int_eq(model_init(m, model_kind_find("logistic"), &d, &err), 0);
	m->params[0] = 0.1;
	m->params[1] = -1.0 / 3.0;
	m->params[2] = 1e-300;
	m->params[3] = nextafter(2.0, 3.0);
	m->feature_mean[1] = acos(-1.0);
	m->feature_scale[2] = 1.0 / 7.0;
}

static struct model read_back(const char *text, int *status, struct error *err)
{
	struct model m;
	FILE *in = fmemopen((void *)text, strlen(text), "r");

	*status = model_read(in, "model.csv", &m, err);
	fclose(in);
	return m;
}

START_TEST(test_round_trip_is_bit_exact)
{
	struct model m, back;
	struct error err;
	char *text = NULL;
	size_t size = 0;
	int status;

	make_model(&m);
	FILE *out = open_memstream(&text, &size);
	model_write(out, &m);
	fclose(out);
	back = read_back(text, &status, &err);
	ck_assert_msg(status == 0, "%s", err.message);
	ck_assert_ptr_eq(back.kind, m.kind);
	ck_assert_uint_eq(back.n_params, m.n_params);
	ck_assert_int_eq(memcmp(back.params, m.params, m.n_params * sizeof *m.params), 0);
	ck_assert_int_eq(memcmp(back.feature_mean, m.feature_mean, 3 * sizeof(double)), 0);
	ck_assert_int_eq(memcmp(back.feature_scale, m.feature_scale, 3 * sizeof(double)), 0);
	for (int j = 0; j < 3; j++)
		ck_assert_str_eq(back.feature_names[j], names[j]);
	ck_assert_str_eq(back.class_labels[1], labels[1]);
	ck_assert_str_eq(back.target_name, "diagnosis");
	model_free(&back);
	model_free(&m);
	free(text);
}
END_TEST

START_TEST(test_whole_stdout_is_a_model_file)
{
	const char *text =
		"# descent 0.1.0: --model linear\n"
		"# kind,epoch,train_loss,val_loss,accuracy,lr,seconds\n"
		"epoch,0,1.5,,,0.01,0.000001\n"
		"epoch,1,0.5,,,0.01,0.000002\n"
		"status,completed,1\n"
		"model,linear\n"
		"layers,2,1\n"
		"target,y\n"
		"feature,1,a,0,1\n"
		"feature,2,b,0.5,2\n"
		"weight,1,1,1,0.25\n"
		"weight,1,1,2,-0.75\n"
		"bias,1,1,3\n";
	struct error err;
	int status;
	struct model m = read_back(text, &status, &err);

	ck_assert_msg(status == 0, "%s", err.message);
	ck_assert_str_eq(m.kind->name, "linear");
	ck_assert(m.params[1] == -0.75 && m.params[2] == 3.0);
	ck_assert(m.feature_scale[1] == 2.0);
	model_free(&m);
}
END_TEST

static void expect_refusal(const char *text, const char *fragment)
{
	struct error err;
	int status;

	read_back(text, &status, &err);
	ck_assert_int_eq(status, -1);
	ck_assert_int_eq(err.status, EXIT_DATA);
	ck_assert_msg(strstr(err.message, fragment) != NULL, "message '%s' lacks '%s'",
		      err.message, fragment);
}

START_TEST(test_refusals)
{
	expect_refusal("epoch,0,1,,,0.1,0\n", "no model records");
	expect_refusal("model,perceptron\n", "model.csv:1: unknown model kind 'perceptron'");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,1\nweight,1,1,1,2\n",
		       "incomplete model");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,1\nbias,1,1,2\nweight,1,1,1,2\n",
		       "model.csv:4: parameter out of order");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,1\nweight,1,1,1,nan\nbias,1,1,0\n",
		       "model.csv:4: bad parameter value");
	expect_refusal("model,linear\nlayers,1,1\nfeature,1,a,0,0\nweight,1,1,1,1\nbias,1,1,0\n",
		       "model.csv:3: bad statistics");
	expect_refusal("model,linear\nmodel,linear\n", "second model");
	expect_refusal("model,linear\nlayers,1,\"1\n", "unterminated quoted field");
}
END_TEST

START_TEST(test_save_is_atomic)
{
	char directory[] = "/tmp/descent-save-XXXXXX";
	char path[128];
	struct model m, back;
	struct error err;

	ck_assert_ptr_nonnull(mkdtemp(directory));
	snprintf(path, sizeof path, "%s/model.csv", directory);
	make_model(&m);
	ck_assert_int_eq(model_save(path, &m, "completed", 3, &err), 0);
	ck_assert_int_eq(model_load(path, &back, &err), 0);
	ck_assert_int_eq(memcmp(back.params, m.params, m.n_params * sizeof *m.params), 0);
	model_free(&back);
	/* Only the final file remains: no temporary beside it. */
	DIR *dir = opendir(directory);
	struct dirent *entry;
	int files = 0;
	while ((entry = readdir(dir)) != NULL)
		if (entry->d_name[0] != '.' || strncmp(entry->d_name, ".descent-", 9) == 0)
			files++;
	closedir(dir);
	ck_assert_int_eq(files, 1);
	unlink(path);
	rmdir(directory);
	/* An unwritable place is an I/O error, not a crash. */
	ck_assert_int_eq(model_save("/nonexistent-dir/model.csv", &m, "completed", 3, &err), -1);
	ck_assert_int_eq(err.status, EXIT_IO);
	ck_assert_int_eq(model_load("/nonexistent-dir/model.csv", &back, &err), -1);
	ck_assert_int_eq(err.status, EXIT_NOINPUT);
	model_free(&m);
}
END_TEST

static Suite *model_io_suite(void)
{
	Suite *s = suite_create("model_io");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip_is_bit_exact);
	tcase_add_test(tc, test_whole_stdout_is_a_model_file);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_save_is_atomic);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(model_io_suite)
