/* Timestamps as records and `show` print them, before 1970 too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/timefmt.h"

static void test_rfc3339(void **state)
{
	char b[TIMEFMT_LEN];

	(void)state;
	timefmt_rfc3339(b, sizeof(b), 1254722769614123456LL);
	assert_string_equal(b, "2009-10-05T06:06:09.614123Z");
	timefmt_rfc3339(b, sizeof(b), -250 * NS_PER_MS);
	assert_string_equal(b, "1969-12-31T23:59:59.750000Z");
}

static void test_clock(void **state)
{
	char b[TIMEFMT_CLOCK_LEN];

	(void)state;
	assert_int_equal(timefmt_clock(b, sizeof(b), 1254722769614123456LL),
			 12);
	assert_string_equal(b, "06:06:09.614");
	timefmt_clock(b, sizeof(b), 0);
	assert_string_equal(b, "00:00:00.000");
	/* before 1970: no negative milliseconds */
	timefmt_clock(b, sizeof(b), -250 * NS_PER_MS);
	assert_string_equal(b, "23:59:59.750");
	timefmt_clock(b, sizeof(b), -NS_PER_SEC - 1);
	assert_string_equal(b, "23:59:58.999");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
