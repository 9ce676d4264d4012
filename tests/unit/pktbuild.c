#include "pktbuild.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "core/log.h"

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

size_t pb_tcp(uint8_t *out, const struct tcp_spec *t)
{
	size_t hlen = 20 + t->optlen;

	SS_ASSERT(hlen % 4 == 0 && hlen + t->len <= PB_MAX);
	memset(out, 0, 20);
	be16(out, t->sport);
	be16(out + 2, t->dport);
	be32(out + 4, t->seq);
	be32(out + 8, t->ack);
	out[12] = (uint8_t)((hlen / 4) << 4);
	out[13] = t->flags;
	be16(out + 14, 65535);
	if (t->optlen)
		memcpy(out + 20, t->opts, t->optlen);
	if (t->len)
		memcpy(out + hlen, t->payload, t->len);
	return hlen + t->len;
}

size_t pb_ipv4(uint8_t *out, const char *src, const char *dst, uint8_t proto,
	       const uint8_t *l4, size_t l4len, const uint8_t *opts,
	       uint8_t optlen, uint16_t id, uint16_t frag)
{
	size_t hlen = 20 + optlen;

	SS_ASSERT(hlen % 4 == 0 && hlen + l4len <= PB_MAX);
	memset(out, 0, 20);
	out[0] = (uint8_t)(0x40 | (hlen / 4));
	be16(out + 2, (uint16_t)(hlen + l4len));
	be16(out + 4, id);
	be16(out + 6, frag);
	out[8] = 64;
	out[9] = proto;
	SS_ASSERT(inet_pton(AF_INET, src, out + 12) == 1);
	SS_ASSERT(inet_pton(AF_INET, dst, out + 16) == 1);
	if (optlen)
		memcpy(out + 20, opts, optlen);
	memmove(out + hlen, l4, l4len);
	return hlen + l4len;
}

size_t pb_ipv6(uint8_t *out, const char *src, const char *dst, uint8_t nh,
	       const uint8_t *pl, size_t len)
{
	memset(out, 0, 40);
	out[0] = 0x60;
	be16(out + 4, (uint16_t)len);
	out[6] = nh;
	out[7] = 64;
	SS_ASSERT(inet_pton(AF_INET6, src, out + 8) == 1);
	SS_ASSERT(inet_pton(AF_INET6, dst, out + 24) == 1);
	memmove(out + 40, pl, len);
	return 40 + len;
}

size_t pb_eth(uint8_t *out, uint16_t type, const uint8_t *pl, size_t len)
{
	memmove(out + 14, pl, len);
	memset(out, 0, 12);
	out[0] = 0x02;
	out[6] = 0x02;
	be16(out + 12, type);
	return 14 + len;
}

size_t pb_eth4_tcp(uint8_t *out, const char *src, const char *dst,
		   const struct tcp_spec *t)
{
	static uint8_t a[PB_MAX], b[PB_MAX];
	size_t n = pb_tcp(a, t);

	n = pb_ipv4(b, src, dst, IPPROTO_TCP, a, n, NULL, 0, 1, 0x4000);
	return pb_eth(out, 0x0800, b, n);
}

struct capture_packet pb_packet(const uint8_t *buf, size_t len, int dlt,
				int64_t ts_ns)
{
	struct capture_packet p = {ts_ns, buf, (uint32_t)len, (uint32_t)len,
				   dlt};

	return p;
}
