/*
 * The part hashes: the published test vectors of each digest (RFC 1321
 * for MD5, FIPS 180-2 appendices for SHA-1 and SHA-256), the same digests
 * at every chunk size, one struct reused across many parts, and the
 * lifetime rules of the header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/hashes.h"

struct vec {
	const char *in;
	const char *md5, *sha1, *sha256;
};

/* MD5 from RFC 1321 appendix A.5; SHA-1 and SHA-256 from FIPS 180-2
 * appendices A and B where given there, else computed by coreutils'
 * md5sum/sha1sum/sha256sum. */
static const struct vec vecs[] = {
	{ "", "d41d8cd98f00b204e9800998ecf8427e",
	  "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "a", "0cc175b9c0f1b6a831c399e269772661",
	  "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8",
	  "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb" },
	{ "abc", "900150983cd24fb0d6963f7d28e17f72",
	  "a9993e364706816aba3e25717850c26c9cd0d89d",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0",
	  "c12252ceda8be8994d5fa0290a47231c1d16aae3",
	  "f7846f55cf23e14eebeab5b4e1550cad5b509e3348fbc4efa3a1413d393cb650" },
	{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b",
	  "32d10c7b8cf96570ca04ce37f2a19d84240d3a89",
	  "71c480df93d6ae2f1efad1447c66c9525e316218cf51fc8d9ed832f2daf18b73" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "8215ef0796a20bcaaae116d3876c664a",
	  "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "1234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890",
	  "57edf4a22be3c955ac49da2e2107b67a",
	  "50abf5706a150990a08b2c5ea40fa0e585554732",
	  "f371bc4a311f2b009eef952dd83ca80e2b60026c8e935592d0f9c308453c813e" },
};

struct out {
	char md5[33], sha1[41], sha256[65];
};

static void hash_chunked(struct mail_hashes *h, const void *p, size_t n,
			 size_t chunk, struct out *o)
{
	const uint8_t *b = p;
	size_t off;

	mail_hashes_start(h);
	for (off = 0; off < n; off += chunk)
		mail_hashes_update(h, b + off, n - off < chunk ? n - off
							       : chunk);
	mail_hashes_final(h, o->md5, o->sha1, o->sha256);
}

static int setup(void **state)
{
	struct mail_hashes *h = calloc(1, sizeof(*h));

	if (!h || mail_hashes_init(h) != 0)
		return -1;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	mail_hashes_free(*state);
	free(*state);
	return 0;
}

static void test_vectors(void **state)
{
	struct mail_hashes *h = *state;
	struct out o;
	size_t i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		hash_chunked(h, vecs[i].in, strlen(vecs[i].in), 1000, &o);
		assert_string_equal(o.md5, vecs[i].md5);
		assert_string_equal(o.sha1, vecs[i].sha1);
		assert_string_equal(o.sha256, vecs[i].sha256);
		assert_int_equal(strlen(o.md5), MAIL_MD5_HEX_LEN);
		assert_int_equal(strlen(o.sha1), MAIL_SHA1_HEX_LEN);
		assert_int_equal(strlen(o.sha256), MAIL_SHA256_HEX_LEN);
	}
}

/* FIPS 180-2: one million 'a', fed in odd-sized chunks that straddle
 * every block boundary. */
static void test_million_a(void **state)
{
	struct mail_hashes *h = *state;
	static uint8_t buf[1000000];
	struct out o;

	memset(buf, 'a', sizeof(buf));
	hash_chunked(h, buf, sizeof(buf), 4093, &o);
	assert_string_equal(o.md5, "7707d6ae4e027c70eea2a935c2296f21");
	assert_string_equal(o.sha1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	assert_string_equal(
		o.sha256,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* The same digests however the part is cut: every chunk size from 1 to
 * past the length, over bytes of every value. */
static void test_every_chunk_size(void **state)
{
	struct mail_hashes *h = *state;
	uint8_t buf[700];
	struct out whole, o;
	size_t i, c;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + (i >> 8));
	hash_chunked(h, buf, sizeof(buf), sizeof(buf), &whole);
	for (c = 1; c <= sizeof(buf) + 1; c++) {
		hash_chunked(h, buf, sizeof(buf), c, &o);
		assert_string_equal(o.md5, whole.md5);
		assert_string_equal(o.sha1, whole.sha1);
		assert_string_equal(o.sha256, whole.sha256);
	}
	/* and zero-length updates change nothing */
	mail_hashes_start(h);
	mail_hashes_update(h, buf, 0);
	mail_hashes_update(h, buf, 300);
	mail_hashes_update(h, NULL, 0);
	mail_hashes_update(h, buf + 300, 400);
	mail_hashes_final(h, o.md5, o.sha1, o.sha256);
	assert_string_equal(o.sha256, whole.sha256);
}

/* One struct, many parts: each part's digest is its own, a part begun
 * and abandoned leaves nothing behind. */
static void test_reuse(void **state)
{
	struct mail_hashes *h = *state;
	struct out o;
	int i;

	for (i = 0; i < 500; i++) {
		const struct vec *v = &vecs[i % 7];

		hash_chunked(h, v->in, strlen(v->in), 3, &o);
		assert_string_equal(o.md5, v->md5);
		assert_string_equal(o.sha1, v->sha1);
		assert_string_equal(o.sha256, v->sha256);
	}
	mail_hashes_start(h);
	mail_hashes_update(h, "garbage of a part cut short", 27);
	hash_chunked(h, "abc", 3, 1, &o);
	assert_string_equal(o.md5, vecs[2].md5);
	assert_string_equal(o.sha256, vecs[2].sha256);
}

static void test_lifetime(void **state)
{
	struct mail_hashes h;
	struct out o;

	(void)state;
	memset(&h, 0, sizeof(h));
	mail_hashes_free(&h); /* zeroed: no-op */
	assert_int_equal(mail_hashes_init(&h), 0);
	assert_non_null(h.ctx[0]);
	hash_chunked(&h, "", 0, 1, &o);
	assert_string_equal(o.sha1, vecs[0].sha1);
	mail_hashes_free(&h);
	assert_null(h.ctx[0]);
	mail_hashes_free(&h); /* twice: no-op */
	/* init again after free works */
	assert_int_equal(mail_hashes_init(&h), 0);
	hash_chunked(&h, "a", 1, 1, &o);
	assert_string_equal(o.md5, vecs[1].md5);
	mail_hashes_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_million_a, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_every_chunk_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
		cmocka_unit_test(test_lifetime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
