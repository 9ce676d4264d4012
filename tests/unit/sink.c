#include "sink.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

void rec_flow_init(struct rec_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->dir[0].buf = malloc(REC_MAX);
	f->dir[1].buf = malloc(REC_MAX);
	SS_ASSERT(f->dir[0].buf && f->dir[1].buf);
}

void rec_flow_free(struct rec_flow *f)
{
	free(f->dir[0].buf);
	free(f->dir[1].buf);
	f->dir[0].buf = f->dir[1].buf = NULL;
}

static bool on_data(void *st, enum stream_dir dir, const uint8_t *p, size_t n,
		    int64_t ts)
{
	struct rec_flow *f = st;
	struct rec_dir *d = &f->dir[dir];

	SS_ASSERT(n > 0);
	SS_ASSERT(d->len + n <= REC_MAX);
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	d->last_ts = ts;
	f->data_calls++;
	return !f->detach_after_first;
}

static void on_gap(void *st, enum stream_dir dir, uint64_t n, int64_t ts)
{
	struct rec_flow *f = st;
	struct rec_dir *d = &f->dir[dir];

	SS_ASSERT(n > 0);
	SS_ASSERT(d->len + n <= REC_MAX);
	memset(d->buf + d->len, '~', n);
	d->len += n;
	d->gaps++;
	d->gap_bytes += n;
	d->last_ts = ts;
}

static void on_end(void *st, enum stream_dir dir, int64_t ts)
{
	struct rec_flow *f = st;

	(void)ts;
	f->dir[dir].ends++;
}

static void on_close_one(void *st, const struct flow_summary *sum)
{
	struct rec_flow *f = st;

	f->sum = *sum;
	f->closes++;
}

struct stream_consumer rec_flow_consumer(struct rec_flow *f)
{
	struct stream_consumer c = {f, NULL, on_data, on_gap, on_end,
				    on_close_one};

	return c;
}

/* ---- many flows ---------------------------------------------------------- */

static void *rec_open(void *ctx, const struct flow_info *fi)
{
	struct recorder *r = ctx;
	struct rec_flow *f;

	if (!r->follow_all && fi->server.port != 25)
		return NULL;
	SS_ASSERT(r->nflows < 64);
	f = &r->flows[r->nflows++];
	rec_flow_init(f);
	f->info = *fi;
	f->detach_after_first = r->detach_all;
	return f;
}

static void rec_close(void *st, const struct flow_summary *sum)
{
	struct rec_flow *f = st;

	f->sum = *sum;
	f->sum.info = &f->info;
	f->closes++;
}

void recorder_init(struct recorder *r) { memset(r, 0, sizeof(*r)); }

void recorder_free(struct recorder *r)
{
	int i;

	for (i = 0; i < r->nflows; i++)
		rec_flow_free(&r->flows[i]);
}

struct stream_consumer recorder_consumer(struct recorder *r)
{
	struct stream_consumer c = {r, rec_open, on_data, on_gap, on_end,
				    rec_close};

	return c;
}
