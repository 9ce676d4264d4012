/*
 * TCP reassembly of one direction, alone: adversarial orderings, resends
 * with different bytes, wraparound, gaps, caps; and its buffer pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/packet.h"
#include "flow/tcp_reasm.h"
#include "sink.h"

struct half_ctx {
	struct tcp_half h;
	struct bufpool bp;
	struct reasm_cfg cfg;
	struct rec_flow rf;
	struct stream_consumer c;
	struct reasm_sink sink;
	int64_t ts;
};

static struct half_ctx *ctx_new(uint32_t ooo_max, uint32_t hist)
{
	struct half_ctx *x = calloc(1, sizeof(*x));

	tcp_half_init(&x->h);
	bufpool_init(&x->bp);
	x->cfg.ooo_max = ooo_max;
	x->cfg.hist_size = hist;
	rec_flow_init(&x->rf);
	x->c = rec_flow_consumer(&x->rf);
	x->sink.c = &x->c;
	x->sink.st = &x->rf;
	x->sink.dir = DIR_C2S;
	return x;
}

static void ctx_free(struct half_ctx *x)
{
	tcp_half_release(&x->h, &x->bp);
	assert_int_equal(x->bp.used, 0); /* every block went back */
	bufpool_destroy(&x->bp);
	rec_flow_free(&x->rf);
	free(x);
}

static void seg_cut(struct half_ctx *x, uint32_t seq, uint8_t flags,
		    const void *data, uint32_t len, uint32_t wire)
{
	struct reasm_segment s = {seq, flags, data, len, wire, ++x->ts};

	tcp_half_segment(&x->h, &x->cfg, &x->bp, &s, &x->sink);
}

static void seg(struct half_ctx *x, uint32_t seq, uint8_t flags,
		const char *data)
{
	uint32_t n = data ? (uint32_t)strlen(data) : 0;

	seg_cut(x, seq, flags, data, n, n);
}

static void ack(struct half_ctx *x, uint32_t a)
{
	tcp_half_ack(&x->h, &x->bp, a, ++x->ts, &x->sink);
}

static void flush(struct half_ctx *x)
{
	tcp_half_flush(&x->h, &x->bp, ++x->ts, &x->sink);
}

static void assert_stream(struct half_ctx *x, const char *want)
{
	size_t n = strlen(want);

	assert_int_equal(x->rf.dir[0].len, n);
	assert_memory_equal(x->rf.dir[0].buf, want, n);
}

/* ---------------------------------------------------------------------- */

static void test_in_order(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 1000, TCP_SYN, NULL);
	seg(x, 1001, TCP_ACK, "EHLO ");
	seg(x, 1006, TCP_ACK, "client.example\r\n");
	assert_int_equal(x->rf.dir[0].ends, 0);
	seg(x, 1022, TCP_ACK | TCP_FIN, NULL);
	assert_stream(x, "EHLO client.example\r\n");
	assert_int_equal(x->rf.dir[0].ends, 1);
	assert_int_equal(x->h.st.delivered, 21);
	assert_int_equal(x->h.st.out_of_order, 0);
	flush(x);
	assert_int_equal(x->rf.dir[0].ends, 1); /* reported once */
	ctx_free(x);
}

static void test_reordered(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 100, TCP_SYN, NULL);
	seg(x, 111, TCP_ACK, "world ");
	seg(x, 117, TCP_ACK, "again");
	assert_int_equal(x->rf.dir[0].len, 0); /* held: hole at 101 */
	seg(x, 101, TCP_ACK, "hello, the");
	assert_stream(x, "hello, theworld again");
	assert_int_equal(x->h.st.out_of_order, 2);
	assert_int_equal(x->h.st.gaps, 0);
	assert_int_equal(x->h.ooo_bytes, 0);
	ctx_free(x);
}

/* One byte per segment, shuffled, with duplicates: exact stream. */
static void test_one_byte_segments_shuffled(void **state)
{
	enum { N = 3000 };
	static char msg[N + 1];
	uint32_t order[2 * N];
	uint32_t i, isn = 0xfffff000u; /* wraps half way */
	int round;

	(void)state;
	for (i = 0; i < N; i++)
		msg[i] = (char)('a' + (i * 7 + i / 13) % 26);
	msg[N] = '\0';
	for (round = 0; round < 5; round++) {
		struct half_ctx *x = ctx_new(1 << 20, 4096);

		srand(1234 + round);
		for (i = 0; i < 2 * N; i++)
			order[i] = i % N;
		/* Shuffle within windows of 64 so holes stay bounded. */
		for (i = 0; i < 2 * N; i++) {
			uint32_t lo = i - i % 64, span = 64;
			uint32_t j;

			if (lo + span > 2 * N)
				span = 2 * N - lo;
			j = lo + (uint32_t)rand() % span;
			uint32_t t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		seg(x, isn, TCP_SYN, NULL);
		for (i = 0; i < 2 * N; i++)
			seg_cut(x, isn + 1 + order[i], TCP_ACK,
				msg + order[i], 1, 1);
		assert_stream(x, msg);
		assert_int_equal(x->h.st.retransmitted, N);
		assert_int_equal(x->h.st.overlaps_differing, 0);
		assert_int_equal(x->h.st.gaps, 0);
		ctx_free(x);
	}
}

static void test_resend_same_bytes(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "MAIL FROM:<a@b>\r\n");
	seg(x, 1, TCP_ACK, "MAIL FROM:<a@b>\r\n");
	seg(x, 6, TCP_ACK, "FROM:<a@b>\r\nRCPT");
	assert_stream(x, "MAIL FROM:<a@b>\r\nRCPT");
	assert_int_equal(x->h.st.retransmitted, 17 + 12);
	assert_int_equal(x->h.st.overlaps_differing, 0);
	assert_int_equal(x->h.st.overlap_bytes_unchecked, 0);
	ctx_free(x);
}

/* The classic evasion: a resend with other bytes. First copy wins. */
static void test_resend_different_bytes(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "RCPT TO:<victim@x>\r\n");
	seg(x, 9, TCP_ACK, "<attack@x>\r\nDATA\r\n");
	assert_stream(x, "RCPT TO:<victim@x>\r\nDATA\r\n");
	assert_int_equal(x->h.st.overlaps_differing, 1);
	assert_int_equal(x->h.st.overlap_bytes_differing, 6);
	assert_int_equal(x->h.st.retransmitted, 12);
	ctx_free(x);
}

/* Two copies of a segment held ahead of a hole, bytes differ. */
static void test_overlap_in_held_data(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 11, TCP_ACK, "AAAAAAAAAA");       /* 10..19 */
	seg(x, 16, TCP_ACK, "BBBBBBBBBB");       /* 15..24, 5 overlap */
	seg(x, 6, TCP_ACK, "CCCCCCCC");          /* 5..12, 3 overlap */
	assert_int_equal(x->rf.dir[0].len, 0);
	seg(x, 1, TCP_ACK, "01234");
	assert_stream(x, "01234CCCCCAAAAAAAAAABBBBB");
	assert_int_equal(x->h.st.overlaps_differing, 2);
	assert_int_equal(x->h.st.overlap_bytes_differing, 8);
	ctx_free(x);
}

/* A segment that covers held pieces and the holes between them. */
static void test_segment_spanning_held_pieces(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 5, TCP_ACK, "cd");   /* 4..5 */
	seg(x, 9, TCP_ACK, "gh");   /* 8..9 */
	seg(x, 1, TCP_ACK, "0123CDefGHij"); /* 0..11 */
	assert_stream(x, "0123cdefghij");
	assert_int_equal(x->h.st.overlaps_differing, 1);
	assert_int_equal(x->h.st.overlap_bytes_differing, 4);
	ctx_free(x);
}

static void test_wraparound(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);
	const char *msg = "0123456789abcdefghijklmnopqrstuvwxyz";
	uint32_t isn = 0xffffffecu;
	int i;

	(void)state;
	seg(x, isn, TCP_SYN, NULL);
	/* 6-byte segments, sent as 2,1,0,5,4,3 */
	for (i = 2; i >= 0; i--)
		seg_cut(x, isn + 1 + (uint32_t)i * 6, TCP_ACK, msg + i * 6, 6,
			6);
	for (i = 5; i >= 3; i--)
		seg_cut(x, isn + 1 + (uint32_t)i * 6, TCP_ACK, msg + i * 6, 6,
			6);
	assert_stream(x, msg);
	assert_true(x->h.next == 36);
	seg(x, isn + 37, TCP_FIN | TCP_ACK, NULL);
	assert_int_equal(x->rf.dir[0].ends, 1);
	ctx_free(x);
}

/* Capture loss: the peer acknowledges past the hole -> gap, then data. */
static void test_gap_by_ack_above_hole(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "0123456789");
	/* 10..19 lost */
	seg(x, 21, TCP_ACK, "KLMNOPQRST");
	assert_stream(x, "0123456789");
	ack(x, 11); /* no proof of loss yet */
	assert_stream(x, "0123456789");
	ack(x, 21); /* the peer had 10..19: lost by the capture */
	assert_stream(x, "0123456789~~~~~~~~~~KLMNOPQRST");
	assert_int_equal(x->h.st.gaps, 1);
	assert_int_equal(x->h.st.gap_bytes, 10);
	assert_int_equal(x->h.st.delivered, 20);
	/* The lost segment turning up late is a resend now. */
	seg(x, 11, TCP_ACK, "abcdefghij");
	assert_int_equal(x->h.st.delivered, 20);
	assert_int_equal(x->h.st.overlaps_differing, 0);
	assert_int_equal(x->h.st.overlap_bytes_unchecked, 10);
	ctx_free(x);
}

/* One-sided capture: no ACKs; the held data cap forces the gap. */
static void test_gap_by_ooo_cap(void **state)
{
	struct half_ctx *x = ctx_new(4096, 4096);
	static char block[1000];
	uint32_t i;

	(void)state;
	memset(block, 'x', sizeof(block));
	seg(x, 0, TCP_SYN, NULL);
	seg_cut(x, 1, TCP_ACK, block, 1000, 1000);
	/* 1000..1999 lost; then 6 more segments */
	for (i = 2; i < 8; i++)
		seg_cut(x, 1 + i * 1000, TCP_ACK, block, 1000, 1000);
	assert_true(x->h.ooo_bytes <= 4096);
	assert_int_equal(x->h.st.gaps, 1);
	assert_int_equal(x->h.st.gap_bytes, 1000);
	flush(x);
	assert_int_equal(x->h.st.delivered, 7000);
	assert_int_equal(x->rf.dir[0].len, 8000);
	assert_int_equal(x->rf.dir[0].ends, 1);
	ctx_free(x);
}

static void test_flush_delivers_held_data_with_gaps(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "ab");
	seg(x, 5, TCP_ACK, "ef");
	seg(x, 9, TCP_ACK | TCP_FIN, "ij");
	assert_stream(x, "ab");
	assert_int_equal(x->rf.dir[0].ends, 0);
	flush(x);
	assert_stream(x, "ab~~ef~~ij");
	assert_int_equal(x->h.st.gaps, 2);
	assert_int_equal(x->rf.dir[0].ends, 1);
	ctx_free(x);
}

static void test_fin_waits_for_data(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 6, TCP_ACK | TCP_FIN, "QUIT\r\n");
	assert_int_equal(x->rf.dir[0].ends, 0);
	seg(x, 1, TCP_ACK, "RSET\r");
	assert_stream(x, "RSET\rQUIT\r\n");
	assert_int_equal(x->rf.dir[0].ends, 1);
	ctx_free(x);
}

static void test_midstream_pickup(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 777777, TCP_ACK, "250 OK\r\n");
	seg(x, 777785, TCP_ACK, "354 go\r\n");
	assert_stream(x, "250 OK\r\n354 go\r\n");
	/* Bytes from before the first one we saw cannot be placed. */
	seg(x, 777700, TCP_ACK, "early");
	assert_int_equal(x->h.st.out_of_window, 1);
	assert_stream(x, "250 OK\r\n354 go\r\n");
	ctx_free(x);
}

/* The peer's ACK fixes where this side's stream starts. */
static void test_base_from_peer_ack(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	ack(x, 5000);
	seg(x, 5003, TCP_ACK, "LO x\r\n");
	assert_int_equal(x->rf.dir[0].len, 0); /* 3 bytes missing first */
	seg(x, 5000, TCP_ACK, "HEL");
	assert_stream(x, "HELLO x\r\n");
	ctx_free(x);
}

/* The capture cut a segment short (snaplen): the rest is a gap. */
static void test_snaplen_cut(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg_cut(x, 1, TCP_ACK, "DATA-1234567890", 4, 15);
	seg(x, 16, TCP_ACK, "tail");
	assert_stream(x, "DATA~~~~~~~~~~~tail");
	assert_int_equal(x->h.st.gap_bytes, 11);
	/* Cut and held ahead of a hole. */
	seg_cut(x, 30, TCP_ACK, "XXXXXXXXXX", 2, 10);
	seg(x, 20, TCP_ACK, "0123456789");
	assert_stream(x, "DATA~~~~~~~~~~~tail0123456789XX~~~~~~~~");
	ctx_free(x);
}

static void test_out_of_window(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "ok");
	seg(x, 1 + (1u << 30) + 10, TCP_ACK, "far away");
	assert_int_equal(x->h.st.out_of_window, 1);
	assert_int_equal(x->h.ooo_bytes, 0);
	flush(x);
	assert_stream(x, "ok");
	ctx_free(x);
}

static void test_resend_with_history_off(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 0);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "abcdef");
	seg(x, 1, TCP_ACK, "XYZdef");
	assert_stream(x, "abcdef");
	assert_int_equal(x->h.st.overlaps_differing, 0);
	assert_int_equal(x->h.st.overlap_bytes_unchecked, 6);
	ctx_free(x);
}

/* Without a FIN, the last acknowledged number may be the FIN we missed:
 * one less byte is reported lost. With a FIN, the count is exact. */
static void test_trailing_loss(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "abc");
	ack(x, 11); /* 7 bytes + a FIN after "abc" */
	flush(x);
	assert_stream(x, "abc~~~~~~");
	ctx_free(x);

	x = ctx_new(1 << 20, 4096);
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "abc");
	seg(x, 11, TCP_ACK | TCP_FIN, NULL);
	flush(x);
	assert_stream(x, "abc~~~~~~~");
	ctx_free(x);
}

static void test_detach_stops_delivery(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	x->rf.detach_after_first = true;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "GET / HTTP/1.1\r\n");
	assert_true(x->sink.detached);
	seg(x, 17, TCP_ACK, "Host: x\r\n");
	assert_int_equal(x->rf.data_calls, 1);
	ctx_free(x);
}

/* Nothing past the FIN is delivered: an injected segment held ahead of
 * the stream, or one arriving after the FIN, is dropped and counted. */
static void test_nothing_past_fin(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "QUIT");
	seg(x, 101, TCP_ACK, "MAIL FROM:<mallory@x>\r\n"); /* held */
	seg(x, 5, TCP_ACK | TCP_FIN, "\r\n");
	assert_int_equal(x->h.ooo_bytes, 0);
	seg(x, 7, TCP_ACK, "RSET\r\n");
	flush(x);
	assert_stream(x, "QUIT\r\n");
	assert_int_equal(x->h.st.out_of_window, 2);
	assert_int_equal(x->h.st.gaps, 0);
	ctx_free(x);
}

/* The direction ended with a FIN (the other may still go on): a resend
 * of the last segment is still compared, and one with other bytes counts
 * as a differing overlap, not as unchecked. */
static void test_resend_after_fin(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);

	(void)state;
	seg(x, 0, TCP_SYN, NULL);
	seg(x, 1, TCP_ACK, "DATA\r\n");
	seg(x, 7, TCP_ACK | TCP_FIN, "QUIT\r\n");
	assert_int_equal(x->rf.dir[0].ends, 1);
	seg(x, 7, TCP_ACK | TCP_FIN, "QUIT\r\n");
	assert_int_equal(x->h.st.overlaps_differing, 0);
	seg(x, 7, TCP_ACK | TCP_FIN, "NOOP\r\n");
	assert_int_equal(x->h.st.overlaps_differing, 1);
	assert_int_equal(x->h.st.overlap_bytes_differing, 4);
	assert_int_equal(x->h.st.overlap_bytes_unchecked, 0);
	assert_int_equal(x->h.st.retransmitted, 12);
	flush(x);
	assert_stream(x, "DATA\r\nQUIT\r\n");
	assert_int_equal(x->rf.dir[0].ends, 1);
	assert_null(x->h.hist); /* the end of the flow gave the ring back */
	ctx_free(x);
}

/* Segments larger than a pool block are held in pieces. */
static void test_large_segments(void **state)
{
	struct half_ctx *x = ctx_new(1 << 20, 4096);
	static uint8_t big[3 * 65535];
	uint32_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + 7);
	seg(x, 0, TCP_SYN, NULL);
	seg_cut(x, 1 + 65535, TCP_ACK, big + 65535, 65535, 65535);
	seg_cut(x, 1 + 2 * 65535, TCP_ACK, big + 2 * 65535, 65535, 65535);
	seg_cut(x, 1, TCP_ACK, big, 65535, 65535);
	assert_int_equal(x->rf.dir[0].len, sizeof(big));
	assert_memory_equal(x->rf.dir[0].buf, big, sizeof(big));
	ctx_free(x);
}

/* Free small blocks (history rings of finished flows) do not crowd the
 * largest class out of its free list: a returned large block is reused,
 * not freed and malloc'd again. */
static void test_pool_keeps_large_blocks(void **state)
{
	enum { N = BUFPOOL_KEEP_BYTES / 4096 + 64 };
	void **small = calloc(N, sizeof(*small));
	struct bufpool bp;
	uint32_t cap = 0, big_cap;
	uint64_t mallocs;
	void *big;
	int i;

	(void)state;
	assert_non_null(small);
	bufpool_init(&bp);
	for (i = 0; i < N; i++)
		small[i] = bufpool_get(&bp, 4096, &cap);
	for (i = 0; i < N; i++)
		bufpool_put(&bp, small[i], cap);
	big = bufpool_get(&bp, bufpool_max(), &big_cap);
	bufpool_put(&bp, big, big_cap);
	mallocs = bp.mallocs;
	big = bufpool_get(&bp, bufpool_max(), &big_cap);
	assert_int_equal(bp.mallocs, mallocs);
	bufpool_put(&bp, big, big_cap);
	assert_int_equal(bp.used, 0);
	bufpool_destroy(&bp);
	free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_one_byte_segments_shuffled),
		cmocka_unit_test(test_resend_same_bytes),
		cmocka_unit_test(test_resend_different_bytes),
		cmocka_unit_test(test_overlap_in_held_data),
		cmocka_unit_test(test_segment_spanning_held_pieces),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_gap_by_ack_above_hole),
		cmocka_unit_test(test_gap_by_ooo_cap),
		cmocka_unit_test(test_flush_delivers_held_data_with_gaps),
		cmocka_unit_test(test_fin_waits_for_data),
		cmocka_unit_test(test_midstream_pickup),
		cmocka_unit_test(test_base_from_peer_ack),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_out_of_window),
		cmocka_unit_test(test_resend_with_history_off),
		cmocka_unit_test(test_trailing_loss),
		cmocka_unit_test(test_detach_stops_delivery),
		cmocka_unit_test(test_nothing_past_fin),
		cmocka_unit_test(test_resend_after_fin),
		cmocka_unit_test(test_large_segments),
		cmocka_unit_test(test_pool_keeps_large_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
