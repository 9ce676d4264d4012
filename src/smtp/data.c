#include "smtp/data.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Strict states: where we are in a line, CR LF being the only line end. */
enum {
	S_START,  /* at the start of a line */
	S_MID,    /* inside a line */
	S_CR,     /* after a CR inside a line */
	S_DOT,    /* after a "." at the start of a line (held back) */
	S_DOTCR,  /* after "." CR at the start of a line (CR held back) */
};

void data_scan_init(struct data_scan *d, data_body_fn body,
		    data_candidate_fn cand, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->body = body;
	d->candidate = cand;
	d->ctx = ctx;
	d->st = S_START;
	/* DATA's own CR LF precedes the first byte. */
	d->hist = ('\r' << 8) | '\n';
}

/* ---- lenient candidates ------------------------------------------------ */

static const char *side_text(uint8_t s)
{
	switch (s) {
	case EOD_SIDE_CRLF: return "\\r\\n";
	case EOD_SIDE_LF: return "\\n";
	case EOD_SIDE_CR: return "\\r";
	default: return "\\r\\r\\n";
	}
}

static void emit_candidate(struct data_scan *d, uint8_t right, bool rnul,
			   uint64_t end)
{
	struct eod_candidate c;

	/* The strict view is about to end at this very dot: that is the
	 * terminator (whatever CRs came before its CR LF), no candidate. */
	if (d->st == S_DOTCR && right == EOD_SIDE_CRLF)
		return;
	memset(&c, 0, sizeof(c));
	c.offset = d->pend_off;
	c.end = end;
	c.left = d->pend_left;
	c.right = right;
	c.nul = d->pend_nul || rnul;
	snprintf(c.seq, sizeof(c.seq), "%s%s.%s%s", side_text(d->pend_left),
		 d->pend_nul ? "\\0" : "", rnul ? "\\0" : "",
		 side_text(right));
	if (d->candidate)
		d->candidate(d->ctx, &c);
}

/* Decide the right side of a held dot once enough bytes are in. */
static void resolve(struct data_scan *d)
{
	const uint8_t *s = d->r;
	uint8_t n = d->nr;
	bool nul = false;
	uint64_t base = d->pend_off + 1;

	if (s[0] == '\0') {
		if (n < 2)
			return;
		if (s[1] != '\r' && s[1] != '\n') {
			d->pend = false;
			return;
		}
		nul = true;
		s++;
		n--;
		base++;
	}
	if (s[0] == '\n') {
		emit_candidate(d, EOD_SIDE_LF, nul, base + 1);
	} else if (s[0] == '\r') {
		if (n < 2)
			return;
		if (s[1] == '\n') {
			emit_candidate(d, EOD_SIDE_CRLF, nul, base + 2);
		} else if (s[1] == '\r') {
			if (n < 3)
				return;
			if (s[2] == '\n')
				emit_candidate(d, EOD_SIDE_CRCRLF, nul,
					       base + 3);
			else
				emit_candidate(d, EOD_SIDE_CR, nul, base + 1);
		} else {
			emit_candidate(d, EOD_SIDE_CR, nul, base + 1);
		}
	}
	d->pend = false;
}

/* Is the dot just read preceded by a line end (maybe through a NUL)? */
static void consider_dot(struct data_scan *d, uint64_t off)
{
	uint32_t h = d->hist;
	uint8_t b1 = (uint8_t)h, b2 = (uint8_t)(h >> 8), b3 = (uint8_t)(h >> 16);
	bool nul = false;

	if (b1 == '\0') {
		nul = true;
		b1 = b2;
		b2 = b3;
		b3 = (uint8_t)(h >> 24);
	}
	if (b1 == '\n')
		d->pend_left = b2 == '\r' ? (b3 == '\r' ? EOD_SIDE_CRCRLF
							: EOD_SIDE_CRLF)
					  : EOD_SIDE_LF;
	else if (b1 == '\r')
		d->pend_left = EOD_SIDE_CR;
	else
		return;
	d->pend = true;
	d->pend_nul = nul;
	d->pend_off = off;
	d->nr = 0;
}

/* ---- the scan ------------------------------------------------------------ */

static void out(struct data_scan *d, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	d->msg += n;
	if (d->body)
		d->body(d->ctx, p, n);
}

/*
 * Length of the run at p without CR, LF or NUL: the only bytes that move
 * either view. Sixteen bytes at a time with SSE2, else eight (a zero byte
 * in x ^ c marks c).
 */
static size_t plain_run(const uint8_t *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	size_t i = 0;

#ifdef __SSE2__
	/* Sixteen at a time where the CPU has SSE2 (every x86-64). */
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
	const __m128i zero = _mm_setzero_si128();

	while (i + 16 <= n) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i hit = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)),
			_mm_cmpeq_epi8(v, zero));
		int mask = _mm_movemask_epi8(hit);

		if (mask)
			return i + (size_t)__builtin_ctz((unsigned)mask);
		i += 16;
	}
#endif

	while (i + 8 <= n) {
		uint64_t x, a, b, t;

		memcpy(&x, p + i, 8);
		a = x ^ (ones * '\r');
		b = x ^ (ones * '\n');
		t = ((a - ones) & ~a) | ((b - ones) & ~b) | ((x - ones) & ~x);
		if (t & highs)
			break;
		i += 8;
	}
	while (i < n && p[i] != '\r' && p[i] != '\n' && p[i] != '\0')
		i++;
	return i;
}

size_t data_scan_feed(struct data_scan *d, const uint8_t *p, size_t n)
{
	static const uint8_t cr = '\r';
	size_t i, run = 0;

	if (d->done)
		return 0;
	for (i = 0; i < n; i++) {
		uint8_t c, prev = (uint8_t)d->hist;
		uint64_t off;

		/* Inside a line, after a plain byte, with no dot waiting:
		 * nothing changes until the next CR, LF or NUL. */
		if (d->st == S_MID && !d->pend && prev != '\r' &&
		    prev != '\n' && prev != '\0') {
			size_t k = plain_run(p + i, n - i);

			if (k) {
				size_t j = k > 4 ? k - 4 : 0;

				d->line_len += k;
				for (; j < k; j++)
					d->hist = (d->hist << 8) | p[i + j];
				i += k;
				if (i == n)
					break;
			}
		}
		c = p[i];
		off = d->raw + i;

		/* line facts */
		if (c == '\n') {
			if ((uint8_t)d->hist != '\r')
				d->bare_lf++;
			/* the length of the line without its terminator */
			if ((uint8_t)d->hist == '\r' && d->line_len)
				d->line_len--;
			if (d->line_len > d->longest_line)
				d->longest_line = d->line_len;
			d->line_len = 0;
		} else {
			if ((uint8_t)d->hist == '\r' && c != '\r')
				d->bare_cr++;
			if (c == '\0')
				d->nul++;
			d->line_len++;
		}

		/* lenient view */
		if (d->pend) {
			d->r[d->nr++] = c;
			resolve(d);
		}
		if (c == '.' && !d->pend)
			consider_dot(d, off);
		d->hist = (d->hist << 8) | c;

		/* strict view */
		switch (d->st) {
		case S_START:
			if (c == '.') {
				out(d, p + run, i - run);
				run = i + 1;
				d->st = S_DOT;
			} else {
				d->st = c == '\r' ? S_CR : S_MID;
			}
			break;
		case S_MID:
			if (c == '\r')
				d->st = S_CR;
			break;
		case S_CR:
			if (c == '\n')
				d->st = S_START;
			else if (c != '\r')
				d->st = S_MID;
			break;
		case S_DOT:
			if (c == '\r') {
				run = i + 1; /* hold the CR */
				d->st = S_DOTCR;
			} else {
				/* the leading dot is dropped; c is content */
				d->st = S_MID;
			}
			break;
		case S_DOTCR:
			if (c == '\n') {
				d->done = true;
				d->eod_dot = off - 2;
				d->raw += i + 1;
				return i + 1;
			}
			out(d, &cr, 1); /* the held CR was content */
			run = i;
			d->st = c == '\r' ? S_CR : S_MID;
			break;
		}
	}
	/* A held dot or CR is the last byte read: run is past it. */
	out(d, p + run, n - run);
	d->raw += n;
	return n;
}

/* The line is cut off: a CR held after a dot was content after all. */
static void release_held(struct data_scan *d)
{
	static const uint8_t cr = '\r';

	if (d->st == S_DOTCR)
		out(d, &cr, 1);
	d->st = S_MID;
}

void data_scan_gap(struct data_scan *d, uint64_t n)
{
	if (d->done)
		return;
	release_held(d);
	d->pend = false;
	d->hist = 0;
	d->raw += n;
	d->gap_bytes += n;
	d->line_len = 0;
}

void data_scan_finish(struct data_scan *d)
{
	if (d->done)
		return;
	release_held(d);
	d->pend = false; /* a dot with no right side ends nothing */
}
