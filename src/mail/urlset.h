/*
 * The URLs of one message: a bounded, deduplicated set, in first-seen
 * order, each normalised so that spellings a browser treats as the same
 * link count once.
 *
 * Normalisation (RFC 3986 section 6.2.2 and 6.2.3, with liburiparser):
 * scheme and host lower-cased, percent-encodings of unreserved
 * characters decoded and the others' hex upper-cased, dot-segments
 * removed, the default port (http 80, https 443, ftp 21, ws 80, wss
 * 443) and an empty port dropped, an empty http(s) path made "/", a
 * path that would read as an authority ("foo:/a/..//b") guarded as
 * "foo:/.//b".
 * Before parsing, the input is cleaned the way a browser reads an href
 * (WHATWG URL): leading and trailing blanks and controls cut, tab, CR
 * and LF removed anywhere, "\" read as "/" and any number of slashes
 * after the scheme read as "//" for http(s), ftp and ws(s), an "@"
 * before the last one of the authority encoded, and bytes RFC 3986 does
 * not allow percent-encoded (non-ASCII, blanks, controls, "<>\"^`{|}",
 * a lone "%"). A non-ASCII host is kept as found in UTF-8 (not turned
 * into punycode) and flagged idn, as is a host with an "xn--" label.
 * IPv6 literals are written as RFC 5952 says ([2001:db8::1]).
 * IPv4 hosts in any notation a browser accepts (3232235777, 0xC0A80001,
 * 0300.0250.0.1, 192.168.1) are flagged ip_host and their dotted quad
 * is in mail_url.ipv4; the URL itself keeps the form found.
 *
 * A UNC path (\\host\share) becomes file://host/share, flagged unc.
 * data: URLs are not parsed: their first MAIL_URL_DATA_KEEP bytes are
 * kept (flag truncated when there were more), so an inline image does
 * not fill the set. mailto:, cid: and mid: are not links to fetch: not
 * kept (counted as skipped). A text with no scheme is not a URL. A URL
 * liburiparser rejects even after cleaning is kept as found, flagged
 * bad, deduplicated on its raw bytes.
 *
 * Ownership and lifetime. The set owns every string it hands out (URL,
 * host, scheme, anchor): they stay put until mail_urlset_reset() or
 * mail_urlset_free(); the struct mail_url array may move on the next
 * add, so a struct mail_url pointer is valid until the next add, reset
 * or free. Input pointers are borrowed for the call.
 *
 * Limits. At most max_urls URLs (more are counted as dropped, but a
 * duplicate of a kept one is still counted on it), each at most
 * max_url_len bytes before and after normalisation (a longer one is not
 * kept, counted as too_long), anchors cut to MAIL_URL_ANCHOR_MAX bytes
 * at a UTF-8 character boundary. liburiparser allocates from an arena
 * the set owns, bounded in proportion to max_url_len; an URL that
 * exhausts it is kept raw as bad. Lookups use SipHash-1-3 with a random
 * key, so crafted URLs cannot pile into one bucket; the work per add is
 * linear in the URL's length.
 */
#ifndef SMTPSCOPE_MAIL_URLSET_H
#define SMTPSCOPE_MAIL_URLSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_URLSET_DEFAULT_URLS 256
#define MAIL_URLSET_DEFAULT_LEN 2048
#define MAIL_URLSET_MAX_URLS (1u << 20) /* the largest max_urls taken */
#define MAIL_URL_LEN_MAX 8192           /* the largest max_url_len taken */
#define MAIL_URL_ANCHOR_MAX 256
#define MAIL_URL_DATA_KEEP 64

/* Where a URL was found (bit 1 << src in mail_url.sources). */
enum mail_url_src {
	MAIL_URL_TEXT,       /* plain text */
	MAIL_URL_HTML_HREF,  /* <a href>, <area href> */
	MAIL_URL_HTML_SRC,   /* src of img, iframe, script, frame, embed */
	MAIL_URL_HTML_FORM,  /* <form action>, formaction */
	MAIL_URL_HTML_META,  /* <meta http-equiv=refresh content> */
	MAIL_URL_HTML_OTHER, /* other href/src, background, <base href> */
	MAIL_URL_SRC_COUNT
};

/* mail_url.flags */
enum {
	MAIL_URL_F_IP_HOST = 1u << 0,    /* IPv4 (any notation), IPv6 or
					    IPvFuture host */
	MAIL_URL_F_IP_OBFUSCATED = 1u << 1, /* IPv4 not in dotted-decimal:
					       integer, hex, octal, fewer
					       than four parts */
	MAIL_URL_F_IDN = 1u << 2,        /* host has non-ASCII or an
					    "xn--" label */
	MAIL_URL_F_USERINFO = 1u << 3,   /* user@ in the authority */
	MAIL_URL_F_NON_HTTP = 1u << 4,   /* scheme neither http nor https */
	MAIL_URL_F_UNC = 1u << 5,        /* \\host\share, file://host/,
					    file:////host */
	MAIL_URL_F_BAD = 1u << 6,        /* liburiparser rejected it: raw */
	MAIL_URL_F_WWW = 1u << 7,        /* found as a bare www. name;
					    http:// was put in front */
	MAIL_URL_F_TRUNCATED = 1u << 8,  /* data: URL cut */
	MAIL_URL_F_ANCHOR_MISMATCH = 1u << 9, /* an anchor text that is a
						 URL or domain names
						 another host */
};

struct mail_url {
	const char *url;    /* normalised (raw when bad); not NUL-ended */
	uint32_t len;
	const char *host;   /* inside url; lower-case ASCII, IDN as found,
			       no brackets; empty when none */
	uint32_t host_len;
	const char *scheme; /* inside url; lower case */
	uint32_t scheme_len;
	const char *anchor; /* first anchor text seen, or NULL */
	uint32_t anchor_len;
	uint32_t sources;   /* 1 << enum mail_url_src, for each place */
	uint32_t count;     /* occurrences offered */
	uint32_t flags;     /* MAIL_URL_F_* of all occurrences */
	char ipv4[16];      /* dotted quad of an IPv4 host in any
			       notation; "" otherwise */
};

/* Why URLs were offered and not kept, and how many were. */
struct mail_urlset_stats {
	uint64_t offered;   /* calls to add */
	uint64_t duplicate; /* offered again (kept: counted on the URL) */
	uint64_t dropped;   /* new, but the set was full */
	uint64_t too_long;  /* longer than max_url_len */
	uint64_t not_url;   /* empty, no scheme (relative), no host */
	uint64_t skipped;   /* mailto:, cid:, mid: */
};

struct mail_urlset;

/* max_urls 0: MAIL_URLSET_DEFAULT_URLS; max_url_len 0:
 * MAIL_URLSET_DEFAULT_LEN; larger than the _MAX values: those. */
struct mail_urlset *mail_urlset_new(uint32_t max_urls, uint32_t max_url_len);
void mail_urlset_free(struct mail_urlset *s);
/* Empty the set for the next message, keeping its memory. */
void mail_urlset_reset(struct mail_urlset *s);

/*
 * Offer one URL as found (raw, n bytes, any bytes). Normalised and kept
 * once; anchor (HTML anchor text, may be NULL) is kept from the first
 * occurrence that has one. Returns true when the URL is in the set
 * (new or a duplicate), false when it was not kept (full, too long, not
 * a URL, skipped), counted in the stats. src must be a valid enum
 * mail_url_src (a bug otherwise).
 */
bool mail_urlset_add(struct mail_urlset *s, const char *raw, size_t n,
		     enum mail_url_src src, const char *anchor,
		     size_t anchor_len);
/* The same, with MAIL_URL_F_* flags the finder knows (WWW: raw is a bare
 * www. name, http:// goes in front; ANCHOR_MISMATCH). */
bool mail_urlset_add_flags(struct mail_urlset *s, const char *raw, size_t n,
			   enum mail_url_src src, const char *anchor,
			   size_t anchor_len, uint32_t flags);

uint32_t mail_urlset_count(const struct mail_urlset *s);
/* The i-th URL in first-seen order; NULL when i >= count. */
const struct mail_url *mail_urlset_get(const struct mail_urlset *s,
				       uint32_t i);
/* New URLs not kept because the set was full (== stats.dropped). */
uint32_t mail_urlset_dropped(const struct mail_urlset *s);
void mail_urlset_stats(const struct mail_urlset *s,
		       struct mail_urlset_stats *out);
/* Name of one MAIL_URL_F_* bit; NULL for anything else. */
const char *mail_url_flag_name(uint32_t bit);
/* Name of a source ("text", "html_href", ...); NULL when out of range. */
const char *mail_url_src_name(enum mail_url_src src);

/*
 * Helpers for the finders; they use the set's scratch memory and change
 * nothing else in it.
 *
 * mail_urlset_resolve: make ref absolute. A ref with a scheme is copied
 * as it is; a relative one is resolved against base (uriAddBaseUri; base
 * must be an absolute URL) and comes out normalised. Writes at most cap
 * bytes to dst; returns the length, 0 when ref is relative and base is
 * NULL or unusable, or when the result does not fit.
 *
 * mail_urlset_host: the host mail_urlset_add would record for raw (an
 * absolute URL), cut to cap bytes; 0 when raw has no host or is not a
 * URL the set would keep.
 */
size_t mail_urlset_resolve(struct mail_urlset *s, const char *base,
			   size_t base_len, const char *ref, size_t ref_len,
			   char *dst, size_t cap);
size_t mail_urlset_host(struct mail_urlset *s, const char *raw, size_t n,
			char *dst, size_t cap);

#endif
