/* IP fragment reassembly alone: orders, overlaps, limits, timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/ipfrag.h"

#define SEC 1000000000LL

static struct ipfrag *mk(uint32_t slots)
{
	struct ipfrag_config c = {slots, 30 * SEC};

	return ipfrag_new(&c);
}

static struct ipfrag_key key(uint32_t id)
{
	struct ipfrag_key k;

	memset(&k, 0, sizeof(k));
	k.ipver = 4;
	k.proto = 6;
	k.src[0] = 10;
	k.dst[0] = 11;
	k.id = id;
	return k;
}

static enum ipfrag_result add(struct ipfrag *f, uint32_t id, int64_t ts,
			      uint32_t off, bool more, const void *d,
			      uint32_t n, const uint8_t **out, uint32_t *olen)
{
	struct ipfrag_key k = key(id);
	uint8_t proto;

	return ipfrag_add(f, &k, ts, off, more, 6, d, n, out, olen, &proto);
}

static void test_orders(void **state)
{
	static uint8_t data[4000];
	static const uint32_t order[3][4] = {
		{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}};
	struct ipfrag *f = mk(8);
	const uint8_t *out = NULL;
	uint32_t olen = 0, i, o;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	for (o = 0; o < 3; o++) {
		for (i = 0; i < 4; i++) {
			uint32_t part = order[o][i];
			enum ipfrag_result r =
				add(f, 100 + o, 1, part * 1000, part < 3,
				    data + part * 1000, 1000, &out, &olen);

			assert_int_equal(r, i < 3 ? IPFRAG_HELD : IPFRAG_DONE);
		}
		assert_int_equal(olen, sizeof(data));
		assert_memory_equal(out, data, sizeof(data));
	}
	assert_int_equal(ipfrag_stats(f)->reassembled, 3);
	ipfrag_expire(f, 2);
	assert_int_equal(ipfrag_in_flight(f), 0);
	ipfrag_free(f);
}

static void test_overlaps(void **state)
{
	struct ipfrag *f = mk(8);
	const uint8_t *out;
	uint32_t olen;

	(void)state;
	/* identical overlap */
	add(f, 1, 1, 0, true, "AAAAAAAAAAAAAAAA", 16, &out, &olen);
	add(f, 1, 1, 8, true, "AAAAAAAA", 8, &out, &olen);
	assert_int_equal(ipfrag_stats(f)->overlaps, 1);
	assert_int_equal(ipfrag_stats(f)->overlaps_differing, 0);
	/* differing overlap: the first copy stays */
	add(f, 1, 1, 8, true, "BBBBBBBBBBBBBBBB", 16, &out, &olen);
	assert_int_equal(ipfrag_stats(f)->overlaps_differing, 1);
	assert_int_equal(add(f, 1, 1, 24, false, "CCCC", 4, &out, &olen),
			 IPFRAG_DONE);
	assert_int_equal(olen, 28);
	assert_memory_equal(out, "AAAAAAAAAAAAAAAABBBBBBBBCCCC", 28);
	ipfrag_free(f);
}

static void test_bad_datagrams(void **state)
{
	struct ipfrag *f = mk(8);
	static uint8_t d[2048];
	const uint8_t *out;
	uint32_t olen;

	(void)state;
	/* past 65535 bytes: the ping of death */
	assert_int_equal(add(f, 5, 1, 65528, false, d, 100, &out, &olen),
			 IPFRAG_BAD);
	/* two last fragments that disagree on the length */
	add(f, 6, 1, 8, true, d, 792, &out, &olen); /* 0..7 missing */
	add(f, 6, 1, 800, false, d, 100, &out, &olen);
	assert_int_equal(add(f, 6, 1, 800, false, d, 200, &out, &olen),
			 IPFRAG_BAD);
	/* data beyond the end the last fragment set */
	add(f, 7, 1, 800, false, d, 100, &out, &olen);
	assert_int_equal(add(f, 7, 1, 0, true, d, 1000, &out, &olen),
			 IPFRAG_BAD);
	assert_int_equal(ipfrag_stats(f)->bad, 3);
	assert_int_equal(ipfrag_in_flight(f), 0);
	ipfrag_free(f);
}

static void test_timeout_and_eviction(void **state)
{
	struct ipfrag *f = mk(2);
	static uint8_t d[64];
	const uint8_t *out;
	uint32_t olen;

	(void)state;
	add(f, 1, 0, 0, true, d, 8, &out, &olen);
	add(f, 2, 1 * SEC, 0, true, d, 8, &out, &olen);
	add(f, 3, 2 * SEC, 0, true, d, 8, &out, &olen); /* evicts id 1 */
	assert_int_equal(ipfrag_stats(f)->evicted, 1);
	assert_int_equal(ipfrag_in_flight(f), 2);
	/* id 1 completes now: its first part is gone, so it waits */
	assert_int_equal(add(f, 1, 3 * SEC, 8, false, d, 8, &out, &olen),
			 IPFRAG_HELD);
	assert_int_equal(ipfrag_stats(f)->evicted, 2); /* id 2 made room */
	ipfrag_expire(f, 40 * SEC);
	assert_int_equal(ipfrag_stats(f)->timeouts, 2);
	assert_int_equal(ipfrag_in_flight(f), 0);
	ipfrag_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_bad_datagrams),
		cmocka_unit_test(test_timeout_and_eviction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
