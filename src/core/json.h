/*
 * A small streaming JSON writer for records (one object per line).
 *
 * In-house because the hot path writes one record per session and needs
 * no DOM: values are appended to a growable buffer the writer owns, and
 * the caller takes the finished line with jw_data()/jw_len(). Nesting is
 * tracked so commas are placed automatically.
 *
 * Strings are written from untrusted bytes: valid UTF-8 passes through,
 * control characters use JSON escapes, and every byte that is not part of
 * valid UTF-8 is written as the four characters \xNN (so nothing is lost
 * and the output is always valid JSON).
 *
 * Limits: JW_MAX_DEPTH nesting levels; the buffer never grows past
 * JW_MAX_BYTES - a record that would is marked failed (jw_failed()) and
 * the caller decides what to do (drop the field, count it).
 */
#ifndef SMTPSCOPE_CORE_JSON_H
#define SMTPSCOPE_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32
#define JW_MAX_BYTES (64u * 1024u * 1024u)

struct jw {
	char *buf;
	size_t len;
	size_t cap;
	int depth;
	bool failed;
	bool first[JW_MAX_DEPTH]; /* no member written yet at this level */
	bool after_key;
};

void jw_init(struct jw *w);
void jw_free(struct jw *w);
/* Empty the buffer for the next record; keeps the memory. */
void jw_reset(struct jw *w);

void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
/* Key of the next member; key is trusted ASCII (a field name). */
void jw_key(struct jw *w, const char *key);

void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const void *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Already-formatted JSON (e.g. a number); caller guarantees validity. */
void jw_raw(struct jw *w, const char *s, size_t n);

/* Helpers: key + value. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_ku64(struct jw *w, const char *key, uint64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);
/* Open a nested object under key. */
void jw_kobj(struct jw *w, const char *key);

static inline const char *jw_data(const struct jw *w) { return w->buf; }
static inline size_t jw_len(const struct jw *w) { return w->len; }
static inline bool jw_failed(const struct jw *w) { return w->failed; }

#endif
