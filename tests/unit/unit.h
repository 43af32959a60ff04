/* unit.h - what every Check test binary shares: run one suite, exit 0
 * only when every test passed.  Each test file defines its suite and ends
 * with UNIT_MAIN(its_suite). */
#ifndef DESCENT_UNIT_H
#define DESCENT_UNIT_H

#include <check.h>
#include <stdlib.h>

static inline int unit_run(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#define UNIT_MAIN(make_suite) \
	int main(void) \
	{ \
		return unit_run(make_suite()); \
	}

#endif
