/*
 * The flow table: every TCP connection, keyed by its 5-tuple (and VLAN
 * tags), with TCP reassembly for the flows the stream consumer follows.
 *
 * Owns: the flows, their reassembly buffers (one bufpool), and the hash
 * index. Time is capture time (packet timestamps), so results on a file
 * never depend on how fast it is read.
 *
 * Lifetime of a flow: created by its first packet; CLOSING once both
 * sides sent FIN or one sent an in-window RST; finished close_timeout
 * later (late retransmissions and ACKs still count), after idle_timeout
 * without packets, when evicted, or at the end of input. Finishing calls
 * the consumer's close with the final statistics - every flow the
 * consumer opened is closed exactly once.
 *
 * Caps: at most max_flows flows, and memory_cap bytes of flow structures
 * plus reassembly buffers (those in use and the free ones the pool keeps
 * for reuse); past the memory cap the free buffers are given back, then,
 * as past the flow cap, the least recently active flow is finished early
 * (FLOW_END_EVICTED) and counted. The flow structures themselves are
 * allocated 1024 at a time up to the peak count and kept for reuse.
 */
#ifndef SMTPSCOPE_FLOW_FLOW_TABLE_H
#define SMTPSCOPE_FLOW_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/packet.h"
#include "flow/stream.h"
#include "flow/tcp_reasm.h"

struct flow_config {
	uint32_t max_flows;
	uint64_t memory_cap;       /* bytes */
	int64_t idle_timeout_ns;
	int64_t close_timeout_ns;
	struct reasm_cfg reasm;
	bool vlan_in_key;          /* same 5-tuple in two VLANs: two flows */
	/* Ports that mark the server side when no SYN was seen: a bitmap of
	 * 65536 bits, borrowed for the table's life; may be NULL. */
	const uint8_t *server_ports;
};

struct flow_table_stats {
	uint64_t flows;            /* created */
	uint64_t followed;         /* opened by the consumer */
	uint64_t active;           /* in the table now */
	uint64_t peak_active;
	uint64_t closed;           /* finished normally (FIN/RST) */
	uint64_t idle_timeouts;
	uint64_t evictions;        /* finished early by a cap */
	uint64_t reused;           /* 5-tuple taken by a new connection */
	uint64_t memory;           /* bytes now */
	uint64_t memory_peak;
};

void flow_config_defaults(struct flow_config *cfg);

struct flow_table;
struct flow_table *flow_table_new(const struct flow_config *cfg,
				  const struct stream_consumer *consumer);
/* Finish every flow (FLOW_END_EOF, oldest first), then free. */
void flow_table_free(struct flow_table *ft);

/* A decoded TCP segment. */
void flow_table_packet(struct flow_table *ft, const struct packet *pkt);
/* Apply timeouts up to capture time now (done by every packet too). */
void flow_table_expire(struct flow_table *ft, int64_t now_ns);
/* Finish all flows with the given reason, oldest activity first. */
void flow_table_finish_all(struct flow_table *ft,
			   enum flow_end_reason reason);

const struct flow_table_stats *flow_table_stats(const struct flow_table *ft);

/* Bit helpers for the server_ports bitmap. */
static inline bool port_map_has(const uint8_t *map, uint16_t port)
{
	return map && (map[port >> 3] >> (port & 7)) & 1;
}
static inline void port_map_set(uint8_t *map, uint16_t port)
{
	map[port >> 3] = (uint8_t)(map[port >> 3] | (1u << (port & 7)));
}
#define PORT_MAP_BYTES 8192

#endif
