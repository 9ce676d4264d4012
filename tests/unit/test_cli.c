/*
 * The subcommands run in-process on a capture written here: `show` takes
 * the pipeline options of `read` (and finds the sessions `read` reports
 * with them), hides AUTH user names on request, and parses -n as a plain
 * number.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "cli/commands.h"
#include "decode/packet.h"
#include "pktbuild.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char pcap_path[] = "/tmp/smtpscope-test-cli-XXXXXX";
static char many_path[] = "/tmp/smtpscope-test-cli-many-XXXXXX";
static char out_path[] = "/tmp/smtpscope-test-cli-out-XXXXXX";

struct conv {
	pcap_dumper_t *d;
	uint16_t cport;
	uint32_t seq[2]; /* client, server */
};

static void say(struct conv *c, bool client, uint8_t flags, const char *data,
		int64_t ms)
{
	uint8_t buf[PB_MAX];
	uint32_t len = data ? (uint32_t)strlen(data) : 0;
	struct tcp_spec t = {client ? c->cport : 25, client ? 25 : c->cport,
			     c->seq[!client], c->seq[client], flags,
			     data, len, NULL, 0};
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = 1700000000 + ms / 1000;
	h.ts.tv_usec = (ms % 1000) * 1000;
	h.caplen = h.len = (bpf_u_int32)pb_eth4_tcp(
		buf, client ? "10.0.0.1" : "10.0.0.2",
		client ? "10.0.0.2" : "10.0.0.1", &t);
	pcap_dump((u_char *)c->d, &h, buf);
	c->seq[!client] += len + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
}

#define MANY 300

/* MANY sessions at once, from client ports 30000.., each with one mail
 * transaction, in port order; they end in another order. */
static void write_many(pcap_t *pd)
{
	static struct conv c[MANY];
	char line[64];
	int i, k;

	for (i = 0; i < MANY; i++) {
		c[i].d = i ? c[0].d : pcap_dump_open(pd, many_path);
		assert_non_null(c[i].d);
		c[i].cport = (uint16_t)(30000 + i);
		c[i].seq[0] = 100;
		c[i].seq[1] = 5000;
		say(&c[i], true, TCP_SYN, NULL, 0);
		say(&c[i], false, TCP_SYN | TCP_ACK, NULL, 1);
		say(&c[i], false, TCP_ACK, "220 mx\r\n", 2);
		say(&c[i], true, TCP_ACK, "HELO a\r\n", 3);
		say(&c[i], false, TCP_ACK, "250 ok\r\n", 4);
	}
	for (i = 0; i < MANY; i++) {
		snprintf(line, sizeof(line), "MAIL FROM:<s%d@x>\r\n", 30000 + i);
		say(&c[i], true, TCP_ACK, line, 10);
		say(&c[i], false, TCP_ACK, "250 ok\r\n", 11);
		say(&c[i], true, TCP_ACK, "RCPT TO:<r@y>\r\n", 12);
		say(&c[i], false, TCP_ACK, "250 ok\r\n", 13);
		say(&c[i], true, TCP_ACK, "DATA\r\n", 14);
		say(&c[i], false, TCP_ACK, "354 go\r\n", 15);
		say(&c[i], true, TCP_ACK, "Subject: x\r\n\r\nhi\r\n.\r\n", 16);
		say(&c[i], false, TCP_ACK, "250 queued\r\n", 17);
	}
	for (k = 0; k < MANY; k++) {
		i = (k * 7) % MANY; /* 7 and MANY share no factor */
		say(&c[i], true, TCP_ACK | TCP_FIN, NULL, 20);
		say(&c[i], false, TCP_ACK | TCP_FIN, NULL, 21);
	}
	pcap_dump_close(c[0].d);
}

/* One connection; the client is silent for 10 s before its QUIT. */
static int setup(void **state)
{
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
	struct conv c = {NULL, 40000, {100, 5000}};
	int fd = mkstemp(pcap_path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	fd = mkstemp(out_path);
	assert_true(fd >= 0);
	close(fd);
	fd = mkstemp(many_path);
	assert_true(fd >= 0);
	close(fd);
	write_many(pd);
	c.d = pcap_dump_open(pd, pcap_path);
	assert_non_null(c.d);
	say(&c, true, TCP_SYN, NULL, 0);
	say(&c, false, TCP_SYN | TCP_ACK, NULL, 1);
	say(&c, true, TCP_ACK, NULL, 2);
	say(&c, false, TCP_ACK, "220 mx ESMTP\r\n", 3);
	say(&c, true, TCP_ACK, "EHLO a\r\n", 4);
	say(&c, false, TCP_ACK, "250 AUTH PLAIN\r\n", 5);
	say(&c, true, TCP_ACK, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", 6);
	say(&c, false, TCP_ACK, "235 ok\r\n", 7);
	say(&c, true, TCP_ACK, "QUIT\r\n", 10007);
	say(&c, false, TCP_ACK, "221 bye\r\n", 10008);
	pcap_dump_close(c.d);
	pcap_close(pd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(pcap_path);
	unlink(many_path);
	unlink(out_path);
	return 0;
}

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "rb");
	char *b = calloc(1, 4 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(b);
	n = fread(b, 1, (4 << 20) - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

/* Run show with its standard output into out_path; returns its status,
 * the output in *text (to free). */
static int run_show(int argc, char **argv, char **text)
{
	int saved, fd, rc;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(out_path, O_WRONLY | O_TRUNC);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	rc = cmd_show(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	*text = slurp(out_path);
	return rc;
}

/* The session ids of the smtp.session records read writes, in order. */
static int read_session_ids(char ids[][32], int max, char *opt, char *val)
{
	char *argv[] = {"read", "-q", "-o", out_path, opt, val, pcap_path};
	char *text, *p;
	int n = 0;

	assert_int_equal(cmd_read(ARGC(argv), argv), EXIT_OK);
	text = slurp(out_path);
	for (p = text; (p = strstr(p, "\"dataset\":\"smtp.session\"")); p++) {
		char *id = strstr(p, "\"session_id\":\"");

		assert_non_null(id);
		assert_true(n < max);
		snprintf(ids[n++], 32, "%.*s", 24, id + 14);
	}
	free(text);
	return n;
}

/* With --idle-timeout 5 the silence ends the flow: two sessions. show
 * takes the same option and finds the second by its id; without the
 * option there is no such session. */
static void test_show_finds_what_read_reports(void **state)
{
	char ids[4][32], one[4][32], *text, header[64];
	char *argv[] = {"show", "--idle-timeout", "5", "-s", NULL, pcap_path};
	char *plain[] = {"show", "-s", NULL, pcap_path};

	(void)state;
	assert_int_equal(read_session_ids(one, 4, "--idle-timeout", "300"), 1);
	assert_int_equal(read_session_ids(ids, 4, "--idle-timeout", "5"), 2);
	assert_string_equal(ids[0], one[0]);
	assert_string_not_equal(ids[1], one[0]);
	argv[4] = ids[1];
	assert_int_equal(run_show(ARGC(argv), argv, &text), EXIT_OK);
	snprintf(header, sizeof(header), "== session %s ", ids[1]);
	assert_non_null(strstr(text, header));
	assert_non_null(strstr(text, "QUIT"));
	assert_null(strstr(text, "EHLO"));
	free(text);
	plain[2] = ids[1];
	assert_int_equal(run_show(ARGC(plain), plain, &text), EXIT_RUNTIME);
	assert_string_equal(text, "");
	free(text);
}

static void test_show_hides_auth_user(void **state)
{
	char *shown, *hidden;
	char *argv1[] = {"show", pcap_path};
	char *argv2[] = {"show", "--no-auth-user", pcap_path};

	(void)state;
	assert_int_equal(run_show(ARGC(argv1), argv1, &shown), EXIT_OK);
	assert_non_null(strstr(shown, "AUTH PLAIN alice "));
	assert_int_equal(run_show(ARGC(argv2), argv2, &hidden), EXIT_OK);
	assert_non_null(strstr(hidden, "; AUTH PLAIN "));
	assert_null(strstr(hidden, "alice"));
	free(shown);
	free(hidden);
}

static void test_show_max_is_a_plain_number(void **state)
{
	char *text;
	char *ok[] = {"show", "-n", "1", pcap_path};
	char *suffix[] = {"show", "-n", "1K", pcap_path};
	char *zero[] = {"show", "--max", "0", pcap_path};
	char *bad_opt[] = {"show", "--max-flows", "1K", pcap_path};

	(void)state;
	assert_int_equal(run_show(ARGC(ok), ok, &text), EXIT_OK);
	assert_non_null(strstr(text, "== session "));
	free(text);
	assert_int_equal(run_show(ARGC(suffix), suffix, &text), EXIT_USAGE);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(run_show(ARGC(zero), zero, &text), EXIT_USAGE);
	free(text);
	assert_int_equal(run_show(ARGC(bad_opt), bad_opt, &text), EXIT_USAGE);
	free(text);
}

/* Each session is printed with its own transaction, however many wait
 * for their session's end at once and in whatever order those come. */
static void test_show_many_open_sessions(void **state)
{
	char *argv[] = {"show", many_path};
	char *text, *p, *next;
	int n = 0, port;

	(void)state;
	assert_int_equal(run_show(ARGC(argv), argv, &text), EXIT_OK);
	for (p = strstr(text, "== session "); p; p = next, n++) {
		char want[64];
		char *t;

		next = strstr(p + 1, "== session ");
		t = strstr(p, " 10.0.0.1:");
		assert_non_null(t);
		port = atoi(t + 10);
		if (n == 0)
			assert_int_equal(port, 30000); /* the first to end */
		if (n == 1)
			assert_int_equal(port, 30007);
		snprintf(want, sizeof(want),
			 "   transaction 1: from <s%d@x> to <r@y> 250; DATA",
			 port);
		t = strstr(p, want);
		assert_non_null(t);
		assert_true(!next || t < next);
		t = strstr(p, "   transaction ");
		assert_true(strstr(t + 1, "   transaction ") == NULL ||
			    (next && strstr(t + 1, "   transaction ") > next));
	}
	assert_int_equal(n, MANY);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_finds_what_read_reports),
		cmocka_unit_test(test_show_hides_auth_user),
		cmocka_unit_test(test_show_max_is_a_plain_number),
		cmocka_unit_test(test_show_many_open_sessions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
