/*
 * The flow table: roles, lifetimes, caps, port reuse, RST handling, and
 * that every flow the consumer opened is closed exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <malloc.h>

#include "flow/flow_table.h"
#include "sink.h"

#define SEC 1000000000LL

static struct packet P(const char *src, uint16_t sport, const char *dst,
		       uint16_t dport, uint32_t seq, uint32_t ack,
		       uint8_t flags, const char *data, int64_t ts)
{
	struct packet p;

	memset(&p, 0, sizeof(p));
	p.ts_ns = ts;
	p.ipver = 4;
	p.l4proto = 6;
	inet_pton(AF_INET, src, p.src);
	inet_pton(AF_INET, dst, p.dst);
	p.sport = sport;
	p.dport = dport;
	p.seq = seq;
	p.ack = ack;
	p.tcp_flags = flags;
	p.payload = (const uint8_t *)data;
	p.payload_len = p.payload_wire = data ? (uint32_t)strlen(data) : 0;
	p.ip_len = 40 + p.payload_len;
	return p;
}

struct env {
	struct recorder rec;
	struct stream_consumer c;
	struct flow_config cfg;
	uint8_t ports[PORT_MAP_BYTES];
	struct flow_table *ft;
};

static struct env *env_new(void (*tweak)(struct flow_config *))
{
	struct env *e = calloc(1, sizeof(*e));

	recorder_init(&e->rec);
	e->c = recorder_consumer(&e->rec);
	flow_config_defaults(&e->cfg);
	port_map_set(e->ports, 25);
	e->cfg.server_ports = e->ports;
	if (tweak)
		tweak(&e->cfg);
	e->ft = flow_table_new(&e->cfg, &e->c);
	assert_non_null(e->ft);
	return e;
}

static void env_free(struct env *e)
{
	int i;

	flow_table_free(e->ft);
	/* Every flow opened was closed exactly once. */
	for (i = 0; i < e->rec.nflows; i++)
		assert_int_equal(e->rec.flows[i].closes, 1);
	recorder_free(&e->rec);
	free(e);
}

static void feed(struct env *e, struct packet p)
{
	flow_table_packet(e->ft, &p);
}

#define C "10.0.0.1"
#define S "10.0.0.2"

static void session(struct env *e, uint16_t cport, uint32_t cisn,
		    int64_t t0)
{
	uint32_t sisn = 5000;

	feed(e, P(C, cport, S, 25, cisn, 0, TCP_SYN, NULL, t0));
	feed(e, P(S, 25, C, cport, sisn, cisn + 1, TCP_SYN | TCP_ACK, NULL,
		  t0 + 1));
	feed(e, P(C, cport, S, 25, cisn + 1, sisn + 1, TCP_ACK, NULL, t0 + 2));
	feed(e, P(S, 25, C, cport, sisn + 1, cisn + 1, TCP_ACK, "220 hi\r\n",
		  t0 + 3));
	feed(e, P(C, cport, S, 25, cisn + 1, sisn + 9, TCP_ACK, "EHLO x\r\n",
		  t0 + 4));
	feed(e, P(S, 25, C, cport, sisn + 9, cisn + 9, TCP_ACK, "250 ok\r\n",
		  t0 + 5));
	feed(e, P(C, cport, S, 25, cisn + 9, sisn + 17, TCP_ACK | TCP_FIN,
		  NULL, t0 + 6));
	feed(e, P(S, 25, C, cport, sisn + 17, cisn + 10, TCP_ACK | TCP_FIN,
		  NULL, t0 + 7));
	feed(e, P(C, cport, S, 25, cisn + 10, sisn + 18, TCP_ACK, NULL,
		  t0 + 8));
}

static void test_full_session(void **state)
{
	struct env *e = env_new(NULL);
	struct rec_flow *f;

	(void)state;
	session(e, 40000, 100, 0);
	assert_int_equal(e->rec.nflows, 1);
	f = &e->rec.flows[0];
	assert_int_equal(f->closes, 0); /* waits for late packets */
	assert_int_equal(f->dir[DIR_C2S].ends, 1);
	assert_int_equal(f->dir[DIR_S2C].ends, 1);
	flow_table_expire(e->ft, 6 * SEC);
	assert_int_equal(f->closes, 1);
	assert_int_equal(f->sum.end, FLOW_END_FIN);
	assert_true(f->sum.handshake);
	assert_true(f->sum.followed);
	assert_int_equal(f->info.role_basis, ROLE_BY_SYN);
	assert_int_equal(f->info.client.port, 40000);
	assert_int_equal(f->info.server.port, 25);
	assert_int_equal(f->dir[DIR_C2S].len, 8);
	assert_memory_equal(f->dir[DIR_C2S].buf, "EHLO x\r\n", 8);
	assert_int_equal(f->dir[DIR_S2C].len, 16);
	assert_memory_equal(f->dir[DIR_S2C].buf, "220 hi\r\n250 ok\r\n", 16);
	assert_int_equal(f->sum.dir[DIR_C2S].packets, 5);
	assert_int_equal(f->sum.dir[DIR_S2C].packets, 4);
	assert_int_equal(f->sum.dir[DIR_C2S].delivered, 8);
	assert_int_equal(f->sum.dir[DIR_S2C].delivered, 16);
	assert_int_equal(f->sum.dir[DIR_C2S].ip_bytes, 5 * 40 + 8);
	assert_int_equal(flow_table_stats(e->ft)->closed, 1);
	assert_int_equal(flow_table_stats(e->ft)->active, 0);
	env_free(e);
}

static void follow_all(struct env *e) { e->rec.follow_all = true; }

static void test_roles_without_syn(void **state)
{
	struct env *e = env_new(NULL);
	struct rec_flow *f;

	(void)state;
	follow_all(e);
	/* First packet from the server port: the other side is the client */
	feed(e, P(S, 25, C, 41000, 1, 1, TCP_ACK, "250 ok\r\n", 1));
	f = &e->rec.flows[0];
	assert_int_equal(f->info.role_basis, ROLE_BY_PORT);
	assert_int_equal(f->info.client.port, 41000);
	/* No known port: the lower one is taken as the server's */
	feed(e, P(C, 5000, S, 6000, 1, 1, TCP_ACK, "x", 2));
	f = &e->rec.flows[1];
	assert_int_equal(f->info.role_basis, ROLE_BY_GUESS);
	assert_int_equal(f->info.server.port, 5000);
	/* SYN+ACK seen first: its sender is the server */
	feed(e, P(S, 7000, C, 8000, 1, 1, TCP_SYN | TCP_ACK, NULL, 3));
	f = &e->rec.flows[2];
	assert_int_equal(f->info.role_basis, ROLE_BY_SYN);
	assert_int_equal(f->info.server.port, 7000);
	env_free(e);
}

static void short_idle(struct flow_config *c) { c->idle_timeout_ns = 10 * SEC; }

static void test_idle_timeout(void **state)
{
	struct env *e = env_new(short_idle);

	(void)state;
	feed(e, P(C, 40001, S, 25, 1, 1, TCP_ACK, "NOOP\r\n", 0));
	feed(e, P(C, 40002, S, 25, 1, 1, TCP_ACK, "NOOP\r\n", 9 * SEC));
	assert_int_equal(e->rec.flows[0].closes, 0);
	feed(e, P(C, 40003, S, 25, 1, 1, TCP_ACK, "NOOP\r\n", 12 * SEC));
	assert_int_equal(e->rec.flows[0].closes, 1);
	assert_int_equal(e->rec.flows[0].sum.end, FLOW_END_IDLE);
	assert_int_equal(e->rec.flows[1].closes, 0);
	assert_int_equal(flow_table_stats(e->ft)->idle_timeouts, 1);
	env_free(e);
	/* at the end everything is closed with end_of_input */
}

static void four_flows(struct flow_config *c) { c->max_flows = 4; }

static void test_flow_count_cap(void **state)
{
	struct env *e = env_new(four_flows);
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		feed(e, P(C, (uint16_t)(41000 + i), S, 25, 1, 1, TCP_ACK,
			  "RSET\r\n", i * SEC));
	/* touch flow 2 so that flow 3 is the oldest when the next comes */
	feed(e, P(C, 41002, S, 25, 7, 1, TCP_ACK, "NOOP\r\n", 7 * SEC));
	feed(e, P(C, 41010, S, 25, 1, 1, TCP_ACK, "RSET\r\n", 8 * SEC));
	assert_int_equal(flow_table_stats(e->ft)->evictions, 3);
	assert_int_equal(e->rec.flows[0].sum.end, FLOW_END_EVICTED);
	assert_int_equal(e->rec.flows[1].sum.end, FLOW_END_EVICTED);
	assert_int_equal(e->rec.flows[3].sum.end, FLOW_END_EVICTED);
	assert_int_equal(e->rec.flows[2].closes, 0);
	assert_int_equal(flow_table_stats(e->ft)->active, 4);
	flow_table_finish_all(e->ft, FLOW_END_EOF);
	assert_int_equal(e->rec.flows[2].sum.end, FLOW_END_EOF);
	env_free(e);
}

static void tiny_memory(struct flow_config *c) { c->memory_cap = 1; }

static void test_memory_cap(void **state)
{
	struct env *e = env_new(tiny_memory);

	(void)state;
	feed(e, P(C, 42000, S, 25, 1, 1, TCP_ACK, "a", 0));
	feed(e, P(C, 42001, S, 25, 1, 1, TCP_ACK, "b", 1));
	feed(e, P(C, 42002, S, 25, 1, 1, TCP_ACK, "c", 2));
	/* each newcomer pushes the older flows out; it stays itself */
	assert_int_equal(flow_table_stats(e->ft)->evictions, 2);
	assert_int_equal(flow_table_stats(e->ft)->active, 1);
	assert_int_equal(e->rec.flows[0].sum.end, FLOW_END_EVICTED);
	assert_int_equal(e->rec.flows[1].sum.end, FLOW_END_EVICTED);
	env_free(e);
}

/* The server said 221 and FIN while the client still talks: a resend of
 * the 221 with other bytes is compared and counted. Once both sides are
 * over, the history goes: a resend then is unchecked. */
static void test_resend_after_one_fin(void **state)
{
	struct env *e = env_new(NULL);
	struct rec_flow *f;

	(void)state;
	feed(e, P(C, 49000, S, 25, 100, 0, TCP_SYN, NULL, 0));
	feed(e, P(S, 25, C, 49000, 5000, 101, TCP_SYN | TCP_ACK, NULL, 1));
	feed(e, P(C, 49000, S, 25, 101, 5001, TCP_ACK, "QUIT\r\n", 2));
	feed(e, P(S, 25, C, 49000, 5001, 107, TCP_ACK | TCP_FIN, "221 bye\r\n",
		  3));
	f = &e->rec.flows[0];
	assert_int_equal(f->dir[DIR_S2C].ends, 1);
	feed(e, P(S, 25, C, 49000, 5001, 107, TCP_ACK | TCP_FIN, "221 BYE\r\n",
		  4));
	feed(e, P(C, 49000, S, 25, 107, 5011, TCP_ACK | TCP_FIN, NULL, 5));
	assert_int_equal(f->dir[DIR_C2S].ends, 1);
	feed(e, P(S, 25, C, 49000, 5001, 108, TCP_ACK | TCP_FIN, "221 bye\r\n",
		  6));
	flow_table_finish_all(e->ft, FLOW_END_EOF);
	assert_int_equal(f->sum.dir[DIR_S2C].overlaps_differing, 1);
	assert_int_equal(f->sum.dir[DIR_S2C].overlap_bytes_differing, 3);
	assert_int_equal(f->sum.dir[DIR_S2C].overlap_bytes_unchecked, 9);
	assert_int_equal(f->dir[DIR_S2C].len, 9);
	assert_memory_equal(f->dir[DIR_S2C].buf, "221 bye\r\n", 9);
	env_free(e);
}

/* A consumer that follows every flow and keeps nothing of it. */
static void *light_open(void *ctx, const struct flow_info *fi)
{
	(void)fi;
	return ctx;
}

static bool light_data(void *st, enum stream_dir dir, const uint8_t *p,
		       size_t n, int64_t ts)
{
	(void)st, (void)dir, (void)p, (void)n, (void)ts;
	return true;
}

static void light_close(void *st, const struct flow_summary *sum)
{
	(void)sum;
	(*(int *)st)++;
}

/* n flows from ports port0.., each holding one segment of len bytes
 * ahead of a hole. */
static void hold_ahead(struct flow_table *ft, uint16_t port0, int n,
		       uint32_t len, size_t *heap_peak)
{
	static const uint8_t data[60000];
	int i;

	for (i = 0; i < n; i++) {
		struct packet p = P(C, (uint16_t)(port0 + i), S, 25, 1, 1,
				    TCP_ACK, "x", 0);
		size_t heap;

		flow_table_packet(ft, &p);
		p.seq = 1000;
		p.payload = data;
		p.payload_len = p.payload_wire = len;
		flow_table_packet(ft, &p);
		assert_true(flow_table_stats(ft)->memory <= (2u << 20));
		heap = mallinfo2().uordblks;
		if (heap > *heap_peak)
			*heap_peak = heap;
	}
}

/* The memory cap bounds what the process holds, free buffers included:
 * buffers of one size given back by finished flows do not stay on top
 * of the cap while flows fill it with buffers of another size. */
static void test_memory_cap_counts_free_buffers(void **state)
{
	struct flow_config cfg;
	struct stream_consumer c = {NULL, light_open, light_data, NULL, NULL,
				    light_close};
	struct flow_table *ft;
	int closes = 0;
	size_t base, peak = 0;

	(void)state;
	c.ctx = &closes;
	flow_config_defaults(&cfg);
	cfg.memory_cap = 2u << 20;
	cfg.reasm.hist_size = 0;
	ft = flow_table_new(&cfg, &c);
	assert_non_null(ft);
	/* the first flows allocate the flow structures */
	hold_ahead(ft, 1000, 1, 1000, &peak);
	flow_table_finish_all(ft, FLOW_END_EOF);
	base = mallinfo2().uordblks;
	/* 2 MB of 2 KiB buffers, then of 64 KiB ones */
	hold_ahead(ft, 2000, 1000, 1000, &peak);
	flow_table_finish_all(ft, FLOW_END_EOF);
	hold_ahead(ft, 4000, 40, 60000, &peak);
	assert_true(flow_table_stats(ft)->evictions > 0);
	assert_true(peak - base <= (2u << 20) + (64u << 10));
	flow_table_free(ft);
	assert_int_equal(closes, 1 + 1000 + 40);
}

static void test_port_reuse(void **state)
{
	struct env *e = env_new(NULL);

	(void)state;
	session(e, 43000, 100, 0);
	/* the same 5-tuple again, within the close timeout */
	session(e, 43000, 90000, 1 * SEC);
	assert_int_equal(e->rec.nflows, 2);
	assert_int_equal(e->rec.flows[0].closes, 1);
	assert_int_equal(e->rec.flows[0].sum.end, FLOW_END_FIN);
	assert_int_equal(e->rec.flows[1].dir[DIR_C2S].len, 8);
	/* a new SYN on an active connection that carried data */
	feed(e, P(C, 44000, S, 25, 10, 0, TCP_SYN, NULL, 2 * SEC));
	feed(e, P(C, 44000, S, 25, 11, 0, TCP_ACK, "HELO a\r\n", 2 * SEC + 1));
	feed(e, P(C, 44000, S, 25, 500, 0, TCP_SYN, NULL, 2 * SEC + 2));
	feed(e, P(C, 44000, S, 25, 10, 0, TCP_SYN, NULL, 2 * SEC + 3));
	assert_int_equal(e->rec.nflows, 4);
	assert_int_equal(e->rec.flows[2].sum.end, FLOW_END_REUSED);
	assert_int_equal(flow_table_stats(e->ft)->reused, 1);
	/* a retransmitted SYN (same ISN) is not a new connection */
	feed(e, P(C, 44000, S, 25, 10, 0, TCP_SYN, NULL, 2 * SEC + 4));
	assert_int_equal(e->rec.nflows, 4);
	env_free(e);
}

static void test_rst(void **state)
{
	struct env *e = env_new(NULL);
	struct rec_flow *f;

	(void)state;
	feed(e, P(C, 45000, S, 25, 100, 0, TCP_SYN, NULL, 0));
	feed(e, P(C, 45000, S, 25, 101, 9000001, TCP_ACK, "MAIL ", 1));
	/* RSTs far from where the stream stands are not obeyed: the
	 * server's is 9 MB behind, the client's 20 MB ahead */
	feed(e, P(S, 25, C, 45000, 1000, 0, TCP_RST, NULL, 2));
	feed(e, P(C, 45000, S, 25, 106, 9000001, TCP_ACK, "FROM:<>\r\n", 3));
	feed(e, P(C, 45000, S, 25, 101 + 20000000, 0, TCP_RST, NULL, 4));
	f = &e->rec.flows[0];
	assert_int_equal(f->dir[DIR_C2S].len, 14);
	assert_int_equal(f->dir[DIR_C2S].ends, 0);
	/* an in-window RST ends both directions at once */
	feed(e, P(C, 45000, S, 25, 115, 0, TCP_RST, NULL, 5));
	assert_int_equal(f->dir[DIR_C2S].ends, 1);
	assert_int_equal(f->dir[DIR_S2C].ends, 1);
	feed(e, P(C, 45000, S, 25, 115, 0, TCP_ACK, "late\r\n", 6));
	assert_int_equal(f->dir[DIR_C2S].len, 14);
	assert_int_equal(f->closes, 0);
	flow_table_expire(e->ft, 10 * SEC);
	assert_int_equal(f->closes, 1);
	assert_int_equal(f->sum.end, FLOW_END_RST);
	assert_int_equal(f->sum.dir[DIR_C2S].rst_ignored, 1);
	assert_int_equal(f->sum.dir[DIR_S2C].rst_ignored, 1);
	assert_true(f->sum.dir[DIR_C2S].rst);
	assert_false(f->sum.dir[DIR_S2C].rst);
	env_free(e);
}

static void test_not_followed(void **state)
{
	struct env *e = env_new(NULL);

	(void)state;
	feed(e, P(C, 46000, S, 80, 1, 0, TCP_SYN, NULL, 0));
	feed(e, P(C, 46000, S, 80, 2, 0, TCP_ACK, "GET /\r\n", 1));
	assert_int_equal(e->rec.nflows, 0);
	assert_int_equal(flow_table_stats(e->ft)->flows, 1);
	assert_int_equal(flow_table_stats(e->ft)->followed, 0);
	env_free(e);
}

static void test_detach(void **state)
{
	struct env *e = env_new(NULL);
	struct rec_flow *f;

	(void)state;
	e->rec.detach_all = true;
	feed(e, P(C, 47000, S, 25, 1, 0, TCP_SYN, NULL, 0));
	feed(e, P(C, 47000, S, 25, 2, 0, TCP_ACK, "GET / HTTP/1.0\r\n", 1));
	feed(e, P(C, 47000, S, 25, 18, 0, TCP_ACK, "Host: x\r\n", 2));
	f = &e->rec.flows[0];
	assert_int_equal(f->data_calls, 1);
	flow_table_finish_all(e->ft, FLOW_END_EOF);
	assert_int_equal(f->closes, 1);
	assert_false(f->sum.followed);
	assert_int_equal(f->sum.dir[DIR_C2S].packets, 3);
	env_free(e);
}

static void test_vlan_in_key(void **state)
{
	struct env *e = env_new(NULL);
	struct packet p = P(C, 48000, S, 25, 1, 0, TCP_ACK, "x", 0);

	(void)state;
	p.nvlan = 1;
	p.vlan[0] = 10;
	feed(e, p);
	p.vlan[0] = 20;
	feed(e, p);
	assert_int_equal(flow_table_stats(e->ft)->flows, 2);
	assert_int_equal(e->rec.flows[1].info.vlan[0], 20);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_session),
		cmocka_unit_test(test_roles_without_syn),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_flow_count_cap),
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_memory_cap_counts_free_buffers),
		cmocka_unit_test(test_resend_after_one_fin),
		cmocka_unit_test(test_port_reuse),
		cmocka_unit_test(test_rst),
		cmocka_unit_test(test_not_followed),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_vlan_in_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
