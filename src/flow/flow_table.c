#include "flow/flow_table.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/siphash.h"

#define FLOW_SLAB 1024u
/* An RST is obeyed when its sequence number lies within RST_BEHIND_MAX
 * behind or RST_AHEAD_MAX ahead of the delivery point (a generous receive
 * window); one outside is the classic way to make a sensor drop a
 * connection the host kept (RFC 5961 has hosts ignore it too). */
#define RST_BEHIND_MAX (1 << 20)
#define RST_AHEAD_MAX (1 << 24)

enum flow_state { FS_FREE = 0, FS_ACTIVE, FS_CLOSING };

/* Canonical key: the lower endpoint first, so both directions match. */
struct flow_key {
	uint8_t lo[16];
	uint8_t hi[16];
	uint16_t lo_port;
	uint16_t hi_port;
	uint16_t vlan[2];
	uint8_t ipver;
	uint8_t nvlan;
	uint8_t pad[2];
};

struct flow {
	struct flow_key key;
	uint64_t hash;
	uint32_t idx1;       /* own index + 1 */
	uint32_t prev, next; /* list links, index + 1; next is also the free
				list link */
	uint8_t state;
	uint8_t end;         /* enum flow_end_reason once CLOSING */
	bool client_is_lo;
	bool followed;
	bool rst_done;       /* connection reset: nothing more delivered */
	bool detached;
	int64_t last_ts;
	int64_t close_ts;
	void *cstate;
	struct flow_info info;
	struct tcp_half half[2]; /* by enum stream_dir */
};

struct flow_list {
	uint32_t head, tail; /* index + 1 */
};

struct slot {
	uint32_t idx1; /* flow index + 1, 0 = empty */
	uint32_t tag;  /* high half of the hash */
};

struct flow_table {
	struct flow_config cfg;
	struct stream_consumer consumer;
	struct siphash_key hkey;
	struct slot *slots;
	uint64_t mask;
	struct flow **slabs;
	uint32_t nslabs;
	uint32_t allocated; /* flows in slabs */
	uint32_t free_head; /* index + 1 */
	struct flow_list active;  /* most recent at head */
	struct flow_list closing; /* oldest close at head */
	struct bufpool pool;
	struct flow_table_stats st;
};

static const char *const end_names[] = {
	[FLOW_END_FIN] = "fin",         [FLOW_END_RST] = "rst",
	[FLOW_END_IDLE] = "idle",       [FLOW_END_EVICTED] = "evicted",
	[FLOW_END_REUSED] = "reused",   [FLOW_END_EOF] = "end_of_input",
};

const char *flow_end_reason_name(enum flow_end_reason r)
{
	return (unsigned)r < sizeof(end_names) / sizeof(end_names[0])
		       ? end_names[r]
		       : "unknown";
}

void flow_config_defaults(struct flow_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_flows = 1u << 20;
	cfg->memory_cap = 1024ull * 1024 * 1024;
	cfg->idle_timeout_ns = 300LL * 1000000000LL;
	cfg->close_timeout_ns = 5LL * 1000000000LL;
	cfg->reasm.ooo_max = 1024 * 1024;
	cfg->reasm.hist_size = 4096;
	cfg->vlan_in_key = true;
}

static inline struct flow *flow_at(const struct flow_table *ft, uint32_t i)
{
	return &ft->slabs[i / FLOW_SLAB][i % FLOW_SLAB];
}

struct flow_table *flow_table_new(const struct flow_config *cfg,
				  const struct stream_consumer *consumer)
{
	struct flow_table *ft = calloc(1, sizeof(*ft));
	uint64_t size = 16;

	if (!ft)
		return NULL;
	ft->cfg = *cfg;
	if (ft->cfg.max_flows < 2)
		ft->cfg.max_flows = 2;
	ft->consumer = *consumer;
	siphash_key_random(&ft->hkey);
	while (size < (uint64_t)ft->cfg.max_flows * 2)
		size *= 2;
	ft->slots = calloc(size, sizeof(*ft->slots));
	ft->nslabs = (ft->cfg.max_flows + FLOW_SLAB - 1) / FLOW_SLAB;
	ft->slabs = calloc(ft->nslabs, sizeof(*ft->slabs));
	if (!ft->slots || !ft->slabs) {
		free(ft->slots);
		free(ft->slabs);
		free(ft);
		return NULL;
	}
	ft->mask = size - 1;
	bufpool_init(&ft->pool);
	return ft;
}

/* ---- lists ----------------------------------------------------------- */

static void list_unlink(struct flow_table *ft, struct flow_list *l,
			struct flow *f)
{
	if (f->prev)
		flow_at(ft, f->prev - 1)->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		flow_at(ft, f->next - 1)->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = 0;
}

static void list_push_head(struct flow_table *ft, struct flow_list *l,
			   struct flow *f, uint32_t idx1)
{
	f->prev = 0;
	f->next = l->head;
	if (l->head)
		flow_at(ft, l->head - 1)->prev = idx1;
	else
		l->tail = idx1;
	l->head = idx1;
}

static void list_push_tail(struct flow_table *ft, struct flow_list *l,
			   struct flow *f, uint32_t idx1)
{
	f->next = 0;
	f->prev = l->tail;
	if (l->tail)
		flow_at(ft, l->tail - 1)->next = idx1;
	else
		l->head = idx1;
	l->tail = idx1;
}

/* ---- hash index -------------------------------------------------------- */

static uint64_t key_hash(const struct flow_table *ft, const struct flow_key *k)
{
	return siphash13(&ft->hkey, k, sizeof(*k));
}

static uint32_t lookup(const struct flow_table *ft, const struct flow_key *k,
		       uint64_t h)
{
	uint64_t i = h & ft->mask;
	uint32_t tag = (uint32_t)(h >> 32);

	while (ft->slots[i].idx1) {
		if (ft->slots[i].tag == tag &&
		    memcmp(&flow_at(ft, ft->slots[i].idx1 - 1)->key, k,
			   sizeof(*k)) == 0)
			return ft->slots[i].idx1;
		i = (i + 1) & ft->mask;
	}
	return 0;
}

static void index_insert(struct flow_table *ft, uint32_t idx1, uint64_t h)
{
	uint64_t i = h & ft->mask;

	while (ft->slots[i].idx1)
		i = (i + 1) & ft->mask;
	ft->slots[i].idx1 = idx1;
	ft->slots[i].tag = (uint32_t)(h >> 32);
}

/* Linear-probing delete with backward shift (no tombstones). */
static void index_remove(struct flow_table *ft, uint32_t idx1, uint64_t h)
{
	uint64_t i = h & ft->mask, j;

	while (ft->slots[i].idx1 != idx1) {
		SS_ASSERT(ft->slots[i].idx1 != 0);
		i = (i + 1) & ft->mask;
	}
	j = i;
	for (;;) {
		uint64_t home;

		j = (j + 1) & ft->mask;
		if (!ft->slots[j].idx1)
			break;
		home = flow_at(ft, ft->slots[j].idx1 - 1)->hash & ft->mask;
		/* Move j back to i unless its home lies in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			ft->slots[i] = ft->slots[j];
			i = j;
		}
	}
	ft->slots[i].idx1 = 0;
	ft->slots[i].tag = 0;
}

/* ---- allocation ----------------------------------------------------------- */

/* Free pool blocks count: they are memory the process holds. */
static uint64_t memory_now(const struct flow_table *ft)
{
	return ft->st.active * sizeof(struct flow) + ft->pool.used +
	       ft->pool.kept;
}

static void note_memory(struct flow_table *ft)
{
	ft->st.memory = memory_now(ft);
	if (ft->st.memory > ft->st.memory_peak)
		ft->st.memory_peak = ft->st.memory;
}

static struct flow *alloc_flow(struct flow_table *ft, uint32_t *idx1)
{
	struct flow *f;

	if (!ft->free_head) {
		uint32_t s, i;

		if (ft->allocated >= ft->cfg.max_flows)
			return NULL;
		s = ft->allocated / FLOW_SLAB;
		ft->slabs[s] = calloc(FLOW_SLAB, sizeof(struct flow));
		if (!ft->slabs[s])
			log_fatal(1, "out of memory (flow table)");
		/* Chain the new slab's flows onto the free list. */
		for (i = FLOW_SLAB; i > 0; i--) {
			uint32_t idx = s * FLOW_SLAB + i - 1;

			if (idx >= ft->cfg.max_flows)
				continue;
			flow_at(ft, idx)->next = ft->free_head;
			ft->free_head = idx + 1;
		}
		ft->allocated += FLOW_SLAB;
	}
	*idx1 = ft->free_head;
	f = flow_at(ft, *idx1 - 1);
	ft->free_head = f->next;
	memset(f, 0, sizeof(*f));
	f->idx1 = *idx1;
	return f;
}

/* ---- finishing ------------------------------------------------------------ */

static struct reasm_sink sink_of(struct flow_table *ft, struct flow *f,
				 enum stream_dir dir)
{
	struct reasm_sink s = {&ft->consumer, f->cstate, dir, f->detached};

	return s;
}

static void flush_halves(struct flow_table *ft, struct flow *f, int64_t ts)
{
	int d;

	for (d = 0; d < 2; d++) {
		struct reasm_sink s = sink_of(ft, f, (enum stream_dir)d);

		tcp_half_flush(&f->half[d], &ft->pool, ts, &s);
		if (s.detached)
			f->detached = true;
	}
}

static void finish(struct flow_table *ft, struct flow *f,
		   enum flow_end_reason reason)
{
	uint32_t idx1 = f->idx1;
	struct flow_summary sum;
	int d;

	if (f->followed && !f->rst_done)
		flush_halves(ft, f, f->last_ts);
	if (f->followed) {
		memset(&sum, 0, sizeof(sum));
		sum.info = &f->info;
		for (d = 0; d < 2; d++)
			sum.dir[d] = f->half[d].st;
		sum.last_ts = f->last_ts;
		sum.end = reason;
		sum.handshake = f->half[DIR_C2S].st.syn &&
				f->half[DIR_S2C].st.syn;
		sum.followed = !f->detached;
		ft->consumer.close(f->cstate, &sum);
	}
	for (d = 0; d < 2; d++)
		tcp_half_release(&f->half[d], &ft->pool);

	list_unlink(ft, f->state == FS_CLOSING ? &ft->closing : &ft->active,
		    f);
	index_remove(ft, idx1, f->hash);
	switch (reason) {
	case FLOW_END_FIN:
	case FLOW_END_RST: ft->st.closed++; break;
	case FLOW_END_IDLE: ft->st.idle_timeouts++; break;
	case FLOW_END_EVICTED: ft->st.evictions++; break;
	case FLOW_END_REUSED: ft->st.reused++; break;
	case FLOW_END_EOF: break;
	}
	f->state = FS_FREE;
	f->next = ft->free_head;
	ft->free_head = idx1;
	ft->st.active--;
	note_memory(ft);
}

void flow_table_expire(struct flow_table *ft, int64_t now)
{
	while (ft->closing.head) {
		struct flow *f = flow_at(ft, ft->closing.head - 1);

		if (now - f->close_ts < ft->cfg.close_timeout_ns)
			break;
		finish(ft, f, (enum flow_end_reason)f->end);
	}
	while (ft->active.tail) {
		struct flow *f = flow_at(ft, ft->active.tail - 1);

		if (now - f->last_ts < ft->cfg.idle_timeout_ns)
			break;
		finish(ft, f, FLOW_END_IDLE);
	}
}

/* Finish the least recently active flow other than keep. */
static bool evict_one(struct flow_table *ft, const struct flow *keep)
{
	struct flow_list *lists[2] = {&ft->closing, &ft->active};
	int l;

	for (l = 0; l < 2; l++) {
		uint32_t i = l == 0 ? lists[l]->head : lists[l]->tail;

		while (i) {
			struct flow *f = flow_at(ft, i - 1);

			if (f != keep) {
				finish(ft, f,
				       l == 0 ? (enum flow_end_reason)f->end
					      : FLOW_END_EVICTED);
				return true;
			}
			i = l == 0 ? f->next : f->prev;
		}
	}
	return false;
}

void flow_table_finish_all(struct flow_table *ft, enum flow_end_reason reason)
{
	while (ft->closing.head) {
		struct flow *f = flow_at(ft, ft->closing.head - 1);

		finish(ft, f, (enum flow_end_reason)f->end);
	}
	while (ft->active.tail)
		finish(ft, flow_at(ft, ft->active.tail - 1), reason);
}

void flow_table_free(struct flow_table *ft)
{
	uint32_t s;

	if (!ft)
		return;
	flow_table_finish_all(ft, FLOW_END_EOF);
	for (s = 0; s < ft->nslabs; s++)
		free(ft->slabs[s]);
	free(ft->slabs);
	free(ft->slots);
	bufpool_destroy(&ft->pool);
	free(ft);
}

const struct flow_table_stats *flow_table_stats(const struct flow_table *ft)
{
	return &ft->st;
}

/* ---- packets -------------------------------------------------------------- */

static int endpoint_cmp(const uint8_t *a, uint16_t ap, const uint8_t *b,
			uint16_t bp)
{
	int c = memcmp(a, b, 16);

	if (c)
		return c;
	return (int)ap - (int)bp;
}

static void make_key(const struct flow_table *ft, const struct packet *pkt,
		     struct flow_key *k, bool *src_is_lo)
{
	memset(k, 0, sizeof(*k));
	k->ipver = pkt->ipver;
	if (ft->cfg.vlan_in_key) {
		k->nvlan = pkt->nvlan;
		k->vlan[0] = pkt->nvlan > 0 ? pkt->vlan[0] : 0;
		k->vlan[1] = pkt->nvlan > 1 ? pkt->vlan[1] : 0;
	}
	*src_is_lo = endpoint_cmp(pkt->src, pkt->sport, pkt->dst,
				  pkt->dport) <= 0;
	if (*src_is_lo) {
		memcpy(k->lo, pkt->src, 16);
		memcpy(k->hi, pkt->dst, 16);
		k->lo_port = pkt->sport;
		k->hi_port = pkt->dport;
	} else {
		memcpy(k->lo, pkt->dst, 16);
		memcpy(k->hi, pkt->src, 16);
		k->lo_port = pkt->dport;
		k->hi_port = pkt->sport;
	}
}

/* Decide which side is the client from the first packet we see. */
static bool sender_is_client(const struct flow_table *ft,
			     const struct packet *pkt,
			     enum flow_role_basis *basis)
{
	bool s_srv = port_map_has(ft->cfg.server_ports, pkt->sport);
	bool d_srv = port_map_has(ft->cfg.server_ports, pkt->dport);

	if (pkt->tcp_flags & TCP_SYN) {
		*basis = ROLE_BY_SYN;
		return !(pkt->tcp_flags & TCP_ACK);
	}
	if (s_srv != d_srv) {
		*basis = ROLE_BY_PORT;
		return d_srv;
	}
	*basis = ROLE_BY_GUESS;
	if (pkt->sport != pkt->dport)
		return pkt->sport > pkt->dport;
	return true;
}

static struct flow *create(struct flow_table *ft, const struct packet *pkt,
			   const struct flow_key *k, uint64_t h,
			   bool src_is_lo)
{
	struct flow *f;
	uint32_t idx1;
	bool client_sent;
	enum flow_role_basis basis;

	f = alloc_flow(ft, &idx1);
	while (!f) {
		if (!evict_one(ft, NULL))
			log_panic(__FILE__, __LINE__, "flow table full");
		f = alloc_flow(ft, &idx1);
	}
	f->key = *k;
	f->hash = h;
	f->state = FS_ACTIVE;
	client_sent = sender_is_client(ft, pkt, &basis);
	f->client_is_lo = client_sent == src_is_lo;
	f->info.ipver = pkt->ipver;
	f->info.nvlan = pkt->nvlan;
	memcpy(f->info.vlan, pkt->vlan, sizeof(f->info.vlan));
	f->info.first_ts = pkt->ts_ns;
	f->info.role_basis = basis;
	if (client_sent) {
		memcpy(f->info.client.addr, pkt->src, 16);
		f->info.client.port = pkt->sport;
		memcpy(f->info.server.addr, pkt->dst, 16);
		f->info.server.port = pkt->dport;
	} else {
		memcpy(f->info.client.addr, pkt->dst, 16);
		f->info.client.port = pkt->dport;
		memcpy(f->info.server.addr, pkt->src, 16);
		f->info.server.port = pkt->sport;
	}
	tcp_half_init(&f->half[0]);
	tcp_half_init(&f->half[1]);
	f->last_ts = pkt->ts_ns;
	index_insert(ft, idx1, h);
	list_push_head(ft, &ft->active, f, idx1);
	ft->st.flows++;
	ft->st.active++;
	if (ft->st.active > ft->st.peak_active)
		ft->st.peak_active = ft->st.active;
	f->cstate = ft->consumer.open(ft->consumer.ctx, &f->info);
	if (f->cstate) {
		f->followed = true;
		ft->st.followed++;
	}
	return f;
}

/* Is this SYN the start of a new connection on a known 5-tuple? */
static bool starts_new_connection(const struct flow *f,
				  const struct packet *pkt,
				  enum stream_dir dir)
{
	const struct tcp_half *h = &f->half[dir];

	if ((pkt->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return false;
	if (f->state == FS_CLOSING)
		return true;
	if (!h->st.syn)
		return false; /* the first SYN we see: retransmit or start */
	return pkt->seq + 1 != h->base && (h->next > 0 || h->fin_seen ||
					   f->half[!dir].next > 0);
}

static bool rst_in_window(const struct flow *f, const struct packet *pkt,
			  enum stream_dir dir)
{
	const struct tcp_half *h = &f->half[dir];
	int64_t off;

	if (!h->have_base)
		return true;
	off = tcp_half_offset(h, pkt->seq);
	return off >= (int64_t)h->next - RST_BEHIND_MAX &&
	       off <= (int64_t)h->next + RST_AHEAD_MAX;
}

static void begin_closing(struct flow_table *ft, struct flow *f,
			  enum flow_end_reason why, int64_t ts)
{
	uint32_t idx1 = f->idx1;

	if (f->state == FS_CLOSING)
		return;
	list_unlink(ft, &ft->active, f);
	f->state = FS_CLOSING;
	f->end = (uint8_t)why;
	f->close_ts = ts;
	list_push_tail(ft, &ft->closing, f, idx1);
}

void flow_table_packet(struct flow_table *ft, const struct packet *pkt)
{
	struct flow_key k;
	bool src_is_lo;
	uint64_t h;
	uint32_t idx1;
	struct flow *f;
	enum stream_dir dir;
	struct tcp_half *half;
	uint8_t fl = pkt->tcp_flags;

	flow_table_expire(ft, pkt->ts_ns);
	make_key(ft, pkt, &k, &src_is_lo);
	h = key_hash(ft, &k);
	idx1 = lookup(ft, &k, h);
	f = idx1 ? flow_at(ft, idx1 - 1) : NULL;
	if (f) {
		dir = (src_is_lo == f->client_is_lo) ? DIR_C2S : DIR_S2C;
		if (starts_new_connection(f, pkt, dir)) {
			bool closing = f->state == FS_CLOSING;

			finish(ft, f,
			       closing ? (enum flow_end_reason)f->end
				       : FLOW_END_REUSED);
			f = NULL;
		}
	}
	if (!f)
		f = create(ft, pkt, &k, h, src_is_lo);
	dir = (src_is_lo == f->client_is_lo) ? DIR_C2S : DIR_S2C;
	half = &f->half[dir];

	half->st.packets++;
	half->st.ip_bytes += pkt->ip_len;
	half->st.payload_bytes += pkt->payload_wire;
	if (fl & TCP_SYN)
		half->st.syn = true;
	if (fl & TCP_FIN)
		half->st.fin = true;
	f->last_ts = pkt->ts_ns;
	if (f->state == FS_ACTIVE && ft->active.head != f->idx1) {
		list_unlink(ft, &ft->active, f);
		list_push_head(ft, &ft->active, f, f->idx1);
	}

	if (fl & TCP_RST) {
		if (f->followed && !rst_in_window(f, pkt, dir)) {
			half->st.rst_ignored++;
			return;
		}
		half->st.rst = true;
		if (f->followed && !f->rst_done) {
			/* Take what this RST carries first (rare, legal). */
			if (pkt->payload_wire && !f->detached) {
				struct reasm_sink s = sink_of(ft, f, dir);
				struct reasm_segment seg = {
					pkt->seq, (uint8_t)(fl & ~TCP_RST),
					pkt->payload, pkt->payload_len,
					pkt->payload_wire, pkt->ts_ns};

				tcp_half_segment(half, &ft->cfg.reasm,
						 &ft->pool, &seg, &s);
				f->detached = s.detached;
			}
			flush_halves(ft, f, pkt->ts_ns);
			f->rst_done = true;
		}
		begin_closing(ft, f, FLOW_END_RST, pkt->ts_ns);
		note_memory(ft);
		return;
	}

	if (f->followed && !f->rst_done && !f->detached) {
		struct reasm_sink s = sink_of(ft, f, dir);
		struct reasm_segment seg = {pkt->seq,     fl,
					    pkt->payload, pkt->payload_len,
					    pkt->payload_wire, pkt->ts_ns};

		tcp_half_segment(half, &ft->cfg.reasm, &ft->pool, &seg, &s);
		if ((fl & TCP_ACK) && !s.detached) {
			struct reasm_sink o = sink_of(ft, f, (enum stream_dir)!dir);

			o.detached = s.detached;
			tcp_half_ack(&f->half[!dir], &ft->pool, pkt->ack,
				     pkt->ts_ns, &o);
			s.detached = o.detached;
		}
		if (s.detached && !f->detached) {
			f->detached = true;
			tcp_half_release(&f->half[0], &ft->pool);
			tcp_half_release(&f->half[1], &ft->pool);
		}
		/* Each direction keeps its history ring past its FIN while
		 * the other goes on; once both are over, the rings go (kept
		 * through the close timeout they cost a fifth more CPU and
		 * half again the memory on the benchmark: new flows got cold
		 * rings, not ones just given back). */
		if (f->half[0].ended && f->half[1].ended) {
			tcp_half_drop_history(&f->half[0], &ft->pool);
			tcp_half_drop_history(&f->half[1], &ft->pool);
		}
	}

	if (f->half[0].st.fin && f->half[1].st.fin)
		begin_closing(ft, f, FLOW_END_FIN, pkt->ts_ns);

	note_memory(ft);
	/* Over the cap: give back the free blocks first, then evict the
	 * least recently active flows (their blocks become free blocks,
	 * given back on the next turn). */
	while (memory_now(ft) > ft->cfg.memory_cap) {
		if (ft->pool.kept)
			bufpool_trim(&ft->pool);
		else if (!evict_one(ft, f))
			break;
	}
	note_memory(ft);
}
