#include "mail/urlset.h"

#include "mail/lex.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <uriparser/Uri.h>

#include "core/grow.h"
#include "core/log.h"
#include "core/siphash.h"

/* ---- character classes (ASCII, locale-free) ------------------------ */

static inline bool is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static inline bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_hex(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static inline unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static inline unsigned char upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c & ~0x20) : c;
}

static inline unsigned hexval(unsigned char c)
{
	return is_digit(c) ? (unsigned)(c - '0')
			   : (unsigned)((c | 0x20) - 'a' + 10);
}

static bool eq_lower(const char *p, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return false;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)p[i]) != (unsigned char)lit[i])
			return false;
	return true;
}

/* ---- an arena for liburiparser ------------------------------------ */

/*
 * liburiparser allocates a node per path segment and copies of the
 * parts it rewrites: up to an allocation per byte of a hostile URL. It
 * gets this arena instead: allocations are carved from blocks the set
 * keeps, everything is dropped at once before the next URL, and the
 * total is capped (an allocation past the cap fails, liburiparser
 * reports URI_ERROR_MALLOC and the URL is kept raw as bad).
 */
#define UBLOCK_SIZE (16u * 1024)
#define UALIGN 16u

struct ublock {
	struct ublock *next;
	size_t cap, used;
	alignas(16) unsigned char data[];
};

struct uarena {
	struct ublock *head, *cur;
	size_t total, limit;    /* block capacity allocated, its cap */
	unsigned char *last;    /* newest allocation (in cur), or NULL */
};

/* Each allocation is preceded by its size, in one aligned header. */
struct uhdr {
	alignas(16) size_t size;
};

static void uarena_rewind(struct uarena *a)
{
	struct ublock *b;

	for (b = a->head; b; b = b->next)
		b->used = 0;
	a->cur = a->head;
	a->last = NULL;
}

static void uarena_free_all(struct uarena *a)
{
	struct ublock *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	memset(a, 0, sizeof(*a));
}

static void *uarena_alloc(struct uarena *a, size_t size)
{
	size_t need, room;
	struct ublock *b;
	struct uhdr *h;

	if (size > a->limit)
		return NULL;
	need = sizeof(struct uhdr) +
	       ((size + UALIGN - 1) & ~(size_t)(UALIGN - 1));
	for (b = a->cur; b; b = b->next) {
		room = b->cap - b->used;
		if (room >= need)
			break;
		/* Blocks after cur are empty (rewound); try the next. */
	}
	if (!b) {
		size_t cap = need > UBLOCK_SIZE ? need : UBLOCK_SIZE;

		if (a->total + cap > a->limit)
			return NULL;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			log_fatal(1, "out of memory (URL parser arena)");
		b->cap = cap;
		b->used = 0;
		a->total += cap;
		/* Append at the end so that the blocks stay in order. */
		b->next = NULL;
		if (!a->head) {
			a->head = b;
		} else {
			struct ublock *t = a->cur ? a->cur : a->head;

			while (t->next)
				t = t->next;
			t->next = b;
		}
	}
	a->cur = b;
	h = (struct uhdr *)(void *)(b->data + b->used);
	h->size = size;
	b->used += need;
	a->last = (unsigned char *)(h + 1);
	return h + 1;
}

static struct uarena *mm_arena(struct UriMemoryManagerStruct *mm)
{
	return mm->userData;
}

static void *mm_malloc(struct UriMemoryManagerStruct *mm, size_t size)
{
	return uarena_alloc(mm_arena(mm), size);
}

static void *mm_calloc(struct UriMemoryManagerStruct *mm, size_t n,
		       size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = uarena_alloc(mm_arena(mm), n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static void mm_free(struct UriMemoryManagerStruct *mm, void *p)
{
	struct uarena *a = mm_arena(mm);
	struct uhdr *h;

	/* Only the newest allocation gives its room back. */
	if (!p || p != a->last)
		return;
	h = (struct uhdr *)p - 1;
	a->cur->used = (size_t)((unsigned char *)h - a->cur->data);
	a->last = NULL;
}

static void *mm_realloc(struct UriMemoryManagerStruct *mm, void *p,
			size_t size)
{
	struct uarena *a = mm_arena(mm);
	struct uhdr *h;
	void *np;

	if (!p)
		return uarena_alloc(a, size);
	h = (struct uhdr *)p - 1;
	if (p == a->last) {
		size_t start = (size_t)((unsigned char *)h - a->cur->data);
		size_t need = sizeof(*h) +
			      ((size + UALIGN - 1) & ~(size_t)(UALIGN - 1));

		if (size <= a->limit && a->cur->cap - start >= need) {
			h->size = size;
			a->cur->used = start + need;
			return p;
		}
	}
	np = uarena_alloc(a, size);
	if (np)
		memcpy(np, p, h->size < size ? h->size : size);
	return np;
}

static void *mm_reallocarray(struct UriMemoryManagerStruct *mm, void *p,
			     size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return mm_realloc(mm, p, n * size);
}

/* ---- the set -------------------------------------------------------- */

/* Strings the set keeps live in blocks that never move. */
#define SBLOCK_SIZE (32u * 1024)

struct sblock {
	struct sblock *next;
	uint32_t cap, used;
	char data[];
};

struct mail_urlset {
	uint32_t max_urls, max_len;
	struct mail_url *urls;
	uint64_t *hashes;       /* parallel to urls */
	uint32_t n, cap, hcap;
	uint32_t *table;        /* index + 1 into urls; 0 empty */
	uint32_t tsize;         /* power of two, >= 2 * n */
	struct siphash_key key;
	struct sblock *sblocks, *scur;
	struct mail_urlset_stats st;

	/* Scratch for one URL at a time. */
	char *tmp;              /* raw without tab/CR/LF: max_len + 1 */
	char *clean;            /* cleaned for liburiparser: CLEAN_CAP */
	char *clean2;           /* the base while resolving: CLEAN_CAP */
	char *out;              /* liburiparser's text: CLEAN_CAP */
	uint32_t clean_cap;
	struct uarena arena;
	UriMemoryManager mm;
};

/* A URL normalised, in s->out (or s->tmp when bad). */
struct norm {
	const char *p;
	uint32_t len, scheme_len, host_off, host_len, flags;
	char ipv4[16];
};

enum verdict { V_OK, V_NOT_URL, V_TOO_LONG, V_SKIPPED };

static char *sarena_copy(struct mail_urlset *s, const char *p, uint32_t n)
{
	struct sblock *b;
	char *d;

	if (n == 0)
		return NULL;
	for (b = s->scur; b; b = b->next)
		if (b->cap - b->used >= n)
			break;
	if (!b) {
		uint32_t cap = n > SBLOCK_SIZE ? n : SBLOCK_SIZE;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			log_fatal(1, "out of memory (URL strings)");
		b->cap = cap;
		b->used = 0;
		b->next = NULL;
		if (!s->sblocks) {
			s->sblocks = b;
		} else {
			struct sblock *t = s->scur ? s->scur : s->sblocks;

			while (t->next)
				t = t->next;
			t->next = b;
		}
	}
	s->scur = b;
	d = b->data + b->used;
	memcpy(d, p, n);
	b->used += n;
	return d;
}

struct mail_urlset *mail_urlset_new(uint32_t max_urls, uint32_t max_url_len)
{
	struct mail_urlset *s = calloc(1, sizeof(*s));

	if (!s)
		log_fatal(1, "out of memory (URL set)");
	if (max_urls == 0)
		max_urls = MAIL_URLSET_DEFAULT_URLS;
	if (max_urls > MAIL_URLSET_MAX_URLS)
		max_urls = MAIL_URLSET_MAX_URLS;
	if (max_url_len == 0)
		max_url_len = MAIL_URLSET_DEFAULT_LEN;
	if (max_url_len > MAIL_URL_LEN_MAX)
		max_url_len = MAIL_URL_LEN_MAX;
	s->max_urls = max_urls;
	s->max_len = max_url_len;
	/* Percent-encoding triples a byte; "http://" or "file:" and a "/"
	 * may be added. */
	s->clean_cap = 3 * max_url_len + 64;
	s->tmp = malloc(max_url_len + 1);
	s->clean = malloc(s->clean_cap);
	s->clean2 = malloc(s->clean_cap);
	s->out = malloc(s->clean_cap);
	if (!s->tmp || !s->clean || !s->clean2 || !s->out)
		log_fatal(1, "out of memory (URL set)");
	/* Measured (test_parser_arena): resolving a path of only "/"
	 * against a base of the same, at the longest, takes liburiparser
	 * 1.2 MB for 8192 bytes, 47 bytes per byte of a clean buffer; a
	 * margin on top. */
	s->arena.limit = 64u * 1024 + 64u * (size_t)s->clean_cap;
	s->mm.malloc = mm_malloc;
	s->mm.calloc = mm_calloc;
	s->mm.realloc = mm_realloc;
	s->mm.reallocarray = mm_reallocarray;
	s->mm.free = mm_free;
	s->mm.userData = &s->arena;
	siphash_key_random(&s->key);
	return s;
}

void mail_urlset_free(struct mail_urlset *s)
{
	struct sblock *b, *next;

	if (!s)
		return;
	for (b = s->sblocks; b; b = next) {
		next = b->next;
		free(b);
	}
	uarena_free_all(&s->arena);
	free(s->urls);
	free(s->hashes);
	free(s->table);
	free(s->tmp);
	free(s->clean);
	free(s->clean2);
	free(s->out);
	free(s);
}

void mail_urlset_reset(struct mail_urlset *s)
{
	struct sblock *b;

	s->n = 0;
	if (s->table)
		memset(s->table, 0, (size_t)s->tsize * sizeof(*s->table));
	for (b = s->sblocks; b; b = b->next)
		b->used = 0;
	s->scur = s->sblocks;
	memset(&s->st, 0, sizeof(s->st));
}

/* ---- cleaning: what a browser reads, in what liburiparser takes ---- */

static bool special_scheme(const char *p, size_t n)
{
	return eq_lower(p, n, "http") || eq_lower(p, n, "https") ||
	       eq_lower(p, n, "ftp") || eq_lower(p, n, "ws") ||
	       eq_lower(p, n, "wss");
}

/* Bytes RFC 3986 allows nowhere unencoded (besides '%', '[', ']', '#',
 * '\' which depend on where they are). */
static inline bool must_encode(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' ||
	       c == '^' || c == '`' || c == '{' || c == '|' || c == '}';
}

/*
 * Copy raw into s->tmp without tab, CR and LF and without leading and
 * trailing blanks and controls, at most max_len + 1 bytes: a result of
 * max_len + 1 bytes means "too long". Returns its length.
 */
static uint32_t strip(struct mail_urlset *s, const char *raw, size_t n)
{
	const unsigned char *p = (const unsigned char *)raw;
	uint32_t k = 0;
	size_t i;

	while (n > 0 && p[0] <= 0x20) {
		p++;
		n--;
	}
	while (n > 0 && p[n - 1] <= 0x20)
		n--;
	for (i = 0; i < n && k <= s->max_len; i++) {
		if (p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
			continue;
		s->tmp[k++] = (char)p[i];
	}
	return k;
}

/* Length of a scheme ("http" in "http:...") at the start of p, or 0. */
static uint32_t scheme_len_of(const char *p, uint32_t n)
{
	uint32_t i;

	if (n == 0 || !is_alpha((unsigned char)p[0]))
		return 0;
	for (i = 1; i < n && i <= 32; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ':')
			return i;
		if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' &&
		    c != '.')
			return 0;
	}
	return 0;
}

/*
 * Write the cleaned form of src[0..n) into dst (cap >= 3 * n + 64).
 * scheme_len: length of its scheme (0 for a relative reference); www:
 * put "http://" in front; unc: src is "\\host\share...".
 */
/* A '%' at src[i] that starts a percent-encoding. */
static bool pct_ok(const char *src, uint32_t n, uint32_t i)
{
	return n - i > 2 && is_hex((unsigned char)src[i + 1]) &&
	       is_hex((unsigned char)src[i + 2]);
}

static uint32_t clean_into(char *dst, const char *src, uint32_t n,
			   uint32_t scheme_len, bool www, bool unc)
{
	static const char hex[] = "0123456789ABCDEF";
	uint32_t i = 0, k = 0, auth_end = 0, last_at = UINT32_MAX;
	bool special = false, file = false, in_query = false, hash = false;
	bool in_auth = false;

#define PUT(c) (dst[k++] = (char)(c))
#define ENC(c)                                                                \
	do {                                                                  \
		PUT('%');                                                     \
		PUT(hex[(unsigned char)(c) >> 4]);                            \
		PUT(hex[(unsigned char)(c) & 15]);                            \
	} while (0)

	if (www) {
		memcpy(dst, "http://", 7);
		k = 7;
		special = true;
	} else if (unc) {
		memcpy(dst, "file:", 5);
		k = 5;
		file = true;
	} else if (scheme_len) {
		for (; i < scheme_len; i++)
			PUT(lower((unsigned char)src[i]));
		PUT(':');
		i++;
		special = special_scheme(src, scheme_len);
		file = eq_lower(src, scheme_len, "file");
		if (special) {
			/* http:x, http:/x, http:\\x: all http://x */
			while (i < n && (src[i] == '/' || src[i] == '\\'))
				i++;
			PUT('/');
			PUT('/');
		}
	}
	/* The authority: after "//" (written or to come), up to a '/', '?'
	 * or '#' ('\' too where it reads as '/'). */
	if (special || (n - i >= 2 &&
			(src[i] == '/' || (file && src[i] == '\\')) &&
			(src[i + 1] == '/' || (file && src[i + 1] == '\\')))) {
		uint32_t j;

		if (!special) {
			PUT('/');
			PUT('/');
			i += 2;
		}
		for (j = i; j < n; j++) {
			char c = src[j];

			if (c == '/' || c == '?' || c == '#' ||
			    (c == '\\' && (special || file)))
				break;
			if (c == '@')
				last_at = j;
		}
		auth_end = j;
		in_auth = true;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (in_auth && i >= auth_end)
			in_auth = false;
		if (c == '\\' && (special || file) && !in_query)
			c = '/';
		if (in_auth) {
			if (c == '@' && i != last_at)
				ENC(c);
			else if (c == '%' && !pct_ok(src, n, i))
				ENC(c);
			else if (must_encode(c) || c == '\\' || c == '#')
				ENC(c);
			else
				PUT(c);
			continue;
		}
		if (c == '?' && !hash) {
			in_query = true;
			PUT(c);
		} else if (c == '#') {
			in_query = true;
			if (hash)
				ENC(c);
			else
				PUT(c);
			hash = true;
		} else if (c == '%') {
			if (pct_ok(src, n, i))
				PUT(c);
			else
				ENC(c);
		} else if (must_encode(c) || c == '\\' || c == '[' ||
			   c == ']') {
			ENC(c);
		} else {
			PUT(c);
		}
	}
#undef PUT
#undef ENC
	return k;
}

/* ---- normalising ---------------------------------------------------- */

/*
 * The WHATWG URL standard's IPv4 parser: 1 to 4 parts separated by dots
 * (one trailing dot allowed), each decimal, octal with a leading 0, or
 * hex with 0x; the last part fills the remaining bytes. Only a host
 * whose last part is a number is tried. *plain: written as four
 * dotted-decimal parts without leading zeros.
 */
static bool ipv4_parse(const char *h, uint32_t n, uint8_t out[4], bool *plain)
{
	uint64_t parts[4];
	uint32_t np = 0, i = 0, start, j;
	uint64_t v;

	*plain = true;
	if (n > 0 && h[n - 1] == '.') {
		n--;
		*plain = false;
	}
	if (n == 0)
		return false;
	/* The last part must look like a number. */
	for (start = n; start > 0 && h[start - 1] != '.'; start--)
		;
	if (n - start >= 2 && h[start] == '0' && (h[start + 1] | 0x20) == 'x') {
		for (j = start + 2; j < n; j++)
			if (!is_hex((unsigned char)h[j]))
				return false;
	} else {
		for (j = start; j < n; j++)
			if (!is_digit((unsigned char)h[j]))
				return false;
	}
	while (i <= n) {
		unsigned base = 10;
		uint32_t e = i;

		while (e < n && h[e] != '.')
			e++;
		if (e == i || np == 4)
			return false;
		if (e - i >= 2 && h[i] == '0' && (h[i + 1] | 0x20) == 'x') {
			base = 16;
			i += 2;
			*plain = false;
		} else if (e - i >= 2 && h[i] == '0') {
			base = 8;
			i++;
			*plain = false;
		}
		for (v = 0; i < e; i++) {
			unsigned char c = (unsigned char)h[i];
			unsigned d;

			if (base == 16 ? !is_hex(c) : !is_digit(c))
				return false;
			d = hexval(c);
			if (d >= base)
				return false;
			v = v * base + d;
			if (v > 0xffffffffull)
				return false;
		}
		parts[np++] = v;
		i = e + 1;
	}
	if (np != 4)
		*plain = false;
	for (j = 0; j + 1 < np; j++)
		if (parts[j] > 255)
			return false;
	if (parts[np - 1] >= (1ull << (8 * (5 - np))))
		return false;
	v = parts[np - 1];
	for (j = 0; j + 1 < np; j++)
		v += parts[j] << (8 * (3 - j));
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
	return true;
}

static void dotted(char dst[16], const uint8_t a[4])
{
	char *d = dst;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			*d++ = (char)('0' + v / 100);
		if (v >= 10)
			*d++ = (char)('0' + v / 10 % 10);
		*d++ = (char)('0' + v % 10);
		if (i < 3)
			*d++ = '.';
	}
	*d = '\0';
}

#define NORM_ALL                                                              \
	(URI_NORMALIZE_SCHEME | URI_NORMALIZE_USER_INFO |                     \
	 URI_NORMALIZE_HOST | URI_NORMALIZE_PATH | URI_NORMALIZE_QUERY |       \
	 URI_NORMALIZE_FRAGMENT)

/* An IPv6 address as RFC 5952 writes it: lower-case hex without leading
 * zeros, the longest run of two or more zero groups (the first of equal
 * runs) as "::". dst has room for 40 bytes. */
static uint32_t ip6_text(char *dst, const uint8_t a[16])
{
	static const char hex[] = "0123456789abcdef";
	unsigned g[8];
	int i, best = -1, best_len = 1, run = 0;
	uint32_t k = 0;

	for (i = 0; i < 8; i++) {
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		run = g[i] == 0 ? run + 1 : 0;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	for (i = 0; i < 8; i++) {
		int sh;
		bool lead = true;

		if (i == best) {
			dst[k++] = ':';
			if (i == 0)
				dst[k++] = ':';
			i += best_len - 1;
			continue;
		}
		for (sh = 12; sh >= 0; sh -= 4) {
			unsigned d = (g[i] >> sh) & 15;

			if (d == 0 && lead && sh > 0)
				continue;
			lead = false;
			dst[k++] = hex[d];
		}
		if (i < 7)
			dst[k++] = ':';
	}
	return k;
}

static uint32_t range_len(const UriTextRangeA *r)
{
	return r->first ? (uint32_t)(r->afterLast - r->first) : 0;
}

static unsigned default_port(const char *scheme, uint32_t n)
{
	if (eq_lower(scheme, n, "http") || eq_lower(scheme, n, "ws"))
		return 80;
	if (eq_lower(scheme, n, "https") || eq_lower(scheme, n, "wss"))
		return 443;
	if (eq_lower(scheme, n, "ftp"))
		return 21;
	return 0;
}

/* An empty port, or the scheme's default one, goes. */
static bool port_redundant(const UriUriA *u)
{
	uint32_t n = range_len(&u->portText), i;
	unsigned long v = 0;
	unsigned def;

	if (!u->portText.first)
		return false;
	if (n == 0)
		return true;
	def = default_port(u->scheme.first, range_len(&u->scheme));
	if (!def)
		return false;
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)u->portText.first[i]))
			return false;
		v = v * 10 + (unsigned)(u->portText.first[i] - '0');
		if (v > 65535)
			return false;
	}
	return v == def;
}

/* Rewrite the reg-name host in out[off..off+*len): percent-encoded
 * non-ASCII bytes decoded (the host is kept as found, in UTF-8), the
 * hex of other encodings upper-cased. Returns the bytes saved. */
static uint32_t fix_host(char *out, uint32_t off, uint32_t *len)
{
	uint32_t r = off, w = off, end = off + *len;

	while (r < end) {
		unsigned char c = (unsigned char)out[r];

		if (c == '%' && end - r >= 3 &&
		    is_hex((unsigned char)out[r + 1]) &&
		    is_hex((unsigned char)out[r + 2])) {
			unsigned v = hexval((unsigned char)out[r + 1]) * 16 +
				     hexval((unsigned char)out[r + 2]);

			unsigned char h1 = (unsigned char)out[r + 1];
			unsigned char h2 = (unsigned char)out[r + 2];

			if (v >= 0x80) {
				out[w++] = (char)v;
			} else {
				out[w++] = '%';
				out[w++] = (char)upper(h1);
				out[w++] = (char)upper(h2);
			}
			r += 3;
		} else {
			out[w++] = (char)c;
			r++;
		}
	}
	*len = w - off;
	return end - w;
}

static bool host_is_idn(const char *h, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)h[i] >= 0x80)
			return true;
		if ((i == 0 || h[i - 1] == '.') && n - i >= 4 &&
		    memcmp(h + i, "xn--", 4) == 0)
			return true;
	}
	return false;
}

/*
 * A URL without authority whose path begins "//" once dot-segments are
 * gone ("foo:/a/..//b") would read back as one with an authority
 * ("foo://b"). RFC 3986 section 3.3 forbids the form; like the WHATWG
 * serialiser, put "/." in front of the path. out has room for 2 more.
 */
static void guard_path(char *out, uint32_t *olen, uint32_t sl)
{
	if (*olen >= sl + 3 && out[sl] == ':' && out[sl + 1] == '/' &&
	    out[sl + 2] == '/') {
		memmove(out + sl + 3, out + sl + 1, *olen - sl - 1);
		out[sl + 1] = '/';
		out[sl + 2] = '.';
		*olen += 2;
	}
}

/* Parse the cleaned text in s->clean (len bytes) with liburiparser and
 * normalise it into s->out. */
static enum verdict parse_norm(struct mail_urlset *s, uint32_t len,
			       struct norm *o)
{
	UriUriA u;
	const char *err;
	UriTextRangeA port;
	int chars = 0, written = 0, rc;
	uint32_t sl, off, hl = 0, olen, rest;
	bool has_host;

	uarena_rewind(&s->arena);
	memset(&u, 0, sizeof(u));
	if (uriParseSingleUriExMmA(&u, s->clean, s->clean + len, &err,
				   &s->mm) != URI_SUCCESS)
		return V_OK; /* o->flags gets BAD from the caller */
	if (uriNormalizeSyntaxExMmA(&u, NORM_ALL, &s->mm) != URI_SUCCESS)
		return V_OK;
	/* liburiparser gives the cleaned scheme back; it must be there. */
	sl = range_len(&u.scheme);
	if (sl == 0)
		return V_NOT_URL;
	has_host = u.hostText.first || u.hostData.ip4 || u.hostData.ip6 ||
		   u.hostData.ipFuture.first;
	if (special_scheme(u.scheme.first, sl) && range_len(&u.hostText) == 0 &&
	    !u.hostData.ip4 && !u.hostData.ip6 && !u.hostData.ipFuture.first)
		return V_NOT_URL; /* "http://" with no host */
	port = u.portText;
	if (port_redundant(&u))
		u.portText.first = u.portText.afterLast = NULL;
	rc = uriToStringCharsRequiredA(&u, &chars);
	if (rc != URI_SUCCESS || chars < 0 ||
	    (uint32_t)chars + 4 > s->clean_cap) {
		u.portText = port;
		return V_TOO_LONG;
	}
	rc = uriToStringA(s->out, &u, (int)s->clean_cap - 1, &written);
	u.portText = port;
	if (rc != URI_SUCCESS || written < 1)
		return V_TOO_LONG;
	olen = (uint32_t)written - 1; /* written counts the NUL */
	o->flags &= ~MAIL_URL_F_BAD;
	o->scheme_len = sl;
	o->host_off = o->host_len = 0;
	if (!has_host)
		guard_path(s->out, &olen, sl);
	if (has_host) {
		SS_ASSERT(olen >= sl + 3 && s->out[sl + 1] == '/' &&
			  s->out[sl + 2] == '/');
		off = sl + 3;
		if (u.userInfo.first) {
			off += range_len(&u.userInfo) + 1;
			o->flags |= MAIL_URL_F_USERINFO;
		}
		if (u.hostData.ip4) {
			dotted(o->ipv4, u.hostData.ip4->data);
			hl = (uint32_t)strlen(o->ipv4);
			o->flags |= MAIL_URL_F_IP_HOST;
		} else if (u.hostData.ip6) {
			char t[40];
			uint32_t tl = ip6_text(t, u.hostData.ip6->data);

			/* liburiparser writes all 39 characters; RFC 5952
			 * form is what people read. */
			off++;
			hl = 39;
			SS_ASSERT(off + hl < olen && tl <= hl);
			memcpy(s->out + off, t, tl);
			memmove(s->out + off + tl, s->out + off + hl,
				olen - (off + hl));
			olen -= hl - tl;
			hl = tl;
			o->flags |= MAIL_URL_F_IP_HOST;
		} else if (u.hostData.ipFuture.first) {
			off++;
			hl = range_len(&u.hostData.ipFuture);
			o->flags |= MAIL_URL_F_IP_HOST;
		} else {
			uint8_t a[4];
			bool plain;

			hl = range_len(&u.hostText);
			SS_ASSERT(off + hl <= olen);
			rest = fix_host(s->out, off, &hl);
			memmove(s->out + off + hl, s->out + off + hl + rest,
				olen - (off + hl + rest));
			olen -= rest;
			if (host_is_idn(s->out + off, hl))
				o->flags |= MAIL_URL_F_IDN;
			if (ipv4_parse(s->out + off, hl, a, &plain)) {
				dotted(o->ipv4, a);
				o->flags |= MAIL_URL_F_IP_HOST;
				if (!plain)
					o->flags |= MAIL_URL_F_IP_OBFUSCATED;
			}
		}
		SS_ASSERT(off + hl <= olen);
		o->host_off = off;
		o->host_len = hl;
		/* RFC 3986 6.2.3: http://example.com is http://example.com/ */
		if (special_scheme(s->out, sl) && !u.pathHead) {
			uint32_t at = off + hl + (u.hostData.ip6 ||
				u.hostData.ipFuture.first ? 1 : 0);

			if (u.portText.first && !port_redundant(&u))
				at += 1 + range_len(&u.portText);
			SS_ASSERT(at <= olen && olen + 1 < s->clean_cap);
			memmove(s->out + at + 1, s->out + at, olen - at);
			s->out[at] = '/';
			olen++;
		}
		if (eq_lower(s->out, sl, "file")) {
			const char *h = s->out + off;
			uint32_t after = off + hl;

			if ((hl > 0 && !eq_lower(h, hl, "localhost")) ||
			    (olen - after >= 2 && s->out[after] == '/' &&
			     s->out[after + 1] == '/'))
				o->flags |= MAIL_URL_F_UNC;
		}
	}
	if (!eq_lower(s->out, sl, "http") && !eq_lower(s->out, sl, "https"))
		o->flags |= MAIL_URL_F_NON_HTTP;
	o->p = s->out;
	o->len = olen;
	if (olen > s->max_len)
		return V_TOO_LONG;
	return V_OK;
}

/*
 * Normalise raw into *o (pointing into the set's scratch). xflags: the
 * finder's MAIL_URL_F_* (WWW changes what is parsed).
 */
static enum verdict normalise(struct mail_urlset *s, const char *raw,
			      size_t n, uint32_t xflags, struct norm *o)
{
	uint32_t k, sl = 0, len;
	bool www = (xflags & MAIL_URL_F_WWW) != 0, unc = false;
	enum verdict v;

	memset(o, 0, sizeof(*o));
	o->flags = xflags & (MAIL_URL_F_WWW | MAIL_URL_F_ANCHOR_MISMATCH);
	k = strip(s, raw, n);
	if (k == 0)
		return V_NOT_URL;
	if (!www) {
		if (k >= 3 && s->tmp[0] == '\\' && s->tmp[1] == '\\' &&
		    s->tmp[2] != '\\') {
			unc = true;
			o->flags |= MAIL_URL_F_UNC | MAIL_URL_F_NON_HTTP;
		} else {
			sl = scheme_len_of(s->tmp, k);
			if (sl == 0)
				return V_NOT_URL;
			if (eq_lower(s->tmp, sl, "mailto") ||
			    eq_lower(s->tmp, sl, "cid") ||
			    eq_lower(s->tmp, sl, "mid"))
				return V_SKIPPED;
			if (eq_lower(s->tmp, sl, "data")) {
				uint32_t i, keep = k < MAIL_URL_DATA_KEEP
						   ? k : MAIL_URL_DATA_KEEP;

				/* Not parsed: only the media type matters,
				 * and the payload may be megabytes. */
				memcpy(s->out, s->tmp, keep);
				for (i = 0; i < sl; i++)
					s->out[i] = (char)lower(
						(unsigned char)s->tmp[i]);
				if (k > keep)
					o->flags |= MAIL_URL_F_TRUNCATED;
				/* The cut may leave blanks at the end. */
				while ((unsigned char)s->out[keep - 1] <= 0x20)
					keep--;
				o->p = s->out;
				o->len = keep;
				o->scheme_len = sl;
				o->flags |= MAIL_URL_F_NON_HTTP;
				return V_OK;
			}
		}
	}
	if (k > s->max_len)
		return V_TOO_LONG;
	len = clean_into(s->clean, s->tmp, k, sl, www, unc);
	SS_ASSERT(len <= s->clean_cap);
	o->flags |= MAIL_URL_F_BAD;
	v = parse_norm(s, len, o);
	if (v != V_OK)
		return v;
	if (o->flags & MAIL_URL_F_BAD) {
		/* Kept as found (what the finder saw, blanks removed). */
		uint32_t i;

		o->p = s->tmp;
		o->len = k;
		o->scheme_len = sl;
		o->host_off = o->host_len = 0;
		for (i = 0; i < sl; i++)
			s->tmp[i] = (char)lower((unsigned char)s->tmp[i]);
		if (sl && !eq_lower(s->tmp, sl, "http") &&
		    !eq_lower(s->tmp, sl, "https"))
			o->flags |= MAIL_URL_F_NON_HTTP;
	}
	return V_OK;
}

/* ---- the hash set --------------------------------------------------- */

static void table_put(struct mail_urlset *s, uint32_t idx)
{
	uint32_t m = s->tsize - 1, i = (uint32_t)s->hashes[idx] & m;

	while (s->table[i])
		i = (i + 1) & m;
	s->table[i] = idx + 1;
}

static void table_grow(struct mail_urlset *s)
{
	uint32_t want = s->tsize ? s->tsize * 2 : 64, i;

	free(s->table);
	s->table = calloc(want, sizeof(*s->table));
	if (!s->table)
		log_fatal(1, "out of memory (URL set)");
	s->tsize = want;
	for (i = 0; i < s->n; i++)
		table_put(s, i);
}

static int64_t table_find(const struct mail_urlset *s, uint64_t h,
			  const char *p, uint32_t n)
{
	uint32_t m, i;

	if (!s->tsize)
		return -1;
	m = s->tsize - 1;
	for (i = (uint32_t)h & m; s->table[i]; i = (i + 1) & m) {
		uint32_t r = s->table[i] - 1;

		if (s->hashes[r] == h && s->urls[r].len == n &&
		    memcmp(s->urls[r].url, p, n) == 0)
			return r;
	}
	return -1;
}

/* An anchor cut to MAIL_URL_ANCHOR_MAX bytes, not inside a UTF-8
 * sequence. */
static uint32_t anchor_cut(const char *a, size_t n)
{
	size_t cut;

	if (n <= MAIL_URL_ANCHOR_MAX)
		return (uint32_t)n;
	cut = MAIL_URL_ANCHOR_MAX;
	while (cut > 0 && ((unsigned char)a[cut] & 0xc0) == 0x80)
		cut--;
	return (uint32_t)cut;
}

static void set_anchor(struct mail_urlset *s, struct mail_url *u,
		       const char *anchor, size_t anchor_len)
{
	uint32_t n;

	if (u->anchor || !anchor || anchor_len == 0)
		return;
	n = anchor_cut(anchor, anchor_len);
	if (n == 0)
		return;
	u->anchor = sarena_copy(s, anchor, n);
	u->anchor_len = n;
}

bool mail_urlset_add_flags(struct mail_urlset *s, const char *raw, size_t n,
			   enum mail_url_src src, const char *anchor,
			   size_t anchor_len, uint32_t flags)
{
	struct norm o;
	struct mail_url *u;
	uint64_t h;
	int64_t r;

	SS_ASSERT((unsigned)src < MAIL_URL_SRC_COUNT);
	s->st.offered++;
	switch (normalise(s, raw, n, flags, &o)) {
	case V_OK:
		break;
	case V_TOO_LONG:
		s->st.too_long++;
		return false;
	case V_SKIPPED:
		s->st.skipped++;
		return false;
	case V_NOT_URL:
	default:
		s->st.not_url++;
		return false;
	}
	h = siphash13(&s->key, o.p, o.len);
	r = table_find(s, h, o.p, o.len);
	if (r >= 0) {
		u = &s->urls[r];
		s->st.duplicate++;
		u->count++;
		u->sources |= 1u << src;
		u->flags |= o.flags;
		set_anchor(s, u, anchor, anchor_len);
		return true;
	}
	if (s->n >= s->max_urls) {
		s->st.dropped++;
		return false;
	}
	if ((s->n + 1) * 2 > s->tsize)
		table_grow(s);
	if (s->n == s->cap) {
		uint32_t hc = s->hcap;

		s->urls = grow_array(s->urls, &s->cap, s->n + 1, 16,
				     s->max_urls, sizeof(*s->urls), "URL set");
		s->hashes = grow_array(s->hashes, &hc, s->n + 1, 16,
				       s->max_urls, sizeof(*s->hashes),
				       "URL set");
		s->hcap = hc;
		SS_ASSERT(s->hcap == s->cap);
	}
	u = &s->urls[s->n];
	memset(u, 0, sizeof(*u));
	u->url = sarena_copy(s, o.p, o.len);
	u->len = o.len;
	u->scheme = u->url;
	u->scheme_len = o.scheme_len;
	u->host = o.host_len ? u->url + o.host_off : u->url;
	u->host_len = o.host_len;
	u->count = 1;
	u->sources = 1u << src;
	u->flags = o.flags;
	memcpy(u->ipv4, o.ipv4, sizeof(u->ipv4));
	set_anchor(s, u, anchor, anchor_len);
	s->hashes[s->n] = h;
	s->n++;
	table_put(s, s->n - 1);
	return true;
}

bool mail_urlset_add(struct mail_urlset *s, const char *raw, size_t n,
		     enum mail_url_src src, const char *anchor,
		     size_t anchor_len)
{
	return mail_urlset_add_flags(s, raw, n, src, anchor, anchor_len, 0);
}

uint32_t mail_urlset_count(const struct mail_urlset *s)
{
	return s->n;
}

const struct mail_url *mail_urlset_get(const struct mail_urlset *s,
				       uint32_t i)
{
	return i < s->n ? &s->urls[i] : NULL;
}

uint32_t mail_urlset_dropped(const struct mail_urlset *s)
{
	return s->st.dropped > UINT32_MAX ? UINT32_MAX
					  : (uint32_t)s->st.dropped;
}

void mail_urlset_stats(const struct mail_urlset *s,
		       struct mail_urlset_stats *out)
{
	*out = s->st;
}

/* ---- helpers for the finders ---------------------------------------- */

size_t mail_urlset_resolve(struct mail_urlset *s, const char *base,
			   size_t base_len, const char *ref, size_t ref_len,
			   char *dst, size_t cap)
{
	UriUriA ub, ur, ua;
	const char *err;
	uint32_t k, sl, blen, rlen, olen;
	int chars = 0, written = 0;

	k = strip(s, ref, ref_len);
	/* An empty href or a bare #fragment points into the message
	 * itself, not out of it. */
	if (k == 0 || s->tmp[0] == '#')
		return 0;
	if (scheme_len_of(s->tmp, k) ||
	    (k >= 3 && s->tmp[0] == '\\' && s->tmp[1] == '\\' &&
	     s->tmp[2] != '\\')) {
		/* Absolute (or UNC) already: as it is, cut to cap. */
		size_t n = ref_len < cap ? ref_len : cap;

		memcpy(dst, ref, n);
		return n;
	}
	if (!base || k > s->max_len)
		return 0;
	rlen = clean_into(s->clean2, s->tmp, k, 0, false, false);
	k = strip(s, base, base_len);
	sl = scheme_len_of(s->tmp, k);
	if (sl == 0 || k > s->max_len)
		return 0;
	blen = clean_into(s->clean, s->tmp, k, sl, false, false);
	uarena_rewind(&s->arena);
	memset(&ub, 0, sizeof(ub));
	memset(&ur, 0, sizeof(ur));
	memset(&ua, 0, sizeof(ua));
	if (uriParseSingleUriExMmA(&ub, s->clean, s->clean + blen, &err,
				   &s->mm) != URI_SUCCESS ||
	    uriParseSingleUriExMmA(&ur, s->clean2, s->clean2 + rlen, &err,
				   &s->mm) != URI_SUCCESS ||
	    uriAddBaseUriExMmA(&ua, &ur, &ub, URI_RESOLVE_STRICTLY,
			       &s->mm) != URI_SUCCESS ||
	    uriNormalizeSyntaxExMmA(&ua, NORM_ALL, &s->mm) != URI_SUCCESS)
		return 0;
	if (uriToStringCharsRequiredA(&ua, &chars) != URI_SUCCESS ||
	    chars < 0 || (size_t)chars + 3 > cap || cap > INT32_MAX)
		return 0;
	if (uriToStringA(dst, &ua, (int)cap, &written) != URI_SUCCESS ||
	    written < 1)
		return 0;
	olen = (uint32_t)written - 1;
	if (!ua.hostText.first && !ua.hostData.ip4 && !ua.hostData.ip6 &&
	    !ua.hostData.ipFuture.first)
		guard_path(dst, &olen, range_len(&ua.scheme));
	return olen;
}

size_t mail_urlset_host(struct mail_urlset *s, const char *raw, size_t n,
			char *dst, size_t cap)
{
	struct norm o;
	size_t k;

	if (normalise(s, raw, n, 0, &o) != V_OK || o.host_len == 0)
		return 0;
	k = o.host_len < cap ? o.host_len : cap;
	memcpy(dst, o.p + o.host_off, k);
	return k;
}

/* ---- names ---------------------------------------------------------- */

const char *mail_url_flag_name(uint32_t bit)
{
	static const char *const names[] = {
		"ip_host", "ip_obfuscated", "idn",       "userinfo",
		"non_http", "unc",          "bad",       "www",
		"truncated", "anchor_mismatch",
	};
	return mail_bit_name(names, sizeof(names) / sizeof(names[0]), bit);
}

const char *mail_url_src_name(enum mail_url_src src)
{
	static const char *const names[] = {
		[MAIL_URL_TEXT] = "text",
		[MAIL_URL_HTML_HREF] = "html_href",
		[MAIL_URL_HTML_SRC] = "html_src",
		[MAIL_URL_HTML_FORM] = "html_form",
		[MAIL_URL_HTML_META] = "html_meta",
		[MAIL_URL_HTML_OTHER] = "html_other",
	};

	return (unsigned)src < MAIL_URL_SRC_COUNT ? names[src] : NULL;
}
