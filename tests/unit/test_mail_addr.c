/*
 * Address fields (src/mail/addr.c): the RFC 5322 Appendix A examples, the
 * obsolete forms of section 4.4, what real and hostile mail holds, and the
 * caps. Every value is parsed from a heap copy of its exact size (ASan
 * sees a read past it) and every result is checked against the list's
 * invariants before the test looks at it.
 *
 * The parser reads one whole field value, not a stream: there is no chunk
 * size to sweep. Instead every golden value is also parsed cut at every
 * length, which must hold the invariants too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/addr.h"

#define F(x) MAIL_ADDR_F_##x

static struct mail_addrlist *L;

static int setup(void **state)
{
	(void)state;
	L = malloc(sizeof(*L));
	return L ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(L);
	return 0;
}

static bool inside(const struct mail_addrlist *l, const char *p, uint32_t len)
{
	return p >= l->buf && p + len < l->buf + l->used &&
	       p[len] == '\0';
}

static void check_text(const struct mail_addrlist *l, const char *p,
		       uint32_t len)
{
	assert_true(inside(l, p, len));
	assert_true(len <= MAIL_ADDR_TEXT_MAX);
}

/* A display name or group name: white space collapsed and trimmed. */
static void check_collapsed(const char *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		assert_true(p[i] != '\t' && p[i] != '\r' && p[i] != '\n');
		if (p[i] == ' ') {
			assert_true(i > 0 && i + 1 < len);
			assert_true(p[i + 1] != ' ');
		}
	}
}

static void check_flags_named(uint32_t f)
{
	for (int i = 0; i < 32; i++)
		if (f & (1u << i))
			assert_non_null(mail_addr_flag_name(1u << i));
}

static void check_invariants(const struct mail_addrlist *l)
{
	assert_true(l->n <= MAIL_ADDRS_MAX);
	assert_true(l->n <= l->total);
	assert_int_equal(l->total > MAIL_ADDRS_MAX,
			 (l->flags & F(TOO_MANY)) != 0);
	assert_true(l->used >= 1 && l->used <= MAIL_ADDRLIST_BUF);
	assert_int_equal(l->buf[0], '\0');
	check_flags_named(l->flags);
	for (uint32_t i = 0; i < l->n; i++) {
		const struct mail_addr *a = &l->a[i];

		check_text(l, a->display, a->display_len);
		check_text(l, a->addr, a->addr_len);
		check_text(l, a->group, a->group_len);
		check_collapsed(a->display, a->display_len);
		check_collapsed(a->group, a->group_len);
		assert_true(a->local_len <= a->addr_len);
		if (a->has_at)
			assert_int_equal(a->addr[a->local_len], '@');
		else
			assert_int_equal(a->local_len, a->addr_len);
		assert_int_equal(a->flags & ~l->flags, 0);
		assert_int_equal(a->flags & (F(TOO_MANY) | F(EMPTY_MEMBER) |
					     F(EMPTY_GROUP)),
				 0);
	}
}

/* Parse s[0..n) from an exact-size heap copy. */
static const struct mail_addrlist *parse_n(const char *s, size_t n)
{
	char *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, s, n);
	memset(L, 0x5a, sizeof(*L)); /* the parser must reset it all */
	mail_addrlist_parse(L, copy, n);
	free(copy);
	check_invariants(L);
	return L;
}

static const struct mail_addrlist *parse(const char *s)
{
	return parse_n(s, strlen(s));
}

struct want {
	const char *display, *addr, *group;
	uint32_t flags;
};

/* Where the local part of an expected address ends: its last '@'
 * outside a quoted string or literal. */
static int want_at(const char *a)
{
	int at = -1;
	char close = 0;

	for (int i = 0; a[i]; i++) {
		if (close) {
			if (a[i] == '\\' && a[i + 1])
				i++;
			else if (a[i] == close)
				close = 0;
		} else if (a[i] == '"') {
			close = '"';
		} else if (a[i] == '[') {
			close = ']';
		} else if (a[i] == '@') {
			at = i;
		}
	}
	return at;
}

static void assert_text(const char *got, uint32_t len, const char *want)
{
	if (len != strlen(want) || memcmp(got, want, len) != 0)
		fail_msg("got \"%.*s\", want \"%s\"", (int)len, got, want);
}

static void assert_flags(uint32_t got, uint32_t want, const char *what)
{
	if (got == want)
		return;
	fprintf(stderr, "%s flags: got", what);
	for (int i = 0; i < 32; i++)
		if (got & (1u << i))
			fprintf(stderr, " %s", mail_addr_flag_name(1u << i));
	fprintf(stderr, "; want");
	for (int i = 0; i < 32; i++)
		if (want & (1u << i))
			fprintf(stderr, " %s", mail_addr_flag_name(1u << i));
	fprintf(stderr, "\n");
	fail();
}

static void expect(const char *value, uint32_t list_flags,
		   const struct want *w, size_t count)
{
	const struct mail_addrlist *l = parse(value);

	assert_int_equal(l->n, count);
	assert_int_equal(l->total, count);
	for (size_t i = 0; i < count; i++) {
		const struct mail_addr *a = &l->a[i];
		int at = want_at(w[i].addr);

		assert_text(a->display, a->display_len, w[i].display);
		assert_text(a->addr, a->addr_len, w[i].addr);
		assert_text(a->group, a->group_len, w[i].group);
		assert_int_equal(a->has_at, at >= 0);
		assert_int_equal(a->local_len,
				 at >= 0 ? (uint32_t)at : a->addr_len);
		assert_flags(a->flags, w[i].flags, "address");
	}
	assert_flags(l->flags, list_flags, "list");
}

#define EXPECT(value, list_flags, ...)                                        \
	do {                                                                  \
		const struct want w_[] = {__VA_ARGS__};                       \
		expect((value), (list_flags), w_,                             \
		       sizeof(w_) / sizeof(w_[0]));                           \
	} while (0)
#define EXPECT_NONE(value, list_flags) expect((value), (list_flags), NULL, 0)

/* ---- RFC 5322 Appendix A -------------------------------------------- */

static void test_rfc5322_a1_a4(void **state)
{
	(void)state;
	/* A.1.1 */
	EXPECT("John Doe <jdoe@machine.example>", 0,
	       {"John Doe", "jdoe@machine.example", "", 0});
	EXPECT("Mary Smith <mary@example.net>", 0,
	       {"Mary Smith", "mary@example.net", "", 0});
	/* A.1.2 */
	EXPECT("\"Joe Q. Public\" <john.q.public@example.com>", 0,
	       {"Joe Q. Public", "john.q.public@example.com", "", 0});
	EXPECT("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
	       0, {"Mary Smith", "mary@x.test", "", 0},
	       {"", "jdoe@example.org", "", 0}, {"Who?", "one@y.test", "", 0});
	EXPECT("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" "
	       "<sysservices@example.net>",
	       0, {"", "boss@nil.test", "", 0},
	       {"Giant; \"Big\" Box", "sysservices@example.net", "", 0});
	/* A.1.3 */
	EXPECT("Pete <pete@silly.example>", 0,
	       {"Pete", "pete@silly.example", "", 0});
	EXPECT("A Group:Ed Jones <c@a.test>,joe@where.test,"
	       "John <jdoe@one.test>;",
	       0, {"Ed Jones", "c@a.test", "A Group", 0},
	       {"", "joe@where.test", "A Group", 0},
	       {"John", "jdoe@one.test", "A Group", 0});
	EXPECT_NONE("Undisclosed recipients:;", F(EMPTY_GROUP));
	/* A.2 */
	EXPECT("\"Mary Smith: Personal Account\" <smith@home.example>", 0,
	       {"Mary Smith: Personal Account", "smith@home.example", "", 0});
	/* A.3 */
	EXPECT("Jane Brown <j-brown@other.example>", 0,
	       {"Jane Brown", "j-brown@other.example", "", 0});
	/* A.4 */
	EXPECT("John Doe <jdoe@node.example>", 0,
	       {"John Doe", "jdoe@node.example", "", 0});
}

static void test_rfc5322_a5_comments(void **state)
{
	(void)state;
	EXPECT("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	       F(COMMENT), {"Pete", "pete@silly.test", "", F(COMMENT)});
	/* the field unfolded: each CRLF of the example removed */
	EXPECT("A Group(Some people)     :Chris Jones "
	       "<c@(Chris's host.)public.example>,         joe@example.org,"
	       "  John <jdoe@one.test> (my dear friend);"
	       " (the end of the group)",
	       F(COMMENT),
	       {"Chris Jones", "c@public.example", "A Group", F(COMMENT)},
	       {"", "joe@example.org", "A Group", 0},
	       {"John", "jdoe@one.test", "A Group", F(COMMENT)});
	EXPECT_NONE("(Empty list)(start)Hidden recipients  :(nobody(that I "
		    "know))  ;",
		    F(COMMENT) | F(EMPTY_GROUP));
}

static void test_rfc5322_a6_obsolete(void **state)
{
	(void)state;
	/* A.6.1 */
	EXPECT("Joe Q. Public <john.q.public@example.com>", 0,
	       {"Joe Q. Public", "john.q.public@example.com", "", 0});
	EXPECT("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . "
	       "example",
	       F(OBSOLETE_ROUTE) | F(EMPTY_MEMBER) | F(OBSOLETE_SYNTAX),
	       {"Mary Smith", "mary@example.net", "", F(OBSOLETE_ROUTE)},
	       {"", "jdoe@test.example", "", F(OBSOLETE_SYNTAX)});
	/* A.6.3 */
	EXPECT("John Doe <jdoe@machine(comment).  example>",
	       F(COMMENT) | F(OBSOLETE_SYNTAX),
	       {"John Doe", "jdoe@machine.example", "",
		F(COMMENT) | F(OBSOLETE_SYNTAX)});
	EXPECT("Mary Smith  \t          <mary@example.net>", 0,
	       {"Mary Smith", "mary@example.net", "", 0});
	/* obs-local-part: CFWS around the dots */
	EXPECT("first . last @ example.org", F(OBSOLETE_SYNTAX),
	       {"", "first.last@example.org", "", F(OBSOLETE_SYNTAX)});
	/* CFWS around '@' is RFC 5322 proper */
	EXPECT("jdoe @ example.org", 0, {"", "jdoe@example.org", "", 0});
	/* a longer route, with an empty element */
	EXPECT("<@a.example,,@b.example:user@c.example>", F(OBSOLETE_ROUTE),
	       {"", "user@c.example", "", F(OBSOLETE_ROUTE)});
	/* leading, doubled and trailing commas */
	EXPECT(",a@b.example,,c@d.example,", F(EMPTY_MEMBER),
	       {"", "a@b.example", "", 0}, {"", "c@d.example", "", 0});
	EXPECT("g: ,a@b.example, ;", F(EMPTY_MEMBER),
	       {"", "a@b.example", "g", 0});
}

/* ---- what real mail holds ------------------------------------------- */

static void test_real_world_forms(void **state)
{
	(void)state;
	/* RFC 822 convention: the name in a comment after the address */
	EXPECT("jdoe@example.com (John Doe)", F(COMMENT),
	       {"John Doe", "jdoe@example.com", "", F(COMMENT)});
	EXPECT("jdoe@example.com (John  (\"JD\")\\) Doe)", F(COMMENT),
	       {"John (\"JD\")) Doe", "jdoe@example.com", "", F(COMMENT)});
	/* a name and no angle brackets */
	EXPECT("John Doe jdoe@example.com", F(MISSING_ANGLE),
	       {"John Doe", "jdoe@example.com", "", F(MISSING_ANGLE)});
	EXPECT("\"Doe, John\" jdoe@example.com", F(MISSING_ANGLE),
	       {"Doe, John", "jdoe@example.com", "", F(MISSING_ANGLE)});
	/* Delivered-To, Return-Path */
	EXPECT("bob+tag@example.org", 0, {"", "bob+tag@example.org", "", 0});
	EXPECT("<>", F(EMPTY_ADDR), {"", "", "", F(EMPTY_ADDR)});
	EXPECT("  < >  ", F(EMPTY_ADDR), {"", "", "", F(EMPTY_ADDR)});
	EXPECT("MAILER-DAEMON <>", F(EMPTY_ADDR),
	       {"MAILER-DAEMON", "", "", F(EMPTY_ADDR)});
	/* IP literals */
	EXPECT("root@[192.0.2.1]", F(IP_LITERAL),
	       {"", "root@[192.0.2.1]", "", F(IP_LITERAL)});
	EXPECT("Admin <root@[IPv6:2001:db8::1]>", F(IP_LITERAL),
	       {"Admin", "root@[IPv6:2001:db8::1]", "", F(IP_LITERAL)});
	/* quoted local parts keep their quotes and escapes */
	EXPECT("\"john..doe\"@example.com", F(QUOTED_LOCAL),
	       {"", "\"john..doe\"@example.com", "", F(QUOTED_LOCAL)});
	EXPECT("<\"a\\\"@b\"@example.com>", F(QUOTED_LOCAL),
	       {"", "\"a\\\"@b\"@example.com", "", F(QUOTED_LOCAL)});
	EXPECT("\"very.(),:;<>[]\\\".VERY.\\\"very@\\\\ \\\"very\\\".unusual\""
	       "@strange.example.com",
	       F(QUOTED_LOCAL),
	       {"",
		"\"very.(),:;<>[]\\\".VERY.\\\"very@\\\\ \\\"very\\\".unusual\""
		"@strange.example.com",
		"", F(QUOTED_LOCAL)});
	/* group syntax as bulk mailers write it */
	EXPECT_NONE("undisclosed-recipients:;", F(EMPTY_GROUP));
	EXPECT_NONE("undisclosed-recipients:", F(EMPTY_GROUP) | F(UNBALANCED));
	EXPECT("team: a@x.example; b@y.example", 0,
	       {"", "a@x.example", "team", 0}, {"", "b@y.example", "", 0});
	/* encoded words are left for the decoder */
	EXPECT("=?UTF-8?B?w4lsb2RpZQ==?= <elodie@example.fr>", 0,
	       {"=?UTF-8?B?w4lsb2RpZQ==?=", "elodie@example.fr", "", 0});
	/* RFC 6532: UTF-8 names, local parts and domains */
	EXPECT("Jürgen Müller <jürgen@bücher.example>", F(UTF8),
	       {"Jürgen Müller", "jürgen@bücher.example", "", F(UTF8)});
	EXPECT("用户@例子.广告", F(UTF8), {"", "用户@例子.广告", "", F(UTF8)});
	/* an address with no domain */
	EXPECT("postmaster", F(NO_DOMAIN),
	       {"", "postmaster", "", F(NO_DOMAIN)});
	EXPECT("Post Master postmaster", F(NO_DOMAIN) | F(MISSING_ANGLE),
	       {"Post Master", "postmaster", "",
		F(NO_DOMAIN) | F(MISSING_ANGLE)});
	EXPECT("Joe <joe>", F(NO_DOMAIN), {"Joe", "joe", "", F(NO_DOMAIN)});
	EXPECT("user@", F(NO_DOMAIN), {"", "user@", "", F(NO_DOMAIN)});
	EXPECT("@example.com", F(SYNTAX), {"", "@example.com", "", F(SYNTAX)});
	/* several '@': the last one is the domain's */
	EXPECT("paypal.com@evil.example", 0,
	       {"", "paypal.com@evil.example", "", 0});
	EXPECT("user@foo@bar.example", F(MULTIPLE_AT),
	       {"", "user@foo@bar.example", "", F(MULTIPLE_AT)});
	EXPECT("Svc <security@paypal.com@evil.example>", F(MULTIPLE_AT),
	       {"Svc", "security@paypal.com@evil.example", "",
		F(MULTIPLE_AT)});
	/* upper case and odd atext survive as written */
	EXPECT("{x}!#$%&'*+-/=?^_`|~@EXAMPLE.com", 0,
	       {"", "{x}!#$%&'*+-/=?^_`|~@EXAMPLE.com", "", 0});
}

static void test_spoofing(void **state)
{
	(void)state;
	/* the display name claims another address */
	EXPECT("\"service@paypal.com\" <x@evil.example>",
	       F(DISPLAY_HAS_ADDRESS),
	       {"service@paypal.com", "x@evil.example", "",
		F(DISPLAY_HAS_ADDRESS)});
	EXPECT("service@paypal.com <x@evil.example>", F(DISPLAY_HAS_ADDRESS),
	       {"service@paypal.com", "x@evil.example", "",
		F(DISPLAY_HAS_ADDRESS)});
	EXPECT("\"PayPal (service@paypal.com)\" <x@evil.example>",
	       F(DISPLAY_HAS_ADDRESS),
	       {"PayPal (service@paypal.com)", "x@evil.example", "",
		F(DISPLAY_HAS_ADDRESS)});
	EXPECT("x@evil.example (service@paypal.com)",
	       F(DISPLAY_HAS_ADDRESS) | F(COMMENT),
	       {"service@paypal.com", "x@evil.example", "",
		F(DISPLAY_HAS_ADDRESS) | F(COMMENT)});
	/* the same address as the name, as Outlook writes it: not flagged */
	EXPECT("\"bob@example.com\" <bob@example.com>", 0,
	       {"bob@example.com", "bob@example.com", "", 0});
	EXPECT("'Bob@Example.COM' <bob@example.com>", 0,
	       {"'Bob@Example.COM'", "bob@example.com", "", 0});
	/* an '@' that is not an address */
	EXPECT("\"@handle on X\" <h@example.com>", 0,
	       {"@handle on X", "h@example.com", "", 0});
	EXPECT("\"Bob @ Home\" <b@example.com>", 0,
	       {"Bob @ Home", "b@example.com", "", 0});
}

static void test_broken_syntax(void **state)
{
	(void)state;
	/* missing commas */
	EXPECT("a@x.example b@y.example", F(MISSING_COMMA),
	       {"", "a@x.example", "", 0},
	       {"", "b@y.example", "", F(MISSING_COMMA)});
	EXPECT("A <a@x.example> B <b@y.example>", F(MISSING_COMMA),
	       {"A", "a@x.example", "", 0},
	       {"B", "b@y.example", "", F(MISSING_COMMA)});
	/* unbalanced: angle, quote, paren, bracket */
	EXPECT("Name <a@x.example", F(UNBALANCED),
	       {"Name", "a@x.example", "", F(UNBALANCED)});
	EXPECT("a@x.example>", F(UNBALANCED),
	       {"", "a@x.example", "", F(UNBALANCED)});
	EXPECT("<<a@x.example>>", F(UNBALANCED) | F(SYNTAX),
	       {"", "a@x.example", "", F(UNBALANCED) | F(SYNTAX)});
	EXPECT("<a@x.example, b@y.example>", F(UNBALANCED),
	       {"", "a@x.example", "", F(UNBALANCED)},
	       {"", "b@y.example", "", F(UNBALANCED)});
	/* an open quote takes the rest of the value as one word */
	EXPECT("\"Name <a@x.example>, b@y.example",
	       F(UNBALANCED) | F(NO_DOMAIN) | F(QUOTED_LOCAL),
	       {"", "\"Name <a@x.example>, b@y.example", "",
		F(UNBALANCED) | F(NO_DOMAIN) | F(QUOTED_LOCAL)});
	EXPECT_NONE("(Name a@x.example", F(UNBALANCED) | F(COMMENT));
	EXPECT("Name) <a@x.example>", F(UNBALANCED),
	       {"Name)", "a@x.example", "", F(UNBALANCED)});
	EXPECT("a@[192.0.2.1", F(UNBALANCED) | F(IP_LITERAL),
	       {"", "a@[192.0.2.1", "", F(UNBALANCED) | F(IP_LITERAL)});
	/* characters out of place */
	EXPECT("Name <mailto:a@x.example>", F(SYNTAX),
	       {"Name", "mailto:a@x.example", "", F(SYNTAX)});
	EXPECT("a\\b@x.example", F(SYNTAX),
	       {"", "a\\b@x.example", "", F(SYNTAX)});
	EXPECT("a@x.example;", F(SYNTAX), {"", "a@x.example", "", 0});
	EXPECT("g: h: a@x.example;;", F(NO_DOMAIN) | F(SYNTAX) |
	       F(MISSING_COMMA),
	       {"", "h", "g", F(NO_DOMAIN)},
	       {"", "a@x.example", "g", F(MISSING_COMMA)});
	/* control characters, kept as bytes and flagged */
	{
		static const char v[] = "Na\0me <a@x.example>, b@y\r\n.example";
		const struct mail_addrlist *l = parse_n(v, sizeof(v) - 1);

		assert_int_equal(l->n, 2);
		assert_int_equal(l->a[0].display_len, 5);
		assert_memory_equal(l->a[0].display, "Na\0me", 5);
		assert_true(l->a[0].flags & F(CONTROL_CHARS));
		assert_true(l->a[1].flags & F(CONTROL_CHARS));
		assert_text(l->a[1].addr, l->a[1].addr_len, "b@y.example");
	}
	EXPECT("Bell\x07 <a@x.example>", F(CONTROL_CHARS),
	       {"Bell\x07", "a@x.example", "", F(CONTROL_CHARS)});
	EXPECT("Tab\tName <a@x.example>", 0,
	       {"Tab Name", "a@x.example", "", 0});
	/* empty and blank values */
	EXPECT_NONE("", 0);
	EXPECT_NONE(" \t ", 0);
	EXPECT_NONE(",", F(EMPTY_MEMBER));
	EXPECT_NONE(":;", F(SYNTAX));
	EXPECT_NONE("(only a comment)", F(COMMENT));
}

/* ---- caps ----------------------------------------------------------- */

static void test_too_many(void **state)
{
	char v[4096];
	size_t len = 0;
	const struct mail_addrlist *l;

	(void)state;
	for (int i = 0; i < MAIL_ADDRS_MAX + 6; i++)
		len += (size_t)snprintf(v + len, sizeof(v) - len,
					"%su%d@x.example", i ? ", " : "", i);
	l = parse_n(v, len);
	assert_int_equal(l->n, MAIL_ADDRS_MAX);
	assert_int_equal(l->total, MAIL_ADDRS_MAX + 6);
	assert_true(l->flags & F(TOO_MANY));
	assert_text(l->a[MAIL_ADDRS_MAX - 1].addr,
		    l->a[MAIL_ADDRS_MAX - 1].addr_len, "u63@x.example");
	/* the flags of addresses not kept still reach the list */
	memcpy(v + len, ", <@r:z@x>", 10);
	l = parse_n(v, len + 10);
	assert_true(l->flags & F(OBSOLETE_ROUTE));
	assert_int_equal(l->total, MAIL_ADDRS_MAX + 7);
	/* exactly the maximum: not too many */
	len = 0;
	for (int i = 0; i < MAIL_ADDRS_MAX; i++)
		len += (size_t)snprintf(v + len, sizeof(v) - len,
					"%su%d@x.example", i ? "," : "", i);
	l = parse_n(v, len);
	assert_int_equal(l->n, MAIL_ADDRS_MAX);
	assert_false(l->flags & F(TOO_MANY));
}

static void test_text_cap(void **state)
{
	static char v[3 * MAIL_ADDR_TEXT_MAX];
	const struct mail_addrlist *l;
	size_t k;

	(void)state;
	/* a display name at the cap, and one byte over */
	for (k = MAIL_ADDR_TEXT_MAX - 1; k <= MAIL_ADDR_TEXT_MAX + 1; k++) {
		memset(v, 'N', k);
		memcpy(v + k, " <a@x.example>", 14);
		l = parse_n(v, k + 14);
		assert_int_equal(l->n, 1);
		assert_int_equal(l->a[0].display_len,
				 k > MAIL_ADDR_TEXT_MAX ? MAIL_ADDR_TEXT_MAX
							: k);
		assert_int_equal((l->a[0].flags & F(TRUNCATED)) != 0,
				 k > MAIL_ADDR_TEXT_MAX);
		assert_text(l->a[0].addr, l->a[0].addr_len, "a@x.example");
	}
	/* cut where a space falls: the text does not end in it */
	for (k = MAIL_ADDR_TEXT_MAX - 3; k <= MAIL_ADDR_TEXT_MAX + 1; k++) {
		memset(v, 'N', MAIL_ADDR_TEXT_MAX + 10);
		v[k] = ' ';
		v[k + 1] = ' ';
		memcpy(v + MAIL_ADDR_TEXT_MAX + 10, " <a@x.example>", 14);
		l = parse_n(v, MAIL_ADDR_TEXT_MAX + 24);
		assert_true(l->a[0].flags & F(TRUNCATED));
		/* only a space on the last byte kept shortens it */
		assert_int_equal(l->a[0].display_len,
				 k == MAIL_ADDR_TEXT_MAX - 1
					 ? k
					 : MAIL_ADDR_TEXT_MAX);
		assert_int_not_equal(l->a[0].display[l->a[0].display_len - 1],
				     ' ');
	}
	/* an address over the cap: cut before its '@' */
	v[0] = '<';
	memset(v + 1, 'l', MAIL_ADDR_TEXT_MAX + 10);
	memcpy(v + 1 + MAIL_ADDR_TEXT_MAX + 10, "@x.example>", 11);
	l = parse_n(v, MAIL_ADDR_TEXT_MAX + 22);
	assert_int_equal(l->a[0].addr_len, MAIL_ADDR_TEXT_MAX);
	assert_false(l->a[0].has_at);
	assert_true(l->a[0].flags & F(TRUNCATED));
}

/* Texts fill buf: whatever does not fit is cut, flagged, and still in
 * bounds; later addresses still count. Swept across the point where buf
 * runs out, one byte at a time. */
static void test_buf_full(void **state)
{
	static char v[16 * 1024];
	(void)state;

	for (size_t name = 990; name <= 1030; name++) {
		size_t len = 0;
		const struct mail_addrlist *l;
		uint32_t whole = 0;

		for (int i = 0; i < 10; i++) {
			memset(v + len, 'a' + i, name);
			len += name;
			len += (size_t)snprintf(v + len, sizeof(v) - len,
						" <u%d@x.example>, ", i);
		}
		l = parse_n(v, len);
		assert_int_equal(l->n, 10);
		for (uint32_t i = 0; i < l->n; i++) {
			const struct mail_addr *a = &l->a[i];
			uint32_t want = name > MAIL_ADDR_TEXT_MAX
						? MAIL_ADDR_TEXT_MAX
						: (uint32_t)name;
			bool cut = a->display_len < want || a->addr_len < 12;

			assert_int_equal(cut || name > MAIL_ADDR_TEXT_MAX,
					 (a->flags & F(TRUNCATED)) != 0);
			if (!cut)
				whole++;
		}
		assert_true(l->flags & F(TRUNCATED));
		/* buf holds all it could: 8 KiB is 7 or 8 such names */
		assert_true(whole >= 6 && whole <= 8);
		assert_true(l->used > MAIL_ADDRLIST_BUF - 1100);
	}
}

/* ---- hostile input -------------------------------------------------- */

static const char *const golden[] = {
	"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	"A Group(Some people)     :Chris Jones "
	"<c@(Chris's host.)public.example>,  joe@example.org,"
	"  John <jdoe@one.test> (my dear friend); (the end of the group)",
	"Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
	"\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
	"service@paypal.com <x@evil.example>, a@b c@d <e@f> (x) ,,",
	"<\"a\\\"@b\"@[IPv6:2001:db8::1]>, g: h: i;; ;<<>>",
	"Jürgen \"Mül\\ler\" <jü@bü.example> (c (d) e)",
};

static void test_every_prefix(void **state)
{
	(void)state;
	for (size_t g = 0; g < sizeof(golden) / sizeof(golden[0]); g++) {
		size_t n = strlen(golden[g]);

		for (size_t k = 0; k <= n; k++)
			parse_n(golden[g], k);
	}
}

static void test_deep_and_long(void **state)
{
	enum { N = 200000 };
	char *v = malloc(N);
	const struct mail_addrlist *l;

	(void)state;
	assert_non_null(v);
	/* nesting is counted, not recursed */
	memset(v, '(', N);
	l = parse_n(v, N);
	assert_int_equal(l->n, 0);
	assert_true(l->flags & F(UNBALANCED));
	memset(v, '<', N);
	l = parse_n(v, N);
	assert_int_equal(l->n, 1);
	memset(v, '@', N);
	l = parse_n(v, N);
	assert_int_equal(l->n, 1);
	assert_true(l->flags & F(MULTIPLE_AT));
	memset(v, ',', N);
	l = parse_n(v, N);
	assert_int_equal(l->n, 0);
	assert_true(l->flags & F(EMPTY_MEMBER));
	for (size_t i = 0; i < N; i++)
		v[i] = "a@b "[i % 4];
	l = parse_n(v, N);
	assert_int_equal(l->n, MAIL_ADDRS_MAX);
	assert_int_equal(l->total, N / 4);
	for (size_t i = 0; i < N; i++)
		v[i] = "x:"[i % 2];
	l = parse_n(v, N);
	assert_true(l->total > 0);
	for (size_t i = 0; i < N; i++)
		v[i] = "\"\\"[i % 2];
	parse_n(v, N);
	free(v);
}

/* Every one- and two-byte value, and three-byte values of the bytes
 * that mean something. */
static void test_all_short_values(void **state)
{
	static const char meaning[] = "<>@,;:()[]\"\\. a\x80\r";
	const size_t m = sizeof(meaning) - 1;
	char v[3];

	(void)state;
	for (int a = 0; a < 256; a++) {
		v[0] = (char)a;
		parse_n(v, 1);
		for (int b = 0; b < 256; b++) {
			v[1] = (char)b;
			parse_n(v, 2);
		}
	}
	for (size_t a = 0; a < m; a++)
		for (size_t b = 0; b < m; b++)
			for (size_t c = 0; c < m; c++) {
				v[0] = meaning[a];
				v[1] = meaning[b];
				v[2] = meaning[c];
				parse_n(v, 3);
			}
}

static void test_reset_between_fields(void **state)
{
	const struct mail_addrlist *l;

	(void)state;
	mail_addrlist_parse(L, "g: a@x.example, (c) b@y.example", 31);
	mail_addrlist_parse(L, "c@z.example", 11);
	l = L;
	check_invariants(l);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->flags, 0);
	assert_int_equal(l->a[0].group_len, 0);
	mail_addrlist_parse(L, NULL, 0);
	assert_int_equal(L->n, 0);
	assert_int_equal(L->total, 0);
}

static void test_flag_names(void **state)
{
	const char *seen[32];
	int count = 0;

	(void)state;
	for (int i = 0; i < 32; i++) {
		const char *name = mail_addr_flag_name(1u << i);

		if (!name)
			continue;
		for (int j = 0; j < count; j++)
			assert_string_not_equal(seen[j], name);
		for (const char *p = name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_' ||
				    (*p >= '0' && *p <= '9'));
		seen[count++] = name;
	}
	assert_int_equal(count, 19);
	assert_string_equal(mail_addr_flag_name(F(DISPLAY_HAS_ADDRESS)),
			    "display_has_address");
	assert_null(mail_addr_flag_name(0));
	assert_null(mail_addr_flag_name(3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5322_a1_a4),
		cmocka_unit_test(test_rfc5322_a5_comments),
		cmocka_unit_test(test_rfc5322_a6_obsolete),
		cmocka_unit_test(test_real_world_forms),
		cmocka_unit_test(test_spoofing),
		cmocka_unit_test(test_broken_syntax),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_text_cap),
		cmocka_unit_test(test_buf_full),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_deep_and_long),
		cmocka_unit_test(test_all_short_values),
		cmocka_unit_test(test_reset_between_fields),
		cmocka_unit_test(test_flag_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
