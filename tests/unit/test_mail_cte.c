/*
 * The Content-Transfer-Encoding decoders (src/mail/cte.c): the header
 * value, then base64, quoted-printable, uuencode and the pass-through
 * encodings with RFC examples, hostile and damaged input. Every vector is
 * decoded whole and again cut at every chunk size from 1 byte up, and
 * the output, the flags and the counters must not change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b64enc.h"
#include "mail/cte.h"

/* ---- harness -------------------------------------------------------- */

#define CAP_MAX (1u << 20)

struct cap {
	uint8_t *buf;
	size_t len;
	unsigned calls;
};

static void cap_out(void *ctx, const uint8_t *p, size_t n)
{
	struct cap *c = ctx;

	assert_true(n > 0);
	assert_true(c->len + n <= CAP_MAX);
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	c->calls++;
}

/* Decode in[0..n) fed in pieces of `chunk` bytes (0: whole). */
static void run(struct mail_cte_dec *d, enum mail_cte cte, const void *in,
		size_t n, size_t chunk, struct cap *c)
{
	const uint8_t *p = in;
	size_t off = 0;

	c->len = 0;
	c->calls = 0;
	mail_cte_init(d, cte);
	if (chunk == 0)
		chunk = n ? n : 1;
	while (off < n) {
		size_t k = n - off < chunk ? n - off : chunk;
		/* an exact-size heap copy: a read past it is caught */
		uint8_t *piece = malloc(k);

		assert_non_null(piece);
		memcpy(piece, p + off, k);
		mail_cte_feed(d, piece, k, cap_out, c);
		free(piece);
		off += k;
	}
	mail_cte_finish(d, cap_out, c);
	assert_int_equal(d->in_bytes, n);
	assert_int_equal(d->out_bytes, c->len);
}

/* Decode whole and at every chunk size (up to 300, then a few more):
 * the same every time. Returns the flags; the output is in *whole. */
static uint32_t sweep(enum mail_cte cte, const void *in, size_t n,
		      struct cap *whole, struct mail_cte_dec *dw)
{
	static uint8_t other_buf[CAP_MAX];
	struct cap other = {other_buf, 0, 0};
	struct mail_cte_dec d;
	size_t chunk;

	run(dw, cte, in, n, 0, whole);
	for (chunk = 1; chunk <= n; chunk++) {
		if (chunk > 300 && chunk % 97 != 0 && chunk != n - 1)
			continue;
		run(&d, cte, in, n, chunk, &other);
		if (other.len != whole->len ||
		    memcmp(other.buf, whole->buf, whole->len) != 0 ||
		    d.flags != dw->flags ||
		    strcmp(d.uu_name, dw->uu_name) != 0)
			fail_msg("chunk size %zu differs from whole input",
				 chunk);
	}
	return dw->flags;
}

static uint8_t whole_buf[CAP_MAX];

/* Decode s (a C string) and expect want (want_len bytes) and flags. */
static void expect(enum mail_cte cte, const char *s, const void *want,
		   size_t want_len, uint32_t flags)
{
	struct cap c = {whole_buf, 0, 0};
	struct mail_cte_dec d;
	uint32_t got = sweep(cte, s, strlen(s), &c, &d);

	if (c.len != want_len || memcmp(c.buf, want, want_len) != 0) {
		fail_msg("input \"%s\": got %zu bytes \"%.*s\", want \"%.*s\"",
			 s, c.len, (int)c.len, (const char *)c.buf,
			 (int)want_len, (const char *)want);
	}
	if (got != flags)
		fail_msg("input \"%s\": flags 0x%x, want 0x%x", s, got, flags);
}

#define EXPECT(cte, in, want, flags)                                          \
	expect((cte), (in), (want), sizeof(want) - 1, (flags))
#define B64(in, want, flags) EXPECT(MAIL_CTE_BASE64, in, want, flags)
#define QP(in, want, flags) EXPECT(MAIL_CTE_QP, in, want, flags)
#define UU(in, want, flags) EXPECT(MAIL_CTE_UUENCODE, in, want, flags)

/* ---- the header value ----------------------------------------------- */

static void test_parse(void **state)
{
	static const struct {
		const char *in;
		enum mail_cte cte;
		bool unusual;
	} v[] = {
		{"base64", MAIL_CTE_BASE64, false},
		{"BASE64", MAIL_CTE_BASE64, false},
		{"  Base64\t", MAIL_CTE_BASE64, false},
		{"base64 (encoded by hand)", MAIL_CTE_BASE64, false},
		{"(a (nested) comment) quoted-printable", MAIL_CTE_QP, false},
		{"Quoted-Printable", MAIL_CTE_QP, false},
		{"7bit", MAIL_CTE_7BIT, false},
		{"8BIT", MAIL_CTE_8BIT, false},
		{"binary", MAIL_CTE_BINARY, false},
		{"x-uuencode", MAIL_CTE_UUENCODE, true},
		{"X-UUE", MAIL_CTE_UUENCODE, true},
		{"uuencode", MAIL_CTE_UUENCODE, true},
		{"uue", MAIL_CTE_UUENCODE, true},
		{"x-gzip64", MAIL_CTE_UNKNOWN, true},
		{"base-64", MAIL_CTE_UNKNOWN, true},
		{"base64x", MAIL_CTE_UNKNOWN, true},
		{"quoted_printable", MAIL_CTE_UNKNOWN, true},
		{"", MAIL_CTE_7BIT, true},
		{"   ", MAIL_CTE_7BIT, true},
		{"(only a comment)", MAIL_CTE_7BIT, true},
		{"\"base64\"", MAIL_CTE_BASE64, true},
		{"base64 base64", MAIL_CTE_BASE64, true},
		{"base64;", MAIL_CTE_BASE64, true},
		{"base64 (unterminated", MAIL_CTE_BASE64, false},
		{"8bit\r\n", MAIL_CTE_8BIT, false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bool unusual = !v[i].unusual;
		enum mail_cte got = mail_cte_parse(v[i].in, strlen(v[i].in),
						   &unusual);

		if (got != v[i].cte || unusual != v[i].unusual)
			fail_msg("\"%s\": got %d/%d", v[i].in, got, unusual);
	}
	/* NULL unusual is allowed; a NUL byte is just a byte */
	assert_int_equal(mail_cte_parse("base64", 6, NULL), MAIL_CTE_BASE64);
	assert_int_equal(mail_cte_parse("bas\0e64", 7, NULL),
			 MAIL_CTE_UNKNOWN);
}

static void test_names(void **state)
{
	uint32_t bit;
	unsigned named = 0, i;
	const char *seen[32];

	(void)state;
	assert_string_equal(mail_cte_name(MAIL_CTE_BASE64), "base64");
	assert_string_equal(mail_cte_name(MAIL_CTE_QP), "quoted-printable");
	assert_string_equal(mail_cte_name(MAIL_CTE_UUENCODE), "x-uuencode");
	assert_string_equal(mail_cte_name(MAIL_CTE_7BIT), "7bit");
	assert_string_equal(mail_cte_name((enum mail_cte)99), "unknown");
	assert_string_equal(mail_cte_flag_name(MAIL_CTE_F_BAD_CHAR),
			    "base64_bad_char");
	assert_null(mail_cte_flag_name(0));
	assert_null(mail_cte_flag_name(3));
	for (bit = 1; bit; bit <<= 1) {
		const char *n = mail_cte_flag_name(bit);

		if (!n)
			continue;
		/* snake_case, and no two bits share a name */
		for (i = 0; n[i]; i++)
			assert_true((n[i] >= 'a' && n[i] <= 'z') ||
				    (n[i] >= '0' && n[i] <= '9') ||
				    n[i] == '_');
		for (i = 0; i < named; i++)
			assert_string_not_equal(seen[i], n);
		seen[named++] = n;
	}
	assert_int_equal(named, 10);
}

/* ---- base64 --------------------------------------------------------- */

static void test_base64_rfc4648(void **state)
{
	(void)state;
	/* RFC 4648 section 10 */
	B64("", "", 0);
	B64("Zg==", "f", 0);
	B64("Zm8=", "fo", 0);
	B64("Zm9v", "foo", 0);
	B64("Zm9vYg==", "foob", 0);
	B64("Zm9vYmE=", "fooba", 0);
	B64("Zm9vYmFy", "foobar", 0);
	/* line breaks and blanks anywhere are skipped */
	B64("Zm9v\r\nYmFy\r\n", "foobar", 0);
	B64("Zm9v\nYmFy\n", "foobar", 0);
	B64(" Z m 9 v\tY m F y ", "foobar", 0);
	B64("Zm\r\n9vYg\r\n==\r\n", "foob", 0);
}

static void test_base64_damaged(void **state)
{
	(void)state;
	/* bytes outside the alphabet are skipped */
	B64("Zm9v*YmFy", "foobar", MAIL_CTE_F_BAD_CHAR);
	B64("Zm9v-_YmFy", "foobar", MAIL_CTE_F_BAD_CHAR);
	B64("Zm\x80\xff" "9v", "foo", MAIL_CTE_F_BAD_CHAR);
	B64("Zm9v\fYmFy", "foobar", MAIL_CTE_F_BAD_CHAR);
	/* a stray '=' where no padding can be */
	B64("=Zm9v", "foo", MAIL_CTE_F_BAD_CHAR);
	B64("Zm9v=YmFy", "foobar",
	    MAIL_CTE_F_BAD_CHAR);
	/* extra padding */
	B64("Zg===", "f", MAIL_CTE_F_BAD_CHAR);
	/* data after padding: decoded as a new quantum */
	B64("QQ==QUJD", "AABC", MAIL_CTE_F_AFTER_PAD);
	B64("YWI=QUJD", "abABC", MAIL_CTE_F_AFTER_PAD);
	B64("YWI=\r\nQUJD\r\n", "abABC", MAIL_CTE_F_AFTER_PAD);
	/* one '=' of two, then data */
	B64("QQ=QUJD", "AABC", MAIL_CTE_F_AFTER_PAD);
	/* the end inside a quantum: what the bits make, flagged */
	B64("Zm9vYg", "foob", MAIL_CTE_F_TRUNCATED);
	B64("Zm9vYmE", "fooba", MAIL_CTE_F_TRUNCATED);
	B64("Zm9vY", "foo", MAIL_CTE_F_TRUNCATED);
	B64("Zm9vYg=", "foob", MAIL_CTE_F_TRUNCATED);
	B64("Zm9vY=", "foo", MAIL_CTE_F_TRUNCATED);
	/* only junk */
	B64("!!!!", "", MAIL_CTE_F_BAD_CHAR);
	B64("====", "", MAIL_CTE_F_BAD_CHAR);
}

static void test_base64_line_length(void **state)
{
	char line[200];
	size_t i;

	(void)state;
	/* 76 characters: fine; 80: flagged once, however long */
	for (i = 0; i < 76; i++)
		line[i] = "QUJD"[i % 4];
	strcpy(line + 76, "\r\nQUJD\r\n");
	{
		struct cap c = {whole_buf, 0, 0};
		struct mail_cte_dec d;

		assert_int_equal(sweep(MAIL_CTE_BASE64, line, strlen(line),
				       &c, &d), 0);
		assert_int_equal(c.len, 60);
	}
	for (i = 0; i < 80; i++)
		line[i] = "QUJD"[i % 4];
	strcpy(line + 80, "\r\nQUJD");
	{
		struct cap c = {whole_buf, 0, 0};
		struct mail_cte_dec d;

		assert_int_equal(sweep(MAIL_CTE_BASE64, line, strlen(line),
				       &c, &d), MAIL_CTE_F_LONG_LINE);
		assert_int_equal(c.len, 63);
	}
	/* the last line, without a line break, counts too */
	for (i = 0; i < 80; i++)
		line[i] = "QUJD"[i % 4];
	line[80] = '\0';
	{
		struct cap c = {whole_buf, 0, 0};
		struct mail_cte_dec d;

		assert_int_equal(sweep(MAIL_CTE_BASE64, line, 80, &c, &d),
				 MAIL_CTE_F_LONG_LINE);
	}
	/* blanks count as characters of the line; CR does not */
	B64("QUJD QUJD QUJD QUJD QUJD QUJD QUJD QUJD QUJD QUJD QUJD QUJD "
	    "QUJD QUJD QUJD QUJD\r\n",
	    "ABCABCABCABCABCABCABCABCABCABCABCABCABCABCABCABC",
	    MAIL_CTE_F_LONG_LINE);
}

/* Encode data with 76-character lines ending in eol. */
static size_t encode_lines(const uint8_t *data, size_t n, char *out,
			   const char *eol)
{
	static char tmp[CAP_MAX];
	size_t len = b64enc(data, n, tmp), o = 0, i;

	for (i = 0; i < len; i += 76) {
		size_t k = len - i < 76 ? len - i : 76;

		memcpy(out + o, tmp + i, k);
		o += k;
		memcpy(out + o, eol, strlen(eol));
		o += strlen(eol);
	}
	return o;
}

static void test_base64_binary(void **state)
{
	static uint8_t data[70000];
	static char enc[100000];
	struct cap c = {whole_buf, 0, 0};
	struct mail_cte_dec d;
	uint32_t x = 12345;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(data); i++) {
		x = x * 1103515245u + 12345u;
		data[i] = i < 256 ? (uint8_t)i : (uint8_t)(x >> 16);
	}
	/* every byte value, CRLF lines, all chunk sizes */
	n = encode_lines(data, 1000, enc, "\r\n");
	assert_int_equal(sweep(MAIL_CTE_BASE64, enc, n, &c, &d), 0);
	assert_int_equal(c.len, 1000);
	assert_memory_equal(c.buf, data, 1000);
	/* LF lines, and a size past the output batch */
	n = encode_lines(data, sizeof(data), enc, "\n");
	run(&d, MAIL_CTE_BASE64, enc, n, 0, &c);
	assert_int_equal(d.flags, 0);
	assert_int_equal(c.len, sizeof(data));
	assert_memory_equal(c.buf, data, sizeof(data));
	/* output is batched: far fewer calls than lines */
	assert_true(c.calls <= sizeof(data) / MAIL_CTE_OUT_BATCH + 2);
	/* one long line */
	n = b64enc(data, sizeof(data), enc);
	run(&d, MAIL_CTE_BASE64, enc, n, 0, &c);
	assert_int_equal(d.flags, MAIL_CTE_F_LONG_LINE);
	assert_memory_equal(c.buf, data, sizeof(data));
	run(&d, MAIL_CTE_BASE64, enc, n, 7, &c);
	assert_int_equal(d.flags, MAIL_CTE_F_LONG_LINE);
	assert_int_equal(c.len, sizeof(data));
	assert_memory_equal(c.buf, data, sizeof(data));
}

/* ---- quoted-printable ----------------------------------------------- */

static void test_qp_rfc2045(void **state)
{
	(void)state;
	/* RFC 2045 6.7 */
	QP("Now's the time =\r\nfor all folk to come=\r\n to the aid of "
	   "their country.",
	   "Now's the time for all folk to come to the aid of their "
	   "country.",
	   0);
	QP("=3D=3d", "==", MAIL_CTE_F_LOWER_HEX);
	QP("caf=C3=A9", "caf\xc3\xa9", 0);
	QP("=00=0D=0A", "\0\r\n", 0);
	/* hard line breaks are kept as they came */
	QP("a\r\nb\nc\r\n", "a\r\nb\nc\r\n", 0);
	/* soft breaks, CRLF and LF */
	QP("ab=\r\ncd=\nef", "abcdef", 0);
	/* rule 3: trailing whitespace goes, inner whitespace stays */
	QP("a b \t \r\nc\t\nd  ", "a b\r\nc\nd", 0);
	QP("   \r\n", "\r\n", 0);
	/* "=20" protects a trailing space */
	QP("a=20\r\n", "a \r\n", 0);
	/* '=' then transport padding then the break: a soft break */
	QP("ab= \t\r\ncd=  \nef", "abcdef", 0);
	/* "=" at the very end: the soft break before a boundary */
	QP("no newline at the end=", "no newline at the end", 0);
	QP("x= ", "x", 0);
	QP("x=\r", "x", 0);
}

static void test_qp_damaged(void **state)
{
	(void)state;
	/* bad escapes are kept literally */
	QP("=G1", "=G1", MAIL_CTE_F_BAD_ESCAPE);
	QP("a=4G", "a=4G", MAIL_CTE_F_BAD_ESCAPE);
	QP("1+1=2 ok", "1+1=2 ok", MAIL_CTE_F_BAD_ESCAPE);
	QP("==41", "=A", MAIL_CTE_F_BAD_ESCAPE);
	QP("= x", "= x", MAIL_CTE_F_BAD_ESCAPE);
	QP("=\rx", "=\rx", MAIL_CTE_F_BAD_ESCAPE | MAIL_CTE_F_QP_RAW);
	QP("= \rx", "= \rx", MAIL_CTE_F_BAD_ESCAPE | MAIL_CTE_F_QP_RAW);
	QP("=4\r\nb", "=4\r\nb", MAIL_CTE_F_BAD_ESCAPE);
	/* cut inside an escape */
	QP("ab=4", "ab=4", MAIL_CTE_F_BAD_ESCAPE | MAIL_CTE_F_TRUNCATED);
	/* bytes that should have been encoded */
	QP("caf\xc3\xa9", "caf\xc3\xa9", MAIL_CTE_F_QP_RAW);
	QP("a\x01" "b\x7f", "a\x01" "b\x7f", MAIL_CTE_F_QP_RAW);
	QP("a\rb", "a\rb", MAIL_CTE_F_QP_RAW);
	QP("a \rb", "a \rb", MAIL_CTE_F_QP_RAW);
	QP("ab\r", "ab\r", MAIL_CTE_F_QP_RAW);
	QP("a\r\r\nb", "a\r\r\nb", MAIL_CTE_F_QP_RAW);
	/* whitespace longer than the hold: what overflows it is kept, the
	 * trailing remainder still goes */
	{
		static char in[200], want[200];
		struct cap c = {whole_buf, 0, 0};
		struct mail_cte_dec d;

		in[0] = want[0] = 'a';
		memset(in + 1, ' ', 81);
		strcpy(in + 82, "\r\nb");
		memset(want + 1, ' ', MAIL_CTE_QP_WS_MAX);
		strcpy(want + 1 + MAIL_CTE_QP_WS_MAX, "\r\nb");
		assert_int_equal(sweep(MAIL_CTE_QP, in, strlen(in), &c, &d),
				 MAIL_CTE_F_LONG_LINE);
		assert_int_equal(c.len, strlen(want));
		assert_memory_equal(c.buf, want, strlen(want));

		/* the same run before text: all of it kept */
		strcpy(in + 82, "x");
		assert_int_equal(sweep(MAIL_CTE_QP, in, strlen(in), &c, &d),
				 MAIL_CTE_F_LONG_LINE);
		assert_int_equal(c.len, 83);
		assert_memory_equal(c.buf, in, 83);

		/* a long run after '=' is no transport padding */
		in[0] = '=';
		memset(in + 1, ' ', 67);
		strcpy(in + 68, "x");
		assert_int_equal(sweep(MAIL_CTE_QP, in, strlen(in), &c, &d),
				 MAIL_CTE_F_BAD_ESCAPE);
		assert_int_equal(c.len, 69);
		assert_memory_equal(c.buf, in, 69);
	}
}

static void test_qp_line_length(void **state)
{
	char line[200];
	size_t i;

	(void)state;
	/* 75 characters and the soft break's '=' make 76: fine */
	for (i = 0; i < 75; i++)
		line[i] = 'a';
	strcpy(line + 75, "=\r\nb");
	{
		struct cap c = {whole_buf, 0, 0};
		struct mail_cte_dec d;

		assert_int_equal(sweep(MAIL_CTE_QP, line, strlen(line), &c,
				       &d), 0);
		assert_int_equal(c.len, 76);
	}
	/* 77 on a hard line */
	for (i = 0; i < 77; i++)
		line[i] = 'a';
	strcpy(line + 77, "\r\nb");
	{
		struct cap c = {whole_buf, 0, 0};
		struct mail_cte_dec d;

		assert_int_equal(sweep(MAIL_CTE_QP, line, strlen(line), &c,
				       &d), MAIL_CTE_F_LONG_LINE);
		assert_int_equal(c.len, 80);
	}
	/* escapes count as three */
	for (i = 0; i < 78; i += 3)
		memcpy(line + i, "=41", 3);
	line[78] = '\0';
	{
		struct cap c = {whole_buf, 0, 0};
		struct mail_cte_dec d;

		assert_int_equal(sweep(MAIL_CTE_QP, line, 78, &c, &d),
				 MAIL_CTE_F_LONG_LINE);
		assert_int_equal(c.len, 26);
	}
}

/* ---- uuencode ------------------------------------------------------- */

static void test_uu(void **state)
{
	struct cap c = {whole_buf, 0, 0};
	struct mail_cte_dec d;
	static const char full[] =
		"Some text before the file.\n"
		"begin 644 hello.txt\n"
		".2&5L;&\\L('=O<FQD(0H`\n"
		"`\n"
		"end\n"
		"Text after it is ignored.\n";
	static const char lines45[] =
		"begin 600 bytes.bin\r\n"
		"M``$\"`P0%!@<(\"0H+#`T.#Q`1$A,4%187&!D:&QP='A\\@"
		"(2(C)\"4F)R@I*BLL\r\n"
		"\"86(`\r\n"
		"`\r\n"
		"end\r\n";
	uint8_t want45[47];
	size_t i;

	(void)state;
	/* text outside begin/end is not decoded */
	assert_int_equal(sweep(MAIL_CTE_UUENCODE, full, strlen(full), &c, &d),
			 0);
	assert_int_equal(c.len, 14);
	assert_memory_equal(c.buf, "Hello, world!\n", 14);
	assert_string_equal(d.uu_name, "hello.txt");
	/* a full 45-byte line, CRLF line ends */
	for (i = 0; i < 45; i++)
		want45[i] = (uint8_t)i;
	want45[45] = 'a';
	want45[46] = 'b';
	assert_int_equal(sweep(MAIL_CTE_UUENCODE, lines45, strlen(lines45),
			       &c, &d), 0);
	assert_int_equal(c.len, 47);
	assert_memory_equal(c.buf, want45, 47);
	assert_string_equal(d.uu_name, "bytes.bin");

	/* spaces instead of backticks, and the trailing space stripped in
	 * transit: the missing character reads as zero bits, flagged */
	UU("begin 644 a\n#0V%T\n \nend\n", "Cat", 0);
	UU("begin 644 a\n.2&5L;&\\L('=O<FQD(0H\nend\n", "Hello, world!\n",
	   MAIL_CTE_F_UU_BAD_LINE);
	/* a byte outside the alphabet: the line is skipped */
	UU("begin 644 a\n#0V%T\n#0V\x7fT\n#0V%T\nend\n", "CatCat",
	   MAIL_CTE_F_UU_BAD_LINE);
	UU("begin 644 a\n~0V%T\nend\n", "", MAIL_CTE_F_UU_BAD_LINE);
	/* missing end */
	UU("begin 644 a\n#0V%T\n", "Cat", MAIL_CTE_F_TRUNCATED);
	UU("begin 644 a\n#0V%T", "Cat", MAIL_CTE_F_TRUNCATED);
	/* no begin at all, or one that is not "begin MODE NAME" */
	UU("#0V%T\nend\n", "", MAIL_CTE_F_UU_NO_BEGIN);
	UU("begin the story\n#0V%T\nend\n", "", MAIL_CTE_F_UU_NO_BEGIN);
	UU("", "", MAIL_CTE_F_UU_NO_BEGIN);
	/* only the first file; "end" with trailing blanks counts */
	UU("begin 644 a\n#0V%T\nend  \nbegin 644 b\n#0V%T\nend\n", "Cat", 0);
	/* blank lines inside are skipped */
	UU("begin 644 a\n\n#0V%T\n\r\nend\n", "Cat", 0);
}

static void test_uu_names(void **state)
{
	static char in[2000];
	struct cap c = {whole_buf, 0, 0};
	struct mail_cte_dec d;
	size_t i;

	(void)state;
	/* a name with blanks, and an empty one */
	strcpy(in, "begin 0644  my file.exe\r\n#0V%T\r\nend\r\n");
	sweep(MAIL_CTE_UUENCODE, in, strlen(in), &c, &d);
	assert_string_equal(d.uu_name, "my file.exe");
	strcpy(in, "begin 644 \n#0V%T\nend\n");
	sweep(MAIL_CTE_UUENCODE, in, strlen(in), &c, &d);
	assert_string_equal(d.uu_name, "");
	assert_int_equal(c.len, 3);
	/* a name far too long: cut, NUL-terminated */
	strcpy(in, "begin 644 ");
	for (i = 10; i < 1500; i++)
		in[i] = 'n';
	strcpy(in + 1500, "\n#0V%T\nend\n");
	assert_int_equal(sweep(MAIL_CTE_UUENCODE, in, strlen(in), &c, &d),
			 0);
	assert_true(strlen(d.uu_name) > 200);
	assert_true(strlen(d.uu_name) < sizeof(d.uu_name));
	assert_int_equal(c.len, 3);
	/* a data line too long to hold: bad line, the rest decodes */
	strcpy(in, "begin 644 a\nM");
	for (i = 13; i < 1000; i++)
		in[i] = '!';
	strcpy(in + 1000, "\n#0V%T\nend\n");
	assert_int_equal(sweep(MAIL_CTE_UUENCODE, in, strlen(in), &c, &d),
			 MAIL_CTE_F_UU_BAD_LINE);
	assert_int_equal(c.len, 3);
}

/* ---- pass-through --------------------------------------------------- */

struct ptr_check {
	const uint8_t *want;
	unsigned calls;
};

static void same_ptr(void *ctx, const uint8_t *p, size_t n)
{
	struct ptr_check *pc = ctx;

	assert_ptr_equal(p, pc->want);
	assert_int_equal(n, 5);
	pc->calls++;
}

static void test_pass_through(void **state)
{
	static const enum mail_cte kinds[] = {MAIL_CTE_7BIT, MAIL_CTE_8BIT,
					      MAIL_CTE_BINARY,
					      MAIL_CTE_UNKNOWN};
	static const char raw[] = "a=4\r\n\0\xff=\r\nbase64 QQ==\n";
	struct cap c = {whole_buf, 0, 0};
	struct mail_cte_dec d;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		uint32_t f = sweep(kinds[i], raw, sizeof(raw) - 1, &c, &d);

		assert_int_equal(f, kinds[i] == MAIL_CTE_UNKNOWN ?
				 MAIL_CTE_F_UNKNOWN_CTE : 0);
		assert_int_equal(c.len, sizeof(raw) - 1);
		assert_memory_equal(c.buf, raw, sizeof(raw) - 1);
	}
	/* no copy: the caller's bytes go straight out */
	{
		struct ptr_check pc = {(const uint8_t *)"hello", 0};

		mail_cte_init(&d, MAIL_CTE_8BIT);
		mail_cte_feed(&d, pc.want, 5, same_ptr, &pc);
		mail_cte_feed(&d, pc.want, 0, same_ptr, &pc);
		mail_cte_finish(&d, same_ptr, &pc);
		assert_int_equal(pc.calls, 1);
	}
	/* an unknown encoding is flagged even with no body */
	mail_cte_init(&d, MAIL_CTE_UNKNOWN);
	mail_cte_finish(&d, cap_out, &c);
	assert_int_equal(d.flags, MAIL_CTE_F_UNKNOWN_CTE);
	/* an out-of-range value is unknown */
	mail_cte_init(&d, (enum mail_cte)42);
	assert_int_equal(d.cte, MAIL_CTE_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_base64_damaged),
		cmocka_unit_test(test_base64_line_length),
		cmocka_unit_test(test_base64_binary),
		cmocka_unit_test(test_qp_rfc2045),
		cmocka_unit_test(test_qp_damaged),
		cmocka_unit_test(test_qp_line_length),
		cmocka_unit_test(test_uu),
		cmocka_unit_test(test_uu_names),
		cmocka_unit_test(test_pass_through),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
