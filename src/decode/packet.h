/*
 * The packet view: what decoding found in one captured frame, as borrowed
 * pointers into the capture buffer (or into the fragment reassembler's
 * buffer). Valid until the next decode call. Nothing in it is owned.
 */
#ifndef SMTPSCOPE_DECODE_PACKET_H
#define SMTPSCOPE_DECODE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define PACKET_MAX_VLAN 2
#define TCP_MAX_SACK 4

struct tcp_options {
	uint16_t mss;     /* 0 when absent */
	uint8_t wscale;   /* valid when has_wscale */
	bool has_wscale;
	bool sack_ok;
	bool has_ts;
	bool malformed;   /* an option ran past the header or had a bad length */
	uint8_t nsack;
	uint32_t tsval, tsecr;
	uint32_t sack[TCP_MAX_SACK][2]; /* left, right edges */
};

struct packet {
	int64_t ts_ns;
	uint32_t wirelen;     /* frame length on the wire */
	uint32_t ip_len;      /* IP packet length (header and payload) */
	uint8_t ipver;        /* 4 or 6 */
	uint8_t l4proto;      /* IPPROTO_TCP, ... */
	uint8_t nvlan;
	bool reassembled;     /* rebuilt from IP fragments */
	uint16_t vlan[PACKET_MAX_VLAN]; /* outer first */
	uint8_t src[16];      /* IPv4: first 4 bytes, the rest zero */
	uint8_t dst[16];

	/* TCP only */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t window;
	uint8_t tcp_flags;
	struct tcp_options opt;
	const uint8_t *payload;
	uint32_t payload_len;  /* bytes captured */
	uint32_t payload_wire; /* bytes the segment carried (>= payload_len
				  when the capture cut the frame short) */
};

#endif
