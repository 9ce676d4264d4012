#include "mail/urltext.h"

#include <string.h>

enum { K_NONE, K_SCHEME, K_WWW, K_UNC };

static inline bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static inline unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

/* ASCII that ends a word: blanks, controls, and what no URL holds. */
static inline bool ascii_delim(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' ||
	       c == '`';
}

/* Unicode spaces, zero-width and bidi controls, quotation marks and the
 * CJK punctuation that ends a link in a mail client. */
static bool unicode_delim(uint32_t cp)
{
	if (cp < 0x2000)
		return cp == 0x85 || cp == 0xa0 || cp == 0xab || cp == 0xbb ||
		       cp == 0x1680;
	if (cp <= 0x200f || (cp >= 0x2018 && cp <= 0x201f) ||
	    (cp >= 0x2028 && cp <= 0x202f) || cp == 0x2039 || cp == 0x203a ||
	    (cp >= 0x205f && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069))
		return true;
	if ((cp >= 0x3000 && cp <= 0x3003) || (cp >= 0x3008 && cp <= 0x3011))
		return true;
	return cp == 0xfeff || cp == 0xff01 || cp == 0xff08 || cp == 0xff09 ||
	       cp == 0xff0c || cp == 0xff0e || (cp >= 0xff1a && cp <= 0xff1c) ||
	       cp == 0xff1e || cp == 0xff1f;
}

void mail_urltext_init(struct mail_urltext *t)
{
	t->len = 0;
	t->word = 0;
	t->kind = K_NONE;
	t->overflow = false;
	t->u8_len = t->u8_need = 0;
	t->look_len = 0;
}

/* Cut what a sentence puts after a URL; keep a ")" or "]" that closes
 * one opened inside it. */
static uint32_t trim(const char *b, uint32_t len, uint32_t keep)
{
	uint32_t i, po = 0, pc = 0, so = 0, sc = 0;

	for (i = 0; i < len; i++) {
		switch (b[i]) {
		case '(': po++; break;
		case ')': pc++; break;
		case '[': so++; break;
		case ']': sc++; break;
		default: break;
		}
	}
	while (len > keep) {
		char c = b[len - 1];

		if (strchr(".,;:!?'\">", c) && c != '\0') {
			len--;
		} else if (c == ')' && pc > po) {
			pc--;
			len--;
		} else if (c == ']' && sc > so) {
			sc--;
			len--;
		} else {
			break;
		}
	}
	return len;
}

static void end_word(struct mail_urltext *t, struct mail_urlset *s)
{
	uint32_t keep, len;

	if (t->kind != K_NONE) {
		uint32_t xf = t->kind == K_WWW ? MAIL_URL_F_WWW : 0;

		if (t->overflow) {
			/* Too long to be kept: let the set count it. */
			mail_urlset_add_flags(s, t->buf, t->len, MAIL_URL_TEXT,
					      NULL, 0, xf);
		} else {
			/* What must follow the start for a URL at all. */
			if (t->kind == K_SCHEME) {
				const char *c = memchr(t->buf, ':', t->len);

				keep = c ? (uint32_t)(c - t->buf) + 3 : t->len;
			} else {
				keep = t->kind == K_WWW ? 4 : 2;
			}
			len = trim(t->buf, t->len, keep);
			if (len > keep)
				mail_urlset_add_flags(s, t->buf, len,
						      MAIL_URL_TEXT, NULL, 0,
						      xf);
		}
	}
	t->kind = K_NONE;
	t->len = 0;
	t->overflow = false;
	t->word = 0;
	t->look_len = 0;
}

static bool look_ends(const struct mail_urltext *t, const char *lit,
		      uint32_t n)
{
	uint32_t i, st;

	if (t->look_len < n)
		return false;
	st = t->look_len - n;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)t->look[st + i]) !=
		    (unsigned char)lit[i])
			return false;
	return true;
}

/* The byte before the last n of the look-behind: -1 at the start of the
 * word. */
static int before(const struct mail_urltext *t, uint32_t n)
{
	if (t->look_len > n)
		return (unsigned char)t->look[t->look_len - n - 1];
	return -1;
}

static void start(struct mail_urltext *t, uint8_t kind, uint32_t n)
{
	t->kind = kind;
	memcpy(t->buf, t->look + t->look_len - n, n);
	t->len = n;
}

/* After the byte c went into the look-behind: does a URL start here? */
static void check_start(struct mail_urltext *t, unsigned char c)
{
	static const char *const schemes[] = {"https://", "http://", "ftp://",
					      "file://"};
	size_t i;
	int b;

	if (c == '/') {
		for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
			uint32_t n = (uint32_t)strlen(schemes[i]);

			if (!look_ends(t, schemes[i], n))
				continue;
			b = before(t, n);
			if (b < 0 || !is_alnum((unsigned char)b))
				start(t, K_SCHEME, n);
			return;
		}
	} else if (c == '.') {
		if (!look_ends(t, "www.", 4))
			return;
		b = before(t, 4);
		if (b < 0 || (!is_alnum((unsigned char)b) &&
			      !strchr(".-_@/\\:%", b)))
			start(t, K_WWW, 4);
	} else if (c == '\\') {
		if (!look_ends(t, "\\\\", 2))
			return;
		b = before(t, 2);
		if (b < 0 || (!is_alnum((unsigned char)b) && b != '\\' &&
			      b != ':'))
			start(t, K_UNC, 2);
	}
}

/* Bytes of one character that belongs to the current word. */
static void word_bytes(struct mail_urltext *t, const uint8_t *b, uint32_t k)
{
	uint32_t i;

	if (t->word < UINT32_MAX - 4)
		t->word += k;
	if (t->kind != K_NONE) {
		for (i = 0; i < k; i++) {
			if (t->len < sizeof(t->buf))
				t->buf[t->len++] = (char)b[i];
			else
				t->overflow = true;
		}
		return;
	}
	for (i = 0; i < k; i++) {
		if (t->look_len == MAIL_URLTEXT_LOOK) {
			/* Keep the last 10: "https://" and the byte before
			 * it fit. */
			memmove(t->look, t->look + MAIL_URLTEXT_LOOK - 10, 10);
			t->look_len = 10;
		}
		t->look[t->look_len++] = (char)b[i];
	}
	if (k == 1)
		check_start(t, b[0]);
}

/* A complete UTF-8 character. */
static void utf8_char(struct mail_urltext *t, struct mail_urlset *s)
{
	const uint8_t *u = t->u8;
	uint32_t cp, i;

	cp = u[0] & (t->u8_len == 2 ? 0x1f : t->u8_len == 3 ? 0x0f : 0x07);
	for (i = 1; i < t->u8_len; i++)
		cp = cp << 6 | (u[i] & 0x3fu);
	if (unicode_delim(cp))
		end_word(t, s);
	else
		word_bytes(t, u, t->u8_len);
	t->u8_len = t->u8_need = 0;
}

/* The second byte of a sequence has a narrower range after some leads
 * (no overlong forms, no surrogates, nothing past U+10FFFF). */
static bool second_ok(uint8_t lead, uint8_t c)
{
	switch (lead) {
	case 0xe0: return c >= 0xa0 && c <= 0xbf;
	case 0xed: return c >= 0x80 && c <= 0x9f;
	case 0xf0: return c >= 0x90 && c <= 0xbf;
	case 0xf4: return c >= 0x80 && c <= 0x8f;
	default: return c >= 0x80 && c <= 0xbf;
	}
}

void mail_urltext_feed(struct mail_urltext *t, const char *p, size_t n,
		       struct mail_urlset *s)
{
	const uint8_t *q = (const uint8_t *)p;
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = q[i];

		if (t->u8_need) {
			bool ok = t->u8_len == 1 ? second_ok(t->u8[0], c)
						 : (c & 0xc0) == 0x80;

			if (ok) {
				t->u8[t->u8_len++] = c;
				if (t->u8_len == t->u8_need)
					utf8_char(t, s);
				continue;
			}
			/* Broken sequence: it ends the word; c starts
			 * afresh. */
			t->u8_len = t->u8_need = 0;
			end_word(t, s);
		}
		if (c < 0x80) {
			if (ascii_delim(c))
				end_word(t, s);
			else
				word_bytes(t, &c, 1);
		} else if (c >= 0xc2 && c <= 0xf4) {
			t->u8[0] = c;
			t->u8_len = 1;
			t->u8_need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		} else {
			end_word(t, s);
		}
	}
}

void mail_urltext_finish(struct mail_urltext *t, struct mail_urlset *s)
{
	end_word(t, s);
	mail_urltext_init(t);
}
