#include "core/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void jw_free(struct jw *w)
{
	if (!w)
		return;
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->failed = false;
	w->after_key = false;
	w->first[0] = true;
	if (w->buf)
		w->buf[0] = '\0';
}

/* Ensure room for n more bytes plus a NUL. */
static bool reserve(struct jw *w, size_t n)
{
	size_t want;
	char *nb;

	if (w->failed)
		return false;
	if (n > JW_MAX_BYTES || w->len + n + 1 > JW_MAX_BYTES) {
		w->failed = true;
		return false;
	}
	if (w->len + n + 1 <= w->cap)
		return true;
	want = w->cap ? w->cap : 1024;
	while (want < w->len + n + 1)
		want *= 2;
	if (want > JW_MAX_BYTES)
		want = JW_MAX_BYTES;
	nb = realloc(w->buf, want);
	if (!nb)
		log_fatal(1, "out of memory (JSON record of %zu bytes)", want);
	w->buf = nb;
	w->cap = want;
	return true;
}

static void put(struct jw *w, const void *p, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void putc1(struct jw *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = c;
	w->buf[w->len] = '\0';
}

/* Comma before a value or key, unless it follows a key or is first. */
static void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		putc1(w, ',');
	w->first[w->depth] = false;
}

static void open_level(struct jw *w, char c)
{
	sep(w);
	putc1(w, c);
	SS_ASSERT(w->depth + 1 < JW_MAX_DEPTH);
	w->depth++;
	w->first[w->depth] = true;
}

static void close_level(struct jw *w, char c)
{
	SS_ASSERT(w->depth > 0);
	w->depth--;
	putc1(w, c);
}

void jw_obj_begin(struct jw *w) { open_level(w, '{'); }
void jw_obj_end(struct jw *w) { close_level(w, '}'); }
void jw_arr_begin(struct jw *w) { open_level(w, '['); }
void jw_arr_end(struct jw *w) { close_level(w, ']'); }

void jw_key(struct jw *w, const char *key)
{
	sep(w);
	putc1(w, '"');
	put(w, key, strlen(key));
	put(w, "\":", 2);
	w->after_key = true;
}

/* Length of a valid UTF-8 sequence starting at s (max n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0) {
		len = 2;
		cp = c & 0x1f;
	} else if (c < 0xf0) {
		len = 3;
		cp = c & 0x0f;
	} else {
		len = 4;
		cp = c & 0x07;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void jw_strn(struct jw *w, const void *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = src;
	size_t i = 0, run = 0;

	sep(w);
	putc1(w, '"');
	while (i < n) {
		unsigned char c = s[i];
		char esc[8];
		size_t elen = 0, ulen;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80) {
			ulen = utf8_seq(s + i, n - i);
			if (ulen) {
				i += ulen;
				run += ulen;
				continue;
			}
		}
		put(w, s + i - run, run);
		run = 0;
		switch (c) {
		case '"': memcpy(esc, "\\\"", 2); elen = 2; break;
		case '\\': memcpy(esc, "\\\\", 2); elen = 2; break;
		case '\n': memcpy(esc, "\\n", 2); elen = 2; break;
		case '\r': memcpy(esc, "\\r", 2); elen = 2; break;
		case '\t': memcpy(esc, "\\t", 2); elen = 2; break;
		default:
			if (c < 0x20) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				elen = 6;
			} else {
				/* A byte outside valid UTF-8: "\xNN". */
				memcpy(esc, "\\\\x", 3);
				esc[3] = hex[c >> 4];
				esc[4] = hex[c & 15];
				elen = 5;
			}
		}
		put(w, esc, elen);
		i++;
	}
	put(w, s + i - run, run);
	putc1(w, '"');
}

void jw_str(struct jw *w, const char *s) { jw_strn(w, s, strlen(s)); }

void jw_u64(struct jw *w, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);

	sep(w);
	put(w, b, (size_t)n);
}

void jw_i64(struct jw *w, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);

	sep(w);
	put(w, b, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(struct jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	sep(w);
	put(w, s, n);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_ku64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_u64(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_kobj(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_obj_begin(w);
}
