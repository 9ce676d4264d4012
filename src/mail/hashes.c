#include "mail/hashes.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/log.h"

/* Index in ctx[] / md[]; also the order of mail_hashes_final's outputs. */
enum { H_MD5, H_SHA1, H_SHA256, H_N };

static const char *const algo_names[H_N] = { "MD5", "SHA1", "SHA256" };

int mail_hashes_init(struct mail_hashes *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < H_N; i++) {
		/* Fetched once here: EVP_DigestInit_ex2 with a fetched
		 * algorithm does no provider look-up per part, unlike
		 * EVP_md5() and friends in OpenSSL 3. */
		h->md[i] = EVP_MD_fetch(NULL, algo_names[i], NULL);
		h->ctx[i] = EVP_MD_CTX_new();
		if (!h->md[i] || !h->ctx[i]) {
			mail_hashes_free(h);
			return -1;
		}
	}
	return 0;
}

void mail_hashes_free(struct mail_hashes *h)
{
	int i;

	for (i = 0; i < H_N; i++) {
		EVP_MD_CTX_free(h->ctx[i]);
		EVP_MD_free(h->md[i]);
		h->ctx[i] = NULL;
		h->md[i] = NULL;
	}
	h->started = 0;
}

void mail_hashes_start(struct mail_hashes *h)
{
	int i;

	SS_ASSERT(h->ctx[0] != NULL);
	for (i = 0; i < H_N; i++)
		if (!EVP_DigestInit_ex2(h->ctx[i], h->md[i], NULL))
			log_panic(__FILE__, __LINE__, "%s init failed",
				  algo_names[i]);
	h->started = 1;
}

/*
 * Each digest reads the whole block in turn. Feeding them 16 KiB slices
 * so the second and third read from cache was measured and made no
 * difference (bench/hash_speed.c: MD5 at ~690 MB/s dominates; the SHAs
 * run at ~1.6 GB/s on SHA-NI), so the block goes whole.
 */
void mail_hashes_update(struct mail_hashes *h, const void *p, size_t n)
{
	int i;

	SS_ASSERT(h->started);
	if (n == 0)
		return;
	for (i = 0; i < H_N; i++)
		if (!EVP_DigestUpdate(h->ctx[i], p, n))
			log_panic(__FILE__, __LINE__, "%s update failed",
				  algo_names[i]);
}

static void to_hex(char *dst, const unsigned char *src, unsigned int n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = hex[src[i] >> 4];
		dst[2 * i + 1] = hex[src[i] & 15];
	}
	dst[2 * n] = '\0';
}

void mail_hashes_final(struct mail_hashes *h, char md5[33], char sha1[41],
		       char sha256[65])
{
	static const unsigned int want[H_N] = { 16, 20, 32 };
	char *out[H_N] = { md5, sha1, sha256 };
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len;
	int i;

	SS_ASSERT(h->started);
	for (i = 0; i < H_N; i++) {
		len = 0;
		if (!EVP_DigestFinal_ex(h->ctx[i], d, &len) ||
		    len != want[i])
			log_panic(__FILE__, __LINE__, "%s final failed",
				  algo_names[i]);
		to_hex(out[i], d, len);
	}
	h->started = 0;
}
