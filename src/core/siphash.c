#include "core/siphash.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                              \
	do {                                                                  \
		v0 += v1;                                                     \
		v1 = ROTL(v1, 13);                                            \
		v1 ^= v0;                                                     \
		v0 = ROTL(v0, 32);                                            \
		v2 += v3;                                                     \
		v3 = ROTL(v3, 16);                                            \
		v3 ^= v2;                                                     \
		v0 += v3;                                                     \
		v3 = ROTL(v3, 21);                                            \
		v3 ^= v0;                                                     \
		v2 += v1;                                                     \
		v1 = ROTL(v1, 17);                                            \
		v1 ^= v2;                                                     \
		v2 = ROTL(v2, 32);                                            \
	} while (0)

static uint64_t load_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t siphash13(const struct siphash_key *key, const void *data, size_t len)
{
	const unsigned char *in = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ key->k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ key->k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ key->k0;
	uint64_t v3 = 0x7465646279746573ULL ^ key->k1;
	uint64_t b = (uint64_t)len << 56;
	unsigned char tail[8] = {0};
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t m = load_le64(in + i);

		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	memcpy(tail, in + i, len - i);
	b |= load_le64(tail);
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

void siphash_key_random(struct siphash_key *k)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	uint64_t v[2] = {0x5eed5eed5eedULL, (uint64_t)getpid()};

	if (fd >= 0) {
		if (read(fd, v, sizeof(v)) != (ssize_t)sizeof(v))
			v[1] ^= (uint64_t)(uintptr_t)k;
		close(fd);
	}
	k->k0 = v[0];
	k->k1 = v[1];
}
