/*
 * How fast are the part hashes (src/mail/hashes.c)? Built with the project
 * (build/tests/bench_hash_speed), never run by the test suite:
 *
 *   build/tests/bench_hash_speed [MiB]      (default 256 MiB per figure)
 *
 * Prints MB/s (10^6 bytes per second) of mail_hashes_update() with all
 * three digests on 64 KiB blocks - the figure that matters - then each
 * digest alone through libcrypto for comparison, the same update on other
 * block sizes, and the cost of one part (start + 1 KiB + final) with the
 * contexts reused against contexts created per part. Also says whether the
 * CPU has the SHA extensions that libcrypto uses when present.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "mail/hashes.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *make_data(size_t n)
{
	uint8_t *p = malloc(n);
	uint64_t x = 0x9e3779b97f4a7c15u;
	size_t i;

	if (!p) {
		perror("malloc");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
	return p;
}

/* All three through the module, `block` bytes per update. */
static double all_three(const uint8_t *buf, size_t bufsz, size_t block,
			size_t total)
{
	struct mail_hashes h;
	char m[33], s1[41], s2[65];
	size_t done = 0;
	double t0;

	if (mail_hashes_init(&h) != 0) {
		fprintf(stderr, "mail_hashes_init failed\n");
		exit(1);
	}
	mail_hashes_start(&h);
	t0 = now();
	while (done < total) {
		size_t off = done % (bufsz - block + 1);

		mail_hashes_update(&h, buf + off, block);
		done += block;
	}
	mail_hashes_final(&h, m, s1, s2);
	t0 = now() - t0;
	mail_hashes_free(&h);
	return (double)done / t0 / 1e6;
}

static double one_digest(const char *name, const uint8_t *buf, size_t block,
			 size_t total)
{
	EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len;
	size_t done = 0;
	double t0;

	if (!md || !c || !EVP_DigestInit_ex2(c, md, NULL)) {
		fprintf(stderr, "%s unavailable\n", name);
		exit(1);
	}
	t0 = now();
	for (done = 0; done < total; done += block)
		EVP_DigestUpdate(c, buf, block);
	EVP_DigestFinal_ex(c, d, &len);
	t0 = now() - t0;
	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	return (double)done / t0 / 1e6;
}

/* Parts of `len` bytes per second, contexts reused (the module). */
static double parts_reused(const uint8_t *buf, size_t len, unsigned n)
{
	struct mail_hashes h;
	char m[33], s1[41], s2[65];
	double t0;
	unsigned i;

	if (mail_hashes_init(&h) != 0)
		exit(1);
	t0 = now();
	for (i = 0; i < n; i++) {
		mail_hashes_start(&h);
		mail_hashes_update(&h, buf, len);
		mail_hashes_final(&h, m, s1, s2);
	}
	t0 = now() - t0;
	mail_hashes_free(&h);
	return n / t0;
}

/* The same, with three contexts made and freed per part and the
 * algorithms named through EVP_md5() & co, as a naive caller would. */
static double parts_fresh(const uint8_t *buf, size_t len, unsigned n)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl;
	double t0;
	unsigned i;
	int k;

	t0 = now();
	for (i = 0; i < n; i++) {
		const EVP_MD *mds[3] = { EVP_md5(), EVP_sha1(), EVP_sha256() };

		for (k = 0; k < 3; k++) {
			EVP_MD_CTX *c = EVP_MD_CTX_new();

			EVP_DigestInit_ex(c, mds[k], NULL);
			EVP_DigestUpdate(c, buf, len);
			EVP_DigestFinal_ex(c, d, &dl);
			EVP_MD_CTX_free(c);
		}
	}
	t0 = now() - t0;
	return n / t0;
}

static void cpu_flags(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	int sha = 0, avx2 = 0, found = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		found = 1;
		sha = strstr(line, " sha_ni") != NULL;
		avx2 = strstr(line, " avx2") != NULL;
		break;
	}
	if (f)
		fclose(f);
	if (!found)
		printf("cpu: no flags line in /proc/cpuinfo\n");
	else
		printf("cpu: sha_ni %s, avx2 %s\n", sha ? "yes" : "no",
		       avx2 ? "yes" : "no");
}

int main(int argc, char **argv)
{
	static const size_t blocks[] = { 4096, 16384, 65536, 1u << 20 };
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	size_t total = (mib ? mib : 1) << 20;
	size_t bufsz = 4u << 20;
	uint8_t *buf = make_data(bufsz);
	size_t i;

	cpu_flags();
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("mail_hashes_update, MD5+SHA-1+SHA-256, 64 KiB blocks: "
	       "%.0f MB/s\n", all_three(buf, bufsz, 65536, total));
	printf("alone, 64 KiB blocks: MD5 %.0f, SHA-1 %.0f, SHA-256 %.0f "
	       "MB/s\n", one_digest("MD5", buf, 65536, total),
	       one_digest("SHA1", buf, 65536, total),
	       one_digest("SHA256", buf, 65536, total));
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		printf("mail_hashes_update, %zu-byte blocks: %.0f MB/s\n",
		       blocks[i], all_three(buf, bufsz, blocks[i], total));
	printf("parts of 1 KiB per second: reused contexts %.0f, "
	       "fresh contexts per part %.0f\n",
	       parts_reused(buf, 1024, 200000), parts_fresh(buf, 1024, 200000));
	printf("empty parts per second: reused %.0f, fresh %.0f\n",
	       parts_reused(buf, 0, 200000), parts_fresh(buf, 0, 200000));
	free(buf);
	return 0;
}
