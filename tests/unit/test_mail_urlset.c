/*
 * The URL set: RFC 3986 normalisation (the examples of sections 6.2.2
 * and 6.2.3, reference resolution of section 5.4), what a browser makes
 * of sloppy hrefs, every flag, the caps (URL count, URL length before
 * and after normalisation, anchor length), hostile volumes, and reuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/urlset.h"

/* ---- helpers -------------------------------------------------------- */

static bool add(struct mail_urlset *s, const char *raw)
{
	return mail_urlset_add(s, raw, strlen(raw), MAIL_URL_TEXT, NULL, 0);
}

/* The URL raw normalises to, alone in a fresh set; NULL if not kept. */
static const struct mail_url *one(struct mail_urlset *s, const char *raw)
{
	mail_urlset_reset(s);
	if (!add(s, raw))
		return NULL;
	assert_int_equal(mail_urlset_count(s), 1);
	return mail_urlset_get(s, 0);
}

static void assert_mem(const char *p, uint32_t n, const char *want)
{
	if (n != strlen(want) || memcmp(p, want, n) != 0)
		fail_msg("got \"%.*s\", want \"%s\"", (int)n, p, want);
}

static void expect_norm(struct mail_urlset *s, const char *raw,
			const char *want)
{
	const struct mail_url *u = one(s, raw);

	if (!u)
		fail_msg("\"%s\" not kept", raw);
	assert_mem(u->url, u->len, want);
}

static void expect_flags(struct mail_urlset *s, const char *raw,
			 const char *want_url, uint32_t flags)
{
	const struct mail_url *u = one(s, raw);

	if (!u)
		fail_msg("\"%s\" not kept", raw);
	assert_mem(u->url, u->len, want_url);
	if (u->flags != flags)
		fail_msg("\"%s\": flags %#x, want %#x", raw, u->flags, flags);
}

/* ---- normalisation -------------------------------------------------- */

static void test_rfc3986_6_2_2(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);

	(void)state;
	/* 6.2.2.1 case: scheme and host lower-cased, hex upper-cased. */
	expect_norm(s, "HTTP://www.EXAMPLE.com/", "http://www.example.com/");
	expect_norm(s, "http://example.com/a%3ab%3Fc",
		    "http://example.com/a%3Ab%3Fc");
	/* 6.2.2.2 percent-encoding of unreserved characters decoded. */
	expect_norm(s, "http://example.com/%7Efoo", "http://example.com/~foo");
	expect_norm(s, "http://example.com/%41%2D%5F%2E%7e",
		    "http://example.com/A-_.~");
	expect_norm(s, "http://Ex%41mple.COM/", "http://example.com/");
	/* 6.2.2.3 dot-segments. */
	expect_norm(s, "http://example.com/mid/content=5/../6",
		    "http://example.com/mid/6");
	expect_norm(s, "http://example.com/a/b/c/./../../g",
		    "http://example.com/a/g");
	expect_norm(s, "http://example.com/../../x", "http://example.com/x");
	/* The section's own pair of equivalent URIs. */
	expect_norm(s, "example://a/b/c/%7Bfoo%7D",
		    "example://a/b/c/%7Bfoo%7D");
	expect_norm(s, "eXAMPLE://a/./b/../b/%63/%7bfoo%7d",
		    "example://a/b/c/%7Bfoo%7D");
	/* Reserved characters stay encoded: %2F is not '/'. */
	expect_norm(s, "http://h/a%2fb", "http://h/a%2Fb");
	/* Removing dot-segments must not turn a path into an authority
	 * (section 3.3): "/." guards it, as the WHATWG serialiser does. */
	expect_norm(s, "foo:/a/..//evil.example/x", "foo:/.//evil.example/x");
	assert_int_equal(mail_urlset_get(s, 0)->host_len, 0);
	expect_norm(s, "foo:/.//evil.example/x", "foo:/.//evil.example/x");
	expect_norm(s, "foo://evil.example/x", "foo://evil.example/x");
	assert_int_equal(mail_urlset_get(s, 0)->host_len, 12);
	mail_urlset_free(s);
}

static void test_rfc3986_6_2_3(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	const struct mail_url *u;

	(void)state;
	/* "http://example.com" and three spellings of it are one URL. */
	assert_true(add(s, "http://example.com"));
	assert_true(add(s, "http://example.com/"));
	assert_true(add(s, "http://example.com:/"));
	assert_true(add(s, "http://example.com:80/"));
	assert_int_equal(mail_urlset_count(s), 1);
	u = mail_urlset_get(s, 0);
	assert_mem(u->url, u->len, "http://example.com/");
	assert_int_equal(u->count, 4);

	expect_norm(s, "https://h:443/x", "https://h/x");
	expect_norm(s, "https://h:0443/x", "https://h/x");
	expect_norm(s, "ftp://h:21/f", "ftp://h/f");
	expect_norm(s, "https://h:80/x", "https://h:80/x");
	expect_norm(s, "http://h:8080", "http://h:8080/");
	expect_norm(s, "http://h?q", "http://h/?q");
	expect_norm(s, "http://h#f", "http://h/#f");
	/* Not for other schemes: their empty path means something. */
	expect_norm(s, "foo://h", "foo://h");
	mail_urlset_free(s);
}

/* WHATWG URL: what a browser does with an href before RFC 3986 sees
 * it. */
static void test_browser_cleanup(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);

	(void)state;
	expect_norm(s, "  http://x.example/ \r\n", "http://x.example/");
	expect_norm(s, "ja\tva\nscr\ript:alert(1)", "javascript:alert(1)");
	expect_norm(s, "http://h/a\nb", "http://h/ab");
	expect_norm(s, "http:\\\\evil.example\\a\\b?c\\d",
		    "http://evil.example/a/b?c%5Cd");
	expect_norm(s, "http:evil.example", "http://evil.example/");
	expect_norm(s, "http:/evil.example", "http://evil.example/");
	expect_norm(s, "https:////evil.example", "https://evil.example/");
	expect_norm(s, "http://a@b@c.example/", "http://a%40b@c.example/");
	expect_norm(s, "http://h/a b", "http://h/a%20b");
	expect_norm(s, "http://h/%zz%4", "http://h/%25zz%254");
	expect_norm(s, "http://h/<\"{|}^`>", "http://h/%3C%22%7B%7C%7D%5E%60%3E");
	expect_norm(s, "http://h/[x]", "http://h/%5Bx%5D");
	expect_norm(s, "http://h/a#b#c", "http://h/a#b%23c");
	expect_norm(s, "http://h/\xc3\xa9?\xc3\xa9#\xc3\xa9",
		    "http://h/%C3%A9?%C3%A9#%C3%A9");
	expect_norm(s, "http://h/\x01\x7f", "http://h/%01%7F");
	expect_norm(s, "http://h/a%00b", "http://h/a%00b");
	expect_norm(s, "search-ms:query=x&crumb=location:\\\\evil\\s",
		    "search-ms:query=x&crumb=location:%5C%5Cevil%5Cs");
	mail_urlset_free(s);
}

static void test_flags(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	const struct mail_url *u;

	(void)state;
	/* IPv4 in every notation a browser takes. */
	expect_flags(s, "http://192.168.0.1/", "http://192.168.0.1/",
		     MAIL_URL_F_IP_HOST);
	assert_string_equal(mail_urlset_get(s, 0)->ipv4, "192.168.0.1");
	expect_flags(s, "http://3232235777/", "http://3232235777/",
		     MAIL_URL_F_IP_HOST | MAIL_URL_F_IP_OBFUSCATED);
	assert_string_equal(mail_urlset_get(s, 0)->ipv4, "192.168.1.1");
	expect_flags(s, "http://0xC0A80001/", "http://0xc0a80001/",
		     MAIL_URL_F_IP_HOST | MAIL_URL_F_IP_OBFUSCATED);
	assert_string_equal(mail_urlset_get(s, 0)->ipv4, "192.168.0.1");
	expect_flags(s, "http://0300.0250.0.1/", "http://0300.0250.0.1/",
		     MAIL_URL_F_IP_HOST | MAIL_URL_F_IP_OBFUSCATED);
	assert_string_equal(mail_urlset_get(s, 0)->ipv4, "192.168.0.1");
	expect_flags(s, "http://127.1/", "http://127.1/",
		     MAIL_URL_F_IP_HOST | MAIL_URL_F_IP_OBFUSCATED);
	assert_string_equal(mail_urlset_get(s, 0)->ipv4, "127.0.0.1");
	expect_flags(s, "http://0x7f.0.0.0x1/", "http://0x7f.0.0.0x1/",
		     MAIL_URL_F_IP_HOST | MAIL_URL_F_IP_OBFUSCATED);
	assert_string_equal(mail_urlset_get(s, 0)->ipv4, "127.0.0.1");
	expect_flags(s, "http://1.2.3.4./", "http://1.2.3.4./",
		     MAIL_URL_F_IP_HOST | MAIL_URL_F_IP_OBFUSCATED);
	/* Not addresses: a name, too large, too many parts, bad digit. */
	expect_flags(s, "http://1.2.3.example/", "http://1.2.3.example/", 0);
	expect_flags(s, "http://4294967296/", "http://4294967296/", 0);
	expect_flags(s, "http://1.2.3.4.5/", "http://1.2.3.4.5/", 0);
	expect_flags(s, "http://1.256.3.4/", "http://1.256.3.4/", 0);
	expect_flags(s, "http://09.1.1.1/", "http://09.1.1.1/", 0);
	assert_string_equal(mail_urlset_get(s, 0)->ipv4, "");
	/* IPv6 and IPvFuture, written as RFC 5952 says. */
	expect_flags(s, "http://[2001:DB8:0:0:0:0:0:1]:443/",
		     "http://[2001:db8::1]:443/", MAIL_URL_F_IP_HOST);
	u = mail_urlset_get(s, 0);
	assert_mem(u->host, u->host_len, "2001:db8::1");
	expect_flags(s, "https://[::FFFF:192.0.2.1]:443",
		     "https://[::ffff:c000:201]/", MAIL_URL_F_IP_HOST);
	expect_flags(s, "http://[0:0:1:0:0:1:0:0]/", "http://[::1:0:0:1:0:0]/",
		     MAIL_URL_F_IP_HOST);
	expect_flags(s, "http://[1:2:3:4:5:6:7:8]/", "http://[1:2:3:4:5:6:7:8]/",
		     MAIL_URL_F_IP_HOST);
	expect_flags(s, "http://[v7.x]/", "http://[v7.x]/", MAIL_URL_F_IP_HOST);
	/* IDN: kept as found, in UTF-8, from raw or encoded bytes. */
	expect_flags(s, "http://B\xc3\xbc" "cher.example/",
		     "http://b\xc3\xbc" "cher.example/", MAIL_URL_F_IDN);
	u = mail_urlset_get(s, 0);
	assert_mem(u->host, u->host_len, "b\xc3\xbc" "cher.example");
	expect_flags(s, "http://b%C3%BCcher.example/x",
		     "http://b\xc3\xbc" "cher.example/x", MAIL_URL_F_IDN);
	expect_flags(s, "http://XN--bcher-kva.example/",
		     "http://xn--bcher-kva.example/", MAIL_URL_F_IDN);
	expect_flags(s, "http://a.xn--p1ai/", "http://a.xn--p1ai/",
		     MAIL_URL_F_IDN);
	expect_flags(s, "http://axn--b.example/", "http://axn--b.example/", 0);
	/* userinfo */
	expect_flags(s, "http://www.bank.example@evil.example/",
		     "http://www.bank.example@evil.example/",
		     MAIL_URL_F_USERINFO);
	u = mail_urlset_get(s, 0);
	assert_mem(u->host, u->host_len, "evil.example");
	expect_flags(s, "http://@h/", "http://@h/", MAIL_URL_F_USERINFO);
	/* Schemes that are not the web. */
	expect_flags(s, "JavaScript:alert(1)", "javascript:alert(1)",
		     MAIL_URL_F_NON_HTTP);
	expect_flags(s, "ms-word:ofe|u|http://x/y.docx",
		     "ms-word:ofe%7Cu%7Chttp://x/y.docx",
		     MAIL_URL_F_NON_HTTP);
	expect_flags(s, "ftp://ftp.example/f", "ftp://ftp.example/f",
		     MAIL_URL_F_NON_HTTP);
	/* UNC in its three spellings; a local file is not one. */
	expect_flags(s, "\\\\evil.example\\share\\a.lnk",
		     "file://evil.example/share/a.lnk",
		     MAIL_URL_F_UNC | MAIL_URL_F_NON_HTTP);
	expect_flags(s, "file://evil.example/share",
		     "file://evil.example/share",
		     MAIL_URL_F_UNC | MAIL_URL_F_NON_HTTP);
	expect_flags(s, "file:\\\\evil.example\\share",
		     "file://evil.example/share",
		     MAIL_URL_F_UNC | MAIL_URL_F_NON_HTTP);
	expect_flags(s, "file:////evil.example/share",
		     "file:////evil.example/share",
		     MAIL_URL_F_UNC | MAIL_URL_F_NON_HTTP);
	expect_flags(s, "file:///C:/Windows/x", "file:///C:/Windows/x",
		     MAIL_URL_F_NON_HTTP);
	expect_flags(s, "file://localhost/etc", "file://localhost/etc",
		     MAIL_URL_F_NON_HTTP);
	/* Rejected by liburiparser: kept as found. */
	expect_flags(s, "HTTP://[::1", "http://[::1", MAIL_URL_F_BAD);
	u = mail_urlset_get(s, 0);
	assert_int_equal(u->host_len, 0);
	assert_mem(u->scheme, u->scheme_len, "http");
	expect_flags(s, "http://h:8o/", "http://h:8o/", MAIL_URL_F_BAD);
	expect_flags(s, "gopher://h]x/", "gopher://h]x/",
		     MAIL_URL_F_BAD | MAIL_URL_F_NON_HTTP);
	/* data: kept short. */
	expect_flags(s, "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0"
			"PjxzY3JpcHQ+YWxlcnQoMSk8L3NjcmlwdD4=",
		     "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0"
		     "PjxzY3JpcH",
		     MAIL_URL_F_NON_HTTP | MAIL_URL_F_TRUNCATED);
	expect_flags(s, "data:,hi", "data:,hi", MAIL_URL_F_NON_HTTP);
	mail_urlset_free(s);
}

static void test_finder_flags(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	const struct mail_url *u;
	const char *w = "www.Example.com/a";

	(void)state;
	assert_true(mail_urlset_add_flags(s, w, strlen(w), MAIL_URL_TEXT,
					  NULL, 0, MAIL_URL_F_WWW));
	u = mail_urlset_get(s, 0);
	assert_mem(u->url, u->len, "http://www.example.com/a");
	assert_int_equal(u->flags, MAIL_URL_F_WWW);
	/* The same URL written in full: one entry, flags of both. */
	assert_true(mail_urlset_add_flags(s, "http://www.example.com/a", 24,
					  MAIL_URL_HTML_HREF, "x", 1,
					  MAIL_URL_F_ANCHOR_MISMATCH));
	assert_int_equal(mail_urlset_count(s), 1);
	u = mail_urlset_get(s, 0);
	assert_int_equal(u->flags,
			 MAIL_URL_F_WWW | MAIL_URL_F_ANCHOR_MISMATCH);
	assert_int_equal(u->sources, (1u << MAIL_URL_TEXT) |
					     (1u << MAIL_URL_HTML_HREF));
	/* Flags the finder may not set are ignored. */
	mail_urlset_reset(s);
	assert_true(mail_urlset_add_flags(s, "http://h/", 9, MAIL_URL_TEXT,
					  NULL, 0, MAIL_URL_F_BAD |
					  MAIL_URL_F_IDN));
	assert_int_equal(mail_urlset_get(s, 0)->flags, 0);
	mail_urlset_free(s);
}

static void test_not_kept(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	struct mail_urlset_stats st;
	static const char *const not_url[] = {
		"", "   ", "relative/path", "/abs/path", "//host/x", "?q",
		"#frag", "1http://x", "http://", "https:///", "www.example",
		":x", "\\\\\\x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(not_url) / sizeof(not_url[0]); i++)
		if (add(s, not_url[i]))
			fail_msg("\"%s\" kept", not_url[i]);
	assert_false(add(s, "mailto:a@b.example"));
	assert_false(add(s, "MAILTO:a@b.example"));
	assert_false(add(s, "cid:image001.png@01D"));
	assert_false(add(s, "mid:x@y"));
	assert_int_equal(mail_urlset_count(s), 0);
	mail_urlset_stats(s, &st);
	assert_int_equal(st.offered, i + 4);
	assert_int_equal(st.not_url, i);
	assert_int_equal(st.skipped, 4);
	assert_int_equal(st.too_long + st.dropped + st.duplicate, 0);
	mail_urlset_free(s);
}

/* ---- the set -------------------------------------------------------- */

static void test_order_count_sources_anchor(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	const struct mail_url *u;
	char anchor[400];
	size_t i;

	(void)state;
	assert_true(mail_urlset_add(s, "http://b/", 9, MAIL_URL_TEXT, NULL, 0));
	assert_true(mail_urlset_add(s, "http://a/", 9, MAIL_URL_HTML_SRC,
				    "", 0));
	assert_true(mail_urlset_add(s, "HTTP://B", 8, MAIL_URL_HTML_HREF,
				    "first", 5));
	assert_true(mail_urlset_add(s, "http://b:80/", 12,
				    MAIL_URL_HTML_HREF, "second", 6));
	assert_int_equal(mail_urlset_count(s), 2);
	u = mail_urlset_get(s, 0);
	assert_mem(u->url, u->len, "http://b/");
	assert_int_equal(u->count, 3);
	assert_int_equal(u->sources,
			 (1u << MAIL_URL_TEXT) | (1u << MAIL_URL_HTML_HREF));
	/* The first occurrence with an anchor gives it. */
	assert_mem(u->anchor, u->anchor_len, "first");
	assert_mem(u->scheme, u->scheme_len, "http");
	assert_mem(u->host, u->host_len, "b");
	u = mail_urlset_get(s, 1);
	assert_mem(u->url, u->len, "http://a/");
	assert_null(u->anchor);
	assert_int_equal(u->anchor_len, 0);
	assert_null(mail_urlset_get(s, 2));

	/* Anchors are cut at 256 bytes, not inside a character: 255 'a'
	 * then a 2-byte character straddling the limit. */
	memset(anchor, 'a', 255);
	memcpy(anchor + 255, "\xc3\xa9", 2);
	memset(anchor + 257, 'b', 100);
	assert_true(mail_urlset_add(s, "http://c/", 9, MAIL_URL_HTML_HREF,
				    anchor, 357));
	u = mail_urlset_get(s, 2);
	assert_int_equal(u->anchor_len, 255);
	/* Exactly 256 one-byte characters stay whole. */
	for (i = 0; i < 300; i++)
		anchor[i] = 'x';
	assert_true(mail_urlset_add(s, "http://d/", 9, MAIL_URL_HTML_HREF,
				    anchor, 256));
	assert_int_equal(mail_urlset_get(s, 3)->anchor_len, 256);
	assert_true(mail_urlset_add(s, "http://e/", 9, MAIL_URL_HTML_HREF,
				    anchor, 300));
	assert_int_equal(mail_urlset_get(s, 4)->anchor_len,
			 MAIL_URL_ANCHOR_MAX);
	mail_urlset_free(s);
}

static void test_count_cap(void **state)
{
	struct mail_urlset *s = mail_urlset_new(3, 0);
	struct mail_urlset_stats st;

	(void)state;
	assert_true(add(s, "http://1/"));
	assert_true(add(s, "http://2/"));
	assert_true(add(s, "http://3/"));
	assert_false(add(s, "http://4/"));
	assert_false(add(s, "http://5/"));
	/* A duplicate of a kept URL is still counted when full. */
	assert_true(add(s, "http://2"));
	assert_int_equal(mail_urlset_count(s), 3);
	assert_int_equal(mail_urlset_dropped(s), 2);
	assert_int_equal(mail_urlset_get(s, 1)->count, 2);
	mail_urlset_stats(s, &st);
	assert_int_equal(st.offered, 6);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.duplicate, 1);
	mail_urlset_free(s);
}

static void test_length_cap(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 64);
	struct mail_urlset_stats st;
	char u[200];

	(void)state;
	/* 64 bytes: kept; 65: not. */
	memset(u, 'a', sizeof(u));
	memcpy(u, "http://h/", 9);
	assert_true(mail_urlset_add(s, u, 64, MAIL_URL_TEXT, NULL, 0));
	assert_int_equal(mail_urlset_get(s, 0)->len, 64);
	assert_false(mail_urlset_add(s, u, 65, MAIL_URL_TEXT, NULL, 0));
	/* Blanks the browser drops do not count. */
	u[70] = '\t';
	memset(u + 64, ' ', 6);
	memcpy(u, "   http://h/", 12);
	assert_true(mail_urlset_add(s, u, 71, MAIL_URL_TEXT, NULL, 0));
	/* Short raw, long once encoded: 20 'é' are 120 bytes encoded. */
	strcpy(u, "http://h/");
	for (int i = 0; i < 20; i++)
		strcat(u, "\xc3\xa9");
	assert_int_equal(strlen(u), 49);
	assert_false(add(s, u));
	/* data: is cut, never too long. */
	memset(u, 'A', sizeof(u));
	memcpy(u, "data:,", 6);
	assert_true(mail_urlset_add(s, u, sizeof(u), MAIL_URL_TEXT, NULL, 0));
	assert_int_equal(mail_urlset_get(s, 2)->len, MAIL_URL_DATA_KEEP);
	mail_urlset_stats(s, &st);
	assert_int_equal(st.too_long, 2);
	mail_urlset_free(s);

	/* Limits past the maximum are cut to it; 0 means the default. */
	s = mail_urlset_new(0, UINT32_MAX);
	{
		char *big = malloc(MAIL_URL_LEN_MAX + 2);

		memset(big, 'b', MAIL_URL_LEN_MAX + 2);
		memcpy(big, "http://h/", 9);
		assert_true(mail_urlset_add(s, big, MAIL_URL_LEN_MAX,
					    MAIL_URL_TEXT, NULL, 0));
		assert_false(mail_urlset_add(s, big, MAIL_URL_LEN_MAX + 1,
					     MAIL_URL_TEXT, NULL, 0));
		free(big);
	}
	mail_urlset_free(s);
	s = mail_urlset_new(0, 0);
	memset(u, 'c', sizeof(u));
	memcpy(u, "http://h/", 9);
	{
		char *big = malloc(MAIL_URLSET_DEFAULT_LEN + 1);

		memset(big, 'd', MAIL_URLSET_DEFAULT_LEN + 1);
		memcpy(big, "http://h/", 9);
		assert_true(mail_urlset_add(s, big, MAIL_URLSET_DEFAULT_LEN,
					    MAIL_URL_TEXT, NULL, 0));
		assert_false(mail_urlset_add(s, big,
					     MAIL_URLSET_DEFAULT_LEN + 1,
					     MAIL_URL_TEXT, NULL, 0));
		free(big);
	}
	mail_urlset_free(s);
}

/* liburiparser's worst cases fit its arena: a URL of nothing but
 * segments, empty or dot ones, at the longest a set takes. */
static void test_parser_arena(void **state)
{
	static const char *const fill[] = {"/", "/.", "/..", "/a", "%41/"};
	struct mail_urlset *s = mail_urlset_new(0, MAIL_URL_LEN_MAX);
	char *u = malloc(MAIL_URL_LEN_MAX + 1), *dst = malloc(2 * MAIL_URL_LEN_MAX);
	size_t i, k, fl;

	(void)state;
	for (i = 0; i < sizeof(fill) / sizeof(fill[0]); i++) {
		const struct mail_url *m;

		fl = strlen(fill[i]);
		memcpy(u, "http://h", 8);
		for (k = 8; k + fl <= MAIL_URL_LEN_MAX; k += fl)
			memcpy(u + k, fill[i], fl);
		mail_urlset_reset(s);
		assert_true(mail_urlset_add(s, u, k, MAIL_URL_TEXT, NULL, 0));
		m = mail_urlset_get(s, 0);
		if (m->flags & MAIL_URL_F_BAD)
			fail_msg("fill \"%s\": arena exhausted", fill[i]);
		/* And resolved against a base of the same kind. */
		if (mail_urlset_resolve(s, u, k, u + 8, k - 8, dst,
					2 * MAIL_URL_LEN_MAX) == 0)
			fail_msg("fill \"%s\": not resolved", fill[i]);
	}
	free(u);
	free(dst);
	mail_urlset_free(s);
}

/* Many distinct URLs: bounded set, linear time (a quadratic set would
 * take minutes here), and a big set to exercise the hash table. */
static void test_many(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	struct mail_urlset *big = mail_urlset_new(100000, 0);
	char u[64];
	uint32_t i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		int n = snprintf(u, sizeof(u), "http://h%u.example/p", i);

		mail_urlset_add(s, u, (size_t)n, MAIL_URL_TEXT, NULL, 0);
		assert_true(mail_urlset_add(big, u, (size_t)n, MAIL_URL_TEXT,
					    NULL, 0));
	}
	assert_int_equal(mail_urlset_count(s), MAIL_URLSET_DEFAULT_URLS);
	assert_int_equal(mail_urlset_dropped(s),
			 100000 - MAIL_URLSET_DEFAULT_URLS);
	assert_int_equal(mail_urlset_count(big), 100000);
	/* Every one found again. */
	for (i = 0; i < 100000; i += 7) {
		int n = snprintf(u, sizeof(u), "HTTP://h%u.example:80/p", i);

		assert_true(mail_urlset_add(big, u, (size_t)n, MAIL_URL_TEXT,
					    NULL, 0));
		assert_int_equal(mail_urlset_get(big, i)->count, 2);
	}
	assert_int_equal(mail_urlset_count(big), 100000);
	mail_urlset_free(s);
	mail_urlset_free(big);
}

static void test_reset(void **state)
{
	struct mail_urlset *s = mail_urlset_new(4, 0);
	struct mail_urlset_stats st;
	const struct mail_url *u;
	char name[32];
	int round, i;

	(void)state;
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 6; i++) {
			snprintf(name, sizeof(name), "http://r%d-%d/", round, i);
			mail_urlset_add(s, name, strlen(name), MAIL_URL_TEXT,
					"anchor", 6);
		}
		assert_int_equal(mail_urlset_count(s), 4);
		u = mail_urlset_get(s, 3);
		snprintf(name, sizeof(name), "http://r%d-3/", round);
		assert_mem(u->url, u->len, name);
		assert_mem(u->anchor, u->anchor_len, "anchor");
		mail_urlset_stats(s, &st);
		assert_int_equal(st.offered, 6);
		assert_int_equal(st.dropped, 2);
		mail_urlset_reset(s);
		assert_int_equal(mail_urlset_count(s), 0);
		assert_int_equal(mail_urlset_dropped(s), 0);
	}
	mail_urlset_free(s);
	mail_urlset_free(NULL);
}

/* ---- helpers for the finders ---------------------------------------- */

static void expect_resolve(struct mail_urlset *s, const char *base,
			   const char *ref, const char *want)
{
	char out[256];
	size_t n = mail_urlset_resolve(s, base, base ? strlen(base) : 0, ref,
				       strlen(ref), out, sizeof(out));

	if (!want) {
		if (n)
			fail_msg("\"%s\": got \"%.*s\", want nothing", ref,
				 (int)n, out);
		return;
	}
	if (n != strlen(want) || memcmp(out, want, n) != 0)
		fail_msg("\"%s\": got \"%.*s\", want \"%s\"", ref, (int)n, out,
			 want);
}

/* RFC 3986 section 5.4: the normal and abnormal examples. */
static void test_resolve_rfc3986_5_4(void **state)
{
	static const char *const v[][2] = {
		{"g:h", "g:h"},
		{"g", "http://a/b/c/g"},
		{"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"},
		{"//g", "http://g"},
		{"?y", "http://a/b/c/d;p?y"},
		{"g?y", "http://a/b/c/g?y"},
		{"g#s", "http://a/b/c/g#s"},
		{"g?y#s", "http://a/b/c/g?y#s"},
		{";x", "http://a/b/c/;x"},
		{"g;x", "http://a/b/c/g;x"},
		{"g;x?y#s", "http://a/b/c/g;x?y#s"},
		{".", "http://a/b/c/"},
		{"./", "http://a/b/c/"},
		{"..", "http://a/b/"},
		{"../", "http://a/b/"},
		{"../g", "http://a/b/g"},
		{"../..", "http://a/"},
		{"../../", "http://a/"},
		{"../../g", "http://a/g"},
		{"../../../g", "http://a/g"},
		{"../../../../g", "http://a/g"},
		{"/./g", "http://a/g"},
		{"/../g", "http://a/g"},
		{"g.", "http://a/b/c/g."},
		{".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."},
		{"..g", "http://a/b/c/..g"},
		{"./../g", "http://a/b/g"},
		{"./g/.", "http://a/b/c/g/"},
		{"g/./h", "http://a/b/c/g/h"},
		{"g/../h", "http://a/b/c/h"},
		{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
		{"g;x=1/../y", "http://a/b/c/y"},
		{"g?y/./x", "http://a/b/c/g?y/./x"},
		{"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g#s/./x"},
		{"g#s/../x", "http://a/b/c/g#s/../x"},
		{"http:g", "http:g"},
	};
	struct mail_urlset *s = mail_urlset_new(0, 0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		expect_resolve(s, "http://a/b/c/d;p?q", v[i][0], v[i][1]);
	/* Pointing into the message itself, or with nothing to resolve
	 * against: nothing. */
	expect_resolve(s, "http://a/b/c/d;p?q", "", NULL);
	expect_resolve(s, "http://a/b/c/d;p?q", "  ", NULL);
	expect_resolve(s, "http://a/b/c/d;p?q", "#s", NULL);
	expect_resolve(s, NULL, "g", NULL);
	expect_resolve(s, NULL, "//g/x", NULL);
	expect_resolve(s, "relative/base", "g", NULL);
	expect_resolve(s, NULL, "https://x/", "https://x/");
	expect_resolve(s, NULL, "\\\\unc\\share", "\\\\unc\\share");
	expect_resolve(s, "foo:/a/b", "..//evil", "foo:/.//evil");
	expect_resolve(s, "foo:/a/b", "//h/x", "foo://h/x");
	/* Cleaned like the rest: blanks, '\', spaces. */
	expect_resolve(s, " http://a/b/ ", " c d\t/e ", "http://a/b/c%20d/e");
	/* Too long for dst: nothing; an absolute one is cut to fit. */
	{
		char out[8];

		assert_int_equal(mail_urlset_resolve(s, "http://a/", 9,
						     "bcdefgh", 7, out, 8), 0);
		assert_int_equal(mail_urlset_resolve(s, NULL, 0,
						     "http://abcdef/", 14,
						     out, 8), 8);
	}
	mail_urlset_free(s);
}

static void test_host_helper(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	char h[64];
	size_t n;

	(void)state;
	n = mail_urlset_host(s, "HTTPS://User@WWW.PayPal.COM:443/x", 33, h,
			     sizeof(h));
	assert_mem(h, (uint32_t)n, "www.paypal.com");
	n = mail_urlset_host(s, "http://[::1]/", 13, h, sizeof(h));
	assert_mem(h, (uint32_t)n, "::1");
	assert_int_equal(mail_urlset_host(s, "javascript:x", 12, h, 64), 0);
	assert_int_equal(mail_urlset_host(s, "no url", 6, h, 64), 0);
	n = mail_urlset_host(s, "http://abcdefgh/", 16, h, 4);
	assert_mem(h, (uint32_t)n, "abcd");
	/* It does not touch the set. */
	assert_int_equal(mail_urlset_count(s), 0);
	mail_urlset_free(s);
}

static void test_names(void **state)
{
	uint32_t b;

	(void)state;
	assert_string_equal(mail_url_flag_name(MAIL_URL_F_IP_HOST), "ip_host");
	assert_string_equal(mail_url_flag_name(MAIL_URL_F_ANCHOR_MISMATCH),
			    "anchor_mismatch");
	for (b = 1; b <= MAIL_URL_F_ANCHOR_MISMATCH; b <<= 1)
		assert_non_null(mail_url_flag_name(b));
	assert_null(mail_url_flag_name(MAIL_URL_F_ANCHOR_MISMATCH << 1));
	assert_null(mail_url_flag_name(0));
	assert_null(mail_url_flag_name(3));
	assert_string_equal(mail_url_src_name(MAIL_URL_TEXT), "text");
	assert_string_equal(mail_url_src_name(MAIL_URL_HTML_OTHER),
			    "html_other");
	assert_null(mail_url_src_name(MAIL_URL_SRC_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3986_6_2_2),
		cmocka_unit_test(test_rfc3986_6_2_3),
		cmocka_unit_test(test_browser_cleanup),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_finder_flags),
		cmocka_unit_test(test_not_kept),
		cmocka_unit_test(test_order_count_sources_anchor),
		cmocka_unit_test(test_count_cap),
		cmocka_unit_test(test_length_cap),
		cmocka_unit_test(test_parser_arena),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_resolve_rfc3986_5_4),
		cmocka_unit_test(test_host_helper),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
