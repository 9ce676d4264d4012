/*
 * The HTML link scanner: hand-written documents in, links out (URL,
 * count, sources, flags, anchor text) with the page's flags; every
 * document is scanned whole and cut at every chunk size and must give
 * the same result. Then hostile documents: unterminated constructs, a
 * megabyte attribute, 100k links, NUL bytes, deep nesting.
 *
 * Results are written one link a line:
 *   URL COUNT SOURCES FLAGS ANCHOR
 * with names for sources and flags ("-" when none) and the anchor text
 * between | bars; then "page: FLAGS".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/html.h"

/* ---- helpers -------------------------------------------------------- */

struct out {
	char *p;
	size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < o->cap - o->len);
	o->len += (size_t)n;
}

static void put_bits(struct out *o, uint32_t bits,
		     const char *(*name)(uint32_t))
{
	uint32_t b;
	bool any = false;

	for (b = 1; b; b <<= 1) {
		if (!(bits & b))
			continue;
		assert_non_null(name(b));
		put(o, "%s%s", any ? "," : "", name(b));
		any = true;
	}
	if (!any)
		put(o, "-");
}

static const char *src_name(uint32_t bit)
{
	uint32_t i;

	for (i = 0; i < MAIL_URL_SRC_COUNT; i++)
		if (bit == 1u << i)
			return mail_url_src_name((enum mail_url_src)i);
	return NULL;
}

/* Scan p[0..n) in chunks (0: whole) into a fresh set; the dump. */
static char *run_set(const char *p, size_t n, size_t chunk,
		     struct mail_urlset *s, struct mail_urlset_stats *st)
{
	struct mail_html *h = mail_html_new();
	struct out o = {malloc(1 << 16), 0, 1 << 16};
	size_t i;
	uint32_t k;

	assert_non_null(o.p);
	if (chunk == 0)
		chunk = n ? n : 1;
	for (i = 0; i < n; i += chunk)
		mail_html_feed(h, p + i, n - i < chunk ? n - i : chunk, s);
	mail_html_finish(h, s);
	for (k = 0; k < mail_urlset_count(s); k++) {
		const struct mail_url *u = mail_urlset_get(s, k);

		put(&o, "%.*s %u ", (int)u->len, u->url, u->count);
		put_bits(&o, u->sources, src_name);
		put(&o, " ");
		put_bits(&o, u->flags, mail_url_flag_name);
		if (u->anchor)
			put(&o, " |%.*s|\n", (int)u->anchor_len, u->anchor);
		else
			put(&o, " -\n");
	}
	put(&o, "page: ");
	put_bits(&o, mail_html_flags(h), mail_html_flag_name);
	put(&o, "\n");
	if (st)
		mail_urlset_stats(s, st);
	mail_html_free(h);
	o.p[o.len] = '\0';
	return o.p;
}

static char *run(const char *p, size_t n, size_t chunk)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	char *r = run_set(p, n, chunk, s, NULL);

	mail_urlset_free(s);
	return r;
}

static char *sweep(const char *p, size_t n)
{
	char *whole = run(p, n, 0);
	size_t c;

	for (c = 1; c < n; c++) {
		char *part = run(p, n, c);

		if (strcmp(whole, part) != 0)
			fail_msg("chunk %zu of %zu differs:\n%s---\n%s", c, n,
				 whole, part);
		free(part);
	}
	return whole;
}

static void expect(const char *html, const char *want)
{
	char *got = sweep(html, strlen(html));

	if (strcmp(got, want) != 0)
		fail_msg("html: %s\ngot:\n%swant:\n%s", html, got, want);
	free(got);
}

/* ---- anchors -------------------------------------------------------- */

static void test_phishing_link(void **state)
{
	(void)state;
	expect("<a href=\"http://evil.example/login\">https://www.paypal.com/"
	       "</a>",
	       "http://evil.example/login 1 html_href anchor_mismatch "
	       "|https://www.paypal.com/|\n"
	       "page: anchor_mismatch\n");
}

static void test_anchor_mismatch(void **state)
{
	(void)state;
	/* Domains as text, with paths, across inline tags, an IP. */
	expect("<a href=http://evil.example/>paypal.com</a>"
	       "<a href=http://evil.example/2>PayPal.COM/login</a>"
	       "<a href=http://evil.example/3>pay<span>pal</span>.com</a>"
	       "<a href=http://evil.example/4> 192.0.2.1 </a>"
	       "<a href=http://evil.example/5>http://paypal.com.evil.example."
	       "</a>"
	       "<a href=http://evil.example/6>www.paypal.com.</a>"
	       "<a href=javascript:x>https://paypal.com</a>",
	       "http://evil.example/ 1 html_href anchor_mismatch "
	       "|paypal.com|\n"
	       "http://evil.example/2 1 html_href anchor_mismatch "
	       "|PayPal.COM/login|\n"
	       "http://evil.example/3 1 html_href anchor_mismatch "
	       "|paypal.com|\n"
	       "http://evil.example/4 1 html_href anchor_mismatch "
	       "|192.0.2.1|\n"
	       "http://evil.example/5 1 html_href - "
	       "|http://paypal.com.evil.example.|\n"
	       "http://evil.example/6 1 html_href anchor_mismatch "
	       "|www.paypal.com.|\n"
	       "javascript:x 1 html_href non_http,anchor_mismatch "
	       "|https://paypal.com|\n"
	       "page: anchor_mismatch\n");
	/* The same site, a parent or a child, www. aside; text that is not
	 * a URL or a domain. */
	expect("<a href=https://www.paypal.com/x>paypal.com</a>"
	       "<a href=https://paypal.com/y>WWW.PAYPAL.COM</a>"
	       "<a href=https://login.paypal.com/z>www.paypal.com</a>"
	       "<a href=https://paypal.com/w>https://login.paypal.com/</a>"
	       "<a href=http://evil.example/1>Click here</a>"
	       "<a href=http://evil.example/2>Visit paypal.com now</a>"
	       "<a href=http://evil.example/3>v1.2</a>"
	       "<a href=http://evil.example/4>a.b.c.1</a>"
	       "<a href=http://evil.example/5>user@paypal.com</a>"
	       "<a href=http://evil.example/6><img src=http://i.example/"
	       "b.png></a>",
	       "https://www.paypal.com/x 1 html_href - |paypal.com|\n"
	       "https://paypal.com/y 1 html_href - |WWW.PAYPAL.COM|\n"
	       "https://login.paypal.com/z 1 html_href - |www.paypal.com|\n"
	       "https://paypal.com/w 1 html_href - "
	       "|https://login.paypal.com/|\n"
	       "http://evil.example/1 1 html_href - |Click here|\n"
	       "http://evil.example/2 1 html_href - |Visit paypal.com now|\n"
	       "http://evil.example/3 1 html_href - |v1.2|\n"
	       "http://evil.example/4 1 html_href - |a.b.c.1|\n"
	       "http://evil.example/5 1 html_href - |user@paypal.com|\n"
	       "http://i.example/b.png 1 html_src - -\n"
	       "http://evil.example/6 1 html_href - -\n"
	       "page: -\n");
}

static void test_anchor_text(void **state)
{
	char *doc, *got;
	size_t n;

	(void)state;
	/* Blanks collapsed, block tags make a space, inline tags none,
	 * references decoded, nbsp a blank, text after </a> not in it. */
	expect("<a href=http://t.example/1>\n  Your <b>acc</b>ount\t\tis"
	       "<br>locked&nbsp;&amp;\xc2\xa0suspended  </a> after",
	       "http://t.example/1 1 html_href - "
	       "|Your account is locked & suspended|\n"
	       "page: -\n");
	/* An <a> closes the open one; the end closes the last. */
	expect("<a href=http://t.example/2>one<a href=http://t.example/3>two"
	       "</p>three",
	       "http://t.example/2 1 html_href - |one|\n"
	       "http://t.example/3 1 html_href - |two three|\n"
	       "page: -\n");
	/* No text, only blanks: no anchor. The first one with text wins. */
	expect("<a href=http://t.example/4></a><a href=http://t.example/4>"
	       " \n </a><a href=http://t.example/4>later</a>"
	       "<a href=http://t.example/4>last</a>",
	       "http://t.example/4 4 html_href - |later|\n"
	       "page: -\n");
	/* Comments and scripts inside are not text; CDATA is. */
	expect("<a href=http://t.example/5>a<!-- hidden -->b<script>c</script>"
	       "<style>d</style><![CDATA[e]]]>]]>f</a>",
	       "http://t.example/5 1 html_href - |abe]]]>f|\n"
	       "page: script\n");
	/* A long anchor is cut at 256 bytes, on a character boundary. */
	doc = malloc(2000);
	n = (size_t)sprintf(doc, "<a href=http://t.example/6>");
	memset(doc + n, 'x', 255);
	n += 255;
	n += (size_t)sprintf(doc + n, "\xc3\xa9 and more and more</a>");
	got = sweep(doc, n);
	assert_non_null(strstr(got, " |xxxxx"));
	assert_non_null(strstr(got, "xxx|\n"));
	free(got);
	free(doc);
}

/* ---- tokenizer ------------------------------------------------------ */

static void test_attributes(void **state)
{
	(void)state;
	expect("<A HREF = \"http://q1.example/\" >1</A>"
	       "<a\nhref='http://q2.example/a b'>2</a>"
	       "<a href=http://q3.example/?x=1&amp;y=2>3</a>"
	       "<a title=\"<a href=http://no.example/>\" "
	       "href=\"http://q4.example/\">4</a>"
	       "<a download href=http://q5.example/>5</a>"
	       "<a href=\"http://q6.example/\" href=\"http://no2.example/\">6"
	       "</a>"
	       "<a/href=http://q7.example/>7</a>"
	       "<a href=http://q8.example/ />8</a>"
	       "<a =x href=http://q9.example/>9</a>"
	       "<a data-href=http://no3.example/ href>10</a>",
	       "http://q1.example/ 1 html_href - |1|\n"
	       "http://q2.example/a%20b 1 html_href - |2|\n"
	       "http://q3.example/?x=1&y=2 1 html_href - |3|\n"
	       "http://q4.example/ 1 html_href - |4|\n"
	       "http://q5.example/ 1 html_href - |5|\n"
	       "http://q6.example/ 1 html_href - |6|\n"
	       "http://q7.example/ 1 html_href - |7|\n"
	       "http://q8.example/ 1 html_href - |8|\n"
	       "http://q9.example/ 1 html_href - |9|\n"
	       "page: -\n");
}

static void test_character_references(void **state)
{
	(void)state;
	expect("<a href=http://r.example/>&lt;a&gt; &amp &#64;&#x40;&#X40; "
	       "&euro;&#128; &bogus; &#x110000; &#0; &#xD800; &#xZ; &#; "
	       "&#00000000000000000000000000000000000065; &a&b</a>",
	       "http://r.example/ 1 html_href - |<a> & @@@ "
	       "\xe2\x82\xac\xe2\x82\xac &bogus; \xef\xbf\xbd \xef\xbf\xbd "
	       "\xef\xbf\xbd &#xZ; &#; A &a&b|\n"
	       "page: -\n");
	/* In attribute values: the filter-evasion spellings decode; a
	 * legacy name followed by '=' does not. */
	expect("<a href=\"java&#115;cript&colon;alert(1)\">1</a>"
	       "<a href=\"&#x68;ttp&#58;&sol;&sol;r2.example&sol;\">2</a>"
	       "<a href=\"http://r3.example/?a=1&copy=2\">3</a>"
	       "<a href=\"http://r4.example/?a=1&copy;=2\">4</a>"
	       "<a href=http://r5.example/&amp>5</a>"
	       "<a href='http://r6.example/&Tab;x&NewLine;y'>6</a>",
	       "javascript:alert(1) 1 html_href non_http |1|\n"
	       "http://r2.example/ 1 html_href - |2|\n"
	       "http://r3.example/?a=1&copy=2 1 html_href - |3|\n"
	       "http://r4.example/?a=1%C2%A9=2 1 html_href - |4|\n"
	       "http://r5.example/& 1 html_href - |5|\n"
	       "http://r6.example/xy 1 html_href - |6|\n"
	       "page: -\n");
	/* A reference cut by the end of the document. */
	expect("<a href=http://r7.example/>x &amp", "http://r7.example/ 1 "
	       "html_href - |x &|\npage: -\n");
	expect("<a href=http://r8.example/>x &#x4", "http://r8.example/ 1 "
	       "html_href - |x \x04|\npage: -\n");
}

static void test_comments_and_declarations(void **state)
{
	(void)state;
	expect("<!DOCTYPE html><?xml version=\"1.0\"?>"
	       "<!-- <a href=\"http://c1.example/\">x</a> -->"
	       "<!--><a href=http://after1.example/>1</a>"
	       "<!---><a href=http://after2.example/>2</a>"
	       "<!-- a -- b --!><a href=http://after3.example/>3</a>"
	       "<!-- <!-- x --><a href=http://after4.example/>4</a>"
	       "<!----><a href=http://after5.example/>5</a>"
	       "<![CDATA[<a href=http://cdata.example/>]]>"
	       "<!x <a href=http://bogus.example/>><a href=http://a6.example/"
	       ">6</a></ x <a href=http://bogus2.example/>>"
	       "<!-- unterminated <a href=http://c2.example/>",
	       "http://after1.example/ 1 html_href - |1|\n"
	       "http://after2.example/ 1 html_href - |2|\n"
	       "http://after3.example/ 1 html_href - |3|\n"
	       "http://after4.example/ 1 html_href - |4|\n"
	       "http://after5.example/ 1 html_href - |5|\n"
	       "http://a6.example/ 1 html_href - |6|\n"
	       "page: unterminated\n");
	/* Outlook's conditional comments: the content is rendered. */
	expect("<!--[if mso]><v:roundrect href=\"http://mso.example/\">"
	       "</v:roundrect><![endif]-->"
	       "<!--[if !mso]><!--><a href=http://notmso.example/>n</a>"
	       "<!--<![endif]-->"
	       "<!--[IF gte mso 9]><xml><o:OfficeDocumentSettings>"
	       "</xml><![endif]--><a href=http://tail.example/>t</a>",
	       "http://mso.example/ 1 html_other - -\n"
	       "http://notmso.example/ 1 html_href - |n|\n"
	       "http://tail.example/ 1 html_href - |t|\n"
	       "page: -\n");
}

static void test_raw_text(void **state)
{
	(void)state;
	expect("<script>document.write('<a href=\"http://js.example/\">');"
	       "x = \"</scr\" + \"ipt>\"; y = '</scriptx>';</SCRIPT >"
	       "<a href=http://s1.example/>1</a>"
	       "<style>@import url(http://css.example/); </a></style>"
	       "<a href=http://s2.example/>2</a>"
	       "<textarea><a href=http://ta.example/></textarea>"
	       "<title><a href=http://ti.example/></title>"
	       "<xmp><a href=http://xmp.example/></xmp >"
	       "<a href=http://s3.example/>3</a>"
	       "<script src=http://src.example/a.js></script>"
	       "<noscript><a href=http://s4.example/>4</a></noscript>"
	       "<style>unterminated <a href=http://st.example/>",
	       "http://s1.example/ 1 html_href - |1|\n"
	       "http://s2.example/ 1 html_href - |2|\n"
	       "http://s3.example/ 1 html_href - |3|\n"
	       "http://src.example/a.js 1 html_src - -\n"
	       "http://s4.example/ 1 html_href - |4|\n"
	       "page: script,unterminated\n");
}

/* ---- what is taken, and from where ----------------------------------- */

static void test_sources(void **state)
{
	(void)state;
	expect("<body background=http://bg.example/b.png>"
	       "<link rel=stylesheet href=http://css.example/s.css>"
	       "<img src=\"http://img.example/p.gif?id=1\" srcset=\"http://no"
	       ".example/ 2x\"><IMG SRC=cid:part1@x>"
	       "<iframe src=http://if.example/></iframe>"
	       "<frame src=http://fr.example/><embed src=http://em.example/>"
	       "<video src=http://vid.example/ poster=http://no.example/>"
	       "<form action=http://form.example/post method=post>"
	       "<input type=\"PassWord\" name=p>"
	       "<input formaction=http://fa1.example/>"
	       "<button formaction=http://fa2.example/>go</button></form>"
	       "<div action=http://no.example/ formaction=http://no.example/>"
	       "<area href=http://area.example/ download>"
	       "<a href=\"mailto:x@y.example\">mail</a>"
	       "<a href=\"cid:abc\">cid</a>"
	       "<svg><a xlink:href=http://svg.example/>s</a></svg>",
	       "http://bg.example/b.png 1 html_other - -\n"
	       "http://css.example/s.css 1 html_other - -\n"
	       "http://img.example/p.gif?id=1 1 html_src - -\n"
	       "http://if.example/ 1 html_src - -\n"
	       "http://fr.example/ 1 html_src - -\n"
	       "http://em.example/ 1 html_src - -\n"
	       "http://vid.example/ 1 html_other - -\n"
	       "http://form.example/post 1 html_form - -\n"
	       "http://fa1.example/ 1 html_form - -\n"
	       "http://fa2.example/ 1 html_form - -\n"
	       "http://area.example/ 1 html_href - -\n"
	       "http://svg.example/ 1 html_href - |s|\n"
	       "page: form,password_input,iframe\n");
}

static void test_base_href(void **state)
{
	(void)state;
	/* Relative links before a base, and without one, are skipped. */
	expect("<a href=early.html>e</a><img src=/x.png>"
	       "<a href=\"#top\">t</a><a href=\"\">empty</a>"
	       "<a href=//proto.example/p>p</a>",
	       "page: -\n");
	expect("<base href=\"/relative/\"><a href=skip.html>s</a>"
	       "<BASE HREF=\"https://B.example/d/page.html\">"
	       "<base href=\"http://second.example/\">"
	       "<a href=x.html?q=1>x</a><img src=\"/i.png\">"
	       "<a href=\"//proto.example/p\">p</a>"
	       "<a href=\"../up\">u</a><a href=\"#frag\">f</a>"
	       "<a href=\"http://abs.example/\">a</a>"
	       "<form action=post.cgi></form>",
	       "https://b.example/d/page.html 1 html_other - -\n"
	       "https://b.example/d/x.html?q=1 1 html_href - |x|\n"
	       "https://b.example/i.png 1 html_src - -\n"
	       "https://proto.example/p 1 html_href - |p|\n"
	       "https://b.example/up 1 html_href - |u|\n"
	       "http://abs.example/ 1 html_href - |a|\n"
	       "https://b.example/d/post.cgi 1 html_form - -\n"
	       "page: form,base_href\n");
}

static void test_meta_refresh(void **state)
{
	(void)state;
	expect("<meta http-equiv=\"Refresh\" content=\"0;url=http://m1.example/"
	       "\"><META HTTP-EQUIV=REFRESH CONTENT=\"5; URL='http://m2."
	       "example/'\"><meta content='0 , url = \"http://m3.example/x "
	       "y\" junk' http-equiv=refresh>"
	       "<meta http-equiv=refresh content=\"http://m4.example/\">"
	       "<meta http-equiv=refresh content=\"3\">"
	       "<meta http-equiv=\"content-type\" content=\"text/html; "
	       "charset=utf-8\"><meta name=x content=http://no.example/>",
	       "http://m1.example/ 1 html_meta - -\n"
	       "http://m2.example/ 1 html_meta - -\n"
	       "http://m3.example/x%20y 1 html_meta - -\n"
	       "http://m4.example/ 1 html_meta - -\n"
	       "page: meta_refresh\n");
}

static void test_smuggling(void **state)
{
	(void)state;
	/* The classic: a script decodes a blob, an <a download> saves it. */
	expect("<a id=x download=\"invoice.iso\"></a><script>var d='TVqQ';"
	       "var b = new Blob([atob(d)]);</script>",
	       "page: script,blob_download\n");
	expect("<script>var u = URL.createObjectURL(b); a.download\n= 'x.zip'"
	       ";</script>",
	       "page: script,blob_download\n");
	expect("<script>navigator.msSaveOrOpenBlob(b, 'x');</script>"
	       "<a download>", "page: script,blob_download\n");
	/* One half is not enough; nor is it in text or a comment. */
	expect("<script>var x = atob(d); a.downloads = 1; a.download "
	       "== 1</script>", "page: script\n");
	expect("<a download>d</a>Blob( atob( .download=<!-- <script>Blob("
	       "</script> -->", "page: -\n");
	/* A data: URL saved as a file. */
	expect("<a href=\"data:application/zip;base64,UEsDBAoAAAAAAA==\" "
	       "download=\"a.zip\">zip</a>",
	       "data:application/zip;base64,UEsDBAoAAAAAAA== 1 html_href "
	       "non_http |zip|\npage: data_uri_download\n");
	expect("<a href=\"data:text/plain,hi\" download>1</a>"
	       "<a href=\"data:application/zip;base64,UEsD\">2</a>"
	       "<a href=\"data:,x;base64,\" download>3</a>"
	       "<a href=\"data:,\" download>4</a>",
	       "data:text/plain,hi 1 html_href non_http |1|\n"
	       "data:application/zip;base64,UEsD 1 html_href non_http |2|\n"
	       "data:,x;base64, 1 html_href non_http |3|\n"
	       "data:, 1 html_href non_http |4|\n"
	       "page: -\n");
	expect("<a download href=\" DATA:;BASE64,\">5</a>",
	       "data:;BASE64, 1 html_href non_http |5|\n"
	       "page: data_uri_download\n");
}

/* ---- hostile documents ----------------------------------------------- */

static void test_unterminated(void **state)
{
	static const char *const docs[] = {
		"<a href=\"http://u.example/",
		"<a href=http://u.example/",
		"<a href=http://u.example/ ",
		"<a href",
		"<a",
		"</a",
		"<!--",
		"<!-- -",
		"<!",
		"<![CDATA",
		"<script>",
		"<script></scrip",
		"<textarea>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char *got = sweep(docs[i], strlen(docs[i]));

		if (strncmp(got, "page: ", 6) != 0 ||
		    !strstr(got, "unterminated\n"))
			fail_msg("%s:\n%s", docs[i], got);
		free(got);
	}
	/* A last "<" is text; an unterminated CDATA is text. */
	expect("<a href=http://u.example/>x <",
	       "http://u.example/ 1 html_href - |x <|\npage: -\n");
	expect("<a href=http://u.example/>x <![CDATA[y]",
	       "http://u.example/ 1 html_href - |x y]|\npage: -\n");
}

static void test_huge_attribute(void **state)
{
	size_t big = 1u << 20, n = 0, c;
	char *doc = malloc(big + 400), *whole;
	struct mail_urlset *s = mail_urlset_new(0, 0);
	struct mail_urlset_stats st;

	(void)state;
	n += (size_t)sprintf(doc, "<a href=\"http://h.example/");
	memset(doc + n, 'a', big);
	n += big;
	n += (size_t)sprintf(doc + n, "\">x</a><img src=http://next.example/>"
				      "<img title='");
	memset(doc + n, '>', 100);
	n += 100;
	n += (size_t)sprintf(doc + n, "' src=http://last.example/>");
	whole = run_set(doc, n, 0, s, &st);
	assert_string_equal(whole, "http://next.example/ 1 html_src - -\n"
				   "http://last.example/ 1 html_src - -\n"
				   "page: long_value\n");
	assert_int_equal(st.too_long, 1);
	mail_urlset_free(s);
	for (c = 1; c < 5000; c = c * 3 + 1) {
		char *part = run(doc, n, c);

		assert_string_equal(whole, part);
		free(part);
	}
	free(whole);
	/* A huge data: URL is kept short, not refused. */
	n = (size_t)sprintf(doc, "<img src=\"data:image/png;base64,");
	memset(doc + n, 'A', big);
	n += big;
	n += (size_t)sprintf(doc + n, "\">");
	whole = run(doc, n, 0);
	assert_string_equal(whole, "data:image/png;base64,AAAAAAAAAAAAAAAAAA"
				   "AAAAAAAAAAAAAAAAAAAAAAAA 1 html_src "
				   "non_http,truncated -\npage: long_value\n");
	free(whole);
	free(doc);
}

static void test_many_links(void **state)
{
	size_t cap = 8u << 20, n = 0, i;
	char *doc = malloc(cap), *whole, *part;
	struct mail_urlset *s = mail_urlset_new(0, 0);
	struct mail_urlset_stats st;

	(void)state;
	for (i = 0; i < 100000; i++)
		n += (size_t)sprintf(doc + n, "<a href=\"http://h%zu.example/"
				     "\">http://h%zu.example/</a>\n", i, i);
	whole = run_set(doc, n, 0, s, &st);
	assert_int_equal(mail_urlset_count(s), MAIL_URLSET_DEFAULT_URLS);
	assert_int_equal(st.offered, 100000);
	assert_int_equal(st.dropped, 100000 - MAIL_URLSET_DEFAULT_URLS);
	assert_non_null(strstr(whole, "page: -\n"));
	part = run(doc, n, 4093);
	assert_string_equal(whole, part);
	free(part);
	free(whole);
	mail_urlset_free(s);
	free(doc);
}

static void test_nul_bytes(void **state)
{
	/* A NUL is a character of a name like any other (U+FFFD to a
	 * browser), so "a\0" is not "a"; in text it is dropped. */
	static const char doc[] = "<a\0 href=\"http://n1.example/\0x\">a</a>"
				  "<im\0g src=http://n2.example/>"
				  "<img s\0rc=http://n3.example/>"
				  "<img src=http://n4.example/>\0"
				  "<a href=http://n5.example/>\0a\0b\0</a>";
	char *got;

	(void)state;
	got = sweep(doc, sizeof(doc) - 1);
	assert_string_equal(got, "http://n1.example/%00x 1 html_other - -\n"
				 "http://n2.example/ 1 html_other - -\n"
				 "http://n4.example/ 1 html_src - -\n"
				 "http://n5.example/ 1 html_href - |ab|\n"
				 "page: -\n");
	free(got);
}

static void test_deep_and_wide(void **state)
{
	size_t cap = 4u << 20, n = 0, i;
	char *doc = malloc(cap), *got;
	struct mail_urlset *s = mail_urlset_new(0, 0);
	struct mail_urlset_stats st;

	(void)state;
	/* 10000 nested anchors and inline tags. */
	for (i = 0; i < 10000; i++)
		n += (size_t)sprintf(doc + n, "<a href=http://d.example/><b>");
	got = run_set(doc, n, 0, s, &st);
	assert_string_equal(got, "http://d.example/ 10000 html_href - -\n"
				 "page: -\n");
	free(got);
	mail_urlset_free(s);
	/* 100k attributes on one tag, a name of 100k bytes, a tag name of
	 * 100k bytes: the href still counts. */
	n = (size_t)sprintf(doc, "<a ");
	for (i = 0; i < 100000; i++)
		n += (size_t)sprintf(doc + n, "x%zu=1 ", i);
	memset(doc + n, 'n', 100000);
	n += 100000;
	n += (size_t)sprintf(doc + n, "=v href=http://w.example/>w</a><");
	memset(doc + n, 't', 100000);
	n += 100000;
	n += (size_t)sprintf(doc + n, " href=http://other.example/>");
	got = run(doc, n, 0);
	assert_string_equal(got, "http://w.example/ 1 html_href - |w|\n"
				 "http://other.example/ 1 html_other - -\n"
				 "page: -\n");
	free(got);
	free(doc);
}

/* ---- the object ------------------------------------------------------- */

static void test_reuse(void **state)
{
	struct mail_urlset *s = mail_urlset_new(0, 0);
	struct mail_html *h = mail_html_new();
	static const char d1[] = "<base href=http://b.example/><form>"
				 "<a href=x>open";
	static const char d2[] = "<a href=y>z</a>";

	(void)state;
	mail_html_feed(h, d1, sizeof(d1) - 1, s);
	mail_html_finish(h, s);
	/* finish flushed the open anchor; the flags stay until reset. */
	assert_int_equal(mail_urlset_count(s), 2);
	assert_int_equal(mail_html_flags(h),
			 MAIL_HTML_F_FORM | MAIL_HTML_F_BASE_HREF);
	/* The base stays for the rest of the message until reset. */
	mail_html_feed(h, d2, sizeof(d2) - 1, s);
	mail_html_finish(h, s);
	assert_int_equal(mail_urlset_count(s), 3);
	mail_html_reset(h);
	assert_int_equal(mail_html_flags(h), 0);
	mail_html_feed(h, d2, sizeof(d2) - 1, s);
	mail_html_finish(h, s);
	assert_int_equal(mail_urlset_count(s), 3);
	mail_html_free(h);
	mail_html_free(NULL);
	mail_urlset_free(s);
}

static void test_flag_names(void **state)
{
	uint32_t b;

	(void)state;
	for (b = 1; b <= MAIL_HTML_F_LONG_VALUE; b <<= 1)
		assert_non_null(mail_html_flag_name(b));
	assert_string_equal(mail_html_flag_name(MAIL_HTML_F_BLOB_DOWNLOAD),
			    "blob_download");
	assert_null(mail_html_flag_name(MAIL_HTML_F_LONG_VALUE << 1));
	assert_null(mail_html_flag_name(0));
	assert_null(mail_html_flag_name(5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phishing_link),
		cmocka_unit_test(test_anchor_mismatch),
		cmocka_unit_test(test_anchor_text),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_character_references),
		cmocka_unit_test(test_comments_and_declarations),
		cmocka_unit_test(test_raw_text),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_base_href),
		cmocka_unit_test(test_meta_refresh),
		cmocka_unit_test(test_smuggling),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_huge_attribute),
		cmocka_unit_test(test_many_links),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_deep_and_wide),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_flag_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
