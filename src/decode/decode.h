/*
 * Decoding: link layer -> IPv4/IPv6 (+ fragment reassembly) -> TCP, into a
 * struct packet. Link types: Ethernet (with 802.1Q / 802.1ad / QinQ tags,
 * MPLS and PPPoE session), Linux cooked SLL and SLL2, raw IPv4/IPv6, BSD
 * loopback (NULL and LOOP). No allocation per packet: the only memory is
 * the fragment reassembler's bounded pool.
 *
 * Errors in the frame are counted by kind (decode_error_name()) and the
 * frame is dropped; they never stop processing.
 */
#ifndef SMTPSCOPE_DECODE_DECODE_H
#define SMTPSCOPE_DECODE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/source.h"
#include "decode/ipfrag.h"
#include "decode/packet.h"

enum decode_status {
	DECODE_TCP,     /* *out holds a TCP segment */
	DECODE_OTHER,   /* decoded, not TCP (UDP, ICMP, ARP, ...) */
	DECODE_HELD,    /* an IP fragment kept for reassembly */
	DECODE_ERROR,   /* malformed; counted */
};

enum decode_error {
	DERR_LINK_TRUNCATED,
	DERR_VLAN_TRUNCATED,
	DERR_MPLS_TRUNCATED,
	DERR_PPPOE_TRUNCATED,
	DERR_IP_BAD_VERSION,
	DERR_IPV4_TRUNCATED,
	DERR_IPV4_BAD_HEADER_LEN,
	DERR_IPV4_BAD_TOTAL_LEN,
	DERR_IPV6_TRUNCATED,
	DERR_IPV6_BAD_PAYLOAD_LEN,
	DERR_IPV6_EXT_TRUNCATED,
	DERR_IPV6_EXT_CHAIN_TOO_LONG,
	DERR_FRAG_BAD,
	DERR_TCP_TRUNCATED,
	DERR_TCP_BAD_HEADER_LEN,
	DERR__COUNT
};

struct decode_stats {
	uint64_t packets;
	uint64_t bytes;        /* wire bytes of all frames */
	uint64_t ipv4, ipv6;
	uint64_t tcp, udp, icmp, other_l4;
	uint64_t non_ip;       /* ARP, LLDP, ... */
	uint64_t vlan_tagged;
	uint64_t snap_truncated; /* frames the capture cut short */
	uint64_t tcp_bad_options;
	uint64_t errors;       /* sum of by_kind */
	uint64_t by_kind[DERR__COUNT];
};

struct decode_config {
	struct ipfrag_config frag;
};

void decode_config_defaults(struct decode_config *cfg);

struct decoder;
struct decoder *decoder_new(const struct decode_config *cfg);
void decoder_free(struct decoder *d);

enum decode_status decode_packet(struct decoder *d,
				 const struct capture_packet *cp,
				 struct packet *out);

/* Expire fragment state older than the timeout (called on its own by
 * decode_packet; exposed for end-of-input and tests). */
void decoder_expire(struct decoder *d, int64_t now_ns);

bool decode_linktype_supported(int dlt);
const char *decode_error_name(enum decode_error e);
const struct decode_stats *decoder_stats(const struct decoder *d);
const struct ipfrag_stats *decoder_frag_stats(const struct decoder *d);

#endif
