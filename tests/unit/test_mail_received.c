/*
 * Received fields (src/mail/received.c): the RFC 5322 A.4 example, lines
 * in the style of each common MTA (written for this test, with
 * documentation addresses), hostile and broken lines, every text cap and
 * the IP list cap. Values are parsed from exact-size heap copies; every
 * golden line is also parsed cut at every length.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/date.h"
#include "mail/received.h"

#define F(x) MAIL_RCVD_F_##x

static struct mail_received R;

static void check_field(const char *f, size_t size)
{
	assert_non_null(memchr(f, '\0', size));
}

static void check_invariants(const struct mail_received *r)
{
	check_field(r->from, sizeof(r->from));
	check_field(r->from_rdns, sizeof(r->from_rdns));
	check_field(r->from_ip, sizeof(r->from_ip));
	check_field(r->by, sizeof(r->by));
	check_field(r->via, sizeof(r->via));
	check_field(r->with, sizeof(r->with));
	check_field(r->id, sizeof(r->id));
	check_field(r->for_addr, sizeof(r->for_addr));
	assert_true(r->nips <= MAIL_RCVD_IPS_MAX);
	for (uint32_t i = 0; i < r->nips; i++) {
		uint8_t bin[16];

		check_field(r->ips[i], sizeof(r->ips[i]));
		assert_true(inet_pton(AF_INET, r->ips[i], bin) == 1 ||
			    inet_pton(AF_INET6, r->ips[i], bin) == 1);
		for (uint32_t j = 0; j < i; j++)
			assert_string_not_equal(r->ips[i], r->ips[j]);
	}
	if (r->from_ip[0]) {
		uint8_t bin[16];

		assert_true(inet_pton(AF_INET, r->from_ip, bin) == 1 ||
			    inet_pton(AF_INET6, r->from_ip, bin) == 1);
	}
	if (!r->have_date)
		assert_true(r->date == 0 && r->tz_minutes == 0);
	assert_int_equal(r->have_date,
			 !(r->flags & (F(NO_DATE) | F(BAD_DATE))));
	for (int i = 0; i < 32; i++) {
		if (r->flags & (1u << i))
			assert_non_null(mail_received_flag_name(1u << i));
		if (r->date_flags & (1u << i))
			assert_non_null(mail_date_flag_name(1u << i));
	}
}

static const struct mail_received *parse_n(const char *s, size_t n)
{
	char *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, s, n);
	memset(&R, 0x5a, sizeof(R)); /* the parser must reset it all */
	mail_received_parse(&R, copy, n);
	free(copy);
	check_invariants(&R);
	return &R;
}

static const struct mail_received *parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static void assert_flags(uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	fprintf(stderr, "flags: got");
	for (int i = 0; i < 32; i++)
		if (got & (1u << i))
			fprintf(stderr, " %s",
				mail_received_flag_name(1u << i));
	fprintf(stderr, "; want");
	for (int i = 0; i < 32; i++)
		if (want & (1u << i))
			fprintf(stderr, " %s",
				mail_received_flag_name(1u << i));
	fprintf(stderr, "\n");
	fail();
}

struct want {
	const char *from, *rdns, *ip, *by, *via, *with, *id, *for_addr;
	const char *ips[MAIL_RCVD_IPS_MAX + 1]; /* NULL-terminated */
	int64_t date;                           /* 0: none expected */
	int tz;
	uint32_t flags, date_flags;
};

static void expect(const char *line, const struct want *w)
{
	const struct mail_received *r = parse(line);
	uint32_t k;

	assert_string_equal(r->from, w->from ? w->from : "");
	assert_string_equal(r->from_rdns, w->rdns ? w->rdns : "");
	assert_string_equal(r->from_ip, w->ip ? w->ip : "");
	assert_string_equal(r->by, w->by ? w->by : "");
	assert_string_equal(r->via, w->via ? w->via : "");
	assert_string_equal(r->with, w->with ? w->with : "");
	assert_string_equal(r->id, w->id ? w->id : "");
	assert_string_equal(r->for_addr, w->for_addr ? w->for_addr : "");
	for (k = 0; w->ips[k]; k++) {
		assert_true(k < r->nips);
		assert_string_equal(r->ips[k], w->ips[k]);
	}
	assert_int_equal(r->nips, k);
	assert_int_equal(r->have_date, w->date != 0);
	assert_int_equal(r->date, w->date);
	assert_int_equal(r->tz_minutes, w->tz);
	assert_flags(r->flags, w->flags);
	assert_int_equal(r->date_flags, w->date_flags);
}

#define EXPECT(line, ...)                                                     \
	do {                                                                  \
		const struct want w_ = {__VA_ARGS__};                         \
		expect((line), &w_);                                          \
	} while (0)

/* Tue, 5 Mar 2024 10:00:00 UTC */
#define T0 1709632800

static void test_rfc5322_a4(void **state)
{
	(void)state;
	/* unfolded: each CRLF removed */
	EXPECT("from x.y.test   by example.net   via TCP   with ESMTP   id "
	       "ABC12345   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600",
	       .from = "x.y.test", .by = "example.net", .via = "TCP",
	       .with = "ESMTP", .id = "ABC12345",
	       .for_addr = "mary@example.net", .date = 880128343,
	       .tz = -360);
	EXPECT("from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600",
	       .from = "node.example", .by = "x.y.test", .date = 880128082,
	       .tz = -360);
}

static void test_postfix(void **state)
{
	(void)state;
	EXPECT("from mail.sender.example (mail.sender.example "
	       "[198.51.100.23]) (using TLSv1.3 with cipher "
	       "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
	       "server-signature RSA-PSS (2048 bits) server-digest SHA256) "
	       "(No client certificate requested) by mx.example.org (Postfix) "
	       "with ESMTPS id 4Tq1Zx2abcz3xyz for <bob@example.org>; Tue,  5 "
	       "Mar 2024 11:00:00 +0100 (CET)",
	       .from = "mail.sender.example", .rdns = "mail.sender.example",
	       .ip = "198.51.100.23", .by = "mx.example.org",
	       .with = "ESMTPS", .id = "4Tq1Zx2abcz3xyz",
	       .for_addr = "bob@example.org", .ips = {"198.51.100.23"},
	       .date = T0, .tz = 60);
	/* no reverse DNS; a HELO that lies */
	EXPECT("from mx.bigbank.example (unknown [203.0.113.66]) by "
	       "mx.example.org (Postfix) with ESMTP id 4TqAAA; Tue, 5 Mar "
	       "2024 10:00:00 +0000",
	       .from = "mx.bigbank.example", .rdns = "unknown",
	       .ip = "203.0.113.66", .by = "mx.example.org", .with = "ESMTP",
	       .id = "4TqAAA", .ips = {"203.0.113.66"}, .date = T0);
	/* IPv6, authenticated submission */
	EXPECT("from [IPv6:2001:db8::17] (client.example.org "
	       "[IPv6:2001:db8::17]) (Authenticated sender: alice) by "
	       "smtp.example.org (Postfix) with ESMTPSA id 4TqBBB; Tue, 5 Mar "
	       "2024 10:00:00 +0000",
	       .from = "[IPv6:2001:db8::17]", .rdns = "client.example.org",
	       .ip = "2001:db8::17", .by = "smtp.example.org",
	       .with = "ESMTPSA", .id = "4TqBBB", .ips = {"2001:db8::17"},
	       .date = T0);
	/* local pickup: no from clause */
	EXPECT("by mail.example.org (Postfix, from userid 1000) id 4TqCCC; "
	       "Tue,  5 Mar 2024 10:00:00 +0000 (UTC)",
	       .by = "mail.example.org", .id = "4TqCCC", .date = T0,
	       .flags = F(NO_FROM));
}

static void test_sendmail(void **state)
{
	(void)state;
	EXPECT("from client.example.org (ident@dsl-1.example.org "
	       "[IPv6:2001:db8::5] (may be forged)) by relay.example.com "
	       "(8.17.1/8.17.1/Debian-2) with ESMTPS id 425A0abc012345 "
	       "(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 "
	       "verify=NOT) for <bob@example.com>; Tue, 5 Mar 2024 11:00:02 "
	       "+0100",
	       .from = "client.example.org", .rdns = "dsl-1.example.org",
	       .ip = "2001:db8::5", .by = "relay.example.com",
	       .with = "ESMTPS", .id = "425A0abc012345",
	       .for_addr = "bob@example.com", .ips = {"2001:db8::5"},
	       .date = T0 + 2, .tz = 60);
	EXPECT("from helo.example.net ([198.51.100.7]) by relay.example.com "
	       "(8.17.1/8.17.1) with SMTP id 425A0def; Tue, 5 Mar 2024 "
	       "10:00:00 GMT",
	       .from = "helo.example.net", .ip = "198.51.100.7",
	       .by = "relay.example.com", .with = "SMTP", .id = "425A0def",
	       .ips = {"198.51.100.7"}, .date = T0,
	       .date_flags = MAIL_DATE_F_OBSOLETE | MAIL_DATE_F_NAMED_ZONE);
	/* local submission */
	EXPECT("(from alice@localhost) by host.example.com "
	       "(8.17.1/8.17.1/Submit) id 425A0ghi; Tue, 5 Mar 2024 10:00:00 "
	       "+0000",
	       .by = "host.example.com", .id = "425A0ghi", .date = T0,
	       .flags = F(NO_FROM));
}

static void test_exim(void **state)
{
	(void)state;
	EXPECT("from host.sender.example ([198.51.100.9] "
	       "helo=smtp.sender.example) by mail.example.net with esmtps  "
	       "(TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim "
	       "4.94.2) (envelope-from <a@sender.example>) id 1rhAbc-0001Xy-Ab "
	       "for bob@example.net; Tue, 05 Mar 2024 11:00:00 +0100",
	       .from = "smtp.sender.example", .rdns = "host.sender.example",
	       .ip = "198.51.100.9", .by = "mail.example.net",
	       .with = "esmtps", .id = "1rhAbc-0001Xy-Ab",
	       .for_addr = "bob@example.net", .ips = {"198.51.100.9"},
	       .date = T0, .tz = 60);
	/* no reverse DNS: the address is the from word */
	EXPECT("from [192.0.2.7] (port=51234 helo=[192.168.1.2]) by "
	       "mail.example.net with esmtpsa  (TLS1.3) tls "
	       "TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from "
	       "<alice@example.com>) id 1rhXYZ-000ABC-12; Tue, 05 Mar 2024 "
	       "11:00:00 +0100",
	       .from = "[192.168.1.2]", .ip = "192.0.2.7",
	       .by = "mail.example.net", .with = "esmtpsa",
	       .id = "1rhXYZ-000ABC-12", .ips = {"192.0.2.7", "192.168.1.2"},
	       .date = T0, .tz = 60);
	/* the HELO was the verified name: no helo= */
	EXPECT("from mail.example.com ([192.0.2.8]:40000) by mx.example.net "
	       "with esmtp (Exim 4.96) id 1rhDEF-000GHI-34; Tue, 05 Mar 2024 "
	       "10:00:00 +0000",
	       .from = "mail.example.com", .ip = "192.0.2.8",
	       .by = "mx.example.net", .with = "esmtp",
	       .id = "1rhDEF-000GHI-34", .ips = {"192.0.2.8"}, .date = T0);
	/* local delivery */
	EXPECT("from alice by host.example with local (Exim 4.96) "
	       "(envelope-from <alice@host.example>) id 1rhJKL-000MNO-56; "
	       "Tue, 05 Mar 2024 10:00:00 +0000",
	       .from = "alice", .by = "host.example", .with = "local",
	       .id = "1rhJKL-000MNO-56", .date = T0);
}

static void test_qmail(void **state)
{
	(void)state;
	EXPECT("from unknown (HELO ylmf-pc) (203.0.113.77) by "
	       "mail.example.com with SMTP; 5 Mar 2024 10:00:00 -0000",
	       .from = "ylmf-pc", .rdns = "unknown", .ip = "203.0.113.77",
	       .by = "mail.example.com", .with = "SMTP",
	       .ips = {"203.0.113.77"}, .date = T0);
	EXPECT("from mail.example.org (HELO mx) (relay@198.51.100.3) by "
	       "qmail.example.com with ESMTP; 5 Mar 2024 10:00:00 -0000",
	       .from = "mx", .rdns = "mail.example.org", .ip = "198.51.100.3",
	       .by = "qmail.example.com", .with = "ESMTP",
	       .ips = {"198.51.100.3"}, .date = T0);
	EXPECT("(qmail 12345 invoked from network); 5 Mar 2024 10:00:00 "
	       "-0000",
	       .date = T0, .flags = F(NO_FROM) | F(NO_BY));
	EXPECT("(qmail 999 invoked by uid 89); 5 Mar 2024 10:00:00 -0000",
	       .date = T0, .flags = F(NO_FROM) | F(NO_BY));
}

static void test_microsoft(void **state)
{
	(void)state;
	EXPECT("from AM0PR01MB1234.eurprd01.prod.exchangelabs.com "
	       "(2603:10a6:208:12::34) by "
	       "AM0PR01MB5678.eurprd01.prod.exchangelabs.com "
	       "(2603:10a6:208:56::78) with Microsoft SMTP Server "
	       "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) "
	       "id 15.20.7362.17 via Frontend Transport; Tue, 5 Mar 2024 "
	       "10:00:00 +0000",
	       .from = "AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
	       .ip = "2603:10a6:208:12::34",
	       .by = "AM0PR01MB5678.eurprd01.prod.exchangelabs.com",
	       .via = "Frontend Transport", .with = "Microsoft SMTP Server",
	       .id = "15.20.7362.17",
	       .ips = {"2603:10a6:208:12::34", "2603:10a6:208:56::78"},
	       .date = T0);
	/* the internal hop: a zone index on the link-local address */
	EXPECT("from EX01.corp.example ([fe80::a1b2:c3d4:e5f6:1%4]) by "
	       "EX01.corp.example ([fe80::a1b2:c3d4:e5f6:1%4]) with mapi id "
	       "15.20.7362.017; Tue, 5 Mar 2024 10:00:00 +0000",
	       .from = "EX01.corp.example", .ip = "fe80::a1b2:c3d4:e5f6:1",
	       .by = "EX01.corp.example", .with = "mapi",
	       .id = "15.20.7362.017", .ips = {"fe80::a1b2:c3d4:e5f6:1"},
	       .date = T0);
	EXPECT("from mail.example.com (192.0.2.44) by "
	       "BN8NAM12FT050.mail.protection.outlook.com (10.13.182.110) "
	       "with Microsoft SMTP Server (version=TLS1_3, "
	       "cipher=TLS_AES_256_GCM_SHA384) id 15.20.7362.10 via Frontend "
	       "Transport; Tue, 5 Mar 2024 10:00:00 +0000",
	       .from = "mail.example.com", .ip = "192.0.2.44",
	       .by = "BN8NAM12FT050.mail.protection.outlook.com",
	       .via = "Frontend Transport", .with = "Microsoft SMTP Server",
	       .id = "15.20.7362.10", .ips = {"192.0.2.44", "10.13.182.110"},
	       .date = T0);
}

static void test_gmail(void **state)
{
	(void)state;
	EXPECT("from mail-sor-f41.google.com (mail-sor-f41.google.com. "
	       "[209.85.220.41]) by mx.google.com with SMTPS id "
	       "a1sor123456qkb.12.2024.03.05.02.00.00 for <user@example.com> "
	       "(Google Transport Security); Tue, 05 Mar 2024 02:00:00 -0800 "
	       "(PST)",
	       .from = "mail-sor-f41.google.com",
	       .rdns = "mail-sor-f41.google.com", .ip = "209.85.220.41",
	       .by = "mx.google.com", .with = "SMTPS",
	       .id = "a1sor123456qkb.12.2024.03.05.02.00.00",
	       .for_addr = "user@example.com", .ips = {"209.85.220.41"},
	       .date = T0, .tz = -480);
	EXPECT("by 2002:a05:6a10:9e04:b0:5a1:1234:5678 with SMTP id "
	       "r4csp123456pxb; Tue, 5 Mar 2024 02:00:01 -0800 (PST)",
	       .by = "2002:a05:6a10:9e04:b0:5a1:1234:5678", .with = "SMTP",
	       .id = "r4csp123456pxb",
	       .ips = {"2002:a05:6a10:9e04:b0:5a1:1234:5678"}, .date = T0 + 1,
	       .tz = -480, .flags = F(NO_FROM));
	EXPECT("from laptop ([203.0.113.5]) by smtp.gmail.com with ESMTPSA id "
	       "x1-20020a05600c000100b0041234abcdsm1234567wmq.1.2024.03.05."
	       "02.00.00 for <user@example.com> (version=TLS1_3 "
	       "cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Tue, 05 Mar 2024 "
	       "02:00:00 -0800 (PST)",
	       .from = "laptop", .ip = "203.0.113.5", .by = "smtp.gmail.com",
	       .with = "ESMTPSA",
	       .id = "x1-20020a05600c000100b0041234abcdsm1234567wmq.1.2024.03."
		     "05.02.00.00",
	       .for_addr = "user@example.com", .ips = {"203.0.113.5"},
	       .date = T0, .tz = -480);
}

static void test_lenient_and_broken(void **state)
{
	(void)state;
	/* keywords in any case; a HELO name that is a keyword stays a name */
	EXPECT("FROM a.example BY b.example WITH esmtp ID x1 FOR <c@d.example>"
	       "; Tue, 5 Mar 2024 10:00:00 +0000",
	       .from = "a.example", .by = "b.example", .with = "esmtp",
	       .id = "x1", .for_addr = "c@d.example", .date = T0);
	EXPECT("from by (rdns.example [192.0.2.9]) by mx.example; Tue, 5 Mar "
	       "2024 10:00:00 +0000",
	       .from = "by", .rdns = "rdns.example", .ip = "192.0.2.9",
	       .by = "mx.example", .ips = {"192.0.2.9"}, .date = T0);
	/* the date is after the last ';' outside comments */
	EXPECT("from a.example (x; y) by b.example; Tue, 5 Mar 2024 10:00:00 "
	       "+0000 (a; b)",
	       .from = "a.example", .by = "b.example", .date = T0);
	EXPECT("from a.example; by b.example; Tue, 5 Mar 2024 10:00:00 +0000",
	       .from = "a.example", .by = "b.example", .date = T0,
	       .flags = F(UNPARSED));
	/* no date, bad date */
	EXPECT("from a.example by b.example", .from = "a.example",
	       .by = "b.example", .flags = F(NO_DATE));
	EXPECT("from a.example by b.example;", .from = "a.example",
	       .by = "b.example", .flags = F(BAD_DATE));
	EXPECT("from a.example by b.example; yesterday", .from = "a.example",
	       .by = "b.example", .flags = F(BAD_DATE));
	EXPECT("from a.example by b.example; 31 Feb 2024 10:00:00 +0000",
	       .from = "a.example", .by = "b.example", .flags = F(BAD_DATE),
	       .date_flags = MAIL_DATE_F_OUT_OF_RANGE);
	/* the date's own flags come through */
	EXPECT("by b.example; 2024-03-05T10:00:00Z", .by = "b.example",
	       .date = T0, .flags = F(NO_FROM),
	       .date_flags = MAIL_DATE_F_ISO8601);
	/* a clause twice: the first kept */
	EXPECT("from a.example by b.example by evil.example; Tue, 5 Mar 2024 "
	       "10:00:00 +0000",
	       .from = "a.example", .by = "b.example", .date = T0,
	       .flags = F(REPEATED));
	/* text the grammar does not explain */
	EXPECT("garbage from a.example by b.example; Tue, 5 Mar 2024 10:00:00 "
	       "+0000",
	       .from = "a.example", .by = "b.example", .date = T0,
	       .flags = F(UNPARSED));
	EXPECT("from a.example extra by b.example id; Tue, 5 Mar 2024 "
	       "10:00:00 +0000",
	       .from = "a.example", .by = "b.example", .date = T0,
	       .flags = F(UNPARSED));
	/* unbalanced comments */
	EXPECT("from a.example (rdns.example [192.0.2.1] by b.example; Tue, 5 "
	       "Mar 2024 10:00:00 +0000",
	       .from = "a.example", .rdns = "rdns.example", .ip = "192.0.2.1",
	       .ips = {"192.0.2.1"}, .date = T0,
	       .flags = F(UNBALANCED) | F(NO_BY));
	EXPECT("from a.example) by b.example; Tue, 5 Mar 2024 10:00:00 +0000",
	       .from = "a.example", .by = "b.example", .date = T0,
	       .flags = F(UNBALANCED));
	/* empty and blank */
	EXPECT("", .flags = F(NO_FROM) | F(NO_BY) | F(NO_DATE));
	EXPECT(" ; ", .flags = F(NO_FROM) | F(NO_BY) | F(BAD_DATE));
	/* nested comments with escapes in the from clause */
	EXPECT("from a.example (rdns.example [192.0.2.2] (x (y) \\) z)) by "
	       "b.example; Tue, 5 Mar 2024 10:00:00 +0000",
	       .from = "a.example", .rdns = "rdns.example", .ip = "192.0.2.2",
	       .by = "b.example", .ips = {"192.0.2.2"}, .date = T0);
}

static void test_ip_scan(void **state)
{
	const struct mail_received *r;

	(void)state;
	/* in names, or not addresses: not taken */
	r = parse("from 1.2.3.4.dnsbl.example (ip-192-0-2-1.example "
		  "[host192.0.2.1]) by 15.1.2507.6 with 10:00:00 id dead.beef "
		  "for ::; Tue, 5 Mar 2024 10:00:00 +0000");
	assert_int_equal(r->nips, 0);
	assert_string_equal(r->from_ip, "");
	/* one address written many ways is one */
	r = parse("from a (b [IPv6:2001:DB8::1]) by c (2001:db8:0:0:0:0:0:1) "
		  "with x (2001:db8::1%eth0) id [2001:0db8::0001]; Tue, 5 Mar "
		  "2024 10:00:00 +0000");
	assert_int_equal(r->nips, 1);
	assert_string_equal(r->ips[0], "2001:db8::1");
	assert_string_equal(r->from_ip, "2001:db8::1");
	/* ip:port, trailing dot, mapped IPv4, IPv4 in order */
	r = parse("from a ([192.0.2.1]:25) by b (198.51.100.2.) with "
		  "::ffff:203.0.113.3 id x helo=192.0.2.1; Tue, 5 Mar 2024 "
		  "10:00:00 +0000 192.0.2.4:587");
	assert_int_equal(r->nips, 4);
	assert_string_equal(r->ips[0], "192.0.2.1");
	assert_string_equal(r->ips[1], "198.51.100.2");
	assert_string_equal(r->ips[2], "::ffff:203.0.113.3");
	assert_string_equal(r->ips[3], "192.0.2.4");
	assert_false(r->flags & F(TRUNCATED));
	/* a fifth: not kept, flagged */
	r = parse("from a (b [192.0.2.1]) by c (192.0.2.2) with d (192.0.2.3) "
		  "id e (192.0.2.4) for f (192.0.2.5); 5 Mar 2024 10:00 +0000");
	assert_int_equal(r->nips, MAIL_RCVD_IPS_MAX);
	assert_string_equal(r->ips[3], "192.0.2.4");
	assert_true(r->flags & F(TRUNCATED));
	/* "::" names no host: neither the connection's address nor listed */
	r = parse("from a ([::]) by b (::); 5 Mar 2024 10:00 +0000");
	assert_int_equal(r->nips, 0);
	assert_string_equal(r->from_ip, "");
	/* a NUL in the brackets is no end of the address */
	{
		static const char v[] = "from a ([::\0\0:1]) by b";

		r = parse_n(v, sizeof(v) - 1);
	}
	assert_int_equal(r->nips, 0);
	assert_string_equal(r->from_ip, "");
	/* leading zeros are not an IPv4 address to inet_pton */
	r = parse("from a (b [192.000.002.001]) by c; 5 Mar 2024 10:00 +0000");
	assert_int_equal(r->nips, 0);
	assert_string_equal(r->from_ip, "");
}

/* Each text field at its size - 1 (kept whole) and at its size (cut). */
static void test_text_caps(void **state)
{
	static const struct {
		const char *fmt;
		size_t off, size;
	} fields[] = {
		{"from %s by b", offsetof(struct mail_received, from), 256},
		{"from a (%s [192.0.2.1]) by b",
		 offsetof(struct mail_received, from_rdns), 256},
		{"from a by %s", offsetof(struct mail_received, by), 256},
		{"by b via %s", offsetof(struct mail_received, via), 64},
		{"by b with %s", offsetof(struct mail_received, with), 64},
		{"by b id %s", offsetof(struct mail_received, id), 128},
		{"by b for <%s>", offsetof(struct mail_received, for_addr),
		 256},
	};
	char word[300], line[400];

	(void)state;
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (size_t len = fields[f].size - 2;
		     len <= fields[f].size + 1; len++) {
			const struct mail_received *r;
			const char *got;
			size_t kept = len < fields[f].size
					      ? len
					      : fields[f].size - 1;

			memset(word, 'w', len);
			word[len] = '\0';
			snprintf(line, sizeof(line), fields[f].fmt, word);
			r = parse(line);
			got = (const char *)r + fields[f].off;
			assert_int_equal(strlen(got), kept);
			assert_int_equal((r->flags & F(TRUNCATED)) != 0,
					 len >= fields[f].size);
		}
	}
	/* with and via grow word by word up to their cap */
	memset(line, 0, sizeof(line));
	strcpy(line, "by b with");
	for (int i = 0; i < 40; i++)
		strcat(line, " word");
	parse(line);
	assert_int_equal(strlen(R.with), 63);
	assert_true(R.flags & F(TRUNCATED));
}

/* (parenthesised: literals concatenated on purpose) */
static const char *const golden[] = {
	("from mail.sender.example (mail.sender.example [198.51.100.23]) "
	 "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) "
	 "by mx.example.org (Postfix) with ESMTPS id 4Tq1Zx2abcz3xyz for "
	 "<bob@example.org>; Tue,  5 Mar 2024 11:00:00 +0100 (CET)"),
	("from [192.0.2.7] (port=51234 helo=[IPv6:2001:db8::9]) by x with "
	 "esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384 id 1rh; "
	 "5 Mar 24 10:00 Z"),
	"from unknown (HELO ylmf-pc) (user@203.0.113.77) by m with SMTP; x",
	"(qmail 1 invoked (nested (deep)) \\) from network); ;; ;",
};

static void test_every_prefix(void **state)
{
	(void)state;
	for (size_t g = 0; g < sizeof(golden) / sizeof(golden[0]); g++)
		for (size_t k = 0; k <= strlen(golden[g]); k++)
			parse_n(golden[g], k);
}

static void test_hostile(void **state)
{
	enum { N = 100000 };
	char *v = malloc(N);
	char s[2];

	(void)state;
	assert_non_null(v);
	memset(v, '(', N);
	parse_n(v, N);
	memset(v, ';', N);
	parse_n(v, N);
	memset(v, ':', N);
	parse_n(v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = "from (helo=x [1.2.3.4]) by "[i % 26];
	parse_n(v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = "1.2.3."[i % 6];
	parse_n(v, N);
	for (size_t i = 0; i < N; i++)
		v[i] = (char)(i * 7919 % 251);
	parse_n(v, N);
	free(v);
	for (int a = 0; a < 256; a++) {
		s[0] = (char)a;
		parse_n(s, 1);
		for (int b = 0; b < 256; b++) {
			s[1] = (char)b;
			parse_n(s, 2);
		}
	}
	mail_received_parse(&R, NULL, 0);
	assert_true(R.flags & F(NO_DATE));
}

static void test_flag_names(void **state)
{
	const char *seen[32];
	int count = 0;

	(void)state;
	for (int i = 0; i < 32; i++) {
		const char *name = mail_received_flag_name(1u << i);

		if (!name)
			continue;
		for (int j = 0; j < count; j++)
			assert_string_not_equal(seen[j], name);
		seen[count++] = name;
	}
	assert_int_equal(count, 8);
	assert_string_equal(mail_received_flag_name(F(NO_FROM)), "no_from");
	assert_null(mail_received_flag_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5322_a4),
		cmocka_unit_test(test_postfix),
		cmocka_unit_test(test_sendmail),
		cmocka_unit_test(test_exim),
		cmocka_unit_test(test_qmail),
		cmocka_unit_test(test_microsoft),
		cmocka_unit_test(test_gmail),
		cmocka_unit_test(test_lenient_and_broken),
		cmocka_unit_test(test_ip_scan),
		cmocka_unit_test(test_text_caps),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_flag_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
