#include "flow/tcp_reasm.h"

#include <stddef.h>
#include <string.h>

#include "core/log.h"
#include "decode/packet.h"

/*
 * A held piece of the stream: either bytes (len > 0) or a known hole the
 * capture cut short (gap > 0, no bytes). Pieces never overlap each other
 * and all lie at or after the delivery point.
 */
struct reasm_seg {
	struct reasm_seg *next;
	uint64_t off;
	uint32_t len;
	uint32_t gap;
	uint32_t cap;
	int64_t ts;
	uint8_t data[];
};

static uint64_t seg_end(const struct reasm_seg *s)
{
	return s->off + s->len + s->gap;
}

void tcp_half_init(struct tcp_half *h) { memset(h, 0, sizeof(*h)); }

void tcp_half_release(struct tcp_half *h, struct bufpool *bp)
{
	struct reasm_seg *s = h->ooo;

	while (s) {
		struct reasm_seg *n = s->next;

		bufpool_put(bp, s, s->cap);
		s = n;
	}
	h->ooo = NULL;
	h->ooo_bytes = 0;
	if (h->hist)
		bufpool_put(bp, h->hist, h->hist_cap);
	h->hist = NULL;
	h->hist_cap = 0;
}

int64_t tcp_half_offset(const struct tcp_half *h, uint32_t seq)
{
	uint32_t cur = h->base + (uint32_t)h->next;
	int32_t d = (int32_t)(seq - cur);

	return (int64_t)h->next + d;
}

/* ---- delivery ------------------------------------------------------------ */

static void hist_store(struct tcp_half *h, const uint8_t *p, uint32_t n)
{
	uint64_t off = h->next;
	uint32_t pos, first;

	if (!h->hist)
		return;
	if (n > h->hist_cap) {
		p += n - h->hist_cap;
		off += n - h->hist_cap;
		n = h->hist_cap;
	}
	pos = (uint32_t)(off % h->hist_cap);
	first = h->hist_cap - pos;
	if (first > n)
		first = n;
	memcpy(h->hist + pos, p, first);
	memcpy(h->hist, p + first, n - first);
}

/*
 * The direction is over: report it. Its history ring stays (a resend of
 * its last segment is still compared) until the owner drops it - the flow
 * table does once both directions are over - or the flow ends.
 */
static void mark_ended(struct tcp_half *h, int64_t ts, struct reasm_sink *sink)
{
	h->ended = true;
	if (!sink->detached && sink->c->end)
		sink->c->end(sink->st, sink->dir, ts);
}

static void check_end(struct tcp_half *h, int64_t ts, struct reasm_sink *sink)
{
	if (h->ended || !h->fin_seen || h->next < h->fin_off)
		return;
	mark_ended(h, ts, sink);
}

static void deliver(struct tcp_half *h, const uint8_t *p, uint32_t n,
		    int64_t ts, struct reasm_sink *sink)
{
	if (n == 0)
		return;
	if (!sink->detached &&
	    !sink->c->data(sink->st, sink->dir, p, n, ts))
		sink->detached = true;
	hist_store(h, p, n);
	h->next += n;
	h->st.delivered += n;
}

static void deliver_gap(struct tcp_half *h, uint64_t n, int64_t ts,
			struct reasm_sink *sink)
{
	if (n == 0)
		return;
	if (!sink->detached && sink->c->gap)
		sink->c->gap(sink->st, sink->dir, n, ts);
	h->next += n;
	h->hist_from = h->next;
	h->st.gaps++;
	h->st.gap_bytes += n;
}

/* Deliver held pieces that now start at the delivery point. */
static void drain(struct tcp_half *h, struct bufpool *bp,
		  struct reasm_sink *sink)
{
	while (h->ooo && h->ooo->off == h->next) {
		struct reasm_seg *s = h->ooo;

		h->ooo = s->next;
		h->ooo_bytes -= s->len + s->gap;
		if (s->len)
			deliver(h, s->data, s->len, s->ts, sink);
		else
			deliver_gap(h, s->gap, s->ts, sink);
		bufpool_put(bp, s, s->cap);
	}
}

/* Skip the hole before the first held piece. */
static void skip_hole(struct tcp_half *h, struct bufpool *bp,
		      struct reasm_sink *sink)
{
	if (!h->ooo)
		return;
	SS_ASSERT(h->ooo->off > h->next);
	deliver_gap(h, h->ooo->off - h->next, h->ooo->ts, sink);
	drain(h, bp, sink);
}

/* ---- comparing resent bytes ---------------------------------------------- */

struct overlap_tally {
	uint64_t differing;
	uint64_t unchecked;
};

/* Compare bytes at [off, off+n), all below h->next, with the ring. */
static void compare_delivered(const struct tcp_half *h, uint64_t off,
			      const uint8_t *p, uint32_t n,
			      struct overlap_tally *t)
{
	uint64_t lo = h->hist_from;
	uint64_t i;

	if (h->hist_cap && h->next > h->hist_cap &&
	    h->next - h->hist_cap > lo)
		lo = h->next - h->hist_cap;
	if (!h->hist)
		lo = h->next;
	for (i = 0; i < n; i++) {
		uint64_t o = off + i;

		if (o < lo) {
			t->unchecked++;
			continue;
		}
		if (h->hist[o % h->hist_cap] != p[i])
			t->differing++;
	}
}

/* ---- holding pieces ------------------------------------------------------ */

static struct reasm_seg *new_piece(struct bufpool *bp, uint64_t off,
				   const uint8_t *p, uint32_t len,
				   uint32_t gap, int64_t ts)
{
	uint32_t cap;
	struct reasm_seg *s =
		bufpool_get(bp, offsetof(struct reasm_seg, data) + len, &cap);

	s->next = NULL;
	s->off = off;
	s->len = len;
	s->gap = gap;
	s->cap = cap;
	s->ts = ts;
	if (len)
		memcpy(s->data, p, len);
	return s;
}

/*
 * Hold [off, off+n): bytes from p, or a hole the capture cut when p is
 * NULL. Parts already held keep their first copy and are compared.
 */
static void hold(struct tcp_half *h, struct bufpool *bp, uint64_t off,
		 const uint8_t *p, uint32_t n, int64_t ts,
		 struct overlap_tally *t)
{
	struct reasm_seg **link = &h->ooo;
	uint64_t pos = off, end = off + n;

	while (pos < end) {
		struct reasm_seg *cur;
		uint64_t stop;

		while (*link && seg_end(*link) <= pos)
			link = &(*link)->next;
		cur = *link;
		if (!cur || cur->off > pos) {
			struct reasm_seg *piece;

			stop = cur && cur->off < end ? cur->off : end;
			piece = new_piece(bp, pos, p ? p + (pos - off) : NULL,
					  p ? (uint32_t)(stop - pos) : 0,
					  p ? 0 : (uint32_t)(stop - pos), ts);
			piece->next = cur;
			*link = piece;
			link = &piece->next;
			h->ooo_bytes += (uint32_t)(stop - pos);
			pos = stop;
			continue;
		}
		/* cur covers pos: an overlap; the held copy stays. */
		stop = seg_end(cur) < end ? seg_end(cur) : end;
		if (p && cur->len) {
			uint64_t a = pos, b = stop;
			uint64_t cend = cur->off + cur->len;

			if (b > cend)
				b = cend;
			for (; a < b; a++)
				if (cur->data[a - cur->off] != p[a - off])
					t->differing++;
		}
		h->st.retransmitted += stop - pos;
		pos = stop;
	}
}

/*
 * Nothing lies past a FIN: a held piece beyond it was never part of the
 * stream (the peer never acknowledged it - an injection aimed at the
 * sensor), so it is dropped and counted, never delivered.
 */
static void prune_beyond(struct tcp_half *h, struct bufpool *bp, uint64_t end)
{
	struct reasm_seg **link = &h->ooo;

	while (*link) {
		struct reasm_seg *s = *link;
		uint64_t e = seg_end(s);

		if (s->off >= end) {
			*link = s->next;
			h->ooo_bytes -= s->len + s->gap;
			h->st.out_of_window++;
			bufpool_put(bp, s, s->cap);
			continue;
		}
		if (e > end) {
			uint32_t cut = (uint32_t)(e - end);

			if (s->gap)
				s->gap -= cut;
			else
				s->len -= cut;
			h->ooo_bytes -= cut;
			h->st.out_of_window++;
		}
		link = &s->next;
	}
}

/* ---- segments ------------------------------------------------------------ */

/*
 * The bounds of the stream, for a segment of `wire` bytes at offset off:
 * one that starts more than REASM_WINDOW_MAX from the delivery point (or
 * before offset 0) is not believed at all (false); bytes past the FIN
 * are cut off (*wire shrinks, possibly to 0). Either is counted.
 */
static bool clip_to_stream(struct tcp_half *h, int64_t off, uint32_t *wire)
{
	if (off < 0 || off > (int64_t)h->next + REASM_WINDOW_MAX ||
	    off + (int64_t)*wire < (int64_t)h->next - REASM_WINDOW_MAX) {
		if (*wire)
			h->st.out_of_window++;
		return false;
	}
	if (*wire && h->fin_seen && (uint64_t)off + *wire > h->fin_off) {
		*wire = h->fin_off > (uint64_t)off
				? (uint32_t)(h->fin_off - (uint64_t)off)
				: 0;
		h->st.out_of_window++;
	}
	return true;
}

static void add_bytes(struct tcp_half *h, const struct reasm_cfg *cfg,
		      struct bufpool *bp, uint64_t off, const uint8_t *p,
		      uint32_t len, uint32_t cut, int64_t ts,
		      struct reasm_sink *sink)
{
	struct overlap_tally t = {0, 0};
	uint32_t n = len + cut;

	/* Part already delivered: a resend; compare and trim. */
	if (off < h->next) {
		uint64_t old = h->next - off;

		if (old >= n) {
			compare_delivered(h, off, p, len, &t);
			h->st.retransmitted += n;
			goto tally;
		}
		if (old < len) {
			compare_delivered(h, off, p, (uint32_t)old, &t);
			p += old;
			len -= (uint32_t)old;
		} else {
			compare_delivered(h, off, p, len, &t);
			cut -= (uint32_t)(old - len);
			p += len;
			len = 0;
		}
		h->st.retransmitted += old;
		off = h->next;
		n = len + cut;
	}

	/* Fast path: exactly at the delivery point, before anything held. */
	if (off == h->next && (!h->ooo || off + n <= h->ooo->off)) {
		deliver(h, p, len, ts, sink);
		deliver_gap(h, cut, ts, sink);
		drain(h, bp, sink);
		goto tally;
	}

	if (off > h->next)
		h->st.out_of_order++;
	/* Make room: give up on the oldest hole(s) rather than grow. */
	while (h->ooo && h->ooo_bytes + n > cfg->ooo_max)
		skip_hole(h, bp, sink);
	if (n > cfg->ooo_max && off > h->next) {
		/* Larger than the whole buffer: jump to it. */
		deliver_gap(h, off - h->next, ts, sink);
	}
	if (off < h->next) {
		/* Skipping a hole moved the delivery point past part of
		 * this segment; that part is now history. */
		uint64_t old = h->next - off;

		if (old >= n)
			goto tally;
		if (old < len) {
			p += old;
			len -= (uint32_t)old;
		} else {
			cut -= (uint32_t)(old - len);
			len = 0;
		}
		off = h->next;
	}
	if (off == h->next && (!h->ooo || off + len + cut <= h->ooo->off)) {
		deliver(h, p, len, ts, sink);
		deliver_gap(h, cut, ts, sink);
		drain(h, bp, sink);
		goto tally;
	}
	/* Held pieces are at most one pool block each. */
	while (len) {
		uint32_t chunk = len;
		uint32_t maxp = bufpool_max() -
				(uint32_t)offsetof(struct reasm_seg, data);

		if (chunk > maxp)
			chunk = maxp;
		hold(h, bp, off, p, chunk, ts, &t);
		off += chunk;
		p += chunk;
		len -= chunk;
	}
	if (cut)
		hold(h, bp, off, NULL, cut, ts, &t);
	drain(h, bp, sink);
	/* The peer may already have acknowledged past the hole. */
	if (h->ooo && h->ack_hint >= h->ooo->off && h->ooo->off > h->next)
		skip_hole(h, bp, sink);

tally:
	h->st.overlap_bytes_unchecked += t.unchecked;
	if (t.differing) {
		h->st.overlaps_differing++;
		h->st.overlap_bytes_differing += t.differing;
	}
}

void tcp_half_segment(struct tcp_half *h, const struct reasm_cfg *cfg,
		      struct bufpool *bp, const struct reasm_segment *seg,
		      struct reasm_sink *sink)
{
	uint32_t seq = seg->seq, len, wire;
	int64_t off;

	if (seg->flags & TCP_SYN) {
		if (!h->have_base || (h->next == 0 && !h->ooo)) {
			h->base = seq + 1;
			h->have_base = true;
		}
		seq++; /* data on a SYN starts after it */
	}
	if (!h->have_base) {
		if (seg->wire == 0 && !(seg->flags & TCP_FIN))
			return;
		h->base = seq; /* picked up mid-stream */
		h->have_base = true;
	}
	if (!h->hist && !h->ended && cfg->hist_size && seg->wire) {
		h->hist = bufpool_get(bp, cfg->hist_size, &h->hist_cap);
		h->hist_from = h->next;
	}
	off = tcp_half_offset(h, seq);
	wire = seg->wire;
	if (!clip_to_stream(h, off, &wire))
		return;
	len = seg->len < wire ? seg->len : wire;
	if (seg->flags & TCP_FIN) {
		/* It lies after this segment's bytes: the clip above holds. */
		uint64_t fo = (uint64_t)off + seg->wire;

		if (!h->fin_seen || fo < h->fin_off) {
			h->fin_seen = true;
			h->fin_off = fo < h->next ? h->next : fo;
			prune_beyond(h, bp, h->fin_off);
		}
	}
	if (wire && !sink->detached)
		add_bytes(h, cfg, bp, (uint64_t)off, seg->data, len,
			  wire - len, seg->ts, sink);
	else if (wire)
		h->next = (uint64_t)off + wire > h->next
				  ? (uint64_t)off + wire
				  : h->next;
	check_end(h, seg->ts, sink);
}

void tcp_half_ack(struct tcp_half *h, struct bufpool *bp, uint32_t ack,
		  int64_t ts, struct reasm_sink *sink)
{
	int64_t off;

	if (!h->have_base) {
		/* The peer tells us where this side's stream stands. */
		h->base = ack;
		h->have_base = true;
		return;
	}
	off = tcp_half_offset(h, ack);
	if (off <= 0 || off > (int64_t)h->next + REASM_WINDOW_MAX)
		return;
	if ((uint64_t)off > h->ack_hint)
		h->ack_hint = (uint64_t)off;
	if (!sink->detached && h->ooo && h->ooo->off > h->next &&
	    h->ack_hint >= h->ooo->off) {
		skip_hole(h, bp, sink);
		check_end(h, ts, sink);
	}
}

void tcp_half_flush(struct tcp_half *h, struct bufpool *bp, int64_t ts,
		    struct reasm_sink *sink)
{
	uint64_t target;

	while (h->ooo)
		skip_hole(h, bp, sink);
	/*
	 * Bytes after the last segment we saw: up to the FIN when we saw
	 * one, else up to what the peer acknowledged. An acknowledgement
	 * also counts a FIN we may have missed, so without a FIN the last
	 * acknowledged number is taken as that FIN, not as a byte.
	 */
	if (h->fin_seen)
		target = h->fin_off;
	else
		target = h->ack_hint > 0 ? h->ack_hint - 1 : 0;
	if (!sink->detached && target > h->next)
		deliver_gap(h, target - h->next, ts, sink);
	if (!h->ended)
		mark_ended(h, ts, sink);
	tcp_half_drop_history(h, bp);
}

void tcp_half_drop_history(struct tcp_half *h, struct bufpool *bp)
{
	if (h->hist) {
		bufpool_put(bp, h->hist, h->hist_cap);
		h->hist = NULL;
		h->hist_cap = 0;
	}
}
