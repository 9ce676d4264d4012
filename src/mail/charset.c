#include "mail/charset.h"

#include "mail/lex.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

/* How a charset is decoded. */
enum {
	K_UNKNOWN,
	K_UTF8,
	K_ASCII, /* UTF-8 decoding, 8-bit bytes flagged */
	K_UTF16, /* byte order from the BOM, else guessed */
	K_UTF32,
	K_ICONV,
};

static const char *const flag_names[] = {
	"charset_unknown",   /* MAIL_CS_F_UNKNOWN */
	"charset_invalid",   /* MAIL_CS_F_INVALID */
	"charset_truncated", /* MAIL_CS_F_TRUNCATED */
	"charset_ascii_8bit", /* MAIL_CS_F_NOT_ASCII */
};

const char *mail_charset_flag_name(uint32_t bit)
{
	return mail_bit_name(flag_names,
			     sizeof(flag_names) / sizeof(flag_names[0]), bit);
}

/* ---- names ---------------------------------------------------------- */

/* Labels with every byte but letters and digits removed, lower case. */
static const struct {
	const char *label;
	const char *name; /* iconv name, or one of the K_ kinds below */
} aliases[] = {
	{"utf8", "UTF-8"},
	{"unicode11utf8", "UTF-8"},
	{"xunicode20utf8", "UTF-8"},
	{"usascii", "US-ASCII"},
	{"ascii", "US-ASCII"},
	{"ansix341968", "US-ASCII"},
	{"iso646us", "US-ASCII"},
	{"us", "US-ASCII"},
	{"cp367", "US-ASCII"},
	{"ibm367", "US-ASCII"},
	{"csascii", "US-ASCII"},
	{"utf16", "UTF-16"},
	{"ucs2", "UTF-16"},
	{"unicode", "UTF-16"},
	{"utf16le", "UTF-16LE"},
	{"utf16be", "UTF-16BE"},
	{"utf32", "UTF-32"},
	{"ucs4", "UTF-32"},
	{"utf32le", "UTF-32LE"},
	{"utf32be", "UTF-32BE"},
	{"utf7", "UTF-7"},
	{"unicode11utf7", "UTF-7"},
	/* WHATWG: every ISO-8859-1 and ASCII-ish Latin label is
	 * windows-1252 in practice (0x80-0x9F are its quotes, dashes and
	 * euro sign, never C1 controls). */
	{"latin1", "WINDOWS-1252"},
	{"l1", "WINDOWS-1252"},
	{"iso88591", "WINDOWS-1252"},
	{"iso885911987", "WINDOWS-1252"},
	{"cp819", "WINDOWS-1252"},
	{"ibm819", "WINDOWS-1252"},
	{"isoir100", "WINDOWS-1252"},
	{"csisolatin1", "WINDOWS-1252"},
	{"latin2", "ISO-8859-2"},
	{"latin3", "ISO-8859-3"},
	{"latin4", "ISO-8859-4"},
	{"latin5", "ISO-8859-9"},
	{"latin6", "ISO-8859-10"},
	{"latin7", "ISO-8859-13"},
	{"latin8", "ISO-8859-14"},
	{"latin9", "ISO-8859-15"},
	{"latin10", "ISO-8859-16"},
	{"iso885911", "CP874"},
	{"tis620", "CP874"},
	{"windows874", "CP874"},
	{"cp874", "CP874"},
	{"gb2312", "GB18030"},
	{"gb231280", "GB18030"},
	{"csgb2312", "GB18030"},
	{"gbk", "GB18030"},
	{"xgbk", "GB18030"},
	{"cp936", "GB18030"},
	{"ms936", "GB18030"},
	{"windows936", "GB18030"},
	{"euccn", "GB18030"},
	{"xeuccn", "GB18030"},
	{"chinese", "GB18030"},
	{"isoir58", "GB18030"},
	{"gb18030", "GB18030"},
	{"big5", "BIG5-HKSCS"},
	{"big5hkscs", "BIG5-HKSCS"},
	{"xxbig5", "BIG5-HKSCS"},
	{"xbig5", "BIG5-HKSCS"},
	{"cnbig5", "BIG5-HKSCS"},
	{"csbig5", "BIG5-HKSCS"},
	{"cp950", "BIG5-HKSCS"},
	{"ksc56011987", "CP949"},
	{"ksc56011989", "CP949"},
	{"ksc5601", "CP949"},
	{"cskscs56011987", "CP949"},
	{"csksc56011987", "CP949"},
	{"isoir149", "CP949"},
	{"korean", "CP949"},
	{"euckr", "CP949"},
	{"xeuckr", "CP949"},
	{"cseuckr", "CP949"},
	{"cp949", "CP949"},
	{"windows949", "CP949"},
	{"uhc", "CP949"},
	{"shiftjis", "CP932"},
	{"sjis", "CP932"},
	{"xsjis", "CP932"},
	{"mskanji", "CP932"},
	{"csshiftjis", "CP932"},
	{"windows31j", "CP932"},
	{"cswindows31j", "CP932"},
	{"cp932", "CP932"},
	{"mscp932", "CP932"},
	{"xmscp932", "CP932"},
	{"eucjp", "EUC-JP"},
	{"xeucjp", "EUC-JP"},
	{"cseucpkdfmtjapanese", "EUC-JP"},
	/* ISO-2022-JP-2 also reads the half-width katakana designation
	 * (ESC ( I) that Microsoft's CP50221 writes into "ISO-2022-JP". */
	{"iso2022jp", "ISO-2022-JP-2"},
	{"csiso2022jp", "ISO-2022-JP-2"},
	{"iso2022jp2", "ISO-2022-JP-2"},
	{"koi8r", "KOI8-R"},
	{"koi8", "KOI8-R"},
	{"cskoi8r", "KOI8-R"},
	{"koi8u", "KOI8-U"},
	{"koi8ru", "KOI8-RU"},
	{"macintosh", "MACINTOSH"},
	{"mac", "MACINTOSH"},
	{"xmacroman", "MACINTOSH"},
	{"csmacintosh", "MACINTOSH"},
	{"iso2022kr", "ISO-2022-KR"},
	{"csiso2022kr", "ISO-2022-KR"},
	{"euctw", "EUC-TW"},
	{"xeuctw", "EUC-TW"},
	{"viscii", "VISCII"},
	{"tcvn", "TCVN5712-1"},
	{"tcvn5712", "TCVN5712-1"},
	{"tcvn57121", "TCVN5712-1"},
	{"armscii8", "ARMSCII-8"},
	{"maccyrillic", "MAC-CYRILLIC"},
	{"xmaccyrillic", "MAC-CYRILLIC"},
	{"georgianps", "GEORGIAN-PS"},
};

/* DOS code pages, "cpNNN" or "ibmNNN". */
static const int dos_pages[] = {
	437, 737, 775, 850, 852, 855, 857, 858, 860, 861, 862, 863, 864, 865,
	866, 869,
};

static inline bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static bool name_char(uint8_t c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == ':' ||
	       c == '+';
}

static int kind_of(const char *iconv_name)
{
	if (strcmp(iconv_name, "UTF-8") == 0)
		return K_UTF8;
	if (strcmp(iconv_name, "US-ASCII") == 0)
		return K_ASCII;
	if (strcmp(iconv_name, "UTF-16") == 0)
		return K_UTF16;
	if (strcmp(iconv_name, "UTF-32") == 0)
		return K_UTF32;
	return K_ICONV;
}

/* "<prefix>N" with N a decimal number in [lo, hi]: N, else -1. */
static int numbered(const char *c, const char *prefix, int lo, int hi)
{
	size_t k = strlen(prefix);
	int v = 0;

	if (strncmp(c, prefix, k) != 0 || c[k] == '\0' || c[k] == '0')
		return -1;
	for (c += k; *c; c++) {
		if (*c < '0' || *c > '9' || v > 1000)
			return -1;
		v = v * 10 + (*c - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

/*
 * The decoding kind of a charset name, and for K_ICONV the name to give
 * iconv in canon (MAIL_CS_NAME_MAX + 1 bytes).
 */
static int resolve(const char *name, size_t len, char *canon)
{
	const uint8_t *s = (const uint8_t *)name;
	char comp[MAIL_CS_NAME_MAX + 1];
	size_t i, k = 0;
	unsigned a;
	int v;

	while (len > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '"' ||
			   s[0] == '\'')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
			   s[len - 1] == '"' || s[len - 1] == '\'')) {
		len--;
	}
	if (len == 0) {
		snprintf(canon, MAIL_CS_NAME_MAX + 1, "%s", "US-ASCII");
		return K_ASCII;
	}
	if (len > MAIL_CS_NAME_MAX)
		return K_UNKNOWN;
	for (i = 0; i < len; i++) {
		if (!name_char(s[i]))
			return K_UNKNOWN;
		canon[i] = (char)mail_lower(s[i]);
		if (is_alnum(s[i]))
			comp[k++] = (char)mail_lower(s[i]);
	}
	canon[len] = '\0';
	comp[k] = '\0';
	for (a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++) {
		if (strcmp(comp, aliases[a].label) == 0) {
			snprintf(canon, MAIL_CS_NAME_MAX + 1, "%s",
				 aliases[a].name);
			return kind_of(canon);
		}
	}
	v = numbered(comp, "iso8859", 2, 16);
	if (v > 0 && v != 11 && v != 12) {
		snprintf(canon, MAIL_CS_NAME_MAX + 1, "ISO-8859-%d", v);
		return K_ICONV;
	}
	if ((v = numbered(comp, "windows", 1250, 1258)) > 0 ||
	    (v = numbered(comp, "cp", 1250, 1258)) > 0 ||
	    (v = numbered(comp, "xcp", 1250, 1258)) > 0 ||
	    (v = numbered(comp, "win", 1250, 1258)) > 0) {
		snprintf(canon, MAIL_CS_NAME_MAX + 1, "WINDOWS-%d", v);
		return K_ICONV;
	}
	if ((v = numbered(comp, "cp", 437, 869)) > 0 ||
	    (v = numbered(comp, "ibm", 437, 869)) > 0) {
		for (a = 0; a < sizeof(dos_pages) / sizeof(dos_pages[0]); a++) {
			if (dos_pages[a] == v) {
				snprintf(canon, MAIL_CS_NAME_MAX + 1, "CP%d",
					 v);
				return K_ICONV;
			}
		}
	}
	/* Nothing else reaches iconv: glibc has hundreds of converters,
	 * most never seen in mail, and hostile input has no business in
	 * them. */
	return K_UNKNOWN;
}

/* ---- the iconv handle cache ----------------------------------------- */

struct slot {
	char name[MAIL_CS_NAME_MAX + 1];
	iconv_t cd;
	uint32_t stamp;
	bool used;
	bool borrowed;
};

static _Thread_local struct slot cache[MAIL_CS_CACHE];
static _Thread_local uint32_t cache_clock;

/* A handle for name, reset to its initial state: from the cache or newly
 * opened (and cached when a slot is free or can be evicted). *slot is
 * the cache slot, or -1 when the handle is the caller's to close. When
 * borrow is set the slot is kept from every other user until
 * give_back(). NULL when iconv does not know the name. */
static iconv_t take(const char *name, bool borrow, int *slotp)
{
	struct slot *victim = NULL;
	iconv_t cd;
	int i;

	*slotp = -1;
	for (i = 0; i < MAIL_CS_CACHE; i++) {
		struct slot *s = &cache[i];

		if (s->used && !s->borrowed && strcmp(s->name, name) == 0) {
			s->stamp = ++cache_clock;
			s->borrowed = borrow;
			*slotp = i;
			iconv(s->cd, NULL, NULL, NULL, NULL);
			return s->cd;
		}
	}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return NULL;
	for (i = 0; i < MAIL_CS_CACHE; i++) {
		struct slot *s = &cache[i];

		if (!s->used) {
			victim = s;
			break;
		}
		if (!s->borrowed && (!victim || s->stamp < victim->stamp))
			victim = s;
	}
	if (!victim)
		return cd;
	if (victim->used)
		iconv_close(victim->cd);
	snprintf(victim->name, sizeof(victim->name), "%s", name);
	victim->cd = cd;
	victim->used = true;
	victim->borrowed = borrow;
	victim->stamp = ++cache_clock;
	*slotp = (int)(victim - cache);
	return cd;
}

static void give_back(iconv_t cd, int slot)
{
	if (slot >= 0 && slot < MAIL_CS_CACHE && cache[slot].cd == cd) {
		cache[slot].borrowed = false;
		iconv(cd, NULL, NULL, NULL, NULL);
	} else if (cd) {
		iconv_close(cd);
	}
}

void mail_charset_cache_clear(void)
{
	int i;

	for (i = 0; i < MAIL_CS_CACHE; i++) {
		struct slot *s = &cache[i];

		if (s->used && !s->borrowed) {
			iconv_close(s->cd);
			memset(s, 0, sizeof(*s));
		}
	}
}

bool mail_charset_known(const char *charset, size_t charset_len)
{
	char canon[MAIL_CS_NAME_MAX + 1];
	int kind = resolve(charset, charset_len, canon);
	iconv_t cd;
	int slot;

	if (kind != K_ICONV)
		return kind != K_UNKNOWN;
	cd = take(canon, false, &slot);
	if (!cd)
		return false;
	if (slot < 0)
		iconv_close(cd);
	return true;
}

/* ---- output --------------------------------------------------------- */

#define STREAM_BATCH 4096
#define DIRECT_MIN 1024 /* valid runs this long skip the batch buffer */

/* Either the caller's whole buffer (fn NULL: output stops when full) or
 * a batch buffer flushed to fn. */
struct sink {
	char *buf;
	size_t cap, len;
	mail_out_fn fn;
	void *ctx;
	uint64_t *count;
	uint32_t *flags;
	bool full;
};

static void sink_flush(struct sink *s)
{
	if (s->fn && s->len > 0) {
		s->fn(s->ctx, (const uint8_t *)s->buf, s->len);
		*s->count += s->len;
		s->len = 0;
	}
}

/* Room for k more bytes (k <= STREAM_BATCH). */
static bool sink_room(struct sink *s, size_t k)
{
	if (s->full)
		return false;
	if (s->cap - s->len >= k)
		return true;
	if (s->fn) {
		sink_flush(s);
		return true;
	}
	s->full = true;
	*s->flags |= MAIL_CS_F_TRUNCATED;
	return false;
}

static const uint8_t replacement[3] = {0xef, 0xbf, 0xbd};

static void put_fffd(struct sink *s)
{
	if (sink_room(s, 3)) {
		memcpy(s->buf + s->len, replacement, 3);
		s->len += 3;
	}
}

/* p[0..k) is valid UTF-8: copy it, cut at a character boundary when the
 * caller's buffer is too small. */
static void put_valid(struct sink *s, const uint8_t *p, size_t k)
{
	size_t room;

	if (k == 0 || s->full)
		return;
	if (s->fn) {
		if (s->cap - s->len >= k) {
			memcpy(s->buf + s->len, p, k);
			s->len += k;
			return;
		}
		sink_flush(s);
		if (k >= DIRECT_MIN) {
			s->fn(s->ctx, p, k);
			*s->count += k;
		} else {
			memcpy(s->buf, p, k);
			s->len = k;
		}
		return;
	}
	room = s->cap - s->len;
	if (k > room) {
		k = room;
		while (k > 0 && (p[k] & 0xc0) == 0x80)
			k--;
		s->full = true;
		*s->flags |= MAIL_CS_F_TRUNCATED;
	}
	memcpy(s->buf + s->len, p, k);
	s->len += k;
}

/* ---- UTF-8 ---------------------------------------------------------- */

/*
 * The sequence at p[0..n): 1 valid (*len its length), 0 invalid (*len the
 * maximal subpart to replace, at least 1), -1 a valid start cut off by
 * the end of the input (*len = n). Unicode 15, table 3-7.
 */
static int u8_seq(const uint8_t *p, size_t n, size_t *len)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80) {
		*len = 1;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*len = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n) {
			*len = n;
			return -1;
		}
		if (p[i] < lo || p[i] > hi) {
			*len = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	*len = need + 1;
	return 1;
}

bool mail_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (u8_seq(p + i, n - i, &k) != 1)
			return false;
		i += k;
	}
	return true;
}

/* Decode p[0..n); returns the bytes used, less than n only when !final
 * and the input ends inside a character. */
static size_t dec_utf8(struct sink *s, const uint8_t *p, size_t n, bool final,
		       bool ascii)
{
	size_t i = 0, j, k;
	int r;

	while (i < n && !s->full) {
		j = i;
		for (;;) {
			while (j < n && p[j] < 0x80)
				j++;
			if (j == n || u8_seq(p + j, n - j, &k) != 1)
				break;
			if (ascii)
				*s->flags |= MAIL_CS_F_NOT_ASCII;
			j += k;
		}
		put_valid(s, p + i, j - i);
		if (j == n)
			return n;
		if (ascii)
			*s->flags |= MAIL_CS_F_NOT_ASCII;
		r = u8_seq(p + j, n - j, &k);
		if (r < 0 && !final)
			return j;
		*s->flags |= MAIL_CS_F_INVALID;
		put_fffd(s);
		i = j + k;
	}
	return n;
}

size_t mail_utf8_sanitize(const uint8_t *in, size_t n, char *out,
			  size_t outcap, uint32_t *flags)
{
	uint32_t dummy = 0;
	uint64_t count = 0;
	struct sink s = {out, outcap, 0, NULL, NULL, &count,
			 flags ? flags : &dummy, false};

	dec_utf8(&s, in, n, true, false);
	return s.len;
}

/* ---- other decoders ------------------------------------------------- */

static size_t dec_unknown(struct sink *s, const uint8_t *p, size_t n)
{
	size_t i = 0, j;

	*s->flags |= MAIL_CS_F_UNKNOWN;
	while (i < n && !s->full) {
		for (j = i; j < n && p[j] < 0x80; j++)
			;
		put_valid(s, p + i, j - i);
		if (j == n)
			break;
		put_fffd(s);
		i = j + 1;
	}
	return n;
}

static size_t dec_iconv(struct sink *s, iconv_t cd, unsigned unit,
			const uint8_t *p, size_t n, bool final)
{
	char *ip = (char *)(uintptr_t)p;
	size_t il = n;

	while (il > 0 && !s->full) {
		char *op;
		size_t ol, r;
		int err;

		/* Into the caller's buffer, even with no room left: bytes
		 * that make no output (UTF-7's '-', an escape sequence) go
		 * in, and only output that does not fit says E2BIG. */
		if (s->fn ? !sink_room(s, 64) : s->full)
			break;
		op = s->buf + s->len;
		ol = s->cap - s->len;
		r = iconv(cd, &ip, &il, &op, &ol);
		err = errno;
		s->len = (size_t)(op - s->buf);
		if (r != (size_t)-1)
			break;
		if (err == E2BIG) {
			if (s->fn) {
				sink_flush(s);
				continue;
			}
			s->full = true;
			*s->flags |= MAIL_CS_F_TRUNCATED;
			break;
		}
		if (err == EINVAL && !final && il <= MAIL_CS_HOLD / 2)
			return n - il; /* the rest comes with the next feed */
		/* EILSEQ, or a character cut off by the end */
		*s->flags |= MAIL_CS_F_INVALID;
		put_fffd(s);
		if (err == EINVAL && final) {
			il = 0;
		} else {
			size_t skip = unit < il ? unit : il;

			ip += skip;
			il -= skip;
		}
	}
	return n;
}

/* ---- conversions ---------------------------------------------------- */

struct conv {
	int kind;
	unsigned unit;
	iconv_t cd;
};

static size_t dec_any(const struct conv *c, struct sink *s, const uint8_t *p,
		      size_t n, bool final)
{
	switch (c->kind) {
	case K_UTF8:
		return dec_utf8(s, p, n, final, false);
	case K_ASCII:
		return dec_utf8(s, p, n, final, true);
	case K_ICONV:
		if (c->cd)
			return dec_iconv(s, c->cd, c->unit, p, n, final);
		return dec_unknown(s, p, n);
	default:
		return dec_unknown(s, p, n);
	}
}

/*
 * UTF-16 and UTF-32 without an explicit byte order: a BOM says it (and is
 * dropped); without one, where the zero bytes of ASCII text fall, else
 * big-endian (RFC 2781 section 4.3). Needs 2 (4) bytes; returns the iconv
 * name and sets *skip to the BOM length.
 */
static const char *byte_order(int kind, const uint8_t *p, size_t n,
			      size_t *skip)
{
	*skip = 0;
	if (kind == K_UTF16) {
		if (n >= 2 && p[0] == 0xfe && p[1] == 0xff) {
			*skip = 2;
			return "UTF-16BE";
		}
		if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
			*skip = 2;
			return "UTF-16LE";
		}
		if (n >= 2 && p[0] != 0 && p[1] == 0)
			return "UTF-16LE";
		return "UTF-16BE";
	}
	if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0xfe && p[3] == 0xff) {
		*skip = 4;
		return "UTF-32BE";
	}
	if (n >= 4 && p[0] == 0xff && p[1] == 0xfe && p[2] == 0 && p[3] == 0) {
		*skip = 4;
		return "UTF-32LE";
	}
	if (n >= 4 && p[0] != 0 && p[1] == 0 && p[2] == 0 && p[3] == 0)
		return "UTF-32LE";
	return "UTF-32BE";
}

static unsigned unit_of(const char *iconv_name)
{
	if (strncmp(iconv_name, "UTF-16", 6) == 0)
		return 2;
	if (strncmp(iconv_name, "UTF-32", 6) == 0)
		return 4;
	return 1;
}

static void stream_blocks(struct mail_utf8_stream *st, struct sink *s,
			  const uint8_t *in, size_t n);
static void stream_release(struct mail_utf8_stream *st);

size_t mail_utf8_from(const char *charset, size_t charset_len,
		      const uint8_t *in, size_t n, char *out, size_t outcap,
		      uint32_t *flags)
{
	char canon[MAIL_CS_NAME_MAX + 1];
	uint32_t dummy = 0;
	uint64_t count = 0;
	struct sink s = {out, outcap, 0, NULL, NULL, &count,
			 flags ? flags : &dummy, false};
	struct conv c = {K_UNKNOWN, 1, NULL};

	c.kind = resolve(charset, charset_len, canon);
	if (c.kind == K_UTF16 || c.kind == K_UTF32 || c.kind == K_ICONV) {
		/* What iconv sees must be what a stream gives it (see
		 * MAIL_CS_STAGE), so that both say the same. */
		struct mail_utf8_stream st;

		mail_utf8_stream_init(&st, charset, charset_len);
		*s.flags |= st.flags;
		stream_blocks(&st, &s, in, n);
		stream_release(&st);
		return s.len;
	}
	dec_any(&c, &s, in, n, true);
	return s.len;
}

/* ---- streaming ------------------------------------------------------ */

static void stream_conv(const struct mail_utf8_stream *st, struct conv *c)
{
	c->kind = st->priv.kind;
	c->unit = st->priv.unit;
	c->cd = st->priv.cd;
}

/* The kind is UTF-16/32 and the byte order not settled: settle it from
 * the bytes held, dropping a BOM. */
static void stream_order(struct mail_utf8_stream *st)
{
	size_t skip;
	const char *name = byte_order(st->priv.kind, st->priv.hold,
				      st->priv.nhold, &skip);

	st->priv.bom_done = true;
	st->priv.nhold = (uint8_t)(st->priv.nhold - skip);
	memmove(st->priv.hold, st->priv.hold + skip, st->priv.nhold);
	st->priv.kind = K_ICONV;
	st->priv.unit = (uint8_t)unit_of(name);
	st->priv.cd = take(name, true, &st->priv.slot);
	if (!st->priv.cd)
		st->priv.kind = K_UNKNOWN;
}

void mail_utf8_stream_init(struct mail_utf8_stream *st, const char *charset,
			   size_t charset_len)
{
	char canon[MAIL_CS_NAME_MAX + 1];

	memset(st, 0, sizeof(*st));
	st->priv.slot = -1;
	st->priv.unit = 1;
	st->priv.kind = (uint8_t)resolve(charset, charset_len, canon);
	st->priv.bom_done = st->priv.kind != K_UTF16 &&
			    st->priv.kind != K_UTF32;
	st->priv.staged = st->priv.kind == K_UTF16 ||
			  st->priv.kind == K_UTF32 || st->priv.kind == K_ICONV;
	if (st->priv.kind == K_ICONV) {
		st->priv.unit = (uint8_t)unit_of(canon);
		st->priv.cd = take(canon, true, &st->priv.slot);
		if (!st->priv.cd)
			st->priv.kind = K_UNKNOWN;
	}
	/* said even when no text follows, as mail_utf8_from() does */
	if (st->priv.kind == K_UNKNOWN)
		st->flags |= MAIL_CS_F_UNKNOWN;
}

static void hold_bytes(struct mail_utf8_stream *st, const uint8_t *p,
		       size_t k)
{
	if (k == 0)
		return;
	memcpy(st->priv.hold + st->priv.nhold, p, k);
	st->priv.nhold = (uint8_t)(st->priv.nhold + k);
}

static void stream_run(struct mail_utf8_stream *st, struct sink *s,
		       const uint8_t *p, size_t n, bool final)
{
	uint8_t tmp[MAIL_CS_HOLD + 64];
	struct conv c;
	size_t used;

	if (!st->priv.bom_done) {
		size_t want = st->priv.kind == K_UTF16 ? 2 : 4;
		size_t k = want - st->priv.nhold;

		if (k > n)
			k = n;
		hold_bytes(st, p, k);
		p += k;
		n -= k;
		if (st->priv.nhold < want && !final)
			return;
		stream_order(st);
	}
	stream_conv(st, &c);
	/* First complete the character held from the last feed, with
	 * enough new bytes to finish any character. */
	while (st->priv.nhold > 0 && (n > 0 || final)) {
		size_t add = n < 64 ? n : 64;
		size_t tn = st->priv.nhold + add;

		memcpy(tmp, st->priv.hold, st->priv.nhold);
		if (add > 0)
			memcpy(tmp + st->priv.nhold, p, add);
		used = dec_any(&c, s, tmp, tn, final && add == n);
		if (used >= st->priv.nhold) {
			p += used - st->priv.nhold;
			n -= used - st->priv.nhold;
			st->priv.nhold = 0;
			break;
		}
		/* Still cut: all of p went in (see dec_iconv's bound). */
		st->priv.nhold = 0;
		hold_bytes(st, tmp + used, tn - used);
		p += add;
		n -= add;
		if (n == 0)
			return;
	}
	if (n == 0)
		return;
	used = dec_any(&c, s, p, n, final);
	hold_bytes(st, p + used, n - used);
}

void mail_utf8_stream_feed(struct mail_utf8_stream *st, const uint8_t *in,
			   size_t n, mail_out_fn out, void *ctx)
{
	char buf[STREAM_BATCH];
	struct sink s = {buf, sizeof(buf), 0, out, ctx, &st->out_bytes,
			 &st->flags, false};

	if (n == 0)
		return;
	st->in_bytes += n;
	while (st->priv.staged && n > 0) {
		size_t k = MAIL_CS_STAGE - st->priv.nstage;

		if (k > n)
			k = n;
		memcpy(st->priv.stage + st->priv.nstage, in, k);
		st->priv.nstage = (uint16_t)(st->priv.nstage + k);
		in += k;
		n -= k;
		if (st->priv.nstage == MAIL_CS_STAGE) {
			st->priv.nstage = 0;
			stream_run(st, &s, st->priv.stage, MAIL_CS_STAGE,
				   false);
		}
	}
	if (n > 0)
		stream_run(st, &s, in, n, false);
	sink_flush(&s);
}

/* The end of the text: what is staged, then what is held. */
static void stream_end(struct mail_utf8_stream *st, struct sink *s)
{
	static const uint8_t none[1];

	if (st->priv.nstage) {
		size_t k = st->priv.nstage;

		st->priv.nstage = 0;
		stream_run(st, s, st->priv.stage, k, false);
	}
	if (!st->priv.bom_done && st->priv.nhold == 0) {
		/* nothing came: no byte order to settle */
		st->priv.bom_done = true;
	} else {
		stream_run(st, s, none, 0, true);
	}
}

/* A whole text of a staged kind into s (mail_utf8_from): the blocks
 * mail_utf8_stream_feed() would give iconv, then the end. */
static void stream_blocks(struct mail_utf8_stream *st, struct sink *s,
			  const uint8_t *in, size_t n)
{
	while (n >= MAIL_CS_STAGE) {
		stream_run(st, s, in, MAIL_CS_STAGE, false);
		in += MAIL_CS_STAGE;
		n -= MAIL_CS_STAGE;
	}
	if (n > 0)
		stream_run(st, s, in, n, false);
	stream_end(st, s);
}

/* The iconv handle back, the stream spent. */
static void stream_release(struct mail_utf8_stream *st)
{
	if (st->priv.cd)
		give_back(st->priv.cd, st->priv.slot);
	st->priv.cd = NULL;
	st->priv.slot = -1;
	st->priv.nhold = 0;
	st->priv.nstage = 0;
	st->priv.kind = K_UNKNOWN;
	st->priv.bom_done = true;
}

void mail_utf8_stream_finish(struct mail_utf8_stream *st, mail_out_fn out,
			     void *ctx)
{
	char buf[STREAM_BATCH];
	struct sink s = {buf, sizeof(buf), 0, out, ctx, &st->out_bytes,
			 &st->flags, false};

	stream_end(st, &s);
	sink_flush(&s);
	stream_release(st);
}
