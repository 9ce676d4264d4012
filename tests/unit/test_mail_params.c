/*
 * MIME header parameters (src/mail/params.c): the examples of RFC 2045,
 * RFC 2183 and RFC 2231 sections 3 and 4, then the file-name tricks a
 * security analyst must see through (name and filename disagreeing,
 * filename*= beside filename=, RFC 2047 in a file name, U+202E, NUL and
 * CR LF in a name), malformed syntax of every kind, and the caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/charset.h"
#include "mail/params.h"

#define FFFD "\xef\xbf\xbd"

static struct mail_params ps;

static void parse(const char *s)
{
	mail_params_parse(&ps, s, strlen(s));
}

/* The idx-th entry named name has value want (want_len bytes) and form. */
static void has(const char *name, unsigned idx, const char *want,
		size_t want_len, uint8_t form)
{
	const struct mail_param *p = mail_params_get(&ps, name, NULL);

	while (p && idx--)
		p = mail_params_get(&ps, name, p);
	if (!p) {
		fail_msg("no %s #%u", name, idx);
		return;
	}
	if (p->len != want_len || memcmp(p->value, want, want_len) != 0)
		fail_msg("%s: got \"%.*s\", want \"%s\"", name, (int)p->len,
			 p->value, want);
	assert_int_equal(p->value[p->len], '\0');
	assert_int_equal(p->form, form);
	if (strcmp(p->name, "boundary") != 0)
		assert_true(mail_utf8_valid((const uint8_t *)p->value,
					    p->len));
	assert_true(p->value >= ps.buf && p->value + p->len < ps.buf +
		    sizeof(ps.buf));
}

#define HAS(name, idx, want, form) has((name), (idx), (want), \
				       sizeof(want) - 1, (form))
#define FLAGS(f) assert_int_equal(ps.flags, (f))

/* ---- the RFC examples ----------------------------------------------- */

static void test_rfc2045_2183(void **state)
{
	(void)state;
	/* RFC 2045 5.1: all three the same, the comment ignored */
	parse("text/plain; charset=us-ascii (Plain text)");
	assert_string_equal(ps.value, "text/plain");
	assert_int_equal(ps.n, 1);
	HAS("charset", 0, "us-ascii", MAIL_PARAM_PLAIN);
	FLAGS(0);
	parse("text/plain; charset=\"us-ascii\"");
	HAS("charset", 0, "us-ascii", MAIL_PARAM_QUOTED);
	FLAGS(0);
	parse("Text/Plain; CHARSET=\"us-ascii\"");
	assert_string_equal(ps.value, "text/plain");
	HAS("charset", 0, "us-ascii", MAIL_PARAM_QUOTED);
	/* RFC 2183 section 2 */
	parse("attachment; filename=genome.jpeg;\r\n"
	      "  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";");
	assert_string_equal(ps.value, "attachment");
	assert_int_equal(ps.n, 2);
	HAS("filename", 0, "genome.jpeg", MAIL_PARAM_PLAIN);
	HAS("modification-date", 0, "Wed, 12 Feb 1997 16:29:51 -0500",
	    MAIL_PARAM_QUOTED);
	FLAGS(0);
	parse("multipart/mixed; boundary=\"----=_Part_0_12345.67890\"");
	assert_string_equal(ps.value, "multipart/mixed");
	HAS("boundary", 0, "----=_Part_0_12345.67890", MAIL_PARAM_QUOTED);
	FLAGS(0);
	/* a boundary is kept byte for byte, even when it looks encoded or
	 * is not UTF-8 */
	parse("multipart/mixed; boundary=\"=?utf-8?q?x?=\xff\"");
	has("boundary", 0, "=?utf-8?q?x?=\xff", 14, MAIL_PARAM_QUOTED);
	FLAGS(MAIL_PARAMS_F_RAW_8BIT);
	parse("inline");
	assert_string_equal(ps.value, "inline");
	assert_int_equal(ps.n, 0);
	FLAGS(0);
}

static void test_rfc2231(void **state)
{
	(void)state;
	/* section 3: continuations */
	parse("message/external-body; access-type=URL;\r\n"
	      " URL*0=\"ftp://\";\r\n"
	      " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
	assert_string_equal(ps.value, "message/external-body");
	assert_int_equal(ps.n, 2);
	HAS("access-type", 0, "URL", MAIL_PARAM_PLAIN);
	HAS("url", 0, "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar",
	    MAIL_PARAM_RFC2231_CONT);
	FLAGS(0);
	/* section 4: charset and language */
	parse("application/x-stuff;\r\n"
	      " title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
	HAS("title", 0, "This is ***fun***", MAIL_PARAM_RFC2231);
	FLAGS(0);
	/* section 4.1: both at once, a quoted section among them */
	parse("application/x-stuff;\r\n"
	      " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
	      " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
	      " title*2=\"isn't it!\"");
	assert_int_equal(ps.n, 1);
	HAS("title", 0, "This is even more ***fun*** isn't it!",
	    MAIL_PARAM_RFC2231_CONT);
	FLAGS(0);
	/* a charset, a language left empty */
	parse("attachment; filename*=iso-8859-1''caf%E9.txt");
	HAS("filename", 0, "caf\xc3\xa9.txt", MAIL_PARAM_RFC2231);
	FLAGS(0);
	parse("attachment; filename*=''plain.txt");
	HAS("filename", 0, "plain.txt", MAIL_PARAM_RFC2231);
	FLAGS(0);
	parse("attachment; filename*0*=UTF-8''%D1%84%D0%B0; "
	      "filename*1*=%D0%B9%D0%BB.pdf");
	HAS("filename", 0, "\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.pdf",
	    MAIL_PARAM_RFC2231_CONT);
	FLAGS(0);
	/* a character split between two sections comes out whole */
	parse("attachment; filename*0*=UTF-8''%D1; filename*1*=%84");
	HAS("filename", 0, "\xd1\x84", MAIL_PARAM_RFC2231_CONT);
	FLAGS(0);
}

static void test_rfc2231_damaged(void **state)
{
	(void)state;
	/* out of order: sorted */
	parse("a; name*1=\"b\"; name*2=\"c\"; name*0=\"a\"");
	HAS("name", 0, "abc", MAIL_PARAM_RFC2231_CONT);
	FLAGS(MAIL_PARAMS_F_2231_ORDER);
	/* a hole */
	parse("a; name*0=\"a\"; name*2=\"c\"");
	HAS("name", 0, "ac", MAIL_PARAM_RFC2231_CONT);
	FLAGS(MAIL_PARAMS_F_2231_MISSING);
	parse("a; name*1=\"b\"");
	HAS("name", 0, "b", MAIL_PARAM_RFC2231_CONT);
	FLAGS(MAIL_PARAMS_F_2231_MISSING);
	/* a section twice: the first wins */
	parse("a; name*0=\"a\"; name*0=\"x\"; name*1=\"b\"");
	HAS("name", 0, "ab", MAIL_PARAM_RFC2231_CONT);
	FLAGS(MAIL_PARAMS_F_2231_DUP);
	/* sections interleaved with another parameter */
	parse("a; name*0=\"a\"; size=3; NAME*1=\"b\"");
	assert_int_equal(ps.n, 2);
	assert_string_equal(ps.p[0].name, "name");
	assert_string_equal(ps.p[1].name, "size");
	HAS("name", 0, "ab", MAIL_PARAM_RFC2231_CONT);
	FLAGS(0);
	/* a charset on a later section is no charset */
	parse("a; name*0*=utf-8''a; name*1*=utf-8''b");
	HAS("name", 0, "autf-8''b", MAIL_PARAM_RFC2231_CONT);
	FLAGS(MAIL_PARAMS_F_2231_BAD);
	/* extended value without charset'lang' */
	parse("a; filename*=a%20b");
	HAS("filename", 0, "a b", MAIL_PARAM_RFC2231);
	FLAGS(MAIL_PARAMS_F_2231_BAD);
	/* bad escapes are kept */
	parse("a; filename*=utf-8''a%zz%4");
	HAS("filename", 0, "a%zz%4", MAIL_PARAM_RFC2231);
	FLAGS(MAIL_PARAMS_F_2231_BAD);
	/* quoted, though it must not be */
	parse("a; filename*=\"utf-8''a%20b\"");
	HAS("filename", 0, "a b", MAIL_PARAM_RFC2231);
	FLAGS(MAIL_PARAMS_F_2231_BAD);
	/* unknown charset */
	parse("a; filename*=x-klingon''a%E9");
	HAS("filename", 0, "a" FFFD, MAIL_PARAM_RFC2231);
	FLAGS(MAIL_PARAMS_F_UNKNOWN_CHARSET);
	/* invalid bytes for the charset */
	parse("a; filename*=utf-8''a%FF");
	HAS("filename", 0, "a" FFFD, MAIL_PARAM_RFC2231);
	FLAGS(MAIL_PARAMS_F_BAD_TEXT);
	/* section numbers that are not: kept under the base name */
	parse("a; name*x=\"1\"; name*1234=\"2\"; name*0*x=\"3\"");
	assert_int_equal(ps.n, 3);
	HAS("name", 0, "1", MAIL_PARAM_QUOTED);
	HAS("name", 1, "2", MAIL_PARAM_QUOTED);
	HAS("name", 2, "3", MAIL_PARAM_QUOTED);
	FLAGS(MAIL_PARAMS_F_2231_BAD | MAIL_PARAMS_F_DUPLICATE |
	      MAIL_PARAMS_F_CONFLICT);
	/* leading zeros read as the number */
	parse("a; name*00=\"a\"; name*01=\"b\"");
	HAS("name", 0, "ab", MAIL_PARAM_RFC2231_CONT);
	FLAGS(0);
}

/* ---- file-name tricks ----------------------------------------------- */

static void test_filename_tricks(void **state)
{
	(void)state;
	/* RFC 2231 form beside the plain one: both kept, they disagree */
	parse("attachment; filename=\"a.pdf\"; filename*=UTF-8''a.exe");
	assert_int_equal(ps.n, 2);
	HAS("filename", 0, "a.pdf", MAIL_PARAM_QUOTED);
	HAS("filename", 1, "a.exe", MAIL_PARAM_RFC2231);
	assert_null(mail_params_get(&ps, "filename", &ps.p[1]));
	FLAGS(MAIL_PARAMS_F_CONFLICT);
	/* the usual fallback pair, agreeing: no flag */
	parse("attachment; filename=\"a.pdf\"; filename*=UTF-8''a.pdf");
	FLAGS(0);
	/* the same name twice */
	parse("attachment; filename=\"a.pdf\"; filename=\"b.exe\"");
	HAS("filename", 0, "a.pdf", MAIL_PARAM_QUOTED);
	HAS("filename", 1, "b.exe", MAIL_PARAM_QUOTED);
	FLAGS(MAIL_PARAMS_F_DUPLICATE | MAIL_PARAMS_F_CONFLICT);
	/* RFC 2047 in a file name (Outlook, Thunderbird) */
	parse("application/pdf; name=\"=?utf-8?B?0YTQsNC50LsucGRm?=\"");
	HAS("name", 0, "\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.pdf",
	    MAIL_PARAM_RFC2047);
	FLAGS(MAIL_PARAMS_F_RFC2047);
	/* ... and unquoted, which also breaks the token rules */
	parse("application/pdf; name==?utf-8?Q?a=2Eexe?=");
	HAS("name", 0, "a.exe", MAIL_PARAM_RFC2047);
	FLAGS(MAIL_PARAMS_F_RFC2047 | MAIL_PARAMS_F_TSPECIALS);
	/* U+202E RIGHT-TO-LEFT OVERRIDE survives as UTF-8, flagged */
	parse("attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe");
	HAS("filename", 0, "invoice\xe2\x80\xae" "fdp.exe",
	    MAIL_PARAM_RFC2231);
	FLAGS(MAIL_PARAMS_F_BIDI);
	parse("attachment; filename=\"=?utf-8?q?x=E2=81=A6y?=\"");
	HAS("filename", 0, "x\xe2\x81\xa6y", MAIL_PARAM_RFC2047);
	FLAGS(MAIL_PARAMS_F_BIDI | MAIL_PARAMS_F_RFC2047);
	/* NUL and CR LF decoded into a name: kept with the length */
	parse("attachment; filename*=UTF-8''a.pdf%00.exe");
	has("filename", 0, "a.pdf\0.exe", 10, MAIL_PARAM_RFC2231);
	FLAGS(MAIL_PARAMS_F_CONTROL);
	parse("attachment; filename*=UTF-8''a%0D%0ABcc%3Ax");
	HAS("filename", 0, "a\r\nBcc:x", MAIL_PARAM_RFC2231);
	FLAGS(MAIL_PARAMS_F_CONTROL);
	parse("attachment; filename=\"=?utf-8?q?a=00b?=\"");
	has("filename", 0, "a\0b", 3, MAIL_PARAM_RFC2047);
	FLAGS(MAIL_PARAMS_F_CONTROL | MAIL_PARAMS_F_RFC2047);
	/* escapes in a quoted string */
	parse("attachment; filename=\"a\\\"b\\\\c.txt\"");
	HAS("filename", 0, "a\"b\\c.txt", MAIL_PARAM_QUOTED);
	FLAGS(0);
	/* raw UTF-8 (RFC 6532) and raw Latin-1 */
	parse("attachment; filename=\"caf\xc3\xa9.txt\"");
	HAS("filename", 0, "caf\xc3\xa9.txt", MAIL_PARAM_QUOTED);
	FLAGS(MAIL_PARAMS_F_RAW_8BIT);
	parse("attachment; filename=caf\xe9.txt");
	HAS("filename", 0, "caf" FFFD ".txt", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_RAW_8BIT | MAIL_PARAMS_F_BAD_TEXT);
}

/* ---- syntax --------------------------------------------------------- */

static void test_syntax(void **state)
{
	(void)state;
	/* comments anywhere */
	parse("attachment (c1); (c2) filename (c3) = (c4) \"a.txt\" (c5)");
	assert_string_equal(ps.value, "attachment");
	HAS("filename", 0, "a.txt", MAIL_PARAM_QUOTED);
	FLAGS(0);
	/* missing '=' */
	parse("attachment; filename; size=3");
	assert_int_equal(ps.n, 1);
	HAS("size", 0, "3", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_MISSING_EQ);
	/* empty values are kept */
	parse("attachment; filename=; size=3");
	HAS("filename", 0, "", MAIL_PARAM_PLAIN);
	HAS("size", 0, "3", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_EMPTY);
	parse("attachment; filename=\"\"");
	HAS("filename", 0, "", MAIL_PARAM_QUOTED);
	FLAGS(0);
	/* unterminated quote: to the end */
	parse("attachment; filename=\"abc.exe; x=y");
	assert_int_equal(ps.n, 1);
	HAS("filename", 0, "abc.exe; x=y", MAIL_PARAM_QUOTED);
	FLAGS(MAIL_PARAMS_F_UNTERMINATED);
	/* tspecials and spaces in an unquoted value: to the ';' */
	parse("attachment; filename=my file(1).pdf ; size=3");
	HAS("filename", 0, "my file(1).pdf", MAIL_PARAM_PLAIN);
	HAS("size", 0, "3", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_TSPECIALS);
	/* junk after a quoted value */
	parse("attachment; filename=\"a.pdf\"x.exe; y=1");
	HAS("filename", 0, "a.pdf", MAIL_PARAM_QUOTED);
	HAS("y", 0, "1", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_JUNK);
	/* an attribute that is no token */
	parse("attachment; @x=1; y=2");
	assert_int_equal(ps.n, 1);
	HAS("y", 0, "2", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_JUNK);
	/* empty parameters and trailing semicolons */
	parse("attachment;; ;filename=a;");
	HAS("filename", 0, "a", MAIL_PARAM_PLAIN);
	FLAGS(0);
	/* a ';' inside quotes does not split */
	parse("attachment; filename=\"a;b\"; c=d");
	HAS("filename", 0, "a;b", MAIL_PARAM_QUOTED);
	HAS("c", 0, "d", MAIL_PARAM_PLAIN);
	FLAGS(0);
	/* names in any case, kept lower-case */
	parse("attachment; FileName=x");
	assert_string_equal(ps.p[0].name, "filename");
	HAS("FILENAME", 0, "x", MAIL_PARAM_PLAIN);
}

static void test_main_value(void **state)
{
	char big[400];

	(void)state;
	parse("  Multipart/Mixed  ;boundary=x");
	assert_string_equal(ps.value, "multipart/mixed");
	FLAGS(0);
	parse("text / plain; charset=utf-8");
	assert_string_equal(ps.value, "text/plain");
	HAS("charset", 0, "utf-8", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_BAD_VALUE);
	/* a forgotten ';': the rest still read as parameters */
	parse("text/html charset=utf-8");
	assert_string_equal(ps.value, "text/html");
	HAS("charset", 0, "utf-8", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_BAD_VALUE);
	/* "type/" then a parameter where the subtype should be */
	parse("text/ charset=utf-8");
	assert_string_equal(ps.value, "text/");
	HAS("charset", 0, "utf-8", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_BAD_VALUE);
	parse("Te\x03xt / charset=utf-8");
	assert_string_equal(ps.value, "te?xt/");
	FLAGS(MAIL_PARAMS_F_BAD_VALUE);
	/* no type at all */
	parse("charset=utf-8");
	assert_string_equal(ps.value, "");
	HAS("charset", 0, "utf-8", MAIL_PARAM_PLAIN);
	FLAGS(MAIL_PARAMS_F_NO_VALUE);
	parse("");
	assert_string_equal(ps.value, "");
	assert_int_equal(ps.n, 0);
	FLAGS(MAIL_PARAMS_F_NO_VALUE);
	parse("; name=a");
	FLAGS(MAIL_PARAMS_F_NO_VALUE);
	HAS("name", 0, "a", MAIL_PARAM_PLAIN);
	parse("\"text/plain\"");
	assert_string_equal(ps.value, "text/plain");
	FLAGS(MAIL_PARAMS_F_BAD_VALUE);
	/* bytes that are no token characters */
	parse("text/pl\xe9in");
	assert_string_equal(ps.value, "text/pl?in");
	FLAGS(MAIL_PARAMS_F_BAD_VALUE);
	/* too long: cut */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	parse(big);
	assert_int_equal(strlen(ps.value), sizeof(ps.value) - 1);
	FLAGS(MAIL_PARAMS_F_BAD_VALUE);
}

/* ---- limits --------------------------------------------------------- */

static void test_limits(void **state)
{
	static char s[20000];
	size_t i, o;

	(void)state;
	/* more parameters than kept */
	o = (size_t)sprintf(s, "a");
	for (i = 0; i < MAIL_PARAMS_MAX + 4; i++)
		o += (size_t)sprintf(s + o, "; p%zu=v%zu", i, i);
	parse(s);
	assert_int_equal(ps.n, MAIL_PARAMS_MAX);
	HAS("p15", 0, "v15", MAIL_PARAM_PLAIN);
	assert_null(mail_params_get(&ps, "p16", NULL));
	FLAGS(MAIL_PARAMS_F_TOO_MANY);
	/* values past buf: cut on a character boundary, then empty */
	o = (size_t)sprintf(s, "a; x=\"");
	for (i = 0; i < 1000; i++)
		o += (size_t)sprintf(s + o, "\xc3\xa9");
	o += (size_t)sprintf(s + o, "\"; y=\"");
	for (i = 0; i < 3000; i++)
		s[o++] = 'b';
	strcpy(s + o, "\"; z=1");
	parse(s);
	assert_int_equal(ps.n, 3);
	assert_true(ps.used <= sizeof(ps.buf));
	assert_int_equal(ps.p[0].len, 2000);
	assert_int_equal(ps.p[1].len, sizeof(ps.buf) - 2001 - 1);
	assert_true(mail_utf8_valid((const uint8_t *)ps.p[1].value,
				    ps.p[1].len));
	assert_int_equal(ps.p[2].len, 0);
	assert_string_equal(ps.p[2].value, "");
	FLAGS(MAIL_PARAMS_F_RAW_8BIT | MAIL_PARAMS_F_TRUNCATED);
	/* one value longer than buf, cut between characters */
	o = (size_t)sprintf(s, "a; x=\"");
	for (i = 0; i < 3000; i++)
		o += (size_t)sprintf(s + o, "\xc3\xa9");
	strcpy(s + o, "\"; z=1");
	parse(s);
	assert_int_equal(ps.n, 2);
	assert_int_equal(ps.p[0].len, sizeof(ps.buf) - 2);
	assert_true(mail_utf8_valid((const uint8_t *)ps.p[0].value,
				    ps.p[0].len));
	assert_int_equal(ps.p[1].len, 0);
	FLAGS(MAIL_PARAMS_F_RAW_8BIT | MAIL_PARAMS_F_TRUNCATED);
	/* a long name */
	parse("a; aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1");
	assert_int_equal(strlen(ps.p[0].name), sizeof(ps.p[0].name) - 1);
	FLAGS(MAIL_PARAMS_F_TRUNCATED);
	/* more sections than assembled */
	o = (size_t)sprintf(s, "a");
	for (i = 0; i < MAIL_PARAMS_SECTIONS_MAX + 5; i++)
		o += (size_t)sprintf(s + o, "; n*%zu=%c", i,
				     (char)('a' + i % 26));
	parse(s);
	assert_int_equal(ps.n, 1);
	assert_int_equal(ps.p[0].len, MAIL_PARAMS_SECTIONS_MAX);
	FLAGS(MAIL_PARAMS_F_TOO_MANY);
	/* a huge number of tiny parameters: bounded, no crash */
	o = 0;
	for (i = 0; o + 4 < sizeof(s); i++)
		o += (size_t)sprintf(s + o, ";a=b");
	parse(s);
	assert_int_equal(ps.n, MAIL_PARAMS_MAX);
	assert_true(ps.flags & MAIL_PARAMS_F_TOO_MANY);
	/* parsing again starts afresh */
	parse("text/plain");
	assert_int_equal(ps.n, 0);
	assert_int_equal(ps.used, 0);
	FLAGS(0);
}

static void test_get(void **state)
{
	struct mail_params other;

	(void)state;
	parse("a; x=1; y=2; X=3");
	assert_ptr_equal(mail_params_get(&ps, "x", NULL), &ps.p[0]);
	assert_ptr_equal(mail_params_get(&ps, "x", &ps.p[0]), &ps.p[2]);
	assert_null(mail_params_get(&ps, "x", &ps.p[2]));
	assert_null(mail_params_get(&ps, "z", NULL));
	assert_null(mail_params_get(&ps, "", NULL));
	/* a pointer from elsewhere is not followed */
	mail_params_parse(&other, "a; x=1", 6);
	assert_null(mail_params_get(&ps, "x", &other.p[0]));
}

static void test_flag_names(void **state)
{
	uint32_t bit;
	unsigned named = 0;

	(void)state;
	for (bit = 1; bit; bit <<= 1)
		if (mail_params_flag_name(bit))
			named++;
	assert_int_equal(named, 21);
	assert_string_equal(mail_params_flag_name(MAIL_PARAMS_F_CONFLICT),
			    "param_conflict");
	assert_string_equal(mail_params_flag_name(MAIL_PARAMS_F_TRUNCATED),
			    "param_truncated");
	assert_null(mail_params_flag_name(0));
	assert_null(mail_params_flag_name(6));
}

static int teardown(void **state)
{
	(void)state;
	mail_charset_cache_clear();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2045_2183),
		cmocka_unit_test(test_rfc2231),
		cmocka_unit_test(test_rfc2231_damaged),
		cmocka_unit_test(test_filename_tricks),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_main_value),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_flag_names),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
