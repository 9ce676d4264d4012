#include "core/strpool.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/log.h"

void strpool_init(struct strpool *sp, uint32_t max)
{
	memset(sp, 0, sizeof(*sp));
	sp->max = max;
}

void strpool_free(struct strpool *sp)
{
	free(sp->buf);
	memset(sp, 0, sizeof(*sp));
}

struct strref strpool_add(struct strpool *sp, const void *p, size_t n)
{
	struct strref r = {0, 0};

	if (n == 0)
		return r;
	if (sp->len >= sp->max) {
		sp->full = true;
		return r;
	}
	if (n > sp->max - sp->len) {
		n = sp->max - sp->len;
		sp->full = true;
	}
	sp->buf = grow_array(sp->buf, &sp->cap, sp->len + (uint32_t)n, 512,
			     sp->max, 1, "strings");
	memcpy(sp->buf + sp->len, p, n);
	r.off = sp->len;
	r.len = (uint32_t)n;
	sp->len += (uint32_t)n;
	return r;
}

void strpool_set(struct strpool *sp, struct strref *r, const void *p,
		 size_t n)
{
	if (r->len && n <= r->len) {
		if (n)
			memcpy(sp->buf + r->off, p, n);
		r->len = (uint32_t)n;
		return;
	}
	if (r->len && r->off + r->len == sp->len)
		sp->len = r->off;
	*r = strpool_add(sp, p, n);
}
