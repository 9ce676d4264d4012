/*
 * RFC 2047 encoded words (src/mail/rfc2047.c): the examples of RFC 2047
 * section 8 and RFC 2231 section 5, then what senders and attackers
 * really write: words glued to text or in quotes, broken words, unknown
 * charsets, characters split across words, control characters and bidi
 * overrides in decoded text, raw 8-bit bytes, and output cut at every
 * size.
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
#include "mail/rfc2047.h"

#define FFFD "\xef\xbf\xbd"
#define DEC MAIL_2047_N_DECODED

static char out[8192];

static void dec(const char *in, size_t n, const char *want, size_t want_len,
		uint32_t flags)
{
	uint32_t f = 0;
	size_t k;

	memset(out, 'X', sizeof(out));
	k = mail_2047_decode(in, n, out, sizeof(out), &f);
	if (k != want_len || memcmp(out, want, k) != 0)
		fail_msg("\"%s\": got \"%.*s\", want \"%s\"", in, (int)k, out,
			 want);
	if (f != flags)
		fail_msg("\"%s\": flags 0x%x, want 0x%x", in, f, flags);
	assert_true(mail_utf8_valid((const uint8_t *)out, k));
	assert_int_equal(out[k], 'X');
}

#define DEC2047(in, want, flags)                                              \
	dec((in), sizeof(in) - 1, (want), sizeof(want) - 1, (flags))

static void test_rfc2047_section8(void **state)
{
	(void)state;
	DEC2047("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>",
		"Keith Moore <moore@cs.utk.edu>", DEC);
	DEC2047("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
		"Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>", DEC);
	DEC2047("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
		"Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>", DEC);
	/* unfolded Subject: two words, two charsets, whitespace dropped */
	DEC2047("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=    "
		"=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
		"If you can read this you understand the example.", DEC);
	DEC2047("Nathaniel Borenstein <nsb@thumper.bellcore.com> "
		"(=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
		"Nathaniel Borenstein <nsb@thumper.bellcore.com> ("
		"\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9\x20\xd7\x9f\xd7\x91\x20"
		"\xd7\x99\xd7\x9c\xd7\x98\xd7\xa4\xd7\xa0)",
		DEC);
	/* the table at the end of section 8 */
	DEC2047("(=?ISO-8859-1?Q?a?=)", "(a)", DEC);
	DEC2047("(=?ISO-8859-1?Q?a?= b)", "(a b)", DEC);
	DEC2047("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)", DEC);
	DEC2047("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)", DEC);
	DEC2047("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)",
		DEC);
	DEC2047("(=?ISO-8859-1?Q?a?=\t=?ISO-8859-1?Q?b?=)", "(ab)", DEC);
	DEC2047("(=?ISO-8859-1?Q?a_b?=)", "(a b)", DEC);
	DEC2047("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)", DEC);
	/* RFC 2231 section 5: a language in the word */
	DEC2047("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", DEC);
	/* nothing encoded: nothing changes, no flag */
	DEC2047("Just a subject", "Just a subject", 0);
	DEC2047("", "", 0);
	DEC2047("a =? b ?= c", "a =? b ?= c", 0);
	DEC2047("=?", "=?", 0);
}

static void test_variants(void **state)
{
	(void)state;
	/* lower-case encodings, empty text, '=' padding in B */
	DEC2047("=?utf-8?b?w6k=?=", "\xc3\xa9", DEC);
	DEC2047("=?UTF-8?Q?" "?=", "", DEC);
	DEC2047("x =?utf-8?q?=C3=A9?= y", "x \xc3\xa9 y", DEC);
	/* Q hex in lower case is read */
	DEC2047("=?utf-8?q?=c3=a9?=", "\xc3\xa9", DEC);
	/* a stateful charset in B */
	DEC2047("=?ISO-2022-JP?B?GyRCJDMkcxsoQg==?=",
		"\xe3\x81\x93\xe3\x82\x93", DEC);
	DEC2047("=?shift_jis?B?gqA=?=", "\xe3\x81\x82", DEC);
	/* a character split across adjacent words of one charset comes out
	 * whole (charset names compared in any case) */
	DEC2047("=?UTF-8?Q?=C3?= =?utf-8?Q?=A9?=", "\xc3\xa9", DEC);
	DEC2047("=?utf-8?B?w6nD?= =?utf-8?B?qQ==?=", "\xc3\xa9\xc3\xa9",
		DEC);
	DEC2047("=?iso-2022-jp?B?GyRCJDM=?= =?iso-2022-jp?B?JHMbKEI=?=",
		"\xe3\x81\x93\xe3\x82\x93", DEC);
	/* ... but not across charsets or across text */
	DEC2047("=?utf-8?Q?=C3?= =?iso-8859-1?Q?=A9?=", FFFD "\xc2\xa9",
		DEC | MAIL_2047_F_BAD_TEXT);
	DEC2047("=?utf-8?Q?=C3?= x =?utf-8?Q?=A9?=", FFFD " x " FFFD,
		DEC | MAIL_2047_F_BAD_TEXT);
	/* raw UTF-8 around words (RFC 6532) */
	DEC2047("Gr\xc3\xbc\xc3\x9f" "e =?utf-8?q?x?=",
		"Gr\xc3\xbc\xc3\x9f" "e x", DEC);
	/* comments */
	DEC2047("a (=?utf-8?q?b?=) c", "a (b) c", DEC);
}

static void test_misplaced(void **state)
{
	(void)state;
	/* glued to text, either side */
	DEC2047("abc=?utf-8?q?x?=", "abcx", DEC | MAIL_2047_F_MISPLACED);
	DEC2047("=?utf-8?q?x?=abc", "xabc", DEC | MAIL_2047_F_MISPLACED);
	DEC2047("=?utf-8?q?x?=<a@b>", "x<a@b>", DEC | MAIL_2047_F_MISPLACED);
	/* glued to another word */
	DEC2047("=?utf-8?q?a?==?utf-8?q?b?=", "ab",
		DEC | MAIL_2047_F_MISPLACED);
	/* in a quoted string, glued or not */
	DEC2047("\"=?utf-8?q?J=C3=B6rg?=\" <j@x>", "\"J\xc3\xb6rg\" <j@x>",
		DEC | MAIL_2047_F_MISPLACED);
	DEC2047("\"Hello =?utf-8?q?x?= there\"", "\"Hello x there\"",
		DEC | MAIL_2047_F_MISPLACED);
	/* after the quoted string closed (an escaped quote inside) */
	DEC2047("\"a\\\"b\" =?utf-8?q?x?=", "\"a\\\"b\" x", DEC);
}

static void test_malformed(void **state)
{
	(void)state;
	/* left as they are */
	DEC2047("=?utf-8?x?abc?=", "=?utf-8?x?abc?=",
		MAIL_2047_F_MALFORMED);
	DEC2047("=?utf-8?q?abc", "=?utf-8?q?abc", MAIL_2047_F_MALFORMED);
	DEC2047("=?utf-8?q?a b?=", "=?utf-8?q?a b?=", MAIL_2047_F_MALFORMED);
	DEC2047("=?utf-8?qq?ab?=", "=?utf-8?qq?ab?=", MAIL_2047_F_MALFORMED);
	DEC2047("=?utf-8?q?a?b?=", "=?utf-8?q?a?b?=", MAIL_2047_F_MALFORMED);
	DEC2047("=?*en?q?a?=", "=?*en?q?a?=", MAIL_2047_F_MALFORMED);
	/* a broken word does not stop the next one */
	DEC2047("=?utf-8?q?bad =?utf-8?q?good?=", "=?utf-8?q?bad good",
		DEC | MAIL_2047_F_MALFORMED);
	/* bad B: junk, missing padding, a lone sextet, data after '=' */
	DEC2047("=?utf-8?b?w6k*?=", "\xc3\xa9", DEC | MAIL_2047_F_BAD_B);
	DEC2047("=?utf-8?b?w6k?=", "\xc3\xa9", DEC | MAIL_2047_F_BAD_B);
	DEC2047("=?utf-8?b?QUJDR?=", "ABC", DEC | MAIL_2047_F_BAD_B);
	DEC2047("=?utf-8?b?QQ==QQ==?=", "AA", DEC | MAIL_2047_F_BAD_B);
	/* bad Q: the '=' is kept */
	DEC2047("=?utf-8?q?a=ZZ?=", "a=ZZ", DEC | MAIL_2047_F_BAD_Q);
	DEC2047("=?utf-8?q?a=?=", "a=", DEC | MAIL_2047_F_BAD_Q);
	/* unknown charset: ASCII kept */
	DEC2047("=?x-klingon?q?a=E9?=", "a" FFFD,
		DEC | MAIL_2047_F_UNKNOWN_CHARSET);
	/* bytes invalid in the charset */
	DEC2047("=?utf-8?q?a=FFb?=", "a" FFFD "b", DEC | MAIL_2047_F_BAD_TEXT);
	DEC2047("=?us-ascii?q?caf=C3=A9?=", "caf\xc3\xa9",
		DEC | MAIL_2047_F_BAD_TEXT);
	/* raw bytes that are not UTF-8 */
	DEC2047("Gr\xfc\xdf" "e", "Gr" FFFD FFFD "e", MAIL_2047_F_RAW_8BIT);
	/* longer than 75 characters: decoded, flagged; 75 is fine */
	{
		char in[100], want[100];

		memcpy(in, "=?utf-8?q?", 10);
		memset(in + 10, 'a', 63);
		memcpy(in + 73, "?=", 3);
		memset(want, 'a', 64);
		dec(in, 75, want, 63, DEC);
		memset(in + 10, 'a', 64);
		memcpy(in + 74, "?=", 3);
		dec(in, 76, want, 64, DEC | MAIL_2047_F_LONG_WORD);
	}
}

static void test_hostile_text(void **state)
{
	(void)state;
	/* header injection through a decoded word: kept, flagged */
	DEC2047("=?utf-8?q?a=0D=0ABcc:_x@evil?=", "a\r\nBcc: x@evil",
		DEC | MAIL_2047_F_CONTROL);
	dec("=?utf-8?q?a=00b?=", 17, "a\0b", 3, DEC | MAIL_2047_F_CONTROL);
	/* a tab is no control worth a flag */
	DEC2047("=?utf-8?q?a=09b?=", "a\tb", DEC);
	/* RLO survives as UTF-8: "invoice\u202Efdp.exe" */
	DEC2047("=?utf-8?q?invoice=E2=80=AEfdp.exe?=",
		"invoice\xe2\x80\xae" "fdp.exe", DEC);
	/* overlong '/' in a word */
	DEC2047("=?utf-8?q?..=C0=AF..?=", ".." FFFD FFFD "..",
		DEC | MAIL_2047_F_BAD_TEXT);
	/* a NULL flags pointer is fine */
	assert_int_equal(mail_2047_decode("=?utf-8?q?x?=", 13, out, 10, NULL),
			 1);
}

/* Every output room from 0 up: a prefix of the full output, valid
 * UTF-8, flagged exactly when cut. */
static void test_truncation(void **state)
{
	static const char *const v[] = {
		"=?utf-8?q?=C3=A9t=C3=A9?= et =?iso-8859-1?q?=E9t=E9?= \xc3\xa9",
		"raw \xe2\x82\xac and =?shift_jis?B?gqA=?= \xff",
		"=?utf-8?b?8J+YgPCfmIA=?=",
	};
	static char full[512], cut[512];
	size_t i, room;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint32_t ff = 0;
		size_t fl = mail_2047_decode(v[i], strlen(v[i]), full,
					     sizeof(full), &ff);

		assert_false(ff & MAIL_2047_F_TRUNCATED);
		for (room = 0; room <= fl; room++) {
			uint32_t f = 0;
			size_t k;

			memset(cut, 'X', sizeof(cut));
			k = mail_2047_decode(v[i], strlen(v[i]), cut, room,
					     &f);
			assert_true(k <= room);
			assert_int_equal(cut[room], 'X');
			assert_memory_equal(cut, full, k);
			assert_true(mail_utf8_valid((const uint8_t *)cut, k));
			assert_int_equal(!!(f & MAIL_2047_F_TRUNCATED),
					 room < fl);
			assert_true(room - k <= 3);
		}
	}
}

/* Inputs built to make a naive scanner quadratic, and huge words. */
static void test_big(void **state)
{
	static char in[200000];
	static char big[300000];
	uint32_t f = 0;
	size_t i, k;

	(void)state;
	for (i = 0; i + 2 <= sizeof(in); i += 2)
		memcpy(in + i, "=?", 2);
	k = mail_2047_decode(in, sizeof(in), big, sizeof(big), &f);
	assert_int_equal(k, sizeof(in));
	for (i = 0; i + 6 <= sizeof(in); i += 6)
		memcpy(in + i, "=?a?q?", 6);
	f = 0;
	k = mail_2047_decode(in, i, big, sizeof(big), &f);
	assert_int_equal(k, i);
	assert_int_equal(f, MAIL_2047_F_MALFORMED);
	/* one word longer than the join buffer: all of it decoded */
	memcpy(in, "=?utf-8?q?", 10);
	for (i = 10; i < 20010; i++)
		in[i] = 'a' + (char)(i % 26);
	memcpy(in + i, "?=", 2);
	f = 0;
	k = mail_2047_decode(in, i + 2, big, sizeof(big), &f);
	assert_int_equal(k, 20000);
	assert_memory_equal(big, in + 10, 20000);
	assert_int_equal(f, DEC | MAIL_2047_F_LONG_WORD);
}

static void test_flag_names(void **state)
{
	uint32_t bit;
	unsigned named = 0;

	(void)state;
	for (bit = 1; bit; bit <<= 1)
		if (mail_2047_flag_name(bit))
			named++;
	assert_int_equal(named, 11);
	assert_string_equal(mail_2047_flag_name(MAIL_2047_F_MISPLACED),
			    "encoded_word_misplaced");
	assert_string_equal(mail_2047_flag_name(MAIL_2047_N_DECODED),
			    "encoded_words");
	assert_null(mail_2047_flag_name(0));
	assert_null(mail_2047_flag_name(3));
	assert_false(MAIL_2047_ANOMALIES & MAIL_2047_N_DECODED);
	assert_true(MAIL_2047_ANOMALIES & MAIL_2047_F_CONTROL);
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
		cmocka_unit_test(test_rfc2047_section8),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_misplaced),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_flag_names),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
