/*
 * The stream-consumer interface: how the flow layer hands each TCP
 * connection's two ordered byte streams to the protocol layer above.
 *
 * One consumer serves the whole flow table. For every new TCP flow the
 * table asks the consumer whether to follow it (open). A followed flow
 * gets, per direction and in stream order:
 *   data  - contiguous bytes, borrowed for the call only (often straight
 *           from the capture buffer: copy what you keep);
 *   gap   - n bytes that were on the wire but not in the capture; the
 *           next data call starts right after them, so a parser can
 *           resynchronise;
 *   end   - that direction is finished (FIN reached in order, or RST).
 * and, once per flow, close with the final statistics, after which the
 * consumer frees its state. close is called for every opened flow, even
 * one the consumer stopped following, so records are never lost.
 *
 * A consumer stops following a flow by returning false from data (used to
 * drop a connection that turns out not to be SMTP); from then on the
 * flow is only counted.
 *
 * Callbacks run on the thread that owns the flow table; they must not
 * call back into it.
 */
#ifndef SMTPSCOPE_FLOW_STREAM_H
#define SMTPSCOPE_FLOW_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum stream_dir {
	DIR_C2S = 0, /* client to server */
	DIR_S2C = 1, /* server to client */
};

struct flow_endpoint {
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint16_t port;
};

/* How sure the table is about which side is the client. */
enum flow_role_basis {
	ROLE_BY_SYN,     /* saw SYN or SYN+ACK */
	ROLE_BY_PORT,    /* one port is a configured server port */
	ROLE_BY_GUESS,   /* lower port taken as the server's */
	ROLE_BY_CONTENT, /* set by a consumer from what each side said */
};

/* Facts fixed when the flow is created; valid until close returns. */
struct flow_info {
	uint8_t ipver;
	uint8_t nvlan;
	uint16_t vlan[2];
	struct flow_endpoint client;
	struct flow_endpoint server;
	int64_t first_ts;
	enum flow_role_basis role_basis;
};

/* Per direction, as the flow layer saw it. */
struct stream_dir_stats {
	uint64_t packets;        /* every segment, pure ACKs included */
	uint64_t ip_bytes;       /* IP packet lengths on the wire */
	uint64_t payload_bytes;  /* TCP payload on the wire, retransmits too */
	uint64_t delivered;      /* bytes handed over in order (no gaps) */
	uint64_t gaps;           /* holes delivered as gaps */
	uint64_t gap_bytes;
	uint64_t retransmitted;  /* payload bytes seen before */
	uint64_t overlaps_differing;      /* segments whose resent bytes
					     differ from the first copy */
	uint64_t overlap_bytes_differing;
	uint64_t overlap_bytes_unchecked; /* resent bytes too old to compare */
	uint64_t out_of_order;   /* segments that arrived ahead of a hole */
	uint64_t out_of_window;  /* segments (or held pieces) that cannot be
				    in the stream: too far from it, before
				    its start, or past its FIN; dropped */
	uint64_t rst_ignored;    /* RSTs outside the window, not obeyed */
	bool syn;
	bool fin;
	bool rst;
};

enum flow_end_reason {
	FLOW_END_FIN,         /* both sides closed */
	FLOW_END_RST,
	FLOW_END_IDLE,        /* idle timeout */
	FLOW_END_EVICTED,     /* memory or flow-count cap */
	FLOW_END_REUSED,      /* a new connection took the same 5-tuple */
	FLOW_END_EOF,         /* end of input */
};

const char *flow_end_reason_name(enum flow_end_reason r);

struct flow_summary {
	const struct flow_info *info;
	struct stream_dir_stats dir[2]; /* indexed by enum stream_dir */
	int64_t last_ts;
	enum flow_end_reason end;
	bool handshake; /* SYN and SYN+ACK seen */
	bool followed;  /* the consumer followed it to the end */
};

/* Stream order is strict and, for overlapping copies, first-wins: bytes
 * already seen are kept and a differing resend is counted, not used. */
#define STREAM_OVERLAP_POLICY "first"

struct stream_consumer {
	void *ctx;
	void *(*open)(void *ctx, const struct flow_info *fi);
	bool (*data)(void *st, enum stream_dir dir, const uint8_t *p,
		     size_t n, int64_t ts);
	void (*gap)(void *st, enum stream_dir dir, uint64_t n, int64_t ts);
	void (*end)(void *st, enum stream_dir dir, int64_t ts);
	void (*close)(void *st, const struct flow_summary *sum);
};

#endif
