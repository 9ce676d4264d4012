/*
 * URLs in plain text: each vector (text in, URLs out in order, with
 * their flags) is run whole and cut at every chunk size, and must give
 * the same URLs, counts and set statistics every time. Then the edges:
 * trailing punctuation and brackets, angle brackets, www., UNC,
 * Unicode delimiters, broken UTF-8, NUL bytes, URLs at and past the
 * length cap, and reuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/urltext.h"

/* ---- helpers -------------------------------------------------------- */

/* The set after feeding p[0..n) in chunks of `chunk` bytes (0: whole),
 * written out one URL a line ("url count flags"), then the stats. */
static char *run(const char *p, size_t n, size_t chunk, uint32_t max_len)
{
	struct mail_urltext *t = malloc(sizeof(*t));
	struct mail_urlset *s = mail_urlset_new(0, max_len);
	struct mail_urlset_stats st;
	size_t i, cap = 1 << 16, len = 0;
	char *out = malloc(cap);
	uint32_t k;

	assert_non_null(t);
	assert_non_null(out);
	mail_urltext_init(t);
	if (chunk == 0)
		chunk = n ? n : 1;
	for (i = 0; i < n; i += chunk)
		mail_urltext_feed(t, p + i, n - i < chunk ? n - i : chunk, s);
	mail_urltext_finish(t, s);
	for (k = 0; k < mail_urlset_count(s); k++) {
		const struct mail_url *u = mail_urlset_get(s, k);

		assert_true(u->sources == 1u << MAIL_URL_TEXT);
		len += (size_t)snprintf(out + len, cap - len, "%.*s %u %#x\n",
					(int)u->len, u->url, u->count,
					u->flags);
		assert_true(len < cap);
	}
	mail_urlset_stats(s, &st);
	len += (size_t)snprintf(out + len, cap - len,
				"offered %llu too_long %llu\n",
				(unsigned long long)st.offered,
				(unsigned long long)st.too_long);
	assert_true(len < cap);
	mail_urlset_free(s);
	free(t);
	return out;
}

/* Whole and at every chunk size: the same. Returns the whole run. */
static char *sweep(const char *p, size_t n, uint32_t max_len)
{
	char *whole = run(p, n, 0, max_len);
	size_t c;

	for (c = 1; c <= n; c++) {
		char *part = run(p, n, c, max_len);

		if (strcmp(whole, part) != 0)
			fail_msg("chunk %zu of %zu differs:\n%s---\n%s", c, n,
				 whole, part);
		free(part);
	}
	return whole;
}

/* want: the URLs expected, one a line: "url count flags", in order. */
static void expect(const char *text, const char *want)
{
	char *got = sweep(text, strlen(text), 0);
	char *end = strstr(got, "offered ");

	assert_non_null(end);
	*end = '\0';
	if (strcmp(got, want) != 0)
		fail_msg("text: %s\ngot:\n%swant:\n%s", text, got, want);
	free(got);
}

/* ---- vectors -------------------------------------------------------- */

static void test_schemes(void **state)
{
	(void)state;
	expect("see http://example.com/a and HTTPS://Example.COM:443/b ok",
	       "http://example.com/a 1 0\nhttps://example.com/b 1 0\n");
	expect("ftp://ftp.example.org/pub/f.tgz file:///etc/passwd "
	       "file://server/share/x",
	       "ftp://ftp.example.org/pub/f.tgz 1 0x10\n"
	       "file:///etc/passwd 1 0x10\n"
	       "file://server/share/x 1 0x30\n");
	/* Not schemes we look for, or glued to a word. */
	expect("mailto:a@b.example gopher://x/ xhttp://glued.example/ "
	       "1http://glued.example/ http:// http:/// ",
	       "");
	/* Not glued: punctuation before the scheme. */
	expect("url=http://a.example/x,(http://b.example/)"
	       " <URL:http://c.example/> \"http://d.example/\"",
	       "http://a.example/x,(http://b.example/) 1 0\n"
	       "http://c.example/ 1 0\nhttp://d.example/ 1 0\n");
	/* One URL per word: the rest of the word belongs to it. */
	expect("http://a.example/?u=http://b.example/",
	       "http://a.example/?u=http://b.example/ 1 0\n");
	/* Repeats are counted. */
	expect("http://r.example/ http://r.example/ HTTP://R.EXAMPLE",
	       "http://r.example/ 3 0\n");
}

static void test_trailing_punctuation(void **state)
{
	(void)state;
	expect("Go to http://example.com/path. Then, http://example.com/x, "
	       "and http://example.com/y; or http://example.com/z: "
	       "http://example.com/w! http://example.com/v? "
	       "'http://example.com/u' \"http://example.com/t\"...",
	       "http://example.com/path 1 0\nhttp://example.com/x 1 0\n"
	       "http://example.com/y 1 0\nhttp://example.com/z 1 0\n"
	       "http://example.com/w 1 0\nhttp://example.com/v 1 0\n"
	       "http://example.com/u 1 0\nhttp://example.com/t 1 0\n");
	/* A ")" is kept when the URL opened one. */
	expect("(see http://en.wikipedia.org/wiki/Foo_(bar))",
	       "http://en.wikipedia.org/wiki/Foo_(bar) 1 0\n");
	expect("(http://example.com/a)", "http://example.com/a 1 0\n");
	expect("http://example.com/a)).", "http://example.com/a 1 0\n");
	expect("[http://example.com/a]", "http://example.com/a 1 0\n");
	expect("http://example.com/[x]]",
	       "http://example.com/%5Bx%5D 1 0\n");
	/* Punctuation inside stays. */
	expect("http://example.com/a.b,c;d:e!f?g=h'i",
	       "http://example.com/a.b,c;d:e!f?g=h'i 1 0\n");
	/* Nothing left after the scheme once cut: nothing. */
	expect("http://.) https://'", "");
}

static void test_angle_brackets(void **state)
{
	(void)state;
	expect("<http://example.com/a>", "http://example.com/a 1 0\n");
	expect("<<http://example.com/b>>", "http://example.com/b 1 0\n");
	expect("Link: <https://example.com/c>.", "https://example.com/c 1 0\n");
	/* RFC 3986 appendix C wrapping: only up to the break. */
	expect("<http://example.com/very/\n long>",
	       "http://example.com/very/ 1 0\n");
}

static void test_www(void **state)
{
	(void)state;
	expect("visit www.example.com/shop, or WWW.Example.ORG.",
	       "http://www.example.com/shop 1 0x80\n"
	       "http://www.example.org/ 1 0x80\n");
	expect("(www.example.net)", "http://www.example.net/ 1 0x80\n");
	/* Part of an address or a longer name, or nothing after it. */
	expect("user@www.example.com foo.www.example.com x-www.example.com "
	       "/www.example.com www. www.) awww.example.com",
	       "");
	/* Written in full and bare: one URL, both ways flagged. */
	expect("www.example.com http://www.example.com/",
	       "http://www.example.com/ 2 0x80\n");
}

static void test_unc(void **state)
{
	(void)state;
	expect("open \\\\fileserver\\share\\doc.lnk now",
	       "file://fileserver/share/doc.lnk 1 0x30\n");
	expect("(\\\\10.0.0.1\\c$)", "file://10.0.0.1/c$ 1 0x31\n");
	/* Inside a path or after a drive, not a UNC path. */
	expect("C:\\\\x\\y dir\\\\host\\s \\\\\\triple \\\\ ", "");
}

static void test_unicode(void **state)
{
	(void)state;
	/* Non-ASCII inside a URL is part of it. */
	expect("https://\xe6\x97\xa5\xe6\x9c\xac.example/\xe3\x83\x91 x",
	       "https://\xe6\x97\xa5\xe6\x9c\xac.example/%E3%83%91 1 0x4\n");
	/* NBSP, ideographic space and full stop, zero-width space, curly
	 * quotes, guillemets, fullwidth parentheses end it. */
	expect("http://a.example/1\xc2\xa0next "
	       "http://b.example/2\xe3\x80\x80next "
	       "http://c.example/3\xe3\x80\x82next "
	       "http://d.example/4\xe2\x80\x8bnext "
	       "\xe2\x80\x9chttp://e.example/5\xe2\x80\x9d "
	       "\xc2\xabhttp://f.example/6\xc2\xbb "
	       "\xef\xbc\x88http://g.example/7\xef\xbc\x89 "
	       "http://h.example/8\xe2\x80\xaegpj.exe",
	       "http://a.example/1 1 0\nhttp://b.example/2 1 0\n"
	       "http://c.example/3 1 0\nhttp://d.example/4 1 0\n"
	       "http://e.example/5 1 0\nhttp://f.example/6 1 0\n"
	       "http://g.example/7 1 0\nhttp://h.example/8 1 0\n");
	/* Broken UTF-8 ends a word; the byte after it starts afresh. */
	expect("http://a.example/x\xffhttp://b.example/ "
	       "http://c.example/y\xc3http://d.example/ "
	       "http://e.example/\xe0\x80z http://f.example/\xed\xa0\x80 "
	       "http://g.example/\xf4\x90\x80\x80",
	       "http://a.example/x 1 0\nhttp://b.example/ 1 0\n"
	       "http://c.example/y 1 0\nhttp://d.example/ 1 0\n"
	       "http://e.example/ 1 0\nhttp://f.example/ 1 0\n"
	       "http://g.example/ 1 0\n");
	/* A character cut by the end of the text. */
	expect("http://x.example/\xe2\x82", "http://x.example/ 1 0\n");
}

static void test_nul_and_controls(void **state)
{
	static const char text[] = "a\0http://n.example/\0b\x01http://c.example"
				   "/\x7fhttp://d.example/\x1b";
	char *got;

	(void)state;
	got = sweep(text, sizeof(text) - 1, 0);
	assert_string_equal(got, "http://n.example/ 1 0\n"
				 "http://c.example/ 1 0\n"
				 "http://d.example/ 1 0\n"
				 "offered 3 too_long 0\n");
	free(got);
}

/* Every byte outside a URL, and long words, at every chunk size. */
static void test_look_behind_window(void **state)
{
	(void)state;
	/* The scheme lands across the compaction of the look-behind. */
	expect("0123456789abcd,https://w.example/ 0123456789abcdef,http://v.ex "
	       "0123456789abcdefgh-www.u.example 0123456789ab(www.t.example)",
	       "https://w.example/ 1 0\nhttp://v.ex/ 1 0\n"
	       "http://www.t.example/ 1 0x80\n");
}

static void test_length_cap(void **state)
{
	char *text = malloc(MAIL_URL_LEN_MAX + 100), *got, want[128];
	size_t n;

	(void)state;
	/* With a set of 64-byte URLs: one of 64 kept, one of 65 (and a
	 * full stop) not. */
	memset(text, 'a', 200);
	memcpy(text, "x http://h/", 11);
	text[66] = ' ';
	memcpy(text + 67, "http://h/", 9);
	memcpy(text + 67 + 65, ". z", 3);
	n = 67 + 65 + 3;
	got = sweep(text, n, 64);
	memcpy(want, text + 2, 64);
	strcpy(want + 64, " 1 0\noffered 2 too_long 1\n");
	assert_string_equal(got, want);
	free(got);

	/* Past the carry buffer: offered cut, refused as too long; what
	 * follows is found. */
	memset(text, 'c', MAIL_URL_LEN_MAX + 100);
	memcpy(text, "http://h/", 9);
	memcpy(text + MAIL_URL_LEN_MAX + 50, " http://next.example/ ", 22);
	got = run(text, MAIL_URL_LEN_MAX + 100, 0, MAIL_URL_LEN_MAX);
	assert_string_equal(got, "http://next.example/ 1 0\n"
				 "offered 2 too_long 1\n");
	free(got);
	got = run(text, MAIL_URL_LEN_MAX + 100, 1, MAIL_URL_LEN_MAX);
	assert_string_equal(got, "http://next.example/ 1 0\n"
				 "offered 2 too_long 1\n");
	free(got);
	/* Exactly MAIL_URL_LEN_MAX: kept. */
	got = run(text, MAIL_URL_LEN_MAX, 997, MAIL_URL_LEN_MAX);
	assert_non_null(strstr(got, "offered 1 too_long 0\n"));
	assert_int_equal(strlen(got), MAIL_URL_LEN_MAX + 5 +
				      strlen("offered 1 too_long 0\n"));
	free(got);
	free(text);
}

/* A big text of nothing but URLs and one long word. */
static void test_volume(void **state)
{
	size_t cap = 4u << 20, n = 0, i;
	char *text = malloc(cap), *got;
	struct mail_urlset *s = mail_urlset_new(0, 0);
	struct mail_urlset_stats st;
	struct mail_urltext t;

	(void)state;
	for (i = 0; i < 100000; i++)
		n += (size_t)sprintf(text + n, "http://h%zu.example/ ", i);
	memset(text + n, 'w', cap - n);
	mail_urltext_init(&t);
	mail_urltext_feed(&t, text, cap, s);
	mail_urltext_finish(&t, s);
	assert_int_equal(mail_urlset_count(s), MAIL_URLSET_DEFAULT_URLS);
	mail_urlset_stats(s, &st);
	assert_int_equal(st.offered, 100000);
	assert_int_equal(st.dropped, 100000 - MAIL_URLSET_DEFAULT_URLS);
	mail_urlset_free(s);
	free(text);
	(void)got;
}

static void test_finish_resets(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	struct mail_urltext t;

	(void)state;
	mail_urltext_init(&t);
	mail_urltext_feed(&t, "http://a.example/x\xe2", 19, s);
	mail_urltext_finish(&t, s);
	/* The next text starts afresh: "ttp" is not glued to "x". */
	mail_urltext_feed(&t, "ttp://b.example/", 16, s);
	mail_urltext_finish(&t, s);
	mail_urltext_feed(&t, "www", 3, s);
	mail_urltext_finish(&t, s);
	mail_urltext_feed(&t, ".x.example", 10, s);
	mail_urltext_finish(&t, s);
	assert_int_equal(mail_urlset_count(s), 1);
	assert_int_equal(mail_urlset_get(s, 0)->len, 18);
	mail_urlset_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schemes),
		cmocka_unit_test(test_trailing_punctuation),
		cmocka_unit_test(test_angle_brackets),
		cmocka_unit_test(test_www),
		cmocka_unit_test(test_unc),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_nul_and_controls),
		cmocka_unit_test(test_look_behind_window),
		cmocka_unit_test(test_length_cap),
		cmocka_unit_test(test_volume),
		cmocka_unit_test(test_finish_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
