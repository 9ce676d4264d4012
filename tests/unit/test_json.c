/* The JSON writer: structure, commas, escaping of untrusted bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"

static void test_structure(void **state)
{
	struct jw w;

	(void)state;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "a", "x");
	jw_ku64(&w, "n", 18446744073709551615ull);
	jw_key(&w, "list");
	jw_arr_begin(&w);
	jw_i64(&w, -5);
	jw_bool(&w, true);
	jw_null(&w);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_kobj(&w, "o");
	jw_kbool(&w, "f", false);
	jw_obj_end(&w);
	jw_obj_end(&w);
	assert_string_equal(jw_data(&w),
			    "{\"a\":\"x\",\"n\":18446744073709551615,"
			    "\"list\":[-5,true,null,{}],\"o\":{\"f\":false}}");
	jw_reset(&w);
	jw_arr_begin(&w);
	jw_arr_end(&w);
	assert_string_equal(jw_data(&w), "[]");
	jw_free(&w);
}

static void check(const void *in, size_t n, const char *want)
{
	struct jw w;

	jw_init(&w);
	jw_strn(&w, in, n);
	assert_string_equal(jw_data(&w), want);
	jw_free(&w);
}

static void test_escaping(void **state)
{
	(void)state;
	check("plain", 5, "\"plain\"");
	check("q\"b\\", 4, "\"q\\\"b\\\\\"");
	check("a\r\n\t\x01\x1f", 6, "\"a\\r\\n\\t\\u0001\\u001f\"");
	check("nul\0x", 5, "\"nul\\u0000x\"");
	check("\xc3\xa9t\xc3\xa9", 5, "\"\xc3\xa9t\xc3\xa9\"");   /* été */
	check("\xf0\x9f\x93\xa7", 4, "\"\xf0\x9f\x93\xa7\"");    /* emoji */
	/* bytes that are not UTF-8 come out as \xNN text */
	check("\xff", 1, "\"\\\\xff\"");
	check("a\xe9z", 3, "\"a\\\\xe9z\"");             /* latin-1 */
	check("\xc0\x80", 2, "\"\\\\xc0\\\\x80\"");      /* overlong NUL */
	check("\xed\xa0\x80", 3, "\"\\\\xed\\\\xa0\\\\x80\""); /* surrogate */
	check("\xf4\x90\x80\x80", 4,
	      "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");        /* > U+10FFFF */
	check("\xe2\x82", 2, "\"\\\\xe2\\\\x82\"");      /* cut short */
}

static void test_too_large_fails_cleanly(void **state)
{
	struct jw w;
	static char chunk[1 << 20];
	int i;

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	jw_init(&w);
	jw_arr_begin(&w);
	for (i = 0; i < 70 && !jw_failed(&w); i++)
		jw_strn(&w, chunk, sizeof(chunk));
	assert_true(jw_failed(&w));
	assert_true(jw_len(&w) <= JW_MAX_BYTES);
	jw_reset(&w);
	assert_false(jw_failed(&w));
	jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_too_large_fails_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
