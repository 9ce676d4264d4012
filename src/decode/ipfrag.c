#include "decode/ipfrag.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define BITMAP_WORDS ((IPFRAG_MAX_BYTES + 64) / 64)

struct frag_slot {
	bool used;
	struct ipfrag_key key;
	int64_t first_ts;
	uint8_t *buf;        /* IPFRAG_MAX_BYTES, allocated on first use */
	uint64_t *have;      /* one bit per byte of buf */
	uint32_t covered;    /* bytes with their bit set */
	uint32_t total;      /* datagram length once the last fragment came */
	uint32_t max_end;
	uint8_t proto;
	bool have_first;
	uint32_t older, newer; /* age list, index+1, 0 = none */
};

struct ipfrag {
	struct ipfrag_config cfg;
	struct frag_slot *slots;
	uint32_t in_flight;
	uint32_t oldest, newest; /* index+1 */
	int32_t release;         /* slot to free at the next call, or -1 */
	struct ipfrag_stats st;
};

struct ipfrag *ipfrag_new(const struct ipfrag_config *cfg)
{
	struct ipfrag *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->cfg = *cfg;
	if (f->cfg.max_datagrams == 0)
		f->cfg.max_datagrams = 1;
	f->slots = calloc(f->cfg.max_datagrams, sizeof(*f->slots));
	if (!f->slots) {
		free(f);
		return NULL;
	}
	f->release = -1;
	return f;
}

void ipfrag_free(struct ipfrag *f)
{
	uint32_t i;

	if (!f)
		return;
	for (i = 0; i < f->cfg.max_datagrams; i++) {
		free(f->slots[i].buf);
		free(f->slots[i].have);
	}
	free(f->slots);
	free(f);
}

static void unlink_slot(struct ipfrag *f, uint32_t i)
{
	struct frag_slot *s = &f->slots[i];

	if (s->older)
		f->slots[s->older - 1].newer = s->newer;
	else
		f->oldest = s->newer;
	if (s->newer)
		f->slots[s->newer - 1].older = s->older;
	else
		f->newest = s->older;
	s->older = s->newer = 0;
}

static void drop_slot(struct ipfrag *f, uint32_t i)
{
	struct frag_slot *s = &f->slots[i];

	SS_ASSERT(s->used);
	unlink_slot(f, i);
	s->used = false;
	f->in_flight--;
}

static void release_pending(struct ipfrag *f)
{
	if (f->release >= 0) {
		drop_slot(f, (uint32_t)f->release);
		f->release = -1;
	}
}

void ipfrag_expire(struct ipfrag *f, int64_t now_ns)
{
	release_pending(f);
	while (f->oldest) {
		uint32_t i = f->oldest - 1;

		if (now_ns - f->slots[i].first_ts < f->cfg.timeout_ns)
			break;
		drop_slot(f, i);
		f->st.timeouts++;
	}
}

static bool key_eq(const struct ipfrag_key *a, const struct ipfrag_key *b)
{
	return a->ipver == b->ipver && a->proto == b->proto &&
	       a->id == b->id && memcmp(a->src, b->src, 16) == 0 &&
	       memcmp(a->dst, b->dst, 16) == 0;
}

static int32_t find_slot(struct ipfrag *f, const struct ipfrag_key *key)
{
	uint32_t i;

	for (i = f->newest; i; i = f->slots[i - 1].older)
		if (key_eq(&f->slots[i - 1].key, key))
			return (int32_t)(i - 1);
	return -1;
}

static int32_t new_slot(struct ipfrag *f, const struct ipfrag_key *key,
			int64_t ts)
{
	struct frag_slot *s;
	uint32_t i;

	if (f->in_flight == f->cfg.max_datagrams) {
		drop_slot(f, f->oldest - 1);
		f->st.evicted++;
	}
	for (i = 0; i < f->cfg.max_datagrams; i++)
		if (!f->slots[i].used)
			break;
	SS_ASSERT(i < f->cfg.max_datagrams);
	s = &f->slots[i];
	if (!s->buf) {
		s->buf = malloc(IPFRAG_MAX_BYTES);
		s->have = malloc(BITMAP_WORDS * sizeof(uint64_t));
		if (!s->buf || !s->have)
			log_fatal(1, "out of memory (fragment reassembly)");
	}
	memset(s->have, 0, BITMAP_WORDS * sizeof(uint64_t));
	s->used = true;
	s->key = *key;
	s->first_ts = ts;
	s->covered = 0;
	s->total = 0;
	s->max_end = 0;
	s->have_first = false;
	s->proto = 0;
	/* Append as newest. */
	s->older = f->newest;
	s->newer = 0;
	if (f->newest)
		f->slots[f->newest - 1].newer = i + 1;
	else
		f->oldest = i + 1;
	f->newest = i + 1;
	f->in_flight++;
	return (int32_t)i;
}

/* Copy the bytes of [off, off+len) not yet held; compare the others. */
static void merge(struct ipfrag *f, struct frag_slot *s, uint32_t off,
		  const uint8_t *data, uint32_t len)
{
	bool overlap = false, differ = false;
	uint32_t i = 0;

	while (i < len) {
		uint32_t pos = off + i;
		uint64_t word = s->have[pos / 64];
		uint32_t bit = pos % 64;
		uint32_t span = 64 - bit;

		if (span > len - i)
			span = len - i;
		if (bit == 0 && span == 64 && word == 0) {
			memcpy(s->buf + pos, data + i, 64);
			s->have[pos / 64] = ~0ULL;
			s->covered += 64;
		} else {
			uint32_t k;

			for (k = 0; k < span; k++) {
				uint64_t m = 1ULL << (bit + k);

				if (s->have[pos / 64] & m) {
					overlap = true;
					if (s->buf[pos + k] != data[i + k])
						differ = true;
				} else {
					s->buf[pos + k] = data[i + k];
					s->have[pos / 64] |= m;
					s->covered++;
				}
			}
		}
		i += span;
	}
	if (overlap)
		f->st.overlaps++;
	if (differ)
		f->st.overlaps_differing++;
}

enum ipfrag_result ipfrag_add(struct ipfrag *f, const struct ipfrag_key *key,
			      int64_t ts_ns, uint32_t offset, bool more,
			      uint8_t next_proto, const uint8_t *data,
			      uint32_t len, const uint8_t **out,
			      uint32_t *outlen, uint8_t *proto)
{
	struct frag_slot *s;
	int32_t idx;
	uint32_t end = offset + len;

	ipfrag_expire(f, ts_ns);
	f->st.fragments++;
	idx = find_slot(f, key);
	if (end > IPFRAG_MAX_BYTES || end < offset) {
		if (idx >= 0)
			drop_slot(f, (uint32_t)idx);
		f->st.bad++;
		return IPFRAG_BAD;
	}
	if (idx < 0)
		idx = new_slot(f, key, ts_ns);
	s = &f->slots[idx];

	if (!more) {
		/* The last fragment fixes the length; it must agree. */
		if ((s->total && s->total != end) || s->max_end > end) {
			drop_slot(f, (uint32_t)idx);
			f->st.bad++;
			return IPFRAG_BAD;
		}
		s->total = end;
	} else if (s->total && end > s->total) {
		drop_slot(f, (uint32_t)idx);
		f->st.bad++;
		return IPFRAG_BAD;
	}
	if (end > s->max_end)
		s->max_end = end;
	if (offset == 0 && !s->have_first) {
		s->have_first = true;
		s->proto = next_proto;
	}
	merge(f, s, offset, data, len);

	if (s->total && s->covered == s->total && s->have_first) {
		*out = s->buf;
		*outlen = s->total;
		*proto = s->proto;
		f->release = idx;
		f->st.reassembled++;
		return IPFRAG_DONE;
	}
	return IPFRAG_HELD;
}

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *f)
{
	return &f->st;
}

uint32_t ipfrag_in_flight(const struct ipfrag *f) { return f->in_flight; }
