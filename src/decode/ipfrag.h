/*
 * IPv4 and IPv6 fragment reassembly, bounded and timed out.
 *
 * A fixed number of datagrams may be in flight (max_datagrams); when a new
 * one arrives and all slots are busy the oldest is dropped (counted). Each
 * datagram is at most 65535 bytes; a fragment reaching past that, or past
 * the end set by the last fragment, spoils the datagram (counted). Bytes
 * covered twice keep the first copy; copies that differ are counted as an
 * evasion sign. A datagram not complete within timeout_ns is dropped.
 *
 * Buffers belong to the reassembler and are reused: no allocation per
 * packet once every slot has been used once. The completed payload handed
 * back by ipfrag_add() is valid until the next call into the reassembler.
 */
#ifndef SMTPSCOPE_DECODE_IPFRAG_H
#define SMTPSCOPE_DECODE_IPFRAG_H

#include <stdbool.h>
#include <stdint.h>

#define IPFRAG_MAX_BYTES 65535u

struct ipfrag_config {
	uint32_t max_datagrams; /* slots in flight */
	int64_t timeout_ns;
};

struct ipfrag_stats {
	uint64_t fragments;
	uint64_t reassembled;
	uint64_t timeouts;
	uint64_t evicted;           /* dropped to make room */
	uint64_t bad;               /* spoiled datagrams */
	uint64_t overlaps;          /* fragments overlapping earlier ones */
	uint64_t overlaps_differing;
};

struct ipfrag_key {
	uint8_t ipver;
	uint8_t proto; /* IPv4: protocol field; IPv6: 0 */
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
};

enum ipfrag_result { IPFRAG_HELD, IPFRAG_DONE, IPFRAG_BAD };

struct ipfrag;
struct ipfrag *ipfrag_new(const struct ipfrag_config *cfg);
void ipfrag_free(struct ipfrag *f);

/*
 * Add one fragment: its data starts at byte offset `offset` of the
 * datagram's payload; `more` is the MF flag; `next_proto` the protocol of
 * the payload (used from the fragment at offset 0). On IPFRAG_DONE,
 * *out / *outlen / *proto give the whole payload.
 */
enum ipfrag_result ipfrag_add(struct ipfrag *f, const struct ipfrag_key *key,
			      int64_t ts_ns, uint32_t offset, bool more,
			      uint8_t next_proto, const uint8_t *data,
			      uint32_t len, const uint8_t **out,
			      uint32_t *outlen, uint8_t *proto);

void ipfrag_expire(struct ipfrag *f, int64_t now_ns);
const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *f);
uint32_t ipfrag_in_flight(const struct ipfrag *f);

#endif
