#include "mail/html.h"

#include "mail/lex.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define NAME_MAX_LEN 16                   /* tag and attribute names */
#define VAL_MAX (MAIL_URL_LEN_MAX + 1)    /* an attribute value kept */
#define TEXT_MAX (MAIL_URL_ANCHOR_MAX + 4) /* anchor text; the set cuts */
#define REF_MAX 32                        /* a character reference */
#define SHORT_MAX 16                      /* type=, http-equiv= */
#define JS_WIN 24                         /* script text looked back on */
#define HOST_MAX 256

enum state {
	S_DATA,
	S_TAG_OPEN,
	S_END_TAG_OPEN,
	S_TAG_NAME,
	S_BEFORE_ANAME,
	S_ANAME,
	S_AFTER_ANAME,
	S_BEFORE_AVAL,
	S_AVAL_DQ,
	S_AVAL_SQ,
	S_AVAL_UNQ,
	S_AFTER_AVAL_Q,
	S_SELF_CLOSING,
	S_DECL,
	S_COMMENT,
	S_BOGUS,
	S_CDATA,
	S_RAW,
	S_CHARREF,
};

enum tag {
	T_OTHER,
	T_A,
	T_AREA,
	T_BASE,
	T_META,
	T_FORM,
	T_INPUT,
	T_BUTTON,
	T_IMG,
	T_IFRAME,
	T_FRAME,
	T_EMBED,
	T_SCRIPT,
	T_STYLE,
	T_TEXTAREA,
	T_TITLE,
	T_XMP,
	T_BLOCK, /* ends a line of text: br, p, div, td ... */
};

static const struct {
	const char *name;
	enum tag tag;
} tags[] = {
	{"a", T_A},           {"area", T_AREA},         {"base", T_BASE},
	{"meta", T_META},     {"form", T_FORM},         {"input", T_INPUT},
	{"button", T_BUTTON}, {"img", T_IMG},           {"iframe", T_IFRAME},
	{"frame", T_FRAME},   {"embed", T_EMBED},       {"script", T_SCRIPT},
	{"style", T_STYLE},   {"textarea", T_TEXTAREA}, {"title", T_TITLE},
	{"xmp", T_XMP},       {"br", T_BLOCK},          {"p", T_BLOCK},
	{"div", T_BLOCK},     {"tr", T_BLOCK},          {"td", T_BLOCK},
	{"th", T_BLOCK},      {"li", T_BLOCK},          {"ul", T_BLOCK},
	{"ol", T_BLOCK},      {"table", T_BLOCK},       {"h1", T_BLOCK},
	{"h2", T_BLOCK},      {"h3", T_BLOCK},          {"h4", T_BLOCK},
	{"h5", T_BLOCK},      {"h6", T_BLOCK},          {"hr", T_BLOCK},
	{"pre", T_BLOCK},     {"blockquote", T_BLOCK},  {"dd", T_BLOCK},
	{"dt", T_BLOCK},
};

/* End tags that close the raw text of these, by enum tag. */
static const char *raw_name(uint8_t tag)
{
	switch (tag) {
	case T_SCRIPT: return "script";
	case T_STYLE: return "style";
	case T_TEXTAREA: return "textarea";
	case T_TITLE: return "title";
	case T_XMP: return "xmp";
	default: return "";
	}
}

enum attr {
	A_HREF,
	A_SRC,
	A_ACTION,
	A_FORMACTION,
	A_BACKGROUND,
	A_HTTP_EQUIV,
	A_CONTENT,
	A_DOWNLOAD,
	A_TYPE,
	A_OTHER,
};

static const struct {
	const char *name;
	enum attr attr;
} attrs[] = {
	{"href", A_HREF},           {"xlink:href", A_HREF},
	{"src", A_SRC},             {"action", A_ACTION},
	{"formaction", A_FORMACTION}, {"background", A_BACKGROUND},
	{"http-equiv", A_HTTP_EQUIV}, {"content", A_CONTENT},
	{"download", A_DOWNLOAD},   {"type", A_TYPE},
};

/* What an attribute is to the scanner. */
enum role {
	R_NONE,
	R_NOW,      /* a link: offered when its value ends */
	R_HELD,     /* a's href, meta's content: used when the tag ends */
	R_SHORT,    /* input type=, meta http-equiv= */
	R_DOWNLOAD, /* a download attribute */
};

struct mail_html {
	uint8_t state, ret; /* ret: where a character reference returns */
	uint32_t flags;

	/* The tag being read. */
	bool end_tag, attr_open, held_set, download;
	uint8_t tag, role, src;
	uint16_t seen;          /* bit per enum attr: the first one wins */
	char name[NAME_MAX_LEN];
	uint8_t name_len;
	bool name_long;
	char aname[NAME_MAX_LEN];
	uint8_t aname_len;
	bool aname_long;
	char *val;              /* the value of the attribute being read */
	uint32_t val_len;
	bool val_over;
	char *held;             /* R_HELD value, swapped with val */
	uint32_t held_len;
	char shortv[SHORT_MAX];
	uint8_t short_len;

	/* A character reference. */
	char ref[REF_MAX];     /* "&" and ";" not included; numeric: "#"
				 or "#x", the value in ncp */
	uint8_t ref_len, ndigits;
	uint32_t ncp;

	/* Markup declarations, comments, CDATA. */
	char decl[8];
	uint8_t decl_len;
	uint8_t dashes, rb;
	bool bang, cond, prev_rb;
	uint32_t clen;
	char chead[3];

	/* Raw text (script, style ...): bytes of "</name" matched. */
	uint8_t raw_tag, raw_match;

	/* HTML smuggling markers in scripts. */
	char js[JS_WIN];
	uint8_t js_len;
	uint8_t js_dl;        /* 1: ".download" seen, 2: and "=" */
	bool js_marker, js_download, a_download;

	/* The open anchor. */
	bool in_anchor, space, c2;
	char *ahref;
	uint32_t ahref_len;
	char text[TEXT_MAX];
	uint32_t text_len;

	/* The document's base. */
	char *base;
	uint32_t base_len;
	bool have_base;

	char *scratch;
};

/* ---- character classes (ASCII, locale-free) ------------------------ */

static inline bool is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static inline bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static inline bool is_hex(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* HTML's ASCII whitespace (and CR, which the input stream turns into
 * LF). */
static inline bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static inline unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static bool ci_prefix(const char *p, size_t n, const char *lit)
{
	size_t i, k = strlen(lit);

	if (n < k)
		return false;
	for (i = 0; i < k; i++)
		if (lower((unsigned char)p[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

/* ---- character references ------------------------------------------ */

static const struct {
	const char *name;
	const char *utf8;
	bool legacy; /* also recognised without ';' */
} entities[] = {
	{"amp", "&", true},         {"lt", "<", true},
	{"gt", ">", true},          {"quot", "\"", true},
	{"apos", "'", false},       {"nbsp", "\xc2\xa0", true},
	{"copy", "\xc2\xa9", true}, {"reg", "\xc2\xae", true},
	{"shy", "\xc2\xad", true},  {"laquo", "\xc2\xab", true},
	{"raquo", "\xc2\xbb", true}, {"middot", "\xc2\xb7", true},
	{"pound", "\xc2\xa3", true}, {"yen", "\xc2\xa5", true},
	{"cent", "\xc2\xa2", true}, {"sect", "\xc2\xa7", true},
	{"para", "\xc2\xb6", true}, {"deg", "\xc2\xb0", true},
	{"plusmn", "\xc2\xb1", true}, {"times", "\xc3\x97", true},
	{"divide", "\xc3\xb7", true}, {"iexcl", "\xc2\xa1", true},
	{"iquest", "\xc2\xbf", true}, {"frac12", "\xc2\xbd", true},
	{"eacute", "\xc3\xa9", true}, {"egrave", "\xc3\xa8", true},
	{"ecirc", "\xc3\xaa", true}, {"aacute", "\xc3\xa1", true},
	{"agrave", "\xc3\xa0", true}, {"acirc", "\xc3\xa2", true},
	{"auml", "\xc3\xa4", true}, {"ouml", "\xc3\xb6", true},
	{"uuml", "\xc3\xbc", true}, {"Auml", "\xc3\x84", true},
	{"Ouml", "\xc3\x96", true}, {"Uuml", "\xc3\x9c", true},
	{"szlig", "\xc3\x9f", true}, {"ccedil", "\xc3\xa7", true},
	{"ntilde", "\xc3\xb1", true}, {"oacute", "\xc3\xb3", true},
	{"uacute", "\xc3\xba", true}, {"iacute", "\xc3\xad", true},
	{"euro", "\xe2\x82\xac", false}, {"trade", "\xe2\x84\xa2", false},
	{"hellip", "\xe2\x80\xa6", false}, {"mdash", "\xe2\x80\x94", false},
	{"ndash", "\xe2\x80\x93", false}, {"lsquo", "\xe2\x80\x98", false},
	{"rsquo", "\xe2\x80\x99", false}, {"ldquo", "\xe2\x80\x9c", false},
	{"rdquo", "\xe2\x80\x9d", false}, {"bull", "\xe2\x80\xa2", false},
	{"ensp", "\xe2\x80\x82", false}, {"emsp", "\xe2\x80\x83", false},
	{"thinsp", "\xe2\x80\x89", false}, {"zwnj", "\xe2\x80\x8c", false},
	{"zwj", "\xe2\x80\x8d", false}, {"lrm", "\xe2\x80\x8e", false},
	{"rlm", "\xe2\x80\x8f", false},
	{"ZeroWidthSpace", "\xe2\x80\x8b", false},
	/* HTML5 names for ASCII, beloved of filter evasion
	 * ("javascript&colon;"). */
	{"colon", ":", false},      {"sol", "/", false},
	{"bsol", "\\", false},      {"period", ".", false},
	{"comma", ",", false},      {"lpar", "(", false},
	{"rpar", ")", false},       {"num", "#", false},
	{"excl", "!", false},       {"quest", "?", false},
	{"commat", "@", false},     {"equals", "=", false},
	{"plus", "+", false},       {"percnt", "%", false},
	{"dollar", "$", false},     {"lowbar", "_", false},
	{"semi", ";", false},       {"lsqb", "[", false},
	{"rsqb", "]", false},       {"lbrack", "[", false},
	{"rbrack", "]", false},     {"lcub", "{", false},
	{"rcub", "}", false},       {"lbrace", "{", false},
	{"rbrace", "}", false},     {"ast", "*", false},
	{"verbar", "|", false},     {"vert", "|", false},
	{"Hat", "^", false},        {"grave", "`", false},
	{"Tab", "\t", false},       {"NewLine", "\n", false},
};

/* Windows-1252 for the C1 range, as HTML reads &#128; to &#159;. */
static const uint16_t cp1252[32] = {
	0x20ac, 0x81,   0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,   0x017d, 0x8f,
	0x90,   0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d,   0x017e, 0x0178,
};

static uint32_t utf8_put(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ---- output: anchor text and attribute values ------------------------ */

static void text_put(struct mail_html *h, unsigned char c)
{
	if (h->text_len < TEXT_MAX)
		h->text[h->text_len++] = (char)c;
}

/* One byte of rendered text: kept while an anchor is open, blanks
 * (and U+00A0) collapsed to one space between words. */
static void text_byte(struct mail_html *h, unsigned char c)
{
	/* A browser drops NUL from text. */
	if (!h->in_anchor || c == 0)
		return;
	if (h->c2) {
		h->c2 = false;
		if (c == 0xa0) {
			h->space = h->text_len > 0;
			return;
		}
		if (h->space) {
			text_put(h, ' ');
			h->space = false;
		}
		text_put(h, 0xc2);
	}
	if (c == 0xc2) {
		h->c2 = true;
		return;
	}
	if (is_ws(c)) {
		h->space = h->text_len > 0;
		return;
	}
	if (h->space) {
		text_put(h, ' ');
		h->space = false;
	}
	text_put(h, c);
}

static void val_byte(struct mail_html *h, unsigned char c)
{
	if (h->val_len < VAL_MAX)
		h->val[h->val_len++] = (char)c;
	else
		h->val_over = true;
}

static bool ret_is_attr(const struct mail_html *h)
{
	return h->ret == S_AVAL_DQ || h->ret == S_AVAL_SQ ||
	       h->ret == S_AVAL_UNQ;
}

static void out_bytes(struct mail_html *h, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ret_is_attr(h))
			val_byte(h, (unsigned char)p[i]);
		else
			text_byte(h, (unsigned char)p[i]);
	}
}

/* A reference that is not one goes out as it came. */
static void ref_literal(struct mail_html *h)
{
	out_bytes(h, "&", 1);
	out_bytes(h, h->ref, h->ref_len);
}

static void ref_numeric(struct mail_html *h)
{
	uint32_t cp = h->ncp;
	char u[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	else if (cp >= 0x80 && cp <= 0x9f)
		cp = cp1252[cp - 0x80];
	out_bytes(h, u, utf8_put(u, cp));
}

/* A named reference; semi: it ended with ';', next: the byte after it
 * otherwise. Returns false when it is not one we decode. */
static bool ref_named(struct mail_html *h, bool semi, unsigned char next)
{
	size_t i;

	for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		if (strlen(entities[i].name) != h->ref_len ||
		    memcmp(entities[i].name, h->ref, h->ref_len) != 0)
			continue;
		if (!semi && (!entities[i].legacy ||
			      (ret_is_attr(h) && next == '=')))
			return false;
		out_bytes(h, entities[i].utf8, strlen(entities[i].utf8));
		return true;
	}
	return false;
}

enum ref_step { REF_MORE, REF_DONE, REF_REDO };

/* One byte inside "&...": REF_MORE, the reference goes on; REF_DONE, it
 * ended with this byte (';'); REF_REDO, it ended before this byte,
 * which goes to the state returned to. */
static enum ref_step ref_byte(struct mail_html *h, unsigned char c)
{
	if (h->ref_len == 0) {
		if (c == '#' || is_alnum(c)) {
			h->ref[h->ref_len++] = (char)c;
			h->ncp = 0;
			h->ndigits = 0;
			return REF_MORE;
		}
		ref_literal(h);
		return REF_REDO;
	}
	if (h->ref[0] == '#') {
		bool hex = h->ref_len == 2;

		if (h->ref_len == 1 && h->ndigits == 0 && (c | 0x20) == 'x') {
			h->ref[h->ref_len++] = (char)c;
			return REF_MORE;
		}
		if (hex ? is_hex(c) : is_digit(c)) {
			uint32_t d = (uint32_t)(is_digit(c) ? c - '0'
							 : lower(c) - 'a' + 10);

			/* Saturates out of range; leading zeros are fine. */
			h->ncp = h->ncp * (hex ? 16 : 10) + d;
			if (h->ncp > 0x10ffff)
				h->ncp = 0x110000;
			h->ndigits = 1;
			return REF_MORE;
		}
		if (h->ndigits == 0) {
			ref_literal(h);
			return REF_REDO;
		}
		ref_numeric(h);
		return c == ';' ? REF_DONE : REF_REDO;
	}
	if (is_alnum(c)) {
		if (h->ref_len < REF_MAX) {
			h->ref[h->ref_len++] = (char)c;
			return REF_MORE;
		}
		ref_literal(h);
		return REF_REDO;
	}
	if (c == ';' && ref_named(h, true, c))
		return REF_DONE;
	if (c != ';' && ref_named(h, false, c))
		return REF_REDO;
	ref_literal(h);
	return REF_REDO;
}

/* ---- links ------------------------------------------------------------ */

static size_t resolve(struct mail_html *h, struct mail_urlset *s,
		      const char *v, size_t n, char *dst)
{
	return mail_urlset_resolve(s, h->have_base ? h->base : NULL,
				   h->base_len, v, n, dst, VAL_MAX);
}

static void link_now(struct mail_html *h, struct mail_urlset *s,
		     const char *v, size_t n, enum mail_url_src src)
{
	size_t k = resolve(h, s, v, n, h->scratch);

	if (k)
		mail_urlset_add(s, h->scratch, k, src, NULL, 0);
}

/* Text that is a domain name (labels of letters, digits, '-' or
 * non-ASCII, the last one not numeric) or a dotted IPv4 address, up to
 * a '/', '?', '#' or ':': its length, else 0. */
static size_t domain_len(const char *t, size_t n)
{
	size_t i, labels = 0, lab = 0, end;
	bool alpha_last = false, all_digits = true;

	for (end = 0; end < n; end++)
		if (t[end] == '/' || t[end] == '?' || t[end] == '#' ||
		    t[end] == ':')
			break;
	for (i = 0; i <= end; i++) {
		unsigned char c = i < end ? (unsigned char)t[i] : '.';

		if (c == '.') {
			if (lab == 0 || lab > 63)
				return 0;
			labels++;
			if (i == end)
				break;
			lab = 0;
			alpha_last = false;
			continue;
		}
		if (!is_alnum(c) && c != '-' && c < 0x80)
			return 0;
		if (!is_digit(c)) {
			alpha_last = true;
			all_digits = false;
		}
		lab++;
	}
	if (labels < 2)
		return 0;
	if (alpha_last)
		return lab >= 2 ? end : 0;
	return labels == 4 && all_digits ? end : 0; /* 192.0.2.1 */
}

/* The host an anchor text shows, when the whole text is a URL or a
 * domain name; 0 otherwise. */
static size_t anchor_host(struct mail_urlset *s, const char *t, size_t n,
			  char *dst)
{
	size_t i, k;

	while (n > 0 && t[n - 1] && strchr(".,;:!?", t[n - 1]))
		n--;
	if (n == 0 || memchr(t, ' ', n))
		return 0;
	if (ci_prefix(t, n, "http://") || ci_prefix(t, n, "https://"))
		return mail_urlset_host(s, t, n, dst, HOST_MAX);
	k = domain_len(t, n);
	if (k > HOST_MAX)
		k = 0;
	for (i = 0; i < k; i++)
		dst[i] = (char)lower((unsigned char)t[i]);
	return k;
}

static bool dot_suffix(const char *a, size_t an, const char *b, size_t bn)
{
	return an > bn && a[an - bn - 1] == '.' &&
	       memcmp(a + an - bn, b, bn) == 0;
}

/* The same site, or one inside the other: a leading "www." aside. */
static bool same_site(const char *a, size_t an, const char *b, size_t bn)
{
	if (an > 4 && memcmp(a, "www.", 4) == 0) {
		a += 4;
		an -= 4;
	}
	if (bn > 4 && memcmp(b, "www.", 4) == 0) {
		b += 4;
		bn -= 4;
	}
	return (an == bn && memcmp(a, b, an) == 0) ||
	       dot_suffix(a, an, b, bn) || dot_suffix(b, bn, a, an);
}

static void anchor_flush(struct mail_html *h, struct mail_urlset *s)
{
	char th[HOST_MAX], hh[HOST_MAX];
	size_t tn, hn;
	uint32_t xf = 0;

	if (!h->in_anchor)
		return;
	if (h->c2) {
		h->c2 = false;
		if (h->space)
			text_put(h, ' ');
		text_put(h, 0xc2);
	}
	h->in_anchor = false;
	h->space = false;
	tn = h->text_len ? anchor_host(s, h->text, h->text_len, th) : 0;
	if (tn) {
		hn = mail_urlset_host(s, h->ahref, h->ahref_len, hh, HOST_MAX);
		if (!same_site(th, tn, hh, hn)) {
			xf = MAIL_URL_F_ANCHOR_MISMATCH;
			h->flags |= MAIL_HTML_F_ANCHOR_MISMATCH;
		}
	}
	mail_urlset_add_flags(s, h->ahref, h->ahref_len, MAIL_URL_HTML_HREF,
			      h->text, h->text_len, xf);
}

static void update_blob(struct mail_html *h)
{
	if (h->js_marker && (h->a_download || h->js_download))
		h->flags |= MAIL_HTML_F_BLOB_DOWNLOAD;
}

/* <a href="data:...;base64,..." download> */
static bool data_base64(const char *v, size_t n)
{
	size_t i;

	while (n > 0 && (unsigned char)v[0] <= 0x20) {
		v++;
		n--;
	}
	if (!ci_prefix(v, n, "data:"))
		return false;
	/* The media type ends at the first ','. */
	for (i = 5; i < n; i++)
		if (v[i] == ',')
			return i >= 12 && ci_prefix(v + i - 7, 8, ";base64,");
	return false;
}

/* The URL in <meta http-equiv=refresh content="5; url='...'">, after
 * the WHATWG steps, leniently: a missing delay is accepted. */
static bool refresh_url(const char *v, size_t n, size_t *off, size_t *len)
{
	size_t i = 0, k;

	while (i < n && is_ws((unsigned char)v[i]))
		i++;
	while (i < n && (is_digit((unsigned char)v[i]) || v[i] == '.'))
		i++;
	while (i < n && is_ws((unsigned char)v[i]))
		i++;
	if (i < n && (v[i] == ';' || v[i] == ','))
		i++;
	while (i < n && is_ws((unsigned char)v[i]))
		i++;
	if (ci_prefix(v + i, n - i, "url")) {
		k = i + 3;
		while (k < n && is_ws((unsigned char)v[k]))
			k++;
		if (k < n && v[k] == '=') {
			k++;
			while (k < n && is_ws((unsigned char)v[k]))
				k++;
			i = k;
		}
	}
	if (i < n && (v[i] == '"' || v[i] == '\'')) {
		const char *q = memchr(v + i + 1, v[i], n - i - 1);

		i++;
		k = q ? (size_t)(q - v) : n;
	} else {
		k = n;
	}
	*off = i;
	*len = k - i;
	return k > i;
}

/* ---- tags ------------------------------------------------------------- */

static void new_tag(struct mail_html *h, bool end)
{
	h->end_tag = end;
	h->name_len = 0;
	h->name_long = false;
	h->tag = T_OTHER;
	h->seen = 0;
	h->held_set = false;
	h->held_len = 0;
	h->short_len = 0;
	h->download = false;
	h->attr_open = false;
}

static void name_byte(char *buf, uint8_t *len, bool *long_, unsigned char c)
{
	if (*len < NAME_MAX_LEN)
		buf[(*len)++] = (char)lower(c);
	else
		*long_ = true;
}

static void name_done(struct mail_html *h)
{
	size_t i;

	h->tag = T_OTHER;
	if (h->name_long)
		return;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (strlen(tags[i].name) == h->name_len &&
		    memcmp(tags[i].name, h->name, h->name_len) == 0) {
			h->tag = (uint8_t)tags[i].tag;
			return;
		}
	}
}

static void new_attr(struct mail_html *h)
{
	h->attr_open = true;
	h->aname_len = 0;
	h->aname_long = false;
	h->val_len = 0;
	h->val_over = false;
	h->role = R_NONE;
}

static enum role role_of(uint8_t tag, enum attr a, uint8_t *src)
{
	*src = MAIL_URL_HTML_OTHER;
	switch (a) {
	case A_HREF:
		if (tag == T_A || tag == T_AREA || tag == T_BASE)
			return R_HELD;
		return R_NOW;
	case A_SRC:
		if (tag == T_IMG || tag == T_IFRAME || tag == T_SCRIPT ||
		    tag == T_FRAME || tag == T_EMBED)
			*src = MAIL_URL_HTML_SRC;
		return R_NOW;
	case A_ACTION:
		*src = MAIL_URL_HTML_FORM;
		return tag == T_FORM ? R_NOW : R_NONE;
	case A_FORMACTION:
		*src = MAIL_URL_HTML_FORM;
		return tag == T_BUTTON || tag == T_INPUT ? R_NOW : R_NONE;
	case A_BACKGROUND:
		return R_NOW;
	case A_HTTP_EQUIV:
		return tag == T_META ? R_SHORT : R_NONE;
	case A_CONTENT:
		return tag == T_META ? R_HELD : R_NONE;
	case A_DOWNLOAD:
		return tag == T_A || tag == T_AREA ? R_DOWNLOAD : R_NONE;
	case A_TYPE:
		return tag == T_INPUT ? R_SHORT : R_NONE;
	case A_OTHER:
	default:
		return R_NONE;
	}
}

static void aname_done(struct mail_html *h)
{
	enum attr a = A_OTHER;
	size_t i;

	if (!h->aname_long) {
		for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
			const char *nm = attrs[i].name;

			if (strlen(nm) == h->aname_len &&
			    memcmp(nm, h->aname, h->aname_len) == 0) {
				a = attrs[i].attr;
				break;
			}
		}
	}
	h->role = R_NONE;
	if (a == A_OTHER || h->end_tag || (h->seen & (1u << a)))
		return;
	h->seen |= (uint16_t)(1u << a);
	h->role = (uint8_t)role_of(h->tag, a, &h->src);
}

static bool keep_val(const struct mail_html *h)
{
	return h->role == R_NOW || h->role == R_HELD || h->role == R_SHORT;
}

static void attr_end(struct mail_html *h, struct mail_urlset *s)
{
	uint32_t i;

	if (!h->attr_open)
		return;
	h->attr_open = false;
	if ((h->role == R_NOW || h->role == R_HELD) && h->val_over)
		h->flags |= MAIL_HTML_F_LONG_VALUE;
	switch (h->role) {
	case R_NOW:
		link_now(h, s, h->val, h->val_len, (enum mail_url_src)h->src);
		break;
	case R_HELD: {
		char *t = h->held;

		h->held = h->val;
		h->val = t;
		h->held_len = h->val_len;
		h->held_set = true;
		break;
	}
	case R_SHORT:
		h->short_len = 0;
		for (i = 0; i < h->val_len && i < SHORT_MAX; i++)
			h->shortv[h->short_len++] =
				(char)lower((unsigned char)h->val[i]);
		if (h->val_len > SHORT_MAX)
			h->short_len = 0; /* matches nothing */
		break;
	case R_DOWNLOAD:
		h->download = true;
		break;
	default:
		break;
	}
}

static bool short_is(const struct mail_html *h, const char *lit)
{
	return strlen(lit) == h->short_len &&
	       memcmp(h->shortv, lit, h->short_len) == 0;
}

static void raw_begin(struct mail_html *h, uint8_t tag)
{
	h->state = S_RAW;
	h->raw_tag = tag;
	h->raw_match = 0;
	h->js_len = 0;
	h->js_dl = 0;
}

/* The tag ended ('>'). */
static void emit_tag(struct mail_html *h, struct mail_urlset *s)
{
	size_t off, len;

	h->state = S_DATA;
	if (h->end_tag) {
		if (h->tag == T_A)
			anchor_flush(h, s);
		else if (h->tag == T_BLOCK && h->in_anchor)
			h->space = h->text_len > 0;
		return;
	}
	switch (h->tag) {
	case T_A:
		anchor_flush(h, s);
		if (h->download) {
			h->a_download = true;
			update_blob(h);
		}
		if (!h->held_set)
			break;
		if (h->download && data_base64(h->held, h->held_len))
			h->flags |= MAIL_HTML_F_DATA_URI_DOWNLOAD;
		h->ahref_len = (uint32_t)resolve(h, s, h->held, h->held_len,
						 h->ahref);
		if (h->ahref_len) {
			h->in_anchor = true;
			h->text_len = 0;
			h->space = h->c2 = false;
		}
		break;
	case T_AREA:
		if (h->download) {
			h->a_download = true;
			update_blob(h);
		}
		if (h->held_set)
			link_now(h, s, h->held, h->held_len,
				 MAIL_URL_HTML_HREF);
		break;
	case T_BASE:
		if (!h->held_set || h->have_base)
			break;
		/* Only an absolute base counts (no base to resolve it by). */
		h->base_len = (uint32_t)mail_urlset_resolve(
			s, NULL, 0, h->held, h->held_len, h->base, VAL_MAX);
		if (h->base_len) {
			h->have_base = true;
			h->flags |= MAIL_HTML_F_BASE_HREF;
			mail_urlset_add(s, h->base, h->base_len,
					MAIL_URL_HTML_OTHER, NULL, 0);
		}
		break;
	case T_META:
		if (!short_is(h, "refresh"))
			break;
		h->flags |= MAIL_HTML_F_META_REFRESH;
		if (h->held_set &&
		    refresh_url(h->held, h->held_len, &off, &len))
			link_now(h, s, h->held + off, len, MAIL_URL_HTML_META);
		break;
	case T_INPUT:
		if (short_is(h, "password"))
			h->flags |= MAIL_HTML_F_PASSWORD_INPUT;
		break;
	case T_FORM:
		h->flags |= MAIL_HTML_F_FORM;
		break;
	case T_SCRIPT:
		h->flags |= MAIL_HTML_F_SCRIPT;
		raw_begin(h, h->tag);
		break;
	case T_STYLE:
	case T_TEXTAREA:
	case T_TITLE:
	case T_XMP:
		raw_begin(h, h->tag);
		break;
	case T_IFRAME:
	case T_FRAME:
		h->flags |= MAIL_HTML_F_IFRAME;
		break;
	case T_BLOCK:
		if (h->in_anchor)
			h->space = h->text_len > 0;
		break;
	default:
		break;
	}
}

/* ---- script text ------------------------------------------------------ */

static bool js_ends(const struct mail_html *h, const char *lit)
{
	size_t k = strlen(lit);

	return h->js_len >= k && memcmp(h->js + h->js_len - k, lit, k) == 0;
}

static void js_byte(struct mail_html *h, unsigned char c)
{
	/* ".download =" is an assignment; "==" a comparison. */
	if (h->js_dl == 1 && c == '=') {
		h->js_dl = 2;
	} else if (h->js_dl == 2) {
		if (c != '=')
			h->js_download = true;
		h->js_dl = 0;
	} else if (h->js_dl == 1 && !is_ws(c)) {
		h->js_dl = 0;
	}
	if (h->js_len == JS_WIN) {
		memmove(h->js, h->js + JS_WIN - 17, 17);
		h->js_len = 17;
	}
	h->js[h->js_len++] = (char)c;
	switch (c) {
	case '(':
		if (js_ends(h, "Blob(") || js_ends(h, "atob("))
			h->js_marker = true;
		break;
	case 'L':
		if (js_ends(h, "createObjectURL"))
			h->js_marker = true;
		break;
	case 'b':
		if (js_ends(h, "msSaveOrOpenBlob") || js_ends(h, "msSaveBlob"))
			h->js_marker = true;
		break;
	case 'd':
		if (js_ends(h, ".download"))
			h->js_dl = 1;
		break;
	default:
		break;
	}
	update_blob(h);
}

/* ---- the tokenizer ---------------------------------------------------- */

static bool decl_prefix(const struct mail_html *h)
{
	uint8_t n = h->decl_len;

	return (n <= 2 && memcmp(h->decl, "--", n) == 0) ||
	       (n <= 7 && memcmp(h->decl, "[CDATA[", n) == 0);
}

/* One byte of raw text: is it part of the end tag "</name"? */
static void raw_byte(struct mail_html *h, unsigned char c)
{
	const char *nm = raw_name(h->raw_tag);
	uint8_t m = h->raw_match;
	size_t nl = strlen(nm);

	if (m == 0) {
		h->raw_match = c == '<';
	} else if (m == 1) {
		h->raw_match = c == '/' ? 2 : c == '<';
	} else if ((size_t)(m - 2) < nl) {
		if (lower(c) == (unsigned char)nm[m - 2])
			h->raw_match++;
		else
			h->raw_match = c == '<';
	} else if (is_ws(c) || c == '/' || c == '>') {
		new_tag(h, true);
		memcpy(h->name, nm, nl);
		h->name_len = (uint8_t)nl;
		h->raw_match = 0;
		h->state = S_TAG_NAME; /* which takes c */
	} else {
		h->raw_match = c == '<';
	}
}

static void comment_byte(struct mail_html *h, unsigned char c)
{
	if (c == '>') {
		if (h->dashes >= 2 || h->bang ||
		    (h->clen == h->dashes && h->dashes <= 1)) {
			h->state = S_DATA; /* -->, --!>, <!-->, <!---> */
			return;
		}
		if (h->cond && h->prev_rb) {
			/* <!--[if mso]>: Outlook renders what follows. */
			h->state = S_DATA;
			return;
		}
	}
	if (h->clen < 3) {
		h->chead[h->clen] = (char)lower(c);
		if (h->clen == 2 && memcmp(h->chead, "[if", 3) == 0)
			h->cond = true;
	}
	if (c == '-') {
		if (h->dashes < 255)
			h->dashes++;
		h->bang = false;
	} else if (c == '!' && h->dashes >= 2) {
		h->bang = true;
		h->dashes = 0;
	} else {
		h->dashes = 0;
		h->bang = false;
	}
	h->prev_rb = c == ']';
	if (h->clen < UINT32_MAX)
		h->clen++;
}

static void cdata_byte(struct mail_html *h, unsigned char c)
{
	if (c == ']') {
		if (h->rb < 2)
			h->rb++;
		else
			text_byte(h, ']');
		return;
	}
	if (c == '>' && h->rb >= 2) {
		h->state = S_DATA;
		return;
	}
	for (; h->rb > 0; h->rb--)
		text_byte(h, ']');
	text_byte(h, c);
}

void mail_html_feed(struct mail_html *h, const char *p, size_t n,
		    struct mail_urlset *s)
{
	const unsigned char *q = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		unsigned char c;

		/* Text outside an anchor, and the raw text of style and
		 * the like, matter only where a tag may begin. */
		if ((h->state == S_DATA && !h->in_anchor) ||
		    (h->state == S_RAW && h->raw_match == 0 &&
		     h->raw_tag != T_SCRIPT)) {
			const unsigned char *lt = memchr(q + i, '<', n - i);

			if (!lt)
				return;
			i = (size_t)(lt - q);
		}
		c = q[i++];
again:
		switch (h->state) {
		case S_DATA:
			if (c == '<')
				h->state = S_TAG_OPEN;
			else if (c == '&' && h->in_anchor) {
				h->ret = S_DATA;
				h->ref_len = 0;
				h->state = S_CHARREF;
			} else
				text_byte(h, c);
			break;
		case S_TAG_OPEN:
			if (c == '!') {
				h->decl_len = 0;
				h->state = S_DECL;
			} else if (c == '/') {
				h->state = S_END_TAG_OPEN;
			} else if (is_alpha(c)) {
				new_tag(h, false);
				h->state = S_TAG_NAME;
				goto again;
			} else if (c == '?') {
				h->state = S_BOGUS;
			} else {
				text_byte(h, '<');
				h->state = S_DATA;
				goto again;
			}
			break;
		case S_END_TAG_OPEN:
			if (is_alpha(c)) {
				new_tag(h, true);
				h->state = S_TAG_NAME;
				goto again;
			}
			h->state = c == '>' ? S_DATA : S_BOGUS;
			break;
		case S_TAG_NAME:
			if (is_ws(c)) {
				name_done(h);
				h->state = S_BEFORE_ANAME;
			} else if (c == '/') {
				name_done(h);
				h->state = S_SELF_CLOSING;
			} else if (c == '>') {
				name_done(h);
				emit_tag(h, s);
			} else {
				name_byte(h->name, &h->name_len, &h->name_long,
					  c);
			}
			break;
		case S_BEFORE_ANAME:
			if (is_ws(c))
				break;
			if (c == '/' || c == '>') {
				h->state = S_AFTER_ANAME;
				goto again;
			}
			new_attr(h);
			h->state = S_ANAME;
			if (c == '=') {
				name_byte(h->aname, &h->aname_len,
					  &h->aname_long, c);
				break;
			}
			goto again;
		case S_ANAME:
			if (is_ws(c) || c == '/' || c == '>') {
				aname_done(h);
				h->state = S_AFTER_ANAME;
				goto again;
			}
			if (c == '=') {
				aname_done(h);
				h->state = S_BEFORE_AVAL;
				break;
			}
			name_byte(h->aname, &h->aname_len, &h->aname_long, c);
			break;
		case S_AFTER_ANAME:
			if (is_ws(c))
				break;
			if (c == '=') {
				h->state = S_BEFORE_AVAL;
			} else if (c == '/') {
				attr_end(h, s);
				h->state = S_SELF_CLOSING;
			} else if (c == '>') {
				attr_end(h, s);
				emit_tag(h, s);
			} else {
				attr_end(h, s);
				new_attr(h);
				h->state = S_ANAME;
				goto again;
			}
			break;
		case S_BEFORE_AVAL:
			if (is_ws(c))
				break;
			if (c == '"') {
				h->state = S_AVAL_DQ;
			} else if (c == '\'') {
				h->state = S_AVAL_SQ;
			} else if (c == '>') {
				attr_end(h, s);
				emit_tag(h, s);
			} else {
				h->state = S_AVAL_UNQ;
				goto again;
			}
			break;
		case S_AVAL_DQ:
		case S_AVAL_SQ:
			if (c == (h->state == S_AVAL_DQ ? '"' : '\'')) {
				attr_end(h, s);
				h->state = S_AFTER_AVAL_Q;
			} else if (!keep_val(h)) {
				break;
			} else if (c == '&') {
				h->ret = h->state;
				h->ref_len = 0;
				h->state = S_CHARREF;
			} else {
				val_byte(h, c);
			}
			break;
		case S_AVAL_UNQ:
			if (is_ws(c)) {
				attr_end(h, s);
				h->state = S_BEFORE_ANAME;
			} else if (c == '>') {
				attr_end(h, s);
				emit_tag(h, s);
			} else if (!keep_val(h)) {
				break;
			} else if (c == '&') {
				h->ret = S_AVAL_UNQ;
				h->ref_len = 0;
				h->state = S_CHARREF;
			} else {
				val_byte(h, c);
			}
			break;
		case S_AFTER_AVAL_Q:
			if (is_ws(c)) {
				h->state = S_BEFORE_ANAME;
			} else if (c == '/') {
				h->state = S_SELF_CLOSING;
			} else if (c == '>') {
				emit_tag(h, s);
			} else {
				h->state = S_BEFORE_ANAME;
				goto again;
			}
			break;
		case S_SELF_CLOSING:
			if (c == '>') {
				emit_tag(h, s);
			} else {
				h->state = S_BEFORE_ANAME;
				goto again;
			}
			break;
		case S_DECL:
			h->decl[h->decl_len++] = (char)c;
			if (h->decl_len == 2 && memcmp(h->decl, "--", 2) == 0) {
				h->state = S_COMMENT;
				h->dashes = 0;
				h->bang = h->cond = h->prev_rb = false;
				h->clen = 0;
			} else if (h->decl_len == 7 && decl_prefix(h)) {
				h->state = S_CDATA;
				h->rb = 0;
			} else if (!decl_prefix(h)) {
				h->state = S_BOGUS;
				goto again;
			}
			break;
		case S_COMMENT:
			comment_byte(h, c);
			break;
		case S_BOGUS:
			if (c == '>')
				h->state = S_DATA;
			break;
		case S_CDATA:
			cdata_byte(h, c);
			break;
		case S_RAW:
			if (h->raw_tag == T_SCRIPT)
				js_byte(h, c);
			raw_byte(h, c);
			if (h->state == S_TAG_NAME)
				goto again;
			break;
		case S_CHARREF:
			switch (ref_byte(h, c)) {
			case REF_MORE:
				break;
			case REF_DONE:
				h->state = h->ret;
				break;
			case REF_REDO:
			default:
				h->state = h->ret;
				goto again;
			}
			break;
		default:
			SS_ASSERT(0);
		}
	}
}

struct mail_html *mail_html_new(void)
{
	struct mail_html *h = calloc(1, sizeof(*h));

	if (!h)
		log_fatal(1, "out of memory (HTML scanner)");
	h->val = malloc(VAL_MAX);
	h->held = malloc(VAL_MAX);
	h->ahref = malloc(VAL_MAX);
	h->base = malloc(VAL_MAX);
	h->scratch = malloc(VAL_MAX);
	if (!h->val || !h->held || !h->ahref || !h->base || !h->scratch)
		log_fatal(1, "out of memory (HTML scanner)");
	mail_html_reset(h);
	return h;
}

void mail_html_free(struct mail_html *h)
{
	if (!h)
		return;
	free(h->val);
	free(h->held);
	free(h->ahref);
	free(h->base);
	free(h->scratch);
	free(h);
}

/* Back to the start of a document; flags, base and smuggling markers
 * are the caller's to keep or not. */
static void restart(struct mail_html *h)
{
	h->state = S_DATA;
	h->ret = S_DATA;
	new_tag(h, false);
	h->val_len = 0;
	h->val_over = false;
	h->ref_len = 0;
	h->decl_len = 0;
	h->raw_match = 0;
	h->js_len = 0;
	h->js_dl = 0;
	h->in_anchor = false;
	h->space = h->c2 = false;
	h->text_len = 0;
	h->ahref_len = 0;
}

void mail_html_reset(struct mail_html *h)
{
	restart(h);
	h->flags = 0;
	h->have_base = false;
	h->base_len = 0;
	h->js_marker = h->js_download = h->a_download = false;
}

void mail_html_finish(struct mail_html *h, struct mail_urlset *s)
{
	if (h->state == S_CHARREF) {
		/* What the reference was, up to the end. */
		if (h->ref_len > 0 && h->ref[0] == '#' && h->ndigits)
			ref_numeric(h);
		else if (h->ref_len == 0 || !ref_named(h, false, 0))
			ref_literal(h);
		h->state = h->ret;
	}
	if (h->state == S_CDATA)
		for (; h->rb > 0; h->rb--)
			text_byte(h, ']');
	if (h->state == S_TAG_OPEN) /* a last "<" is text */
		text_byte(h, '<');
	else if (h->state != S_DATA && h->state != S_CDATA)
		h->flags |= MAIL_HTML_F_UNTERMINATED;
	anchor_flush(h, s);
	restart(h);
}

uint32_t mail_html_flags(const struct mail_html *h)
{
	return h->flags;
}

const char *mail_html_flag_name(uint32_t bit)
{
	static const char *const names[] = {
		"form",           "password_input",    "meta_refresh",
		"script",         "blob_download",     "data_uri_download",
		"iframe",         "base_href",         "anchor_mismatch",
		"unterminated",   "long_value",
	};
	return mail_bit_name(names, sizeof(names) / sizeof(names[0]), bit);
}
