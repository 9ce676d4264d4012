/*
 * TCP reassembly for one direction of one connection ("half").
 *
 * Sequence numbers are mapped to 64-bit stream offsets (offset 0 is the
 * byte after the SYN, or the first byte seen when the SYN was missed), so
 * wraparound needs no special case. A segment within +-2^30 of the
 * delivery point is believed; anything further is dropped and counted.
 *
 * In-order bytes are handed to the sink straight from the packet (no
 * copy). Segments that arrive ahead of a hole are copied into pool blocks
 * and kept in a sorted, non-overlapping list, at most ooo_max bytes; when
 * that fills, or when the peer acknowledges past the hole, or when the
 * flow ends, the hole is delivered as a gap and delivery goes on.
 *
 * Overlaps: first copy wins (STREAM_OVERLAP_POLICY). A resent byte is
 * compared with the first copy - held in the out-of-order list, or in a
 * ring of the last hist_size delivered bytes - and segments whose bytes
 * differ are counted; resent bytes older than the ring are counted as
 * unchecked.
 */
#ifndef SMTPSCOPE_FLOW_TCP_REASM_H
#define SMTPSCOPE_FLOW_TCP_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/bufpool.h"
#include "flow/stream.h"

/* Largest believable distance between a segment and the delivery point
 * (the biggest TCP window with scaling). */
#define REASM_WINDOW_MAX (1u << 30)

struct reasm_cfg {
	uint32_t ooo_max;   /* bytes held out of order per direction */
	uint32_t hist_size; /* delivered bytes kept to check resends */
};

struct reasm_seg;

struct tcp_half {
	uint32_t base;       /* sequence number of stream offset 0 */
	uint64_t next;       /* offset of the next byte to deliver */
	uint64_t fin_off;    /* offset of the FIN, when fin_seen */
	uint64_t ack_hint;   /* highest offset the peer acknowledged */
	struct reasm_seg *ooo;
	uint32_t ooo_bytes;
	uint32_t hist_cap;
	uint8_t *hist;       /* ring: offset o lives at o % hist_cap */
	uint64_t hist_from;  /* ring holds no byte below this offset */
	bool have_base;
	bool fin_seen;
	bool ended;          /* end reported to the sink */
	struct stream_dir_stats st;
};

/* Where a half delivers. */
struct reasm_sink {
	const struct stream_consumer *c;
	void *st;
	enum stream_dir dir;
	bool detached; /* the consumer stopped following */
};

struct reasm_segment {
	uint32_t seq;
	uint8_t flags;       /* TCP_* */
	const uint8_t *data;
	uint32_t len;        /* captured payload */
	uint32_t wire;       /* payload length on the wire (>= len) */
	int64_t ts;
};

void tcp_half_init(struct tcp_half *h);
/* Free everything the half holds. */
void tcp_half_release(struct tcp_half *h, struct bufpool *bp);

/* One segment of this direction (SYN and FIN handled here; the flow
 * layer handles RST). */
void tcp_half_segment(struct tcp_half *h, const struct reasm_cfg *cfg,
		      struct bufpool *bp, const struct reasm_segment *seg,
		      struct reasm_sink *sink);

/* The peer acknowledged up to `ack` (sequence space of this half). */
void tcp_half_ack(struct tcp_half *h, struct bufpool *bp, uint32_t ack,
		  int64_t ts, struct reasm_sink *sink);

/* End of the flow: deliver all that is held, holes as gaps, report the
 * end of the direction, and give back the history ring. */
void tcp_half_flush(struct tcp_half *h, struct bufpool *bp, int64_t ts,
		    struct reasm_sink *sink);

/* Give back the history ring of an ended direction (it outlives the FIN
 * so that resends are still compared); later resends count as unchecked. */
void tcp_half_drop_history(struct tcp_half *h, struct bufpool *bp);

/* Stream offset of a sequence number (may be negative: before base). */
int64_t tcp_half_offset(const struct tcp_half *h, uint32_t seq);

#endif
