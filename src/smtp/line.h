/*
 * Byte-exact line framing for SMTP commands and replies.
 *
 * A line ends at LF, as every common server reads it; what preceded the
 * LF is kept as the terminator class (CRLF, CR CR LF, or a bare LF), never
 * normalised away, because servers disagree on bare LF and CR and that
 * disagreement is the smuggling attack surface (DETECTIONS.md F-2). A CR
 * that is not part of the terminator stays in the line and is flagged, as
 * are NUL bytes.
 *
 * The framer owns a buffer for a line split across chunks; a line that
 * lies whole inside the caller's chunk is handed out without a copy. A line
 * longer than the framer's maximum keeps its first `max` bytes, is marked
 * truncated and reports its full length. Lines handed out are borrowed:
 * valid until the next call.
 */
#ifndef SMTPSCOPE_SMTP_LINE_H
#define SMTPSCOPE_SMTP_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum line_eol {
	EOL_CRLF,
	EOL_LF,     /* bare LF */
	EOL_CRCRLF, /* CR CR LF */
	EOL_NONE,   /* cut off: the stream ended or broke mid-line */
};

const char *line_eol_name(enum line_eol e);

struct line {
	const uint8_t *p;  /* content without the terminator */
	uint32_t len;
	uint64_t full_len; /* content length on the wire (> len if cut) */
	enum line_eol eol;
	bool truncated;    /* longer than the framer's maximum */
	bool bare_cr;      /* a CR inside the content */
	bool nul;          /* a NUL inside the content */
};

struct line_framer {
	uint8_t *buf;
	uint32_t len;      /* bytes held (<= max) */
	uint32_t cap;
	uint32_t max;
	uint64_t full;     /* bytes of the current line so far, all of them */
	uint8_t last[2];   /* last two content bytes seen, even if not kept */
	bool skipping;     /* dropping input up to the next LF (after a gap) */
};

void line_framer_init(struct line_framer *f, uint32_t max);
void line_framer_free(struct line_framer *f);

/*
 * Take the next line from p[0..n). Returns true with *out set when a line
 * ended; *used says how many bytes of p were consumed (the line and its
 * LF). Returns false when all of p went into the partial line.
 */
bool line_next(struct line_framer *f, const uint8_t *p, size_t n,
	       size_t *used, struct line *out);

/* The partial line held, as a line cut off (EOL_NONE); false if none. */
bool line_flush(struct line_framer *f, struct line *out);

/* Forget the partial line and drop input up to the next LF (a gap broke
 * the line). */
void line_resync(struct line_framer *f);

/* Discard any partial line without resync. */
void line_reset(struct line_framer *f);

#endif
