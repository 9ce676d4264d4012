/*
 * Charset conversion to UTF-8 (src/mail/charset.c): UTF-8 validation
 * with the Unicode replacement practice, the charsets mail uses with
 * their aliases, unknown and hostile names, output cut at every size, the
 * iconv handle cache, and the stream at every chunk size against the
 * whole-buffer conversion.
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

#define FFFD "\xef\xbf\xbd"

static char out[65536];

/* Convert s (len bytes) from cs; expect want and exactly flags. */
static void conv(const char *cs, const char *s, size_t len, const char *want,
		 size_t want_len, uint32_t flags)
{
	uint32_t f = 0;
	size_t k = mail_utf8_from(cs, strlen(cs), (const uint8_t *)s, len, out,
				  sizeof(out), &f);

	if (k != want_len || memcmp(out, want, k) != 0)
		fail_msg("%s: got %zu bytes \"%.*s\", want \"%s\"", cs, k,
			 (int)k, out, want);
	if (f != flags)
		fail_msg("%s \"%s\": flags 0x%x, want 0x%x", cs, want, f,
			 flags);
	assert_true(mail_utf8_valid((const uint8_t *)out, k));
}

#define CONV(cs, in, want, flags)                                             \
	conv((cs), (in), sizeof(in) - 1, (want), sizeof(want) - 1, (flags))

/* ---- UTF-8 ---------------------------------------------------------- */

static void test_utf8_valid(void **state)
{
	static const struct {
		const char *s;
		bool ok;
	} v[] = {
		{"", true},
		{"plain ASCII", true},
		{"caf\xc3\xa9", true},
		{"\xe2\x82\xac", true},          /* U+20AC */
		{"\xf0\x9f\x98\x80", true},      /* U+1F600 */
		{"\xf4\x8f\xbf\xbf", true},      /* U+10FFFF */
		{"\xef\xbb\xbf" "bom", true},
		{"\xe2\x80\xae", true},          /* U+202E RLO is valid */
		{"\xc0\xaf", false},             /* overlong '/' */
		{"\xc1\xbf", false},
		{"\xe0\x80\xaf", false},         /* overlong, 3 bytes */
		{"\xf0\x80\x80\xaf", false},     /* overlong, 4 bytes */
		{"\xed\xa0\x80", false},         /* U+D800 surrogate */
		{"\xed\xbf\xbf", false},         /* U+DFFF */
		{"\xf4\x90\x80\x80", false},     /* past U+10FFFF */
		{"\xf5\x80\x80\x80", false},
		{"\xff", false},
		{"\x80", false},                 /* lone continuation */
		{"\xc3", false},                 /* cut */
		{"\xe2\x82", false},
		{"a\xc3" "a", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (mail_utf8_valid((const uint8_t *)v[i].s, strlen(v[i].s)) !=
		    v[i].ok)
			fail_msg("vector %zu", i);
	/* NUL is a valid character */
	assert_true(mail_utf8_valid((const uint8_t *)"a\0b", 3));
}

static void test_utf8_replacement(void **state)
{
	(void)state;
	/* Unicode 15 section 3.9, table 3-8: one U+FFFD per maximal
	 * subpart */
	CONV("utf-8", "\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64",
	     "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d",
	     MAIL_CS_F_INVALID);
	CONV("utf-8", "\xc0\xaf", FFFD FFFD, MAIL_CS_F_INVALID);
	CONV("utf-8", "\xed\xa0\x80x", FFFD FFFD FFFD "x", MAIL_CS_F_INVALID);
	CONV("utf-8", "\xf0\x9f\x98", FFFD, MAIL_CS_F_INVALID);
	CONV("utf-8", "ok \xf0\x9f\x98\x80", "ok \xf0\x9f\x98\x80", 0);
	CONV("UTF8", "\xe2\x80\xae" "fdp.exe", "\xe2\x80\xae" "fdp.exe", 0);
	/* the sanitizer is the same decoder without a name */
	{
		uint32_t f = 0;
		size_t k = mail_utf8_sanitize((const uint8_t *)"a\xffz", 3,
					      out, sizeof(out), &f);

		assert_int_equal(k, 5);
		assert_memory_equal(out, "a" FFFD "z", 5);
		assert_int_equal(f, MAIL_CS_F_INVALID);
		assert_int_equal(mail_utf8_sanitize((const uint8_t *)"x", 1,
						    out, 1, NULL), 1);
	}
}

/* ---- charsets ------------------------------------------------------- */

static void test_latin(void **state)
{
	(void)state;
	CONV("iso-8859-1", "caf\xe9", "caf\xc3\xa9", 0);
	CONV("ISO_8859-1", "caf\xe9", "caf\xc3\xa9", 0);
	CONV("latin1", "caf\xe9", "caf\xc3\xa9", 0);
	CONV("\"iso-8859-1\"", "caf\xe9", "caf\xc3\xa9", 0);
	/* ISO-8859-1 read as windows-1252: 0x80 is the euro sign */
	CONV("iso-8859-1", "\x80\x93x\x94", "\xe2\x82\xac\xe2\x80\x9cx"
	     "\xe2\x80\x9d", 0);
	CONV("windows-1252", "\x80", "\xe2\x82\xac", 0);
	CONV("cp1252", "\x80", "\xe2\x82\xac", 0);
	CONV("ISO-8859-15", "\xa4", "\xe2\x82\xac", 0);
	CONV("iso8859-2", "\xb1", "\xc4\x85", 0);
	CONV("latin2", "\xb1", "\xc4\x85", 0);
	CONV("windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2",
	     "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0);
	CONV("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4",
	     "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0);
	CONV("iso-8859-7", "\xe1", "\xce\xb1", 0);
	/* bytes a charset leaves undefined */
	CONV("windows-1252", "a\x81z", "a" FFFD "z", MAIL_CS_F_INVALID);
}

static void test_ascii(void **state)
{
	(void)state;
	CONV("us-ascii", "plain", "plain", 0);
	CONV("", "plain", "plain", 0);
	CONV("ANSI_X3.4-1968", "plain", "plain", 0);
	/* 8-bit bytes in "ASCII": UTF-8 where they are, flagged */
	CONV("us-ascii", "caf\xc3\xa9", "caf\xc3\xa9", MAIL_CS_F_NOT_ASCII);
	CONV("us-ascii", "caf\xe9", "caf" FFFD,
	     MAIL_CS_F_NOT_ASCII | MAIL_CS_F_INVALID);
}

static void test_cjk(void **state)
{
	(void)state;
	/* あ (U+3042) */
	CONV("shift_jis", "\x82\xa0", "\xe3\x81\x82", 0);
	CONV("Shift-JIS", "\x82\xa0", "\xe3\x81\x82", 0);
	CONV("x-sjis", "\x82\xa0", "\xe3\x81\x82", 0);
	CONV("sjis", "\x82\xa0", "\xe3\x81\x82", 0);
	/* NEC row 13 (①), only in the Microsoft superset */
	CONV("shift_jis", "\x87\x40", "\xe2\x91\xa0", 0);
	CONV("euc-jp", "\xa4\xa2", "\xe3\x81\x82", 0);
	/* こん in ISO-2022-JP, then half-width katakana (ESC ( I) */
	CONV("iso-2022-jp", "\x1b$B$3$s\x1b(B ok",
	     "\xe3\x81\x93\xe3\x82\x93 ok", 0);
	CONV("ISO-2022-JP", "\x1b(I12\x1b(B", "\xef\xbd\xb1\xef\xbd\xb2", 0);
	/* 你好 */
	CONV("gb2312", "\xc4\xe3\xba\xc3", "\xe4\xbd\xa0\xe5\xa5\xbd", 0);
	CONV("GBK", "\xc4\xe3\xba\xc3", "\xe4\xbd\xa0\xe5\xa5\xbd", 0);
	CONV("gb18030", "\xc4\xe3\xba\xc3", "\xe4\xbd\xa0\xe5\xa5\xbd", 0);
	/* 中文 */
	CONV("big5", "\xa4\xa4\xa4\xe5", "\xe4\xb8\xad\xe6\x96\x87", 0);
	/* 한국 */
	CONV("ks_c_5601-1987", "\xc7\xd1\xb1\xb9",
	     "\xed\x95\x9c\xea\xb5\xad", 0);
	CONV("euc-kr", "\xc7\xd1\xb1\xb9", "\xed\x95\x9c\xea\xb5\xad", 0);
	/* broken: a lead byte with no trail, and one at the end */
	CONV("shift_jis", "\x82 a", FFFD " a", MAIL_CS_F_INVALID);
	CONV("shift_jis", "a\x82", "a" FFFD, MAIL_CS_F_INVALID);
	CONV("euc-jp", "\xa4", FFFD, MAIL_CS_F_INVALID);
}

static void test_unicode(void **state)
{
	(void)state;
	CONV("utf-16", "\xff\xfe" "A\0\xe9\0", "A\xc3\xa9", 0);
	CONV("utf-16", "\xfe\xff\0A\0\xe9", "A\xc3\xa9", 0);
	/* no BOM: the zero bytes of ASCII tell, else big-endian */
	CONV("utf-16", "A\0B\0", "AB", 0);
	CONV("utf-16", "\0A\0B", "AB", 0);
	CONV("UTF-16LE", "A\0", "A", 0);
	CONV("utf-16be", "\x26\x3a", "\xe2\x98\xba", 0);
	/* a surrogate pair, and a lone one */
	CONV("utf-16le", "\x3d\xd8\x00\xde", "\xf0\x9f\x98\x80", 0);
	CONV("utf-16le", "\x3d\xd8" "A\0", FFFD "A", MAIL_CS_F_INVALID);
	/* an odd byte at the end */
	CONV("utf-16le", "A\0B", "A" FFFD, MAIL_CS_F_INVALID);
	CONV("utf-32", "\xff\xfe\0\0" "A\0\0\0", "A", 0);
	CONV("utf-32", "\0\0\0A", "A", 0);
	CONV("utf-7", "Hi Mom -+Jjo--!", "Hi Mom -\xe2\x98\xba-!", 0);
}

static void test_unknown(void **state)
{
	static const char *const names[] = {
		"x-unknown-charset",
		"utf-8//IGNORE",       /* no iconv suffix tricks */
		"utf-8//TRANSLIT",
		"../../etc/passwd",
		"iso-8859-1 extra",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		("utf\x80" "8"),
		"iso-8859-99",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CONV(names[i], "ok \xe9\xc3\xa9", "ok " FFFD FFFD FFFD,
		     MAIL_CS_F_UNKNOWN);
		assert_false(mail_charset_known(names[i], strlen(names[i])));
	}
	assert_true(mail_charset_known("utf-8", 5));
	assert_true(mail_charset_known("ks_c_5601-1987", 14));
	assert_true(mail_charset_known("", 0));
	/* glibc knows EBCDIC, mail does not: unknown */
	assert_false(mail_charset_known("IBM037", 6));
	CONV("ibm037", "\xc1", FFFD, MAIL_CS_F_UNKNOWN);
	/* DOS code pages and the rarer table entries */
	CONV("cp850", "\x82", "\xc3\xa9", 0);
	CONV("IBM437", "\x82", "\xc3\xa9", 0);
	CONV("cp866", "\x8f", "\xd0\x9f", 0);
	assert_false(mail_charset_known("cp999", 5));
	assert_true(mail_charset_known("ISO-2022-KR", 11));
	assert_true(mail_charset_known("euc-tw", 6));
	/* NULL flags are fine */
	assert_int_equal(mail_utf8_from("x-foo", 5, (const uint8_t *)"ab", 2,
					out, sizeof(out), NULL), 2);
}

/* Every output room from 0 up: a prefix of the full output, never a cut
 * character, flagged exactly when cut. */
static void test_truncation(void **state)
{
	static const struct {
		const char *cs;
		const char *in;
	} v[] = {
		{"utf-8", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xffz"},
		{"iso-8859-1", "caf\xe9 \x80"},
		{"shift_jis", "\x82\xa0\x82\xa2 x \x82"},
		{"iso-2022-jp", "\x1b$B$3$s\x1b(B ok"},
		{"x-foo", "a\xff\xfe" "b"},
		{"us-ascii", "a\xc3\xa9\xff"},
	};
	static char full[256], cut[256];
	size_t i, room;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint32_t ff = 0;
		size_t n = strlen(v[i].in);
		size_t fl = mail_utf8_from(v[i].cs, strlen(v[i].cs),
					   (const uint8_t *)v[i].in, n, full,
					   sizeof(full), &ff);

		assert_false(ff & MAIL_CS_F_TRUNCATED);
		for (room = 0; room <= fl; room++) {
			uint32_t f = 0;
			size_t k;

			memset(cut, 'X', sizeof(cut));
			k = mail_utf8_from(v[i].cs, strlen(v[i].cs),
					   (const uint8_t *)v[i].in, n, cut,
					   room, &f);
			assert_true(k <= room);
			assert_int_equal(cut[room], 'X');
			assert_memory_equal(cut, full, k);
			assert_true(mail_utf8_valid((const uint8_t *)cut, k));
			assert_int_equal(!!(f & MAIL_CS_F_TRUNCATED),
					 room < fl);
			/* at most one character short of the room */
			assert_true(room - k <= 3);
		}
	}
}

/* ---- the stream ----------------------------------------------------- */

struct cap {
	char buf[1 << 17];
	size_t len;
};

static void cap_out(void *ctx, const uint8_t *p, size_t n)
{
	struct cap *c = ctx;

	assert_true(n > 0);
	assert_true(c->len + n <= sizeof(c->buf));
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static struct cap scap;

/* Stream in[0..n) in chunks of `chunk` (0: whole) into scap. */
static uint32_t stream(const char *cs, const uint8_t *in, size_t n,
		       size_t chunk)
{
	struct mail_utf8_stream st;
	size_t off = 0;

	scap.len = 0;
	mail_utf8_stream_init(&st, cs, strlen(cs));
	if (chunk == 0)
		chunk = n ? n : 1;
	while (off < n) {
		size_t k = n - off < chunk ? n - off : chunk;
		uint8_t *piece = malloc(k);

		assert_non_null(piece);
		memcpy(piece, in + off, k);
		mail_utf8_stream_feed(&st, piece, k, cap_out, &scap);
		free(piece);
		off += k;
	}
	mail_utf8_stream_finish(&st, cap_out, &scap);
	mail_utf8_stream_finish(&st, cap_out, &scap); /* harmless */
	assert_int_equal(st.in_bytes, n);
	assert_int_equal(st.out_bytes, scap.len);
	return st.flags;
}

static void test_stream_chunks(void **state)
{
	static const struct {
		const char *cs;
		const char *in;
		size_t n;
	} v[] = {
#define V(cs, s) {cs, s, sizeof(s) - 1}
		V("utf-8", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 z\xf0\x9f"
		  "\xc3\xa9\xed\xa0\x80\xf0\x9f\x98"),
		V("us-ascii", "x\xc3\xa9y\xe9"),
		V("iso-2022-jp", "\x1b$B$3$s$K$A$O\x1b(B, \x1b(I12\x1b(B end "
		  "\x1b$B$3"),
		V("shift_jis", "\x82\xa0\x82\xa2\x82\xa4 \x87\x40 abc \x82"),
		V("euc-jp", "\xa4\xa2\xa4\xa4 x"),
		V("utf-16", "\xff\xfe" "A\0\xe9\0\x3d\xd8\x00\xde" "B\0"),
		V("utf-16", "\xfe\xff\0A\0\xe9\xd8\x3d\xde\x00\0B\0"),
		V("utf-16", "h\0i\0"),
		V("utf-16", "h"),
		V("utf-16le", "\x3d\xd8" "A\0B"),
		V("utf-32", "\xff\xfe\0\0" "A\0\0\0\0\xf6\x01\0"),
		V("utf-7", "Hi Mom -+Jjo--! +AGEAYgBj-"),
		V("gb18030", "\xc4\xe3\xba\xc3\x81\x30\x81\x30"),
		V("windows-1252", "caf\xe9 \x80\x81"),
		V("x-unknown", "a\xff" "b"),
		V("big5", "\xa4\xa4\xa4\xe5\xa4"),
		V("utf-8", ""),
		V("utf-16", ""),
		V("x-unknown", ""),
#undef V
	};
	static char whole[4096];
	size_t i, chunk;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint32_t wf = 0, f;
		size_t wl = mail_utf8_from(v[i].cs, strlen(v[i].cs),
					   (const uint8_t *)v[i].in, v[i].n,
					   whole, sizeof(whole), &wf);

		for (chunk = 0; chunk <= v[i].n + 1; chunk++) {
			f = stream(v[i].cs, (const uint8_t *)v[i].in, v[i].n,
				   chunk);
			if (scap.len != wl ||
			    memcmp(scap.buf, whole, wl) != 0 || f != wf)
				fail_msg("%s vector %zu chunk %zu: \"%.*s\" "
					 "(0x%x), whole \"%.*s\" (0x%x)",
					 v[i].cs, i, chunk, (int)scap.len,
					 scap.buf, f, (int)wl, whole, wf);
			if (chunk == 0)
				assert_true(mail_utf8_valid(
					(const uint8_t *)scap.buf, scap.len));
		}
	}
}

static void test_stream_large(void **state)
{
	static uint8_t in[50000];
	size_t i;

	(void)state;
	/* "あい" in Shift_JIS over and over, past the output batch */
	for (i = 0; i + 4 <= sizeof(in); i += 4)
		memcpy(in + i, "\x82\xa0\x82\xa2", 4);
	assert_int_equal(stream("shift_jis", in, sizeof(in), 4093), 0);
	assert_int_equal(scap.len, sizeof(in) / 2 * 3);
	for (i = 0; i < scap.len; i += 6)
		assert_memory_equal(scap.buf + i, "\xe3\x81\x82\xe3\x81\x84",
				    6);
	/* long valid UTF-8 runs go out without the batch buffer */
	memset(in, 'a', sizeof(in));
	assert_int_equal(stream("utf-8", in, sizeof(in), 0), 0);
	assert_int_equal(scap.len, sizeof(in));
}

/* A stream keeps its iconv state while whole-buffer calls and other
 * streams use the same charset, and more streams than the cache holds
 * work too. */
static void test_cache(void **state)
{
	static const char *const many[] = {
		"iso-8859-2", "iso-8859-3", "iso-8859-4", "iso-8859-5",
		"iso-8859-6", "iso-8859-7", "iso-8859-8", "iso-8859-9",
		"iso-8859-10", "iso-8859-13", "windows-1250", "koi8-u",
	};
	struct mail_utf8_stream st[12];
	struct cap *caps = calloc(12, sizeof(*caps));
	size_t i;
	int round;

	(void)state;
	assert_non_null(caps);
	/* more charsets than slots, over and over: evictions */
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 12; i++) {
			uint32_t f = 0;

			assert_int_equal(mail_utf8_from(many[i],
							strlen(many[i]),
							(const uint8_t *)"ab",
							2, out, sizeof(out),
							&f), 2);
			assert_int_equal(f, 0);
		}
	}
	/* twelve ISO-2022-JP streams at once, each left in JIS X 0208 mode
	 * between feeds, with whole-buffer calls in between */
	for (i = 0; i < 12; i++) {
		mail_utf8_stream_init(&st[i], "iso-2022-jp", 11);
		mail_utf8_stream_feed(&st[i], (const uint8_t *)"\x1b$B", 3,
				      cap_out, &caps[i]);
	}
	for (i = 0; i < 12; i++) {
		uint32_t f = 0;

		assert_int_equal(mail_utf8_from("iso-2022-jp", 11,
						(const uint8_t *)"$3", 2, out,
						sizeof(out), &f), 2);
		assert_int_equal(f, 0);
		assert_memory_equal(out, "$3", 2); /* ASCII mode: fresh */
		mail_utf8_stream_feed(&st[i], (const uint8_t *)"$3", 2,
				      cap_out, &caps[i]);
	}
	for (i = 0; i < 12; i++) {
		mail_utf8_stream_finish(&st[i], cap_out, &caps[i]);
		assert_int_equal(st[i].flags, 0);
		assert_int_equal(caps[i].len, 3);
		assert_memory_equal(caps[i].buf, "\xe3\x81\x93", 3);
	}
	free(caps);
	mail_charset_cache_clear();
	mail_charset_cache_clear();
	/* and it all still works after a clear */
	CONV("iso-2022-jp", "\x1b$B$3\x1b(B", "\xe3\x81\x93", 0);
}

static void test_flag_names(void **state)
{
	(void)state;
	assert_string_equal(mail_charset_flag_name(MAIL_CS_F_UNKNOWN),
			    "charset_unknown");
	assert_string_equal(mail_charset_flag_name(MAIL_CS_F_INVALID),
			    "charset_invalid");
	assert_string_equal(mail_charset_flag_name(MAIL_CS_F_TRUNCATED),
			    "charset_truncated");
	assert_string_equal(mail_charset_flag_name(MAIL_CS_F_NOT_ASCII),
			    "charset_ascii_8bit");
	assert_null(mail_charset_flag_name(0));
	assert_null(mail_charset_flag_name(1u << 4));
	assert_null(mail_charset_flag_name(3));
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
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_replacement),
		cmocka_unit_test(test_latin),
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_cjk),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_stream_chunks),
		cmocka_unit_test(test_stream_large),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_flag_names),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
