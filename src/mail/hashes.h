/*
 * MD5, SHA-1 and SHA-256 of one decoded MIME part, computed as its bytes
 * stream past: start, update with each decoded chunk, final. The digests
 * are OpenSSL's (libcrypto); nothing here is a hash implementation.
 *
 * Ownership. The caller owns struct mail_hashes (one per message engine,
 * not per part). mail_hashes_init() allocates the three digest contexts
 * and fetches the three algorithms once; mail_hashes_start() re-initialises
 * the same contexts for the next part, so a message with hundreds of parts
 * allocates nothing per part. mail_hashes_free() releases them and is a
 * no-op on a zeroed or already freed struct. Input pointers are borrowed
 * for the duration of the call only.
 *
 * Limits: none on the length hashed (a 1 GB attachment streams through in
 * constant memory). Not thread-safe: one struct serves one thread.
 *
 * Errors. Only init can fail (no memory, or a libcrypto without MD5, as in
 * FIPS mode). After a successful init, a digest call that fails is a bug
 * or a broken library: it panics rather than hand out a wrong hash.
 */
#ifndef SMTPSCOPE_MAIL_HASHES_H
#define SMTPSCOPE_MAIL_HASHES_H

#include <stddef.h>

#define MAIL_MD5_HEX_LEN 32
#define MAIL_SHA1_HEX_LEN 40
#define MAIL_SHA256_HEX_LEN 64

/* libcrypto types, kept opaque here so that users of this header do not
 * need OpenSSL's headers. */
struct evp_md_ctx_st;
struct evp_md_st;

struct mail_hashes {
	struct evp_md_ctx_st *ctx[3]; /* MD5, SHA-1, SHA-256 */
	struct evp_md_st *md[3];      /* fetched once, owned */
	int started;                  /* start() called since last final() */
};

/* 0 on success; -1 when libcrypto cannot give the contexts or one of the
 * algorithms (the struct is then left freed, safe to free again). */
int mail_hashes_init(struct mail_hashes *h);
void mail_hashes_free(struct mail_hashes *h);

/* Begin a new part (discards any unfinished one). */
void mail_hashes_start(struct mail_hashes *h);
void mail_hashes_update(struct mail_hashes *h, const void *p, size_t n);
/* End the part: lower-case hex, NUL-terminated, into the caller's arrays.
 * Each part needs its own start(); final() without one panics. */
void mail_hashes_final(struct mail_hashes *h, char md5[33], char sha1[41],
		       char sha256[65]);

#endif
