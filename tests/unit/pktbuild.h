/* Building frames for unit tests: TCP, IPv4, IPv6, Ethernet layers. */
#ifndef SMTPSCOPE_TESTS_PKTBUILD_H
#define SMTPSCOPE_TESTS_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "capture/source.h"

#define PB_MAX 70000

struct tcp_spec {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const void *payload;
	uint32_t len;
	const uint8_t *opts; /* raw TCP options, padded by the caller */
	uint8_t optlen;
};

size_t pb_tcp(uint8_t *out, const struct tcp_spec *t);
/* frag: the 16-bit flags+offset field (0x2000 = MF, offset in 8s). */
size_t pb_ipv4(uint8_t *out, const char *src, const char *dst, uint8_t proto,
	       const uint8_t *l4, size_t l4len, const uint8_t *opts,
	       uint8_t optlen, uint16_t id, uint16_t frag);
size_t pb_ipv6(uint8_t *out, const char *src, const char *dst, uint8_t nh,
	       const uint8_t *pl, size_t len);
size_t pb_eth(uint8_t *out, uint16_t type, const uint8_t *pl, size_t len);

/* Ethernet/IPv4/TCP in one go. */
size_t pb_eth4_tcp(uint8_t *out, const char *src, const char *dst,
		   const struct tcp_spec *t);

struct capture_packet pb_packet(const uint8_t *buf, size_t len, int dlt,
				int64_t ts_ns);

#endif
