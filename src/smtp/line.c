#include "smtp/line.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/log.h"

static const char *const eol_names[] = {
	[EOL_CRLF] = "CRLF",
	[EOL_LF] = "LF",
	[EOL_CRCRLF] = "CRCRLF",
	[EOL_NONE] = "none",
};

const char *line_eol_name(enum line_eol e)
{
	return (unsigned)e <= EOL_NONE ? eol_names[e] : "?";
}

void line_framer_init(struct line_framer *f, uint32_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max ? max : 1;
}

void line_framer_free(struct line_framer *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = f->len = 0;
}

void line_reset(struct line_framer *f)
{
	f->len = 0;
	f->full = 0;
	f->last[0] = f->last[1] = 0;
	f->skipping = false;
}

void line_resync(struct line_framer *f)
{
	line_reset(f);
	f->skipping = true;
}

/* Keep up to max bytes of the line; count all of them. */
static void hold(struct line_framer *f, const uint8_t *p, size_t n)
{
	size_t room, take;

	if (n == 0)
		return;
	f->full += n;
	if (n >= 2) {
		f->last[0] = p[n - 2];
		f->last[1] = p[n - 1];
	} else {
		f->last[0] = f->last[1];
		f->last[1] = p[0];
	}
	room = f->max - f->len;
	take = n < room ? n : room;
	if (take == 0)
		return;
	f->buf = grow_array(f->buf, &f->cap, f->len + (uint32_t)take, 256,
			    f->max, 1, "SMTP line");
	memcpy(f->buf + f->len, p, take);
	f->len += (uint32_t)take;
}

/* Split the terminator off the content and flag what is inside. */
static void finish_line(struct line *out, const uint8_t *p, uint32_t len,
			uint64_t full, const uint8_t last[2], bool ended)
{
	uint32_t strip = 0;

	out->eol = ended ? EOL_LF : EOL_NONE;
	if (ended && full >= 1 && last[1] == '\r') {
		strip = 1;
		out->eol = EOL_CRLF;
		if (full >= 2 && last[0] == '\r') {
			strip = 2;
			out->eol = EOL_CRCRLF;
		}
	}
	/* The held bytes may stop short of the end of a long line: keep no
	 * terminator byte among them. */
	if (len > full - strip)
		len = (uint32_t)(full - strip);
	out->p = p;
	out->len = len;
	out->full_len = full - strip;
	out->truncated = full - strip > len;
	out->bare_cr = memchr(p, '\r', len) != NULL;
	out->nul = memchr(p, '\0', len) != NULL;
}

bool line_next(struct line_framer *f, const uint8_t *p, size_t n,
	       size_t *used, struct line *out)
{
	const uint8_t *lf = memchr(p, '\n', n);
	size_t upto;

	if (!lf) {
		if (!f->skipping)
			hold(f, p, n);
		*used = n;
		return false;
	}
	upto = (size_t)(lf - p);
	*used = upto + 1;
	if (f->skipping) {
		/* The line a gap broke is dropped; the next one is whole. */
		size_t more = 0;
		bool got;

		line_reset(f);
		got = line_next(f, p + upto + 1, n - upto - 1, &more, out);
		*used = upto + 1 + more;
		return got;
	}
	if (f->full == 0) {
		/* The whole line is in p: hand it out from there. */
		uint8_t last[2] = {upto >= 2 ? p[upto - 2] : 0,
				   upto >= 1 ? p[upto - 1] : 0};

		finish_line(out, p, upto < f->max ? (uint32_t)upto : f->max,
			    upto, last, true);
		return true;
	}
	hold(f, p, upto);
	finish_line(out, f->buf ? f->buf : p, f->len, f->full, f->last, true);
	line_reset(f);
	return true;
}

bool line_flush(struct line_framer *f, struct line *out)
{
	if (f->full == 0 || f->skipping) {
		line_reset(f);
		return false;
	}
	finish_line(out, f->buf, f->len, f->full, f->last, false);
	line_reset(f);
	return true;
}
