/*
 * The DATA phase, read two ways at once (DETECTIONS.md F-3).
 *
 * Strict (RFC 5321 4.1.1.4, 4.5.2): the message ends at CR LF "." CR LF;
 * a line that starts with "." loses that dot. This view drives the
 * transaction: the message bytes it yields (after unstuffing) go to the
 * body callback, and its end is the end of DATA.
 *
 * Lenient: every other dot that a lax server could take as the end - a
 * "." between CR/LF/CRLF/CR CR LF on either side, with or without a NUL
 * next to it - is reported as a candidate with its raw offset, so the
 * smuggling detections can see what a lax server would have done. The
 * strict terminator itself is not a candidate; neither is a dot-stuffed
 * line.
 *
 * Also counted: bare LF, bare CR and NUL bytes, and the longest
 * line. State survives any split of the input: feed it one byte at a time
 * and the events are the same. Nothing allocates.
 */
#ifndef SMTPSCOPE_SMTP_DATA_H
#define SMTPSCOPE_SMTP_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eod_side {
	EOD_SIDE_CRLF,
	EOD_SIDE_LF,
	EOD_SIDE_CR,
	EOD_SIDE_CRCRLF,
};

struct eod_candidate {
	uint64_t offset;   /* raw offset (in the DATA bytes) of the dot */
	uint64_t end;      /* raw offset just after the right side */
	uint8_t left;      /* enum eod_side */
	uint8_t right;
	bool nul;          /* a NUL beside the dot */
	char seq[24];      /* the bytes, escaped: "\\n.\\r\\n" */
};

struct data_scan;
typedef void (*data_body_fn)(void *ctx, const uint8_t *p, size_t n);
typedef void (*data_candidate_fn)(void *ctx, const struct eod_candidate *c);

struct data_scan {
	data_body_fn body;
	data_candidate_fn candidate;
	void *ctx;

	uint8_t st;        /* strict state */
	bool done;         /* the strict terminator was read */
	uint64_t raw;      /* raw bytes read */
	uint64_t msg;      /* message bytes handed on (unstuffed) */
	uint64_t eod_dot;  /* raw offset of the terminator's dot, once done */
	uint64_t gap_bytes;

	uint32_t hist;     /* last four raw bytes, newest in the low byte */
	bool pend;         /* a dot waiting for its right side */
	bool pend_nul;
	uint8_t pend_left;
	uint8_t nr;
	uint8_t r[4];
	uint64_t pend_off;

	uint64_t bare_lf, bare_cr, nul;
	uint64_t line_len, longest_line;
};

void data_scan_init(struct data_scan *d, data_body_fn body,
		    data_candidate_fn cand, void *ctx);

/* Read p[0..n); returns bytes used. Stops right after the strict
 * terminator (d->done), leaving the rest for the caller. */
size_t data_scan_feed(struct data_scan *d, const uint8_t *p, size_t n);

/* n bytes of DATA are missing: the line position is unknown after them. */
void data_scan_gap(struct data_scan *d, uint64_t n);

/* The stream ended inside DATA: hand on any held bytes. */
void data_scan_finish(struct data_scan *d);

#endif
