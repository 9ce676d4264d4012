#include "capture/source.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/log.h"

/* A record longer than this is damage, whatever the file header claims
 * (libpcap's own ceiling for the largest link types is 256 KiB). */
#define CAPTURE_MAX_RECORD (256u * 1024u)
/* Read in large pieces: one system call (or zlib call) per megabyte. */
#define CAPTURE_IOBUF (1u << 20)
/* How far past a damaged record to look for the next good one. */
#define CAPTURE_RESYNC_WINDOW (64u * 1024u * 1024u)
/* A pcapng block longer than this is not believed. */
#define PCAPNG_MAX_BLOCK (16u * 1024u * 1024u)

enum file_format { FMT_UNKNOWN, FMT_PCAP, FMT_PCAPNG };

struct capture_source {
	char *path;
	pcap_t *pcap;
	FILE *fp;       /* handed to libpcap, closed by pcap_close */
	gzFile gz;      /* when reading through zlib (stdin or .gz) */
	int fd;         /* plain files: our own descriptor for resync reads */
	char *iobuf;    /* stdio buffer of fp (glibc ignores a size without
			   one); freed after fp is closed */
	bool seekable;  /* plain regular file: resync possible */
	enum file_format fmt;
	bool swapped;   /* file byte order differs from ours */
	bool nano;      /* pcap with nanosecond record timestamps */
	uint32_t snaplen;
	uint64_t size;
	uint64_t rec_start; /* file offset where the next record starts */
	uint64_t consumed;  /* bytes read through the gzip layer */
	bool warned_snap;   /* said that records exceed the snapshot length */
	int64_t last_ts_sec;
	int linktype;
	struct capture_stats stats;
	bool done;
};

/* ---- the stream libpcap reads --------------------------------------------
 *
 * libpcap reads a stdio stream. We give it one of our own (a cookie stream)
 * over read(2) for plain files or zlib for gzip and standard input (zlib
 * passes uncompressed data through), so that the position of the stream
 * is known without a system call per packet, and seeking (for resync)
 * stays ours.
 */

static ssize_t src_read(void *cookie, char *buf, size_t size)
{
	struct capture_source *s = cookie;
	ssize_t n;

	if (s->gz) {
		if (size > (1u << 30))
			size = 1u << 30;
		n = gzread(s->gz, buf, (unsigned)size);
	} else {
		do
			n = read(s->fd, buf, size);
		while (n < 0 && errno == EINTR);
	}
	if (n < 0)
		return -1;
	s->consumed += (uint64_t)n;
	return n;
}

static int src_seek(void *cookie, off64_t *offset, int whence)
{
	struct capture_source *s = cookie;

	if (whence == SEEK_CUR && *offset == 0) {
		*offset = (off64_t)s->consumed;
		return 0;
	}
	if (whence == SEEK_SET && s->seekable && *offset >= 0 &&
	    lseek(s->fd, *offset, SEEK_SET) == *offset) {
		s->consumed = (uint64_t)*offset;
		return 0;
	}
	errno = ESPIPE;
	return -1;
}

static int src_close(void *cookie)
{
	struct capture_source *s = cookie;
	int rc = 0;

	if (s->gz)
		rc = gzclose(s->gz) == Z_OK ? 0 : -1;
	s->gz = NULL;
	return rc; /* s->fd is closed by capture_close() */
}

static bool open_stream(struct capture_source *s, bool gzip)
{
	cookie_io_functions_t io = {
		.read = src_read, .seek = src_seek, .close = src_close};

	if (gzip) {
		int fd = dup(s->fd);

		s->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
		if (!s->gz) {
			if (fd >= 0)
				close(fd);
			return false;
		}
		gzbuffer(s->gz, 256 * 1024);
	}
	s->fp = fopencookie(s, "rb", io);
	if (!s->fp) {
		if (s->gz)
			gzclose(s->gz);
		s->gz = NULL;
		return false;
	}
	s->iobuf = malloc(CAPTURE_IOBUF);
	if (s->iobuf)
		setvbuf(s->fp, s->iobuf, _IOFBF, CAPTURE_IOBUF);
	return true;
}

/* ---- file header knowledge used by resync ----------------------------- */

static uint32_t rd32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

static void sniff_header(struct capture_source *s, const uint8_t *h, size_t n)
{
	uint32_t magic;

	if (n < 12)
		return;
	memcpy(&magic, h, 4);
	switch (magic) {
	case 0xa1b2c3d4: s->fmt = FMT_PCAP; break;
	case 0xd4c3b2a1: s->fmt = FMT_PCAP; s->swapped = true; break;
	case 0xa1b23c4d: s->fmt = FMT_PCAP; s->nano = true; break;
	case 0x4d3cb2a1:
		s->fmt = FMT_PCAP;
		s->nano = true;
		s->swapped = true;
		break;
	case 0x0a0d0d0a: {
		uint32_t bom;

		s->fmt = FMT_PCAPNG;
		memcpy(&bom, h + 8, 4);
		s->swapped = bom == 0x4d3c2b1a;
		break;
	}
	default: break;
	}
	if (s->fmt == FMT_PCAP && n >= 24)
		s->snaplen = rd32(h + 16, s->swapped);
}

/* Is there a believable classic pcap record header at buf[0..16)? */
static bool pcap_hdr_plausible(const struct capture_source *s,
			       const uint8_t *b)
{
	uint32_t sec = rd32(b, s->swapped);
	uint32_t frac = rd32(b + 4, s->swapped);
	uint32_t cap = rd32(b + 8, s->swapped);
	uint32_t orig = rd32(b + 12, s->swapped);
	/* Not the header's snapshot length: files exist whose records are
	 * longer than it (libpcap then keeps only the first part). */
	uint32_t maxcap = CAPTURE_MAX_RECORD;
	int64_t dt = (int64_t)sec - s->last_ts_sec;

	if (frac >= (s->nano ? 1000000000u : 1000000u))
		return false;
	if (cap == 0 || cap > maxcap || orig < cap)
		return false;
	/* Records of one capture lie within days of each other. */
	if (s->last_ts_sec && (dt < -86400 || dt > 30 * 86400))
		return false;
	return true;
}

static bool pcapng_block_plausible(const struct capture_source *s,
				   const uint8_t *buf, size_t have,
				   uint64_t off, uint32_t *blen)
{
	uint32_t type = rd32(buf, s->swapped);
	uint32_t len = rd32(buf + 4, s->swapped);
	uint8_t tail[4];

	/* Packet-carrying and statistics blocks only. */
	if (type != 6 && type != 3 && type != 2 && type != 5 && type != 4)
		return false;
	if (len < 12 || len % 4 || len > PCAPNG_MAX_BLOCK)
		return false;
	if (off + len > s->size)
		return false;
	if ((uint64_t)len <= have) {
		memcpy(tail, buf + len - 4, 4);
	} else if (pread(s->fd, tail, 4, (off_t)(off + len - 4)) != 4) {
		return false;
	}
	*blen = len;
	return rd32(tail, s->swapped) == len;
}

/*
 * Find the next good record at or after from. Returns its offset, or
 * UINT64_MAX when none is found in the window.
 */
static uint64_t resync_scan(struct capture_source *s, uint64_t from)
{
	enum { CHUNK = 1u << 20 };
	uint8_t *buf = malloc(CHUNK + 32);
	uint64_t off = from;
	uint64_t limit = from + CAPTURE_RESYNC_WINDOW;
	uint64_t found = UINT64_MAX;

	if (!buf)
		return UINT64_MAX;
	if (limit > s->size)
		limit = s->size;
	while (off + 16 <= limit && found == UINT64_MAX) {
		ssize_t n = pread(s->fd, buf, CHUNK + 32, (off_t)off);
		size_t i;

		if (n < 16)
			break;
		for (i = 0; i + 16 <= (size_t)n && off + i < limit; i++) {
			uint64_t at = off + i;

			if (s->fmt == FMT_PCAP) {
				uint8_t next[16];
				uint64_t nxt;

				if (!pcap_hdr_plausible(s, buf + i))
					continue;
				nxt = at + 16 + rd32(buf + i + 8, s->swapped);
				if (nxt == s->size) {
					found = at;
					break;
				}
				if (nxt + 16 > s->size ||
				    pread(s->fd, next, 16, (off_t)nxt) != 16)
					continue;
				if (pcap_hdr_plausible(s, next)) {
					found = at;
					break;
				}
			} else {
				uint32_t blen;

				if (at % 4 == 0 &&
				    pcapng_block_plausible(s, buf + i,
							   (size_t)n - i, at,
							   &blen)) {
					found = at;
					break;
				}
			}
		}
		off += CHUNK;
	}
	free(buf);
	return found;
}

/* ---- open / close ------------------------------------------------------ */

struct capture_source *capture_open(const char *path, char *err,
				    size_t errlen)
{
	struct capture_source *s = calloc(1, sizeof(*s));
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	const char *shown = strcmp(path, "-") == 0 ? "(standard input)" : path;
	uint8_t head[24];
	ssize_t hn = 0;
	struct stat st;

	if (!s) {
		snprintf(err, errlen, "%s: out of memory", shown);
		return NULL;
	}
	s->fd = -1;
	s->path = strdup(shown);
	if (!s->path)
		goto fail_mem;

	if (strcmp(path, "-") == 0) {
		s->fd = dup(STDIN_FILENO);
		if (s->fd < 0 || !open_stream(s, true)) {
			snprintf(err, errlen, "%s: cannot read: %s", shown,
				 strerror(errno));
			goto fail;
		}
	} else {
		bool gzip;

		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			snprintf(err, errlen, "%s: cannot open: %s", shown,
				 strerror(errno));
			goto fail;
		}
		if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: is a directory", shown);
			goto fail;
		}
		if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode))
			s->size = (uint64_t)st.st_size;
		hn = pread(s->fd, head, sizeof(head), 0);
		gzip = hn >= 2 && head[0] == 0x1f && head[1] == 0x8b;
		if (!gzip) {
			s->seekable = s->size > 0;
			if (hn > 0)
				sniff_header(s, head, (size_t)hn);
		}
		if (!open_stream(s, gzip)) {
			snprintf(err, errlen, "%s: cannot read: %s", shown,
				 strerror(errno));
			goto fail;
		}
	}

	s->pcap = pcap_fopen_offline_with_tstamp_precision(
		s->fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!s->pcap) {
		bool is_stdin = strcmp(path, "-") == 0;

		if (!is_stdin && s->size == 0 && hn == 0)
			snprintf(err, errlen, "%s: empty file, not a capture",
				 shown);
		else if (is_stdin && s->consumed == 0)
			snprintf(err, errlen, "%s: empty input, not a capture",
				 shown);
		else
			snprintf(err, errlen,
				 "%s: not a readable pcap or pcapng capture "
				 "(libpcap: %s)",
				 shown, errbuf);
		fclose(s->fp);
		s->fp = NULL;
		goto fail;
	}
	s->linktype = pcap_datalink(s->pcap);
	{
		off_t pos = ftello(s->fp);

		s->rec_start = pos > 0 ? (uint64_t)pos : 0;
	}
	return s;

fail_mem:
	snprintf(err, errlen, "%s: out of memory", shown);
fail:
	capture_close(s);
	return NULL;
}

void capture_close(struct capture_source *src)
{
	if (!src)
		return;
	if (src->pcap)
		pcap_close(src->pcap); /* closes fp (and gz via the cookie) */
	else if (src->fp)
		fclose(src->fp);
	if (src->fd >= 0)
		close(src->fd);
	free(src->iobuf);
	free(src->path);
	free(src);
}

/* ---- reading ------------------------------------------------------------ */

/*
 * Where the next record starts (for messages and resync), from the
 * stream position. A classic pcap record that took more file bytes than
 * libpcap handed over was cut to the file's snapshot length.
 */
static void note_position(struct capture_source *s, uint32_t caplen)
{
	off_t pos;

	/* A pcap record shorter than the snapshot length was not cut: its
	 * size on file is known without asking the stream. */
	if (s->fmt == FMT_PCAP && s->snaplen && caplen < s->snaplen &&
	    !s->gz) {
		s->rec_start += 16u + caplen;
		return;
	}
	pos = ftello(s->fp);

	if (pos < 0)
		return;
	if (s->fmt == FMT_PCAP && !s->warned_snap &&
	    (uint64_t)pos > s->rec_start + 16u + caplen) {
		s->warned_snap = true;
		log_warn("%s: records are longer than the file's snapshot "
			 "length (%u bytes); libpcap keeps only the first %u "
			 "bytes of each, the rest counts as missing",
			 s->path, (unsigned)s->snaplen, (unsigned)s->snaplen);
	}
	s->rec_start = (uint64_t)pos;
}

static const char *offset_kind(const struct capture_source *s)
{
	return s->gz && !gzdirect(s->gz) ? "uncompressed byte offset"
					  : "byte offset";
}

static bool is_truncation(const char *msg)
{
	return strstr(msg, "truncated") != NULL;
}

int capture_next(struct capture_source *s, struct capture_packet *pkt)
{
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc;
		const char *msg;
		uint64_t bad_at, resume;

		if (s->done)
			return 0;
		rc = pcap_next_ex(s->pcap, &h, &data);
		if (rc == 1) {
			pkt->ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL +
				     (int64_t)h->ts.tv_usec;
			pkt->data = data;
			pkt->caplen = h->caplen;
			pkt->wirelen = h->len;
			pkt->linktype = s->linktype;
			s->last_ts_sec = (int64_t)h->ts.tv_sec;
			s->stats.packets++;
			note_position(s, h->caplen);
			return 1;
		}
		if (rc == PCAP_ERROR_BREAK) {
			s->done = true;
			return 0;
		}
		/* rc == PCAP_ERROR: a damaged or truncated record. */
		msg = pcap_geterr(s->pcap);
		bad_at = s->rec_start;
		resume = UINT64_MAX;
		if (s->seekable && s->fmt != FMT_UNKNOWN)
			resume = resync_scan(s, bad_at + 1);
		if (resume == UINT64_MAX && is_truncation(msg)) {
			log_warn("%s: truncated at %s %llu (%s); the partial "
				 "last record is ignored",
				 s->path, offset_kind(s),
				 (unsigned long long)bad_at, msg);
			s->stats.truncated = true;
			s->done = true;
			return 0;
		}
		s->stats.damaged++;
		if (resume == UINT64_MAX ||
		    fseeko(s->fp, (off_t)resume, SEEK_SET) != 0) {
			log_warn("%s: damaged record at %s %llu (%s); %s, the "
				 "rest is not read",
				 s->path, offset_kind(s),
				 (unsigned long long)bad_at, msg,
				 s->seekable ? "no good record found after it"
					     : "this input cannot be searched");
			s->stats.stopped_on_damage = true;
			s->done = true;
			return 0;
		}
		log_warn("%s: damaged record at byte offset %llu (%s); skipped "
			 "%llu bytes, resumed at offset %llu",
			 s->path, (unsigned long long)bad_at, msg,
			 (unsigned long long)(resume - bad_at),
			 (unsigned long long)resume);
		s->stats.bytes_skipped += resume - bad_at;
		s->rec_start = resume;
	}
}

int capture_linktype(const struct capture_source *s) { return s->linktype; }
const char *capture_path(const struct capture_source *s) { return s->path; }
uint64_t capture_size(const struct capture_source *s) { return s->size; }

uint64_t capture_offset(const struct capture_source *s)
{
	if (s->gz)
		return s->size ? (uint64_t)gzoffset(s->gz) : s->consumed;
	return s->rec_start;
}

const struct capture_stats *capture_stats(const struct capture_source *s)
{
	return &s->stats;
}
