/*
 * Decoding frames: every link type, tags, IP options and extension
 * headers, TCP options, fragments, and each kind of damage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <pcap/dlt.h>

#include "decode/decode.h"
#include "pktbuild.h"

static struct decoder *dec;
static uint8_t l4[PB_MAX], l3[PB_MAX], fr[PB_MAX];

static int setup(void **state)
{
	struct decode_config cfg;

	(void)state;
	decode_config_defaults(&cfg);
	dec = decoder_new(&cfg);
	return dec ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	decoder_free(dec);
	return 0;
}

static const char payload[] = "220 mx.example.test ESMTP\r\n";

static size_t tcp_seg(void)
{
	struct tcp_spec t = {25, 40000, 1000, 2000, TCP_ACK | TCP_PSH,
			     payload, sizeof(payload) - 1, NULL, 0};

	return pb_tcp(l4, &t);
}

static size_t ip4(void)
{
	size_t n = tcp_seg();

	return pb_ipv4(l3, "192.0.2.25", "198.51.100.7", IPPROTO_TCP, l4, n,
		       NULL, 0, 7, 0x4000);
}

static size_t ip6(void)
{
	size_t n = tcp_seg();

	return pb_ipv6(l3, "2001:db8::25", "2001:db8::7", IPPROTO_TCP, l4, n);
}

static enum decode_status dec_frame(const uint8_t *b, size_t n, int dlt,
				    struct packet *p)
{
	struct capture_packet cp = pb_packet(b, n, dlt, 1000);

	return decode_packet(dec, &cp, p);
}

static void assert_smtp_segment(const struct packet *p, int ipver)
{
	assert_int_equal(p->ipver, ipver);
	assert_int_equal(p->sport, 25);
	assert_int_equal(p->dport, 40000);
	assert_int_equal(p->seq, 1000);
	assert_int_equal(p->ack, 2000);
	assert_int_equal(p->tcp_flags, TCP_ACK | TCP_PSH);
	assert_int_equal(p->payload_len, sizeof(payload) - 1);
	assert_int_equal(p->payload_wire, sizeof(payload) - 1);
	assert_memory_equal(p->payload, payload, sizeof(payload) - 1);
	if (ipver == 4) {
		static const uint8_t src[4] = {192, 0, 2, 25};

		assert_memory_equal(p->src, src, 4);
		assert_int_equal(p->src[4], 0);
	}
}

static uint64_t err_count(enum decode_error e)
{
	return decoder_stats(dec)->by_kind[e];
}

/* ---------------------------------------------------------------------- */

static void test_ethernet(void **state)
{
	struct packet p;
	size_t n = pb_eth(fr, 0x0800, l3, ip4());

	(void)state;
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_TCP);
	assert_smtp_segment(&p, 4);
	assert_int_equal(p.nvlan, 0);
	assert_int_equal(p.ip_len, n - 14);
}

static void test_ethernet_padding_ignored(void **state)
{
	struct packet p;
	struct tcp_spec t = {40000, 25, 5, 6, TCP_ACK, NULL, 0, NULL, 0};
	size_t n = pb_tcp(l4, &t);

	(void)state;
	n = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, l4, n, NULL, 0,
		    1, 0);
	n = pb_eth(fr, 0x0800, l3, n);
	memset(fr + n, 0xee, 60 - n); /* pad to the 60-byte minimum */
	assert_int_equal(dec_frame(fr, 60, DLT_EN10MB, &p), DECODE_TCP);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload_wire, 0);
}

static void test_vlan_and_qinq(void **state)
{
	struct packet p;
	size_t n = ip4();
	uint8_t tagged[PB_MAX];

	(void)state;
	/* outer 802.1ad tag 100, inner 802.1Q tag 200 */
	tagged[0] = 0x00; tagged[1] = 100; tagged[2] = 0x81; tagged[3] = 0x00;
	tagged[4] = 0x20; tagged[5] = 200; tagged[6] = 0x08; tagged[7] = 0x00;
	memcpy(tagged + 8, l3, n);
	n = pb_eth(fr, 0x88a8, tagged, n + 8);
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_TCP);
	assert_smtp_segment(&p, 4);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 100);
	assert_int_equal(p.vlan[1], 200);

	/* single 802.1Q tag with priority bits set */
	n = ip6();
	tagged[0] = 0xa0; tagged[1] = 0x2a; tagged[2] = 0x86; tagged[3] = 0xdd;
	memcpy(tagged + 4, l3, n);
	n = pb_eth(fr, 0x8100, tagged, n + 4);
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_TCP);
	assert_smtp_segment(&p, 6);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlan[0], 42);
}

static void test_mpls_and_pppoe(void **state)
{
	struct packet p;
	size_t n = ip4();
	uint8_t enc[PB_MAX];

	(void)state;
	/* two labels, the second with bottom-of-stack */
	memset(enc, 0, 8);
	enc[2] = 0x00;
	enc[6] = 0x01;
	memcpy(enc + 8, l3, n);
	n = pb_eth(fr, 0x8847, enc, n + 8);
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_TCP);
	assert_smtp_segment(&p, 4);

	n = ip6();
	memset(enc, 0, 8);
	enc[0] = 0x11;
	enc[6] = 0x00;
	enc[7] = 0x57; /* PPP: IPv6 */
	memcpy(enc + 8, l3, n);
	n = pb_eth(fr, 0x8864, enc, n + 8);
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_TCP);
	assert_smtp_segment(&p, 6);
}

static void test_linux_cooked(void **state)
{
	struct packet p;
	size_t n = ip4();

	(void)state;
	memset(fr, 0, 16);
	fr[14] = 0x08;
	fr[15] = 0x00;
	memcpy(fr + 16, l3, n);
	assert_int_equal(dec_frame(fr, n + 16, DLT_LINUX_SLL, &p), DECODE_TCP);
	assert_smtp_segment(&p, 4);

	n = ip6();
	memset(fr, 0, 20);
	fr[0] = 0x86;
	fr[1] = 0xdd;
	memcpy(fr + 20, l3, n);
	assert_int_equal(dec_frame(fr, n + 20, 276, &p), DECODE_TCP);
	assert_smtp_segment(&p, 6);
}

static void test_bsd_loopback(void **state)
{
	struct packet p;
	size_t n = ip4();

	(void)state;
	/* DLT_NULL, little-endian AF_INET */
	fr[0] = 2; fr[1] = 0; fr[2] = 0; fr[3] = 0;
	memcpy(fr + 4, l3, n);
	assert_int_equal(dec_frame(fr, n + 4, DLT_NULL, &p), DECODE_TCP);
	assert_smtp_segment(&p, 4);
	/* DLT_NULL written big-endian (other byte order), AF_INET */
	fr[0] = 0; fr[1] = 0; fr[2] = 0; fr[3] = 2;
	assert_int_equal(dec_frame(fr, n + 4, DLT_NULL, &p), DECODE_TCP);
	/* DLT_NULL, macOS AF_INET6 = 30, and FreeBSD 28 */
	n = ip6();
	memcpy(fr + 4, l3, n);
	fr[0] = 30; fr[1] = 0; fr[2] = 0; fr[3] = 0;
	assert_int_equal(dec_frame(fr, n + 4, DLT_NULL, &p), DECODE_TCP);
	assert_smtp_segment(&p, 6);
	fr[0] = 28;
	assert_int_equal(dec_frame(fr, n + 4, DLT_NULL, &p), DECODE_TCP);
	/* DLT_LOOP: network order, OpenBSD AF_INET6 = 24 */
	fr[0] = 0; fr[1] = 0; fr[2] = 0; fr[3] = 24;
	assert_int_equal(dec_frame(fr, n + 4, DLT_LOOP, &p), DECODE_TCP);
	assert_smtp_segment(&p, 6);
	/* an unknown family is not IP */
	fr[3] = 99;
	assert_int_equal(dec_frame(fr, n + 4, DLT_LOOP, &p), DECODE_OTHER);
}

static void test_raw_ip(void **state)
{
	struct packet p;
	size_t n = ip4();

	(void)state;
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_smtp_segment(&p, 4);
	assert_int_equal(dec_frame(l3, n, DLT_IPV4, &p), DECODE_TCP);
	n = ip6();
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_smtp_segment(&p, 6);
	assert_int_equal(dec_frame(l3, n, DLT_IPV6, &p), DECODE_TCP);
}

static void test_ipv4_options(void **state)
{
	/* record route (7) with room for 4 addresses, then NOP/EOL pad */
	static const uint8_t opts[20] = {7, 19, 4, 0};
	struct packet p;
	size_t n = tcp_seg();

	(void)state;
	n = pb_ipv4(l3, "192.0.2.25", "198.51.100.7", IPPROTO_TCP, l4, n, opts,
		    sizeof(opts), 3, 0);
	assert_int_equal(l3[0] & 0x0f, 10);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_smtp_segment(&p, 4);
}

static void test_ipv6_extension_headers(void **state)
{
	struct packet p;
	size_t tl = tcp_seg(), n;
	uint8_t chain[PB_MAX];

	(void)state;
	/* hop-by-hop (8) -> destination options (16) -> routing (24) -> TCP */
	memset(chain, 0, 48);
	chain[0] = 60;  chain[1] = 0;  chain[2] = 1; chain[3] = 4; /* PadN */
	chain[8] = 43;  chain[9] = 1;  chain[10] = 1; chain[11] = 12;
	chain[24] = IPPROTO_TCP; chain[25] = 2; chain[26] = 0; chain[27] = 0;
	memcpy(chain + 48, l4, tl);
	n = pb_ipv6(l3, "2001:db8::25", "2001:db8::7", 0, chain, 48 + tl);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_smtp_segment(&p, 6);

	/* an atomic fragment header is no fragmentation at all */
	memset(chain, 0, 8);
	chain[0] = IPPROTO_TCP;
	memcpy(chain + 8, l4, tl);
	n = pb_ipv6(l3, "2001:db8::25", "2001:db8::7", 44, chain, 8 + tl);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_smtp_segment(&p, 6);
}

static void test_ipv6_chain_too_long(void **state)
{
	struct packet p;
	uint8_t chain[8 * 20];
	size_t n;
	int i;
	uint64_t before = err_count(DERR_IPV6_EXT_CHAIN_TOO_LONG);

	(void)state;
	memset(chain, 0, sizeof(chain));
	for (i = 0; i < 20; i++)
		chain[i * 8] = 60; /* destination options, forever */
	n = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 60, chain,
		    sizeof(chain));
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_IPV6_EXT_CHAIN_TOO_LONG), before + 1);
}

static void test_tcp_options(void **state)
{
	static const uint8_t good[] = {
		2, 4, 0x05, 0xb4,              /* MSS 1460 */
		1, 3, 3, 7,                    /* NOP, WS 7 */
		4, 2,                          /* SACK permitted */
		8, 10, 0, 0, 0, 1, 0, 0, 0, 2, /* TS 1, 2 */
		5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40,
		0, 0,                          /* EOL + pad */
	};
	static const uint8_t bad[] = {1, 1, 2, 9, 0, 0, 0, 0}; /* MSS len 9 */
	struct tcp_spec t = {25, 40000, 1, 2, TCP_SYN | TCP_ACK, NULL, 0,
			     good, sizeof(good)};
	struct packet p;
	size_t n = pb_tcp(l4, &t);
	uint64_t before = decoder_stats(dec)->tcp_bad_options;

	(void)state;
	n = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, l4, n, NULL, 0,
		    1, 0);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_int_equal(p.opt.mss, 1460);
	assert_true(p.opt.has_wscale);
	assert_int_equal(p.opt.wscale, 7);
	assert_true(p.opt.sack_ok);
	assert_true(p.opt.has_ts);
	assert_int_equal(p.opt.tsval, 1);
	assert_int_equal(p.opt.tsecr, 2);
	assert_int_equal(p.opt.nsack, 2);
	assert_int_equal(p.opt.sack[1][0], 30);
	assert_int_equal(p.opt.sack[1][1], 40);
	assert_false(p.opt.malformed);

	t.opts = bad;
	t.optlen = sizeof(bad);
	n = pb_tcp(l4, &t);
	n = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, l4, n, NULL, 0,
		    1, 0);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_true(p.opt.malformed);
	assert_int_equal(decoder_stats(dec)->tcp_bad_options, before + 1);
}

static void test_damage_is_counted(void **state)
{
	struct packet p;
	size_t n = pb_eth(fr, 0x0800, l3, ip4());
	uint8_t save;

	(void)state;
	teardown(NULL);
	setup(NULL); /* fresh counters */
	assert_int_equal(dec_frame(fr, 10, DLT_EN10MB, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_LINK_TRUNCATED), 1);
	assert_int_equal(dec_frame(fr, 14 + 12, DLT_EN10MB, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_IPV4_TRUNCATED), 1);
	save = fr[14];
	fr[14] = 0x43; /* IHL 3 */
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_IPV4_BAD_HEADER_LEN), 1);
	fr[14] = 0x55; /* version 5 */
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_IP_BAD_VERSION), 1);
	fr[14] = save;
	fr[16] = 0xff; /* total length past the frame */
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_IPV4_BAD_TOTAL_LEN), 1);
	n = pb_eth(fr, 0x0800, l3, ip4());
	fr[14 + 20 + 12] = 0x30; /* TCP data offset 3 */
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_TCP_BAD_HEADER_LEN), 1);
	fr[14 + 20 + 12] = 0xf0; /* 60 bytes of header: past the segment */
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_TCP_BAD_HEADER_LEN), 2);
	/* a vlan tag cut short */
	fr[12] = 0x81;
	fr[13] = 0x00;
	assert_int_equal(dec_frame(fr, 16, DLT_EN10MB, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_VLAN_TRUNCATED), 1);
	/* IPv6 header cut */
	n = ip6();
	assert_int_equal(dec_frame(l3, 30, DLT_RAW, &p), DECODE_ERROR);
	assert_int_equal(err_count(DERR_IPV6_TRUNCATED), 1);
	assert_int_equal(decoder_stats(dec)->errors, 9);
}

/* The capture kept only the first bytes of a frame. */
static void test_snap_truncated(void **state)
{
	struct packet p;
	size_t n = pb_eth(fr, 0x0800, l3, ip4());
	struct capture_packet cp = pb_packet(fr, 14 + 20 + 20 + 4, DLT_EN10MB,
					     1);

	(void)state;
	cp.wirelen = (uint32_t)n;
	assert_int_equal(decode_packet(dec, &cp, &p), DECODE_TCP);
	assert_int_equal(p.payload_len, 4);
	assert_int_equal(p.payload_wire, sizeof(payload) - 1);
	/* a claimed length beyond even the wire length is damage */
	cp.wirelen = (uint32_t)n - 10;
	assert_int_equal(decode_packet(dec, &cp, &p), DECODE_ERROR);
}

/* Segmentation offload: IPv4 total length 0 on the capturing host. */
static void test_offload_zero_length(void **state)
{
	struct packet p;
	size_t n = ip4();

	(void)state;
	l3[2] = l3[3] = 0;
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_smtp_segment(&p, 4);
}

static void test_not_tcp(void **state)
{
	struct packet p;
	size_t n;
	uint64_t udp = decoder_stats(dec)->udp;
	uint64_t nonip = decoder_stats(dec)->non_ip;

	(void)state;
	memset(l4, 0, 8);
	n = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, l4, 8, NULL, 0,
		    1, 0);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_OTHER);
	assert_int_equal(decoder_stats(dec)->udp, udp + 1);
	n = pb_eth(fr, 0x0806, l4, 28); /* ARP */
	assert_int_equal(dec_frame(fr, n, DLT_EN10MB, &p), DECODE_OTHER);
	assert_int_equal(decoder_stats(dec)->non_ip, nonip + 1);
	assert_false(decode_linktype_supported(105)); /* 802.11 */
	assert_true(decode_linktype_supported(DLT_LINUX_SLL));
}

/* A TCP segment in three IPv4 fragments, sent last first. */
static void test_ipv4_fragments(void **state)
{
	static uint8_t big[1500];
	struct tcp_spec t = {40000, 25, 77, 88, TCP_ACK, big, sizeof(big),
			     NULL, 0};
	struct packet p;
	size_t tl, n, i;
	size_t cut[4] = {0, 512, 1024, 0};
	uint64_t reasm = decoder_frag_stats(dec)->reassembled;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	tl = pb_tcp(l4, &t);
	cut[3] = tl;
	for (i = 3; i > 0; i--) {
		size_t a = cut[i - 1], b = cut[i];
		uint16_t frag = (uint16_t)(a / 8) | (i < 3 ? 0x2000 : 0);
		enum decode_status st;

		n = pb_ipv4(l3, "192.0.2.1", "192.0.2.2", IPPROTO_TCP, l4 + a,
			    b - a, NULL, 0, 4242, frag);
		st = dec_frame(l3, n, DLT_RAW, &p);
		if (i > 1) {
			assert_int_equal(st, DECODE_HELD);
		} else {
			assert_int_equal(st, DECODE_TCP);
		}
		/* l4 was moved by pb_ipv4: rebuild it */
		tl = pb_tcp(l4, &t);
	}
	assert_true(p.reassembled);
	assert_int_equal(p.dport, 25);
	assert_int_equal(p.payload_len, sizeof(big));
	assert_memory_equal(p.payload, big, sizeof(big));
	assert_int_equal(decoder_frag_stats(dec)->reassembled, reasm + 1);
}

static void test_ipv6_fragments(void **state)
{
	static uint8_t big[1200];
	struct tcp_spec t = {40000, 25, 77, 88, TCP_ACK, big, sizeof(big),
			     NULL, 0};
	struct packet p;
	uint8_t fh[PB_MAX];
	size_t tl, n;

	(void)state;
	memset(big, 'q', sizeof(big));
	tl = pb_tcp(l4, &t);
	/* second half first */
	memset(fh, 0, 8);
	fh[0] = IPPROTO_TCP;
	fh[2] = (uint8_t)((608 >> 8) & 0xff);
	fh[3] = (uint8_t)(608 & 0xf8); /* offset 608, M=0 */
	fh[7] = 9;
	memcpy(fh + 8, l4 + 608, tl - 608);
	n = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 44, fh, 8 + tl - 608);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_HELD);
	tl = pb_tcp(l4, &t);
	fh[2] = 0;
	fh[3] = 1; /* offset 0, M=1 */
	memcpy(fh + 8, l4, 608);
	n = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 44, fh, 8 + 608);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_true(p.reassembled);
	assert_int_equal(p.ipver, 6);
	assert_int_equal(p.payload_len, sizeof(big));
}

/* RFC 8200 order: Fragment, then Destination Options, then TCP: the
 * options are inside the rebuilt part and must be walked there. */
static void test_ipv6_fragments_then_options(void **state)
{
	struct tcp_spec t = {40000, 25, 5, 6, TCP_ACK, payload,
			     sizeof(payload) - 1, NULL, 0};
	struct packet p;
	uint8_t part[PB_MAX], fh[PB_MAX];
	size_t tl, whole, n, half;

	(void)state;
	tl = pb_tcp(l4, &t);
	memset(part, 0, 8);
	part[0] = IPPROTO_TCP; /* destination options, 8 bytes */
	memcpy(part + 8, l4, tl);
	whole = 8 + tl;
	half = 24;
	memset(fh, 0, 8);
	fh[0] = 60;
	fh[3] = 1; /* offset 0, more */
	fh[7] = 77;
	memcpy(fh + 8, part, half);
	n = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 44, fh, 8 + half);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_HELD);
	fh[2] = (uint8_t)(half >> 8);
	fh[3] = (uint8_t)(half & 0xf8); /* offset 24, last */
	memcpy(fh + 8, part + half, whole - half);
	n = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 44, fh,
		    8 + whole - half);
	assert_int_equal(dec_frame(l3, n, DLT_RAW, &p), DECODE_TCP);
	assert_true(p.reassembled);
	assert_int_equal(p.dport, 25);
	assert_int_equal(p.payload_len, sizeof(payload) - 1);
	assert_memory_equal(p.payload, payload, sizeof(payload) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet),
		cmocka_unit_test(test_ethernet_padding_ignored),
		cmocka_unit_test(test_vlan_and_qinq),
		cmocka_unit_test(test_mpls_and_pppoe),
		cmocka_unit_test(test_linux_cooked),
		cmocka_unit_test(test_bsd_loopback),
		cmocka_unit_test(test_raw_ip),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_ipv6_chain_too_long),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_damage_is_counted),
		cmocka_unit_test(test_snap_truncated),
		cmocka_unit_test(test_offload_zero_length),
		cmocka_unit_test(test_not_tcp),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_ipv6_fragments_then_options),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
