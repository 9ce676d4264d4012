#include "flow/flow_id.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "core/siphash.h"

void flow_community_id(const struct flow_info *fi, uint8_t proto,
		       uint16_t seed, char *dst, size_t dstlen)
{
	const struct flow_endpoint *a = &fi->client, *b = &fi->server;
	size_t alen = fi->ipver == 4 ? 4 : 16;
	uint8_t buf[2 + 16 + 16 + 2 + 4];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned char b64[64];
	size_t n = 0;
	int c;

	/* Order: the smaller address first, ports break a tie. */
	c = memcmp(a->addr, b->addr, alen);
	if (c > 0 || (c == 0 && a->port > b->port)) {
		const struct flow_endpoint *t = a;

		a = b;
		b = t;
	}
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a->addr, alen);
	n += alen;
	memcpy(buf + n, b->addr, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	buf[n++] = (uint8_t)(a->port >> 8);
	buf[n++] = (uint8_t)a->port;
	buf[n++] = (uint8_t)(b->port >> 8);
	buf[n++] = (uint8_t)b->port;
	if (!EVP_Digest(buf, n, md, &mdlen, EVP_sha1(), NULL) || mdlen != 20) {
		snprintf(dst, dstlen, "1:");
		return;
	}
	EVP_EncodeBlock(b64, md, 20);
	snprintf(dst, dstlen, "1:%s", b64);
}

void flow_session_id(const struct flow_info *fi, char *dst, size_t dstlen)
{
	static const struct siphash_key k1 = {0x736d747073636f70ULL,
					      0x652d73657373696fULL};
	static const struct siphash_key k2 = {0x6e2d69642d763100ULL,
					      0x0123456789abcdefULL};
	uint8_t buf[1 + 16 + 2 + 16 + 2 + 8];
	size_t n = 0;
	uint64_t h1, h2;
	int i;

	buf[n++] = fi->ipver;
	memcpy(buf + n, fi->client.addr, 16);
	n += 16;
	buf[n++] = (uint8_t)(fi->client.port >> 8);
	buf[n++] = (uint8_t)fi->client.port;
	memcpy(buf + n, fi->server.addr, 16);
	n += 16;
	buf[n++] = (uint8_t)(fi->server.port >> 8);
	buf[n++] = (uint8_t)fi->server.port;
	for (i = 0; i < 8; i++)
		buf[n++] = (uint8_t)((uint64_t)fi->first_ts >> (56 - 8 * i));
	h1 = siphash13(&k1, buf, n);
	h2 = siphash13(&k2, buf, n);
	snprintf(dst, dstlen, "%016llx%08x", (unsigned long long)h1,
		 (unsigned)(h2 >> 32));
}

void flow_addr_str(const struct flow_info *fi, const struct flow_endpoint *e,
		   char *dst, size_t dstlen)
{
	if (!inet_ntop(fi->ipver == 4 ? AF_INET : AF_INET6, e->addr, dst,
		       (socklen_t)dstlen))
		snprintf(dst, dstlen, "?");
}
