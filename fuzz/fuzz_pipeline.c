/*
 * Fuzz target: decode + flows + TCP reassembly + session records.
 *
 * The input is a list of records, each either
 *   0x00 DLT LEN(2) BYTES       a raw frame of link type DLT (chosen from
 *                               the supported list), decoded as captured;
 *   0x01 SEL SEQ(4) ACK(2) DT LEN(2) BYTES
 *                               a TCP segment built around BYTES on one of
 *                               four connections: SEL picks connection,
 *                               direction, flags and IP fragmentation; SEQ
 *                               and ACK are offsets from fixed ISNs, so
 *                               segments land near each other and the
 *                               reassembler's hard cases (overlaps, holes,
 *                               wraparound, caps) come up often.
 * DT advances capture time (large values trigger timeouts). Caps are set
 * small so eviction and forced gaps are reached too. The SMTP consumer
 * asserts that it received exactly the bytes the flow layer counts.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <netinet/in.h>
#include <pcap/dlt.h>

#include "core/log.h"
#include "decode/packet.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {DLT_EN10MB, DLT_RAW, DLT_NULL, DLT_LOOP,
			   DLT_LINUX_SLL, 276, 228, 229};

static uint8_t frame[70000];

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Ethernet + IPv4 header for an l4 payload already at frame+34. */
static size_t ip_frame(uint32_t conn, bool c2s, size_t l4len, uint16_t frag,
		       uint16_t id)
{
	uint8_t *ip = frame + 14;
	uint8_t a = (uint8_t)(1 + conn), b = 100;

	memset(frame, 0, 14);
	frame[12] = 0x08;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint32_t)(20 + l4len));
	put16(ip + 4, id);
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	ip[12] = 10;
	ip[15] = c2s ? a : b;
	ip[16] = 10;
	ip[19] = c2s ? b : a;
	return 14 + 20 + l4len;
}

static void feed(struct pipeline *p, const uint8_t *buf, size_t len, int dlt,
		 int64_t ts)
{
	struct capture_packet cp = {ts, buf, (uint32_t)len, (uint32_t)len,
				    dlt};

	pipeline_packet(p, &cp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct out_writer *out;
	static bool init;
	struct pipeline_config cfg;
	struct pipeline *p;
	int64_t ts = 1700000000LL * 1000000000LL;
	size_t i = 0;
	char err[128];

	if (!init) {
		init = true;
		log_set_quiet(1);
		out = out_open("/dev/null", err, sizeof(err));
		if (!out)
			return 0;
	}
	if (!out)
		return 0;
	pipeline_config_defaults(&cfg);
	cfg.flow.max_flows = 6;
	cfg.flow.memory_cap = 96 * 1024;
	cfg.flow.idle_timeout_ns = 5LL * 1000000000LL;
	cfg.flow.close_timeout_ns = 1000000000LL;
	cfg.flow.reasm.ooo_max = 8192;
	cfg.flow.reasm.hist_size = 512;
	cfg.decode.frag.max_datagrams = 4;
	cfg.decode.frag.timeout_ns = 2LL * 1000000000LL;
	p = pipeline_new(&cfg, out);
	if (!p)
		return 0;

	while (i < size) {
		uint8_t kind = data[i++];

		if ((kind & 1) == 0) {
			size_t len;

			if (i + 3 > size)
				break;
			int dlt = dlts[data[i] % (sizeof(dlts) / sizeof(dlts[0]))];
			len = (size_t)((data[i + 1] << 8) | data[i + 2]);
			i += 3;
			if (len > size - i)
				len = size - i;
			ts += 1000;
			feed(p, data + i, len, dlt, ts);
			i += len;
		} else {
			uint8_t sel;
			uint32_t seq, conn, isn[2] = {0xfffffc00u, 0x10000000u};
			uint16_t ack, len;
			bool c2s;
			uint8_t flags;
			uint8_t *tcp = frame + 34;
			size_t n;

			if (i + 10 > size)
				break;
			sel = data[i];
			seq = ((uint32_t)data[i + 1] << 24) |
			      ((uint32_t)data[i + 2] << 16) |
			      ((uint32_t)data[i + 3] << 8) | data[i + 4];
			ack = (uint16_t)((data[i + 5] << 8) | data[i + 6]);
			ts += (int64_t)data[i + 7] * 50000000LL; /* 50 ms */
			len = (uint16_t)(((data[i + 8] << 8) | data[i + 9]) %
					 1600);
			i += 10;
			if (len > size - i)
				len = (uint16_t)(size - i);
			conn = sel & 3;
			c2s = (sel & 4) == 0;
			/* Mostly small offsets: near the stream. */
			if (!(sel & 0x80))
				seq &= 0x3fff;
			flags = TCP_ACK;
			switch ((sel >> 3) & 7) {
			case 0: flags = TCP_SYN; break;
			case 1: flags = TCP_SYN | TCP_ACK; break;
			case 2: flags |= TCP_FIN; break;
			case 3: flags = TCP_RST; break;
			default: break;
			}
			memset(tcp, 0, 20);
			put16(tcp, c2s ? 40000 + conn : 25);
			put16(tcp + 2, c2s ? 25 : 40000 + conn);
			put32(tcp + 4, isn[!c2s] + seq);
			put32(tcp + 8, isn[c2s] + ack);
			tcp[12] = 0x50;
			tcp[13] = flags;
			memcpy(tcp + 20, data + i, len);
			i += len;
			n = 20u + len;
			if ((sel & 0x40) && n > 16) {
				/* two IPv4 fragments, second one first */
				size_t cut = ((n / 2) + 7) & ~(size_t)7;
				static uint8_t whole[2000];
				uint16_t id = (uint16_t)(ts >> 10);

				memcpy(whole, tcp, n);
				memmove(frame + 34, whole + cut, n - cut);
				feed(p, frame,
				     ip_frame(conn, c2s, n - cut,
					      (uint16_t)(cut / 8), id),
				     DLT_EN10MB, ts);
				memcpy(frame + 34, whole, cut);
				feed(p, frame,
				     ip_frame(conn, c2s, cut, 0x2000, id),
				     DLT_EN10MB, ts);
			} else {
				feed(p, frame, ip_frame(conn, c2s, n, 0, 1),
				     DLT_EN10MB, ts);
			}
		}
	}
	pipeline_free(p);
	return 0;
}
