/*
 * Base64 encoding (RFC 4648 section 4, with padding) for tests and fuzz
 * harnesses that build SASL messages from their decoded form. The
 * project's code only decodes base64 (src/smtp/sasl.c); this is the
 * other direction, kept out of the library on purpose.
 */
#ifndef SMTPSCOPE_TESTS_B64ENC_H
#define SMTPSCOPE_TESTS_B64ENC_H

#include <stddef.h>

/* Characters b64enc writes for n bytes. */
static inline size_t b64enc_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* Encode src[0..n) into dst, which has room for b64enc_len(n) bytes;
 * exactly that many are written, and no NUL. Returns b64enc_len(n). */
size_t b64enc(const void *src, size_t n, char *dst);

#endif
