/*
 * Fuzz target: charset conversion to UTF-8 (src/mail/charset.c).
 *
 * Input:
 *   SEL        SEL < NNAMES: the charset names[SEL]; otherwise LEN(1)
 *              bytes of the input are the name
 *   CAP        a small output room for the cut conversion (CAP % 64)
 *   SEED       chooses the chunk sizes of the stream
 *   DATA       the rest: the text
 *
 * Checked: the conversion with room enough is valid UTF-8 and not cut;
 * with room CAP it is valid UTF-8, at most CAP bytes, a prefix of the
 * full one, flagged cut exactly when shorter; the stream fed in drawn
 * chunk sizes (exact-size heap copies), with a second stream of another
 * charset and whole-buffer calls of the same charset interleaved, gives
 * the same bytes and flags as the full conversion; every flag is named.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "mail/charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"utf-8",       "us-ascii",     "iso-8859-1",  "windows-1252",
	"iso-8859-2",  "koi8-r",       "shift_jis",   "euc-jp",
	"iso-2022-jp", "gb2312",       "big5",        "ks_c_5601-1987",
	"utf-16",      "utf-16le",     "utf-32",      "utf-7",
	"x-unknown",   "",             "UTF8",        "gb18030",
	"iso-2022-kr", "cp932",        "windows-1255", "ibm037",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

#define OUT_MAX (1u << 22)

static char full[OUT_MAX];

struct sink {
	size_t len;
};

static void out_fn(void *ctx, const uint8_t *p, size_t n)
{
	struct sink *s = ctx;

	SS_ASSERT(n > 0);
	SS_ASSERT(s->len + n <= OUT_MAX);
	SS_ASSERT(memcmp(full + s->len, p, n) == 0);
	s->len += n;
}

static void drop_fn(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	SS_ASSERT(n > 0);
	SS_ASSERT(mail_utf8_valid(p, n));
}

static void check_flags(uint32_t f)
{
	int i;

	for (i = 0; i < 32; i++)
		if (f & (1u << i))
			SS_ASSERT(mail_charset_flag_name(1u << i) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	static char small[64];
	struct mail_utf8_stream st, other;
	struct sink s = {0};
	const char *cs;
	size_t cslen, fl, k, off = 0;
	uint32_t ff = 0, f = 0, seed;
	unsigned cap;

	if (!init) {
		init = true;
		log_set_quiet(1);
	}
	if (size < 3)
		return 0;
	if (data[0] < NNAMES) {
		cs = names[data[0]];
		cslen = strlen(cs);
		data++;
		size--;
	} else {
		cslen = data[1] < size - 2 ? data[1] : size - 2;
		cs = (const char *)data + 2;
		data += 2 + cslen;
		size -= 2 + cslen;
	}
	if (size < 2)
		return 0;
	cap = data[0] % 64;
	seed = data[1];
	data += 2;
	size -= 2;
	if (size > OUT_MAX / 4 - 16)
		size = OUT_MAX / 4 - 16;

	/* room enough: at most 3 output bytes per input byte */
	fl = mail_utf8_from(cs, cslen, data, size, full, 3 * size + 16, &ff);
	SS_ASSERT(fl <= 3 * size + 16);
	SS_ASSERT(!(ff & MAIL_CS_F_TRUNCATED));
	SS_ASSERT(mail_utf8_valid((const uint8_t *)full, fl));
	check_flags(ff);
	SS_ASSERT(mail_charset_known(cs, cslen) == !(ff & MAIL_CS_F_UNKNOWN) ||
		  size == 0);

	k = mail_utf8_from(cs, cslen, data, size, small, cap, &f);
	SS_ASSERT(k <= cap);
	SS_ASSERT(memcmp(small, full, k) == 0);
	SS_ASSERT(!!(f & MAIL_CS_F_TRUNCATED) == (k < fl));
	SS_ASSERT(k == fl || cap - k <= 3);

	mail_utf8_stream_init(&st, cs, cslen);
	mail_utf8_stream_init(&other, "iso-2022-jp", 11);
	while (off < size) {
		uint8_t *piece;
		uint32_t junk = 0;

		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % ((seed >> 8 & 1) ? 5 : 200);
		if (k > size - off)
			k = size - off;
		piece = malloc(k);
		if (!piece)
			abort();
		memcpy(piece, data + off, k);
		mail_utf8_stream_feed(&st, piece, k, out_fn, &s);
		mail_utf8_stream_feed(&other, piece, k, drop_fn, NULL);
		/* the same charset, whole-buffer, between two feeds */
		mail_utf8_from(cs, cslen, piece, k, small, sizeof(small),
			       &junk);
		free(piece);
		off += k;
	}
	mail_utf8_stream_finish(&st, out_fn, &s);
	mail_utf8_stream_finish(&other, drop_fn, NULL);
	SS_ASSERT(s.len == fl);
	SS_ASSERT(st.flags == ff);
	SS_ASSERT(st.in_bytes == size && st.out_bytes == fl);
	return 0;
}
