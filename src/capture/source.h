/*
 * Capture sources: pcap and pcapng files (plain or gzip-compressed) and
 * standard input, read through libpcap.
 *
 * A source hands out one packet at a time as a borrowed view into
 * libpcap's buffer, valid until the next capture_next() call - no copy,
 * no allocation per packet.
 *
 * Damaged files: when libpcap stops on a corrupt record in a plain,
 * seekable file, the source looks for the next plausible record (two
 * consecutive sane headers for pcap, a block whose leading and trailing
 * lengths agree for pcapng), warns with the byte offsets, and goes on
 * from there. A truncated last record ends the file with a warning.
 * Streams that cannot seek (stdin, gzip) stop at the first damage.
 */
#ifndef SMTPSCOPE_CAPTURE_SOURCE_H
#define SMTPSCOPE_CAPTURE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture_source;

struct capture_packet {
	int64_t ts_ns;
	const uint8_t *data; /* borrowed; valid until the next call */
	uint32_t caplen;
	uint32_t wirelen;
	int linktype; /* DLT_* value of the interface it came from */
};

struct capture_stats {
	uint64_t packets;
	uint64_t damaged;       /* corrupt regions skipped or stopped at */
	uint64_t bytes_skipped; /* file bytes jumped over by resync */
	bool truncated;         /* ended in a partial record */
	bool stopped_on_damage; /* could not resync; rest of file unread */
};

/*
 * Open a capture file, or standard input when path is "-". On failure
 * writes a message naming the file to err and returns NULL.
 */
struct capture_source *capture_open(const char *path, char *err,
				    size_t errlen);
void capture_close(struct capture_source *src);

/* 1: a packet in *pkt; 0: end of input (after any warnings). */
int capture_next(struct capture_source *src, struct capture_packet *pkt);

/* Link type of the first interface, and its name ("EN10MB"). */
int capture_linktype(const struct capture_source *src);
const char *capture_path(const struct capture_source *src);
/* Bytes of the file consumed so far and its size (0 when unknown). */
uint64_t capture_offset(const struct capture_source *src);
uint64_t capture_size(const struct capture_source *src);
const struct capture_stats *capture_stats(const struct capture_source *src);

#endif
