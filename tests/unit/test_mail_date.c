/*
 * Dates (src/mail/date.c): the RFC 5322 Appendix A dates, the section 4.3
 * obsolete forms, the broken forms real mail carries, every range check,
 * and the calendar against glibc's timegm() (UTC, so no TZ involved) for
 * every day from 1900 to 2100 written with its true day name. Values are
 * parsed from exact-size heap copies, and every golden value is also
 * parsed cut at every length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mail/date.h"

#define F(x) MAIL_DATE_F_##x

struct result {
	bool ok;
	int64_t t;
	int tz;
	uint32_t fl;
};

static struct result parse_n(const char *s, size_t n)
{
	char *copy = malloc(n ? n : 1);
	struct result r;

	assert_non_null(copy);
	memcpy(copy, s, n);
	r.ok = mail_date_parse(copy, n, &r.t, &r.tz, &r.fl);
	free(copy);
	for (int i = 0; i < 32; i++)
		if (r.fl & (1u << i))
			assert_non_null(mail_date_flag_name(1u << i));
	if (r.ok) {
		/* years 1900..9999, zones within a day */
		assert_true(r.t >= -2208988800LL - 86400);
		assert_true(r.t <= 253402300800LL + 86400);
		assert_true(r.tz > -24 * 60 && r.tz < 24 * 60);
		assert_false(r.fl & F(OUT_OF_RANGE));
	} else {
		assert_int_equal(r.t, 0);
		assert_int_equal(r.tz, 0);
	}
	return r;
}

static void show_flags(const char *what, uint32_t f)
{
	fprintf(stderr, "%s:", what);
	for (int i = 0; i < 32; i++)
		if (f & (1u << i))
			fprintf(stderr, " %s", mail_date_flag_name(1u << i));
	fprintf(stderr, "\n");
}

static void expect(const char *s, int64_t t, int tz, uint32_t fl)
{
	struct result r = parse_n(s, strlen(s));

	if (!r.ok || r.t != t || r.tz != tz || r.fl != fl) {
		fprintf(stderr, "\"%s\": got %d %lld %d, want %lld %d\n", s,
			r.ok, (long long)r.t, r.tz, (long long)t, tz);
		show_flags("got", r.fl);
		show_flags("want", fl);
		fail();
	}
}

/* Not a date; fl: the flags that must be set. */
static void reject(const char *s, uint32_t fl)
{
	struct result r = parse_n(s, strlen(s));

	if (r.ok || (r.fl & fl) != fl) {
		fprintf(stderr, "\"%s\": read as %lld\n", s, (long long)r.t);
		show_flags("got", r.fl);
		fail();
	}
}

static void test_rfc5322_appendix_a(void **state)
{
	(void)state;
	expect("Fri, 21 Nov 1997 09:55:06 -0600", 880127706, -360, 0);
	expect("Tue, 1 Jul 2003 10:52:37 +0200", 1057049557, 120, 0);
	expect("Thu, 13 Feb 1969 23:32:54 -0330", -27723426, -210, 0);
	expect("Fri, 21 Nov 1997 10:01:10 -0600", 880128070, -360, 0);
	expect("Fri, 21 Nov 1997 11:00:00 -0600", 880131600, -360, 0);
	expect("Mon, 24 Nov 1997 14:22:01 -0800", 880410121, -480, 0);
	/* A.4, the dates of two Received fields (no day name) */
	expect(" 21 Nov 1997 10:05:43 -0600", 880128343, -360, 0);
	expect("21 Nov 1997 10:01:22 -0600", 880128082, -360, 0);
	/* A.5, unfolded: FWS everywhere, no seconds, a comment after */
	expect("Thu,      13        Feb          1969      23:32"
	       "               -0330 (Newfoundland Time)",
	       -27723480, -210, 0);
	/* A.6.2 */
	expect("21 Nov 97 09:55:06 GMT", 880106106, 0,
	       F(OBSOLETE) | F(NAMED_ZONE));
	/* A.6.3 */
	expect("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", 880127706,
	       -360, F(OBSOLETE));
}

static void test_obsolete_years(void **state)
{
	(void)state;
	expect("1 Jan 49 00:00 +0000", 2493072000LL, 0, F(OBSOLETE));
	expect("1 Jan 50 00:00 +0000", -631152000LL, 0, F(OBSOLETE));
	expect("1 Jan 00 00:00 +0000", 946684800LL, 0, F(OBSOLETE));
	/* three digits: 1900 + */
	expect("1 Jan 100 00:00 +0000", 946684800LL, 0, F(OBSOLETE));
	expect("1 Jan 999 00:00 +0000", 29316470400LL, 0, F(OBSOLETE));
	/* one digit: read as two, and odd */
	expect("1 Jan 0 00:00 +0000", 946684800LL, 0,
	       F(OBSOLETE) | F(SYNTAX));
	/* CFWS between every token */
	expect("(c) Tue (c) , (c) 5 (c) Mar (c) 2024 (c) 10 (c) : (c) 00 "
	       "(c) +0000 (c)",
	       1709632800, 0, F(OBSOLETE));
	expect("Tue ,5 Mar 2024 10:00:00 +0000", 1709632800, 0, F(OBSOLETE));
}

static void test_zones(void **state)
{
	static const struct {
		const char *name;
		int tz;
	} named[] = {
		{"UT", 0},          {"GMT", 0},         {"UTC", 0},
		{"EST", -5 * 60},   {"EDT", -4 * 60},   {"CST", -6 * 60},
		{"CDT", -5 * 60},   {"MST", -7 * 60},   {"MDT", -6 * 60},
		{"PST", -8 * 60},   {"PDT", -7 * 60},   {"gmt", 0},
		{"pDt", -7 * 60},
	};
	char v[64];

	(void)state;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		snprintf(v, sizeof(v), "Tue, 5 Mar 2024 10:00:00 %s",
			 named[i].name);
		expect(v, 1709632800 - named[i].tz * 60, named[i].tz,
		       F(OBSOLETE) | F(NAMED_ZONE));
	}
	/* military letters: -0000, whatever RFC 822 meant */
	for (char c = 'A'; c <= 'Z'; c++) {
		snprintf(v, sizeof(v), "Tue, 5 Mar 2024 10:00:00 %c", c);
		expect(v, 1709632800, 0,
		       F(OBSOLETE) | (c == 'J' ? F(UNKNOWN_ZONE)
					       : F(MILITARY_ZONE)));
	}
	expect("Tue, 5 Mar 2024 10:00:00 z", 1709632800, 0,
	       F(OBSOLETE) | F(MILITARY_ZONE));
	/* other names: -0000 too */
	expect("Tue, 5 Mar 2024 10:00:00 CET", 1709632800, 0,
	       F(OBSOLETE) | F(UNKNOWN_ZONE));
	expect("Tue, 5 Mar 2024 10:00:00 AEDT", 1709632800, 0,
	       F(OBSOLETE) | F(UNKNOWN_ZONE));
	/* a word too long to be a zone: no zone, and trailing text */
	expect("Tue, 5 Mar 2024 10:00:00 Europe", 1709632800, 0,
	       F(NO_ZONE) | F(TRAILING));
	/* numeric */
	expect("Tue, 5 Mar 2024 10:00:00 +0100", 1709629200, 60, 0);
	expect("Tue, 5 Mar 2024 10:00:00 -0530", 1709652600, -330, 0);
	expect("Tue, 5 Mar 2024 10:00:00 -0000", 1709632800, 0, 0);
	expect("Tue, 5 Mar 2024 10:00:00 +2359", 1709632800 - 1439 * 60,
	       1439, 0);
	expect("Tue, 5 Mar 2024 10:00:00 +0100 (CET)", 1709629200, 60, 0);
	expect("Tue, 5 Mar 2024 10:00:00 +0000 GMT", 1709632800, 0,
	       F(TRAILING));
	expect("Tue, 5 Mar 2024 10:00:00 +01", 1709629200, 60, F(SYNTAX));
	expect("Tue, 5 Mar 2024 10:00:00 +01:00", 1709629200, 60, F(SYNTAX));
	expect("Tue, 5 Mar 2024 10:00:00 +100", 1709629200, 60, F(SYNTAX));
	expect("Tue, 5 Mar 2024 10:00:00 GMT+0100", 1709629200, 60,
	       F(OBSOLETE) | F(NAMED_ZONE) | F(SYNTAX));
	expect("Tue, 5 Mar 2024 10:00:00 UTC-05:00", 1709650800, -300,
	       F(OBSOLETE) | F(NAMED_ZONE) | F(SYNTAX));
	/* no zone: UTC */
	expect("Tue, 5 Mar 2024 10:00:00", 1709632800, 0, F(NO_ZONE));
	expect("Tue, 5 Mar 2024 10:00:00 +01000", 1709632800, 0,
	       F(NO_ZONE) | F(TRAILING));
	reject("Tue, 5 Mar 2024 10:00:00 +2400", F(OUT_OF_RANGE));
	reject("Tue, 5 Mar 2024 10:00:00 +0160", F(OUT_OF_RANGE));
}

static void test_broken_forms(void **state)
{
	(void)state;
	/* ISO 8601 */
	expect("2024-03-05T10:00:00Z", 1709632800, 0, F(ISO8601));
	expect("2024-03-05t10:00z", 1709632800, 0, F(ISO8601));
	expect("2024-03-05T10:00:00+01:00", 1709629200, 60, F(ISO8601));
	expect("2024-03-05T10:00:00.123-0530", 1709652600, -330, F(ISO8601));
	expect("2024-03-05 10:00:00 +0100", 1709629200, 60, F(ISO8601));
	expect("2024-3-5T10:00:00Z", 1709632800, 0, F(ISO8601));
	expect("2024-03-05T10:00:00", 1709632800, 0, F(ISO8601) | F(NO_ZONE));
	reject("2024-03-05", F(ISO8601));
	reject("2024-13-05T10:00:00Z", F(ISO8601) | F(OUT_OF_RANGE));
	/* asctime, and date(1) */
	expect("Tue Mar  5 10:00:00 2024", 1709632800, 0,
	       F(ASCTIME) | F(NO_ZONE));
	expect("Mar 5 10:00:00 2024", 1709632800, 0, F(ASCTIME) | F(NO_ZONE));
	expect("Tue Mar 05 10:00:00 CET 2024", 1709632800, 0,
	       F(ASCTIME) | F(OBSOLETE) | F(UNKNOWN_ZONE));
	expect("Tue Mar 5 10:00:00 2024 +0100", 1709629200, 60, F(ASCTIME));
	expect("Tue, Mar 5 10:00:00 2024 -0500", 1709650800, -300, F(ASCTIME));
	/* names: any case, full, abbreviated otherwise */
	expect("tue, 05 MAR 2024 10:00:00 +0000", 1709632800, 0, 0);
	expect("Tuesday, 5 March 2024 10:00:00 +0000", 1709632800, 0,
	       F(SYNTAX));
	expect("Tues, 5 Mar 2024 10:00:00 +0000", 1709632800, 0, F(SYNTAX));
	expect("Tue, 5 Sept 2024 10:00:00 +0000", 1725530400, 0,
	       F(SYNTAX) | F(BAD_WEEKDAY));
	/* separators */
	expect("Tue 5 Mar 2024 10:00:00 +0000", 1709632800, 0, F(SYNTAX));
	expect("05-Mar-2024 10:00:00 +0000", 1709632800, 0, F(SYNTAX));
	expect("5/Mar/2024 10:00:00 +0000", 1709632800, 0, F(SYNTAX));
	expect("Tue, 5 Mar 2024 10:00:00.25 +0000", 1709632800, 0, F(SYNTAX));
	expect("Tue, 5 Mar 2024 10:0:00 +0000", 1709632800, 0, F(SYNTAX));
	/* white space left by a bad unfolding */
	expect("Tue,\r\n 5 Mar 2024\t10:00:00\r\n +0000", 1709632800, 0, 0);
	/* day name that is not the date's */
	expect("Wed, 5 Mar 2024 10:00:00 +0000", 1709632800, 0,
	       F(BAD_WEEKDAY));
	/* a leap second */
	expect("Sat, 31 Dec 2016 23:59:60 +0000", 1483228800, 0, 0);
}

static void test_ranges(void **state)
{
	(void)state;
	expect("29 Feb 2024 12:00:00 +0000", 1709208000, 0, 0);
	expect("29 Feb 2000 00:00:00 +0000", 951782400, 0, 0);
	reject("29 Feb 2023 12:00:00 +0000", F(OUT_OF_RANGE));
	reject("29 Feb 1900 12:00:00 +0000", F(OUT_OF_RANGE));
	reject("30 Feb 2024 12:00:00 +0000", F(OUT_OF_RANGE));
	reject("31 Apr 2024 12:00:00 +0000", F(OUT_OF_RANGE));
	reject("0 Jan 2024 12:00:00 +0000", F(OUT_OF_RANGE));
	reject("32 Jan 2024 12:00:00 +0000", F(OUT_OF_RANGE));
	reject("001 Jan 2024 12:00:00 +0000", F(OUT_OF_RANGE));
	reject("1 Jan 2024 24:00:00 +0000", F(OUT_OF_RANGE));
	reject("1 Jan 2024 23:60:00 +0000", F(OUT_OF_RANGE));
	reject("1 Jan 2024 23:59:61 +0000", F(OUT_OF_RANGE));
	reject("1 Jan 2024 123:00:00 +0000", F(OUT_OF_RANGE));
	expect("1 Jan 1900 00:00:00 +0000", -2208988800LL, 0, 0);
	reject("31 Dec 1899 23:59:59 +0000", F(OUT_OF_RANGE));
	expect("31 Dec 9999 23:59:59 +0000", 253402300799LL, 0, 0);
	reject("1 Jan 10000 00:00:00 +0000", F(OUT_OF_RANGE));
	reject("1 Jan 99999999999999999999 00:00:00 +0000", F(OUT_OF_RANGE));
	reject("1 Jan 2024 99999999999999999999:00:00 +0000", F(OUT_OF_RANGE));
}

static void test_not_dates(void **state)
{
	(void)state;
	reject("", 0);
	reject("   ", 0);
	reject("(just a comment)", 0);
	reject("garbage", 0);
	reject("Tue,", 0);
	reject("Tue, 5", 0);
	reject("5 Foo 2024 10:00:00 +0000", 0);
	reject("5 Mar 2024", 0);
	reject("5 Mar 2024 10 +0000", 0);
	reject("5 Mar 2024 10: +0000", 0);
	reject("5 Mar 2024 10:00: +0000", 0);
	reject("Tue Mar 5 2024", F(ASCTIME));
	reject("05/03/2024 10:00", 0);
	reject("1709632800", 0);
	assert_false(mail_date_parse(NULL, 0, NULL, NULL, NULL));
	/* NULL outputs are allowed */
	assert_true(mail_date_parse("5 Mar 2024 10:00 +0000", 22, NULL, NULL,
				    NULL));
}

/* Every day 1900-2100, written with its own day name and a zone that
 * changes with it, against timegm(). */
static void test_calendar_against_timegm(void **state)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec"};
	static const char *const day[] = {"Sun", "Mon", "Tue", "Wed",
					  "Thu", "Fri", "Sat"};
	struct tm tm = {.tm_year = 0, .tm_mon = 0, .tm_mday = 1};
	time_t t0 = timegm(&tm);
	char v[80];

	(void)state;
	for (time_t t = t0; t < t0 + (time_t)201 * 366 * 86400; t += 86400) {
		struct tm d;
		long k = (long)((t - t0) / 86400);
		int tz = (int)(k % 1439) - 719;
		int sec = (int)(k % 61);
		int64_t want;

		gmtime_r(&t, &d);
		if (d.tm_year > 200)
			break;
		snprintf(v, sizeof(v), "%s, %d %s %d %02d:%02d:%02d %c%02d%02d",
			 day[d.tm_wday], d.tm_mday, mon[d.tm_mon],
			 d.tm_year + 1900, 13, 37, sec, tz < 0 ? '-' : '+',
			 abs(tz) / 60, abs(tz) % 60);
		want = (int64_t)t + 13 * 3600 + 37 * 60 + sec -
		       (int64_t)tz * 60;
		expect(v, want, tz, 0);
	}
}

static const char *const golden[] = {
	"Thu,   13   Feb  1969   23:32      -0330 (Newfoundland Time)",
	"Fri, 21 Nov 1997 09(comment):   55  :  06 -0600",
	"2024-03-05T10:00:00.123-05:30",
	"Tue Mar 05 10:00:00 CET 2024",
	"Tue, 5 Mar 2024 10:00:00 GMT+0100 (x(y)\\)z)",
	"Tuesday 05-Mar-99 10:0:00.5 +01 trailing",
};

static void test_every_prefix(void **state)
{
	(void)state;
	for (size_t g = 0; g < sizeof(golden) / sizeof(golden[0]); g++)
		for (size_t k = 0; k <= strlen(golden[g]); k++)
			parse_n(golden[g], k);
}

static void test_hostile(void **state)
{
	enum { N = 100000 };
	char *v = malloc(N);
	char s[3];

	(void)state;
	assert_non_null(v);
	memset(v, '(', N);
	parse_n(v, N);
	memset(v, '9', N);
	parse_n(v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = "(\\"[i % 2];
	parse_n(v, N);
	memcpy(v, "5 Mar 2024 10:00 +0000 ", 23);
	memset(v + 23, '(', N - 23);
	assert_true(parse_n(v, N).fl & F(SYNTAX));
	free(v);
	for (int a = 0; a < 256; a++) {
		s[0] = (char)a;
		parse_n(s, 1);
		for (int b = 0; b < 256; b++) {
			s[1] = (char)b;
			parse_n(s, 2);
		}
	}
}

static void test_flag_names(void **state)
{
	const char *seen[32];
	int count = 0;

	(void)state;
	for (int i = 0; i < 32; i++) {
		const char *name = mail_date_flag_name(1u << i);

		if (!name)
			continue;
		for (int j = 0; j < count; j++)
			assert_string_not_equal(seen[j], name);
		seen[count++] = name;
	}
	assert_int_equal(count, 11);
	assert_string_equal(mail_date_flag_name(F(BAD_WEEKDAY)),
			    "bad_weekday");
	assert_null(mail_date_flag_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5322_appendix_a),
		cmocka_unit_test(test_obsolete_years),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_broken_forms),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_not_dates),
		cmocka_unit_test(test_calendar_against_timegm),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_flag_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
