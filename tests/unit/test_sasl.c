/*
 * The SASL exchange decoder: every mechanism with the RFC examples where
 * they exist, malformed input of each kind, the caps, and a scan of the
 * whole state after each exchange proving no secret was kept.
 *
 * Vectors are built here: the decoded form is written out (in a comment
 * or as the bytes themselves) and encoded by b64() below, so a reader
 * sees what crosses the wire. Literal base64 is used where an RFC prints
 * it, with the decoded form in a comment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "b64enc.h"
#include "smtp/sasl.h"

/* ---- helpers -------------------------------------------------------- */

static char enc[20000];

/* RFC 4648 base64 with padding; enc is NUL-terminated. */
static const char *b64(const void *src, size_t n)
{
	assert_true(b64enc_len(n) < sizeof(enc));
	enc[b64enc(src, n, enc)] = '\0';
	return enc;
}

/* Begin with an initial response given decoded (NULL: none). */
static uint32_t begin_raw(struct sasl_state *st, const char *mech,
			  const void *ir, size_t irlen)
{
	const char *e = ir ? b64(ir, irlen) : NULL;

	return sasl_begin(st, mech, strlen(mech), e, e ? strlen(e) : 0,
			  false);
}

/* Begin with the initial response as written on the AUTH line. */
static uint32_t begin_line(struct sasl_state *st, const char *mech,
			   const char *ir)
{
	return sasl_begin(st, mech, strlen(mech), ir, ir ? strlen(ir) : 0,
			  false);
}

static uint32_t client_raw(struct sasl_state *st, const void *p, size_t n)
{
	const char *e = b64(p, n);

	return sasl_client(st, e, strlen(e), false);
}

static uint32_t server_raw(struct sasl_state *st, const void *p, size_t n)
{
	const char *e = b64(p, n);

	return sasl_server(st, e, strlen(e));
}

static uint32_t client_line(struct sasl_state *st, const char *line)
{
	return sasl_client(st, line, strlen(line), false);
}

static uint32_t server_line(struct sasl_state *st, const char *text)
{
	return sasl_server(st, text, strlen(text));
}

#define BEGIN_STR(st, mech, s) begin_raw((st), (mech), (s), sizeof(s) - 1)
#define CLIENT_STR(st, s) client_raw((st), (s), sizeof(s) - 1)
#define SERVER_STR(st, s) server_raw((st), (s), sizeof(s) - 1)

/* The secret must appear nowhere in the state's bytes (padding too). */
static void assert_not_kept(const struct sasl_state *st, const void *secret,
			    size_t n)
{
	assert_true(n >= 4);
	assert_null(memmem(st, sizeof(*st), secret, n));
}

#define NOT_KEPT(st, s) assert_not_kept((st), (s), sizeof(s) - 1)

static void assert_field(const char *got, uint16_t got_len, const void *want,
			 size_t want_len)
{
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
	assert_int_equal(got[got_len], '\0');
}

#define USER_IS(st, s)                                                        \
	do {                                                                  \
		assert_true((st)->have_user);                                 \
		assert_field((st)->user, (st)->user_len, (s), sizeof(s) - 1); \
	} while (0)
#define FIELD_IS(st, f, s)                                                    \
	assert_field((st)->f, (st)->f##_len, (s), sizeof(s) - 1)

/* ---- base64 --------------------------------------------------------- */

static void test_base64_strictness(void **state)
{
	struct sasl_state st;

	(void)state;
	/* canonical: "user" */
	begin_line(&st, "LOGIN", NULL);
	assert_int_equal(client_line(&st, "dXNlcg=="), 0);
	USER_IS(&st, "user");

	/* no padding: decoded, but flagged */
	begin_line(&st, "LOGIN", NULL);
	assert_int_equal(client_line(&st, "dXNlcg"), SASL_A_BASE64_LAX);
	USER_IS(&st, "user");

	/* trailing blank after the text */
	begin_line(&st, "LOGIN", NULL);
	assert_int_equal(client_line(&st, "dXNlcg== "), SASL_A_BASE64_LAX);
	USER_IS(&st, "user");

	/* non-zero pad bits: "dXNlch==" also decodes to "user" */
	begin_line(&st, "LOGIN", NULL);
	assert_int_equal(client_line(&st, "dXNlch=="), SASL_A_BASE64_LAX);
	USER_IS(&st, "user");

	/* not base64: nothing taken from the message */
	static const char *const bad[] = {
		"dXN lcg==",  /* blank inside */
		"dXNlcg=",    /* padding that does not fit */
		"dXNlc===",   /* three pad characters */
		"dXNlcgA==A", /* text after padding */
		"dX=lcg==",   /* padding in the middle */
		"dXNlc",      /* 5 characters: no encoder writes that */
		"dXNl*g==",   /* outside the alphabet */
		"dXNlcg-_",   /* URL-safe alphabet is not SASL's */
		"=",          /* "=" is only the empty *initial* response */
		"==",
		"dXNlcg==\r", /* CR left on the line */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		begin_line(&st, "LOGIN", NULL);
		assert_int_equal(client_line(&st, bad[i]), SASL_A_BAD_BASE64);
		assert_false(st.have_user);
		assert_int_equal(st.client_msgs, 1);
	}

	/* an empty line is the empty response */
	begin_line(&st, "LOGIN", NULL);
	assert_int_equal(client_line(&st, ""), 0);
	assert_true(st.have_user);
	assert_int_equal(st.user_len, 0);

	/* NUL bytes inside a decoded name are kept, with the length */
	BEGIN_STR(&st, "LOGIN", "a\0b");
	assert_field(st.user, st.user_len, "a\0b", 3);
}

/* ---- PLAIN ---------------------------------------------------------- */

static void test_plain_rfc4616(void **state)
{
	struct sasl_state st;

	(void)state;
	/* RFC 4616 section 4: S: + "" ; C: \0tim\0tanstaaftanstaaf */
	assert_int_equal(begin_line(&st, "PLAIN", NULL), 0);
	assert_int_equal(st.mech, SASL_MECH_PLAIN);
	assert_string_equal(st.mech_name, "PLAIN");
	assert_int_equal(server_line(&st, ""), 0);
	assert_int_equal(client_line(&st, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"), 0);
	USER_IS(&st, "tim");
	assert_int_equal(st.authzid_len, 0);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	assert_int_equal(st.client_msgs, 1);
	assert_int_equal(st.server_msgs, 1);
	assert_int_equal(st.anomalies, 0);
	assert_int_equal(st.notes, 0);
	assert_false(st.cancelled);
	NOT_KEPT(&st, "tanstaaftanstaaf");

	/* RFC 4954 section 4: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
	 * = "test\0test\01234": authzid equal to the user is not repeated */
	assert_int_equal(begin_line(&st, "plain", "dGVzdAB0ZXN0ADEyMzQ="), 0);
	assert_string_equal(st.mech_name, "PLAIN");
	USER_IS(&st, "test");
	assert_int_equal(st.authzid_len, 0);
	assert_int_equal(st.notes, SASL_N_INITIAL_RESPONSE);
	assert_int_equal(st.client_msgs, 1);
	assert_int_equal(st.server_msgs, 0);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	NOT_KEPT(&st, "\0" "1234");
}

static void test_plain_authzid_and_malformed(void **state)
{
	struct sasl_state st;

	(void)state;
	/* admin acting for bob: "admin\0bob\0hunter2-pw" */
	assert_int_equal(BEGIN_STR(&st, "PLAIN", "admin\0bob\0hunter2-pw"),
			 0);
	USER_IS(&st, "bob");
	FIELD_IS(&st, authzid, "admin");
	NOT_KEPT(&st, "hunter2-pw");

	/* one NUL ("bob\0hunter2-pw"): which half is the user is a guess
	 * that could keep a password, so nothing is kept */
	assert_int_equal(BEGIN_STR(&st, "PLAIN", "bob\0hunter2-pw"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	NOT_KEPT(&st, "hunter2-pw");

	/* no NUL at all */
	assert_int_equal(BEGIN_STR(&st, "PLAIN", "hunter2-pw"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);
	NOT_KEPT(&st, "hunter2-pw");

	/* "bob\0hunter2-pw\0": the fields shifted by one, probably; as the
	 * authcid would be the password, nothing is kept */
	assert_int_equal(BEGIN_STR(&st, "PLAIN", "bob\0hunter2-pw\0"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);
	assert_int_equal(st.authzid_len, 0);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	NOT_KEPT(&st, "hunter2-pw");

	/* empty password: malformed, and no password crossed */
	assert_int_equal(BEGIN_STR(&st, "PLAIN", "\0bob\0"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "bob");
	assert_int_equal(st.secrets, 0);

	/* empty authcid */
	assert_int_equal(BEGIN_STR(&st, "PLAIN", "\0\0hunter2-pw"),
			 SASL_A_MALFORMED);
	assert_true(st.have_user);
	assert_int_equal(st.user_len, 0);
	NOT_KEPT(&st, "hunter2-pw");

	/* a third NUL: the password cannot hold one (RFC 4616 SAFE) */
	assert_int_equal(BEGIN_STR(&st, "PLAIN", "\0bob\0hunter2-pw\0x"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "bob");
	NOT_KEPT(&st, "hunter2-pw");

	/* "AUTH PLAIN =": empty initial response is no PLAIN message */
	assert_int_equal(begin_line(&st, "PLAIN", "="), SASL_A_MALFORMED);
	assert_int_equal(st.notes,
			 SASL_N_INITIAL_RESPONSE | SASL_N_EMPTY_INITIAL);
	assert_int_equal(st.client_msgs, 1);
	assert_int_equal(st.secrets, 0);

	/* PLAIN has no challenges, and one message */
	begin_line(&st, "PLAIN", NULL);
	assert_int_equal(SERVER_STR(&st, "hello"), SASL_A_UNEXPECTED);
	assert_int_equal(CLIENT_STR(&st, "\0bob\0hunter2-pw"), 0);
	USER_IS(&st, "bob");
	assert_int_equal(CLIENT_STR(&st, "\0eve\0other-pw"),
			 SASL_A_UNEXPECTED);
	USER_IS(&st, "bob");
	assert_int_equal(server_line(&st, ""), SASL_A_UNEXPECTED);
	NOT_KEPT(&st, "hunter2-pw");
	NOT_KEPT(&st, "other-pw");

	/* undecodable credentials: a password probably crossed */
	begin_line(&st, "PLAIN", NULL);
	server_line(&st, "");
	assert_int_equal(client_line(&st, "not base64!"), SASL_A_BAD_BASE64);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
}

/* ---- LOGIN ---------------------------------------------------------- */

static void test_login(void **state)
{
	struct sasl_state st;

	(void)state;
	/* S: 334 VXNlcm5hbWU6 ("Username:")  C: "alice"
	 * S: 334 UGFzc3dvcmQ6 ("Password:")  C: "Tr0ub4dor&3" */
	assert_int_equal(begin_line(&st, "LOGIN", NULL), 0);
	assert_int_equal(server_line(&st, "VXNlcm5hbWU6"), 0);
	assert_int_equal(CLIENT_STR(&st, "alice"), 0);
	assert_int_equal(st.secrets, 0);
	assert_int_equal(server_line(&st, "UGFzc3dvcmQ6"), 0);
	assert_int_equal(CLIENT_STR(&st, "Tr0ub4dor&3"), 0);
	USER_IS(&st, "alice");
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	assert_int_equal(st.client_msgs, 2);
	assert_int_equal(st.server_msgs, 2);
	assert_int_equal(st.anomalies, 0);
	NOT_KEPT(&st, "Tr0ub4dor&3");

	/* AUTH LOGIN YWxpY2U= ("alice"), then the password prompt only */
	assert_int_equal(begin_line(&st, "LOGIN", "YWxpY2U="), 0);
	USER_IS(&st, "alice");
	assert_int_equal(server_line(&st, "UGFzc3dvcmQ6"), 0);
	assert_int_equal(CLIENT_STR(&st, "Tr0ub4dor&3"), 0);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	assert_int_equal(st.client_msgs, 2);
	assert_int_equal(st.server_msgs, 1);
	NOT_KEPT(&st, "Tr0ub4dor&3");

	/* other prompts ("Benutzername:", "Kennwort:"): the order decides */
	begin_line(&st, "LOGIN", NULL);
	SERVER_STR(&st, "Benutzername:");
	CLIENT_STR(&st, "alice");
	SERVER_STR(&st, "Kennwort:");
	CLIENT_STR(&st, "Tr0ub4dor&3");
	USER_IS(&st, "alice");
	assert_int_equal(st.anomalies, 0);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	NOT_KEPT(&st, "Tr0ub4dor&3");

	/* a server that asks for the password first: the next message is
	 * treated as a password (never kept) and the oddity flagged */
	begin_line(&st, "LOGIN", NULL);
	assert_int_equal(SERVER_STR(&st, "Password:"), SASL_A_LOGIN_PROMPT);
	assert_int_equal(CLIENT_STR(&st, "Tr0ub4dor&3"), 0);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	assert_int_equal(CLIENT_STR(&st, "more"), SASL_A_UNEXPECTED);
	NOT_KEPT(&st, "Tr0ub4dor&3");

	/* asked for the user again where the password is due: flagged, and
	 * the message is still a password */
	begin_line(&st, "LOGIN", "YWxpY2U=");
	assert_int_equal(SERVER_STR(&st, "Username:"), SASL_A_LOGIN_PROMPT);
	CLIENT_STR(&st, "Tr0ub4dor&3");
	USER_IS(&st, "alice");
	NOT_KEPT(&st, "Tr0ub4dor&3");

	/* a third message, and a third prompt */
	begin_line(&st, "LOGIN", "YWxpY2U=");
	CLIENT_STR(&st, "Tr0ub4dor&3");
	assert_int_equal(SERVER_STR(&st, "Again:"), SASL_A_UNEXPECTED);
	assert_int_equal(CLIENT_STR(&st, "x"), SASL_A_UNEXPECTED);
	USER_IS(&st, "alice");

	/* empty password: no password crossed */
	begin_line(&st, "LOGIN", "YWxpY2U=");
	client_line(&st, "");
	assert_int_equal(st.secrets, 0);
}

/* ---- CRAM-MD5 ------------------------------------------------------- */

static void test_cram_md5(void **state)
{
	struct sasl_state st;

	(void)state;
	/* RFC 2195 section 2:
	 * S: <1896.697170952@postoffice.reston.mci.net>
	 * C: tim b913a602c7eda7a495b4e6e7334d3890 */
	begin_line(&st, "CRAM-MD5", NULL);
	assert_int_equal(st.mech, SASL_MECH_CRAM_MD5);
	assert_int_equal(server_line(&st, "PDE4OTYuNjk3MTcwOTUyQHBvc3Rv"
					  "ZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
			 0);
	assert_int_equal(client_line(&st, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NW"
					  "I0ZTZlNzMzNGQzODkw"),
			 0);
	USER_IS(&st, "tim");
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	assert_int_equal(st.anomalies, 0);
	NOT_KEPT(&st, "b913a602c7eda7a495b4e6e7334d3890");

	/* the user is everything before the LAST space */
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1.2@x>");
	assert_int_equal(
		CLIENT_STR(&st, "tim smith b913a602c7eda7a495b4e6e7334d3890"),
		0);
	USER_IS(&st, "tim smith");
	NOT_KEPT(&st, "b913a602c7eda7a495b4e6e7334d3890");

	/* no space: nothing is a user name */
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1.2@x>");
	assert_int_equal(CLIENT_STR(&st, "b913a602c7eda7a495b4e6e7334d3890"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);

	/* upper-case hex: malformed (RFC 2195 says lower), user kept */
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1.2@x>");
	assert_int_equal(CLIENT_STR(&st, "tim B913A602C7EDA7A495B4E6E7334D3890"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "tim");

	/* a tail that is no digest: nothing kept (a password typed in?) */
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1.2@x>");
	assert_int_equal(CLIENT_STR(&st, "tim hunter2"), SASL_A_MALFORMED);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1.2@x>");
	assert_int_equal(
		CLIENT_STR(&st, "tim b913a602c7eda7a495b4e6e7334d389g"),
		SASL_A_MALFORMED);
	assert_false(st.have_user);
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1.2@x>");
	assert_int_equal( /* 33 digits */
		CLIENT_STR(&st, "tim b913a602c7eda7a495b4e6e7334d38900"),
		SASL_A_MALFORMED);
	assert_false(st.have_user);
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1.2@x>");
	assert_int_equal( /* 31 digits */
		CLIENT_STR(&st, "tim b913a602c7eda7a495b4e6e7334d389"),
		SASL_A_MALFORMED);
	assert_false(st.have_user);

	/* a response with no challenge (an initial response) */
	assert_int_equal(
		BEGIN_STR(&st, "CRAM-MD5",
			  "tim b913a602c7eda7a495b4e6e7334d3890"),
		SASL_A_UNEXPECTED);
	USER_IS(&st, "tim");

	/* an empty challenge, a second challenge */
	begin_line(&st, "CRAM-MD5", NULL);
	assert_int_equal(server_line(&st, ""), SASL_A_MALFORMED);
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1.2@x>");
	assert_int_equal(SERVER_STR(&st, "<1.3@x>"), SASL_A_UNEXPECTED);
}

/* ---- DIGEST-MD5 ----------------------------------------------------- */

static void test_digest_md5_rfc2831(void **state)
{
	struct sasl_state st;
	/* RFC 2831 section 4, the IMAP example (password "secret") */
	static const char chal[] =
		"realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\","
		"qop=\"auth\",algorithm=md5-sess,charset=utf-8";
	static const char resp[] =
		"charset=utf-8,username=\"chris\","
		"realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\","
		"nc=00000001,cnonce=\"OA6MHXh6VqTrRk\","
		"digest-uri=\"imap/elwood.innosoft.com\","
		"response=d388dad90d4bbd760a152321f2143af7,qop=auth";

	(void)state;
	begin_line(&st, "DIGEST-MD5", NULL);
	assert_int_equal(st.mech, SASL_MECH_DIGEST_MD5);
	assert_int_equal(SERVER_STR(&st, chal), 0);
	assert_int_equal(CLIENT_STR(&st, resp), 0);
	assert_int_equal(SERVER_STR(&st,
				    "rspauth=ea40f60335c427b5527b84dbabcdfffd"),
			 0);
	assert_int_equal(client_line(&st, ""), 0);
	USER_IS(&st, "chris");
	FIELD_IS(&st, realm, "elwood.innosoft.com");
	assert_int_equal(st.authzid_len, 0);
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	assert_int_equal(st.client_msgs, 2);
	assert_int_equal(st.server_msgs, 2);
	assert_int_equal(st.anomalies, 0);
	NOT_KEPT(&st, "d388dad90d4bbd760a152321f2143af7");
	assert_int_equal(client_line(&st, ""), SASL_A_UNEXPECTED);
}

static void test_digest_md5_quoting_and_malformed(void **state)
{
	struct sasl_state st;

	(void)state;
	/* quoted-string escapes, spaces around '=' and ',', any key case,
	 * authzid different from the user */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(
		CLIENT_STR(&st, " UserName = \"ch\\\"r\\\\is\" ,\t"
				"authzid=\"admin\" , realm=\"\","
				"response=00112233445566778899aabbccddeeff"),
		0);
	USER_IS(&st, "ch\"r\\is");
	FIELD_IS(&st, authzid, "admin");
	assert_int_equal(st.realm_len, 0);
	NOT_KEPT(&st, "00112233445566778899aabbccddeeff");

	/* unterminated quoted-string: what was read is kept, and flagged */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(CLIENT_STR(&st, "username=\"chris,response=0011"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);
	assert_int_equal(st.user_len, 0);
	assert_int_equal(st.secrets, 0);

	/* an open quote after the user swallows the response: that field
	 * is dropped (wiped), the user read before it stands */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(CLIENT_STR(&st, "username=\"a\",authzid=\"x,"
				    "response=00112233445566778899aabbccddeeff"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "a");
	assert_int_equal(st.authzid_len, 0);
	NOT_KEPT(&st, "00112233445566778899aabbccddeeff");
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(CLIENT_STR(&st, "username=\"a\",response=0011,"
				    "realm=\"r, and more"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "a");
	assert_int_equal(st.realm_len, 0);
	NOT_KEPT(&st, "and more");

	/* no username */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(CLIENT_STR(&st, "realm=\"r\",response=0011"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);

	/* username twice: the first one stands */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(CLIENT_STR(&st, "username=\"a\",username=\"b\","
					 "response=0011"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "a");

	/* no response= */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(CLIENT_STR(&st, "username=\"a\""), SASL_A_MALFORMED);
	assert_int_equal(st.secrets, 0);

	/* a directive with no '=', and one with an empty name */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(CLIENT_STR(&st, "username=\"a\",garbage"),
			 SASL_A_MALFORMED);
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	assert_int_equal(CLIENT_STR(&st, "username=\"a\",=x,response=1"),
			 SASL_A_MALFORMED);

	/* subsequent authentication: the response as initial response */
	assert_int_equal(BEGIN_STR(&st, "DIGEST-MD5",
				   "username=\"a\",response=0011"),
			 0);
	USER_IS(&st, "a");

	/* the final empty response must be empty */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"x\"");
	CLIENT_STR(&st, "username=\"a\",response=0011");
	SERVER_STR(&st, "rspauth=00");
	assert_int_equal(CLIENT_STR(&st, "x"), SASL_A_UNEXPECTED);
	assert_int_equal(SERVER_STR(&st, "x"), SASL_A_UNEXPECTED);
}

/* ---- NTLM ----------------------------------------------------------- */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* A security buffer field at hdr pointing to off. */
static void secbuf(uint8_t *msg, size_t hdr, size_t len, size_t off)
{
	put16(msg + hdr, (uint32_t)len);
	put16(msg + hdr + 2, (uint32_t)len);
	put32(msg + hdr + 4, (uint32_t)off);
}

/* ASCII to UTF-16LE; returns the byte length. */
static size_t u16(uint8_t *dst, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		put16(dst + 2 * i, (unsigned char)s[i]);
	return 2 * i;
}

struct ntlm3 {
	uint32_t flags;
	const uint8_t *lm, *nt, *dom, *user, *ws;
	size_t lml, ntl, doml, userl, wsl;
};

static size_t payload(uint8_t *m, size_t hdr, size_t off, const uint8_t *p,
		      size_t n)
{
	secbuf(m, hdr, n, off);
	if (n > 0)
		memcpy(m + off, p, n);
	return off + n;
}

/*
 * AUTHENTICATE_MESSAGE as MS-NLMP 2.2.1.3 lays it out: 64-byte header
 * (fields at 12, 20, 28, 36, 44, session key 52, flags 60), Version (8),
 * MIC (16), then the payload: domain, user, workstation, LM, NT.
 */
static size_t ntlm3_build(uint8_t *m, const struct ntlm3 *a)
{
	size_t off = 88;

	memset(m, 0, 88);
	memcpy(m, "NTLMSSP", 8);
	put32(m + 8, 3);
	off = payload(m, 28, off, a->dom, a->doml);
	off = payload(m, 36, off, a->user, a->userl);
	off = payload(m, 44, off, a->ws, a->wsl);
	off = payload(m, 12, off, a->lm, a->lml);
	off = payload(m, 20, off, a->nt, a->ntl);
	secbuf(m, 52, 0, off);
	put32(m + 60, a->flags);
	return off;
}

/* Type 1 with no names, then a minimal type 2 (OEM, no target): what
 * comes before a type 3. */
static void ntlm_prelude(struct sasl_state *st)
{
	uint8_t t1[32] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1};
	uint8_t t2[32] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 2};

	put32(t1 + 12, 0x00000207);
	put32(t2 + 20, 0x00000202);
	begin_raw(st, "NTLM", t1, sizeof(t1));
	assert_int_equal(server_raw(st, t2, sizeof(t2)), 0);
	assert_int_equal(st->anomalies, 0);
}

/* The curl test suite's NTLM exchange (tests 67/68): OEM encoding,
 * NTLMv1 responses, user "testuser", workstation "WORKSTATION". */
static void test_ntlm_curl_vectors(void **state)
{
	struct sasl_state st;
	/* the 24-byte NT response inside the type 3 below */
	static const uint8_t nt[24] = {
		0xa9, 0x85, 0x72, 0x17, 0x8c, 0xba, 0xff, 0x2f,
		0xfb, 0x17, 0xaa, 0xa6, 0x11, 0x0e, 0xe5, 0x5e,
		0x35, 0xc5, 0x17, 0x7b, 0x47, 0xd7, 0x5e, 0x39};
	static const uint8_t lm[24] = {
		0x5a, 0x64, 0x43, 0x02, 0x91, 0x09, 0x91, 0x4c,
		0x86, 0x38, 0xf4, 0xb7, 0x0e, 0x3b, 0xc0, 0x48,
		0xca, 0x1d, 0x11, 0xe5, 0xbf, 0x37, 0xf1, 0x41};
	/* type 1: flags 0x00088207, nothing supplied */
	uint8_t t1[32] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1};

	(void)state;
	put32(t1 + 12, 0x00088207);
	begin_raw(&st, "NTLM", t1, sizeof(t1));
	assert_int_equal(st.mech, SASL_MECH_NTLM);
	assert_int_equal(st.anomalies, 0);
	/* type 2: flags 0x00818286 (OEM, target info), TargetName "CC";
	 * AV pairs NbDomain "CC", NbComputer "ELISABETH", DnsDomain
	 * "cc.icedev.nu", DnsComputer "elisabeth.cc.icedev.nu" */
	assert_int_equal(
		server_line(&st,
			    "TlRMTVNTUAACAAAAAgACADAAAACGggEAc51AYVDgyNcAAAAA"
			    "AAAAAG4AbgAyAAAAQ0MCAAQAQwBDAAEAEgBFAEwASQBTAEEA"
			    "QgBFAFQASAAEABgAYwBjAC4AaQBjAGUAZABlAHYALgBuAHUA"
			    "AwAsAGUAbABpAHMAYQBiAGUAdABoAC4AYwBjAC4AaQBjAGUA"
			    "ZABlAHYALgBuAHUAAAAAAA=="),
		0);
	assert_true(st.notes & SASL_N_SERVER_INFO);
	FIELD_IS(&st, ntlm.target, "CC");
	FIELD_IS(&st, ntlm.nb_domain, "CC");
	FIELD_IS(&st, ntlm.nb_computer, "ELISABETH");
	FIELD_IS(&st, ntlm.dns_domain, "cc.icedev.nu");
	FIELD_IS(&st, ntlm.dns_computer, "elisabeth.cc.icedev.nu");
	assert_int_equal(st.secrets, 0);
	/* type 3: LM(24)@64 NT(24)@88 Domain(0) User(8)@112 WS(11)@120,
	 * flags 0x00018286 (OEM) */
	assert_int_equal(
		client_line(&st,
			    "TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAAAAABwAAAA"
			    "CAAIAHAAAAALAAsAeAAAAAAAAAAAAAAAhoIBAFpkQwKRCZFM"
			    "hjj0tw47wEjKHRHlvzfxQamFcheMuv8v+xeqphEO5V41xRd7"
			    "R9deOXRlc3R1c2VyV09SS1NUQVRJT04="),
		0);
	USER_IS(&st, "testuser");
	FIELD_IS(&st, workstation, "WORKSTATION");
	assert_int_equal(st.realm_len, 0);
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	assert_true(st.notes & SASL_N_NTLM_V1);
	assert_int_equal(st.client_msgs, 2);
	assert_int_equal(st.server_msgs, 1);
	assert_int_equal(st.anomalies, 0);
	assert_not_kept(&st, nt, sizeof(nt));
	assert_not_kept(&st, lm, sizeof(lm));
}

/* MS-NLMP 4.2.4 names (Domain, User, COMPUTER) in UTF-16LE, an NTLMv2
 * response, and a user with non-ASCII letters. */
static void test_ntlm_unicode(void **state)
{
	struct sasl_state st;
	uint8_t m[512], t2[256], dom[32], user[32], ws[32], nt[64], lm[24];
	struct ntlm3 a;
	size_t n;
	/* "Jürgen😀": J u+00fc r g e n U+1F600 (a surrogate pair) */
	static const uint8_t juergen[] = {
		'J', 0, 0xfc, 0, 'r', 0, 'g', 0, 'e', 0, 'n', 0,
		0x3d, 0xd8, 0x00, 0xde};

	(void)state;
	for (size_t i = 0; i < sizeof(nt); i++)
		nt[i] = (uint8_t)(0xa0 + i); /* NTProofStr + blob */
	memset(lm, 0, sizeof(lm));

	/* type 2: TargetName "Domain", target info NbComputer "Server",
	 * NbDomain "Domain", EOL; flags UNICODE | TARGET_INFO */
	memset(t2, 0, sizeof(t2));
	memcpy(t2, "NTLMSSP", 8);
	put32(t2 + 8, 2);
	put32(t2 + 20, 0x00800001 | 0x00000200);
	n = 56;
	secbuf(t2, 12, u16(t2 + n, "Domain"), n);
	n += 12;
	{
		size_t ti = n;

		put16(t2 + n, 1);
		put16(t2 + n + 2, (uint32_t)u16(t2 + n + 4, "Server"));
		n += 4 + 12;
		put16(t2 + n, 2);
		put16(t2 + n + 2, (uint32_t)u16(t2 + n + 4, "Domain"));
		n += 4 + 12;
		n += 4; /* MsvAvEOL */
		secbuf(t2, 40, n - ti, ti);
	}
	begin_line(&st, "NTLM", NULL);
	assert_int_equal(server_line(&st, ""), 0);
	assert_int_equal(server_raw(&st, t2, n), SASL_A_UNEXPECTED);
	FIELD_IS(&st, ntlm.target, "Domain");
	FIELD_IS(&st, ntlm.nb_computer, "Server");
	FIELD_IS(&st, ntlm.nb_domain, "Domain");
	assert_int_equal(st.ntlm.dns_domain_len, 0);

	/* the proper order: type 1 first */
	begin_line(&st, "NTLM", NULL);
	{
		uint8_t t1[32] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1};

		put32(t1 + 12, 0x00000001);
		assert_int_equal(client_raw(&st, t1, sizeof(t1)), 0);
	}
	assert_int_equal(server_raw(&st, t2, n), 0);
	a = (struct ntlm3){.flags = 0x00000001 | 0x00080000,
			   .lm = lm, .lml = sizeof(lm),
			   .nt = nt, .ntl = sizeof(nt),
			   .dom = dom, .doml = u16(dom, "Domain"),
			   .user = user, .userl = u16(user, "User"),
			   .ws = ws, .wsl = u16(ws, "COMPUTER")};
	assert_int_equal(client_raw(&st, m, ntlm3_build(m, &a)), 0);
	USER_IS(&st, "Domain\\User");
	FIELD_IS(&st, realm, "Domain");
	FIELD_IS(&st, workstation, "COMPUTER");
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	assert_false(st.notes & SASL_N_NTLM_V1);
	assert_int_equal(st.anomalies, 0);
	assert_not_kept(&st, nt, sizeof(nt));

	/* non-ASCII user: converted to UTF-8 */
	begin_line(&st, "NTLM", NULL);
	server_raw(&st, t2, n);
	a.user = juergen;
	a.userl = sizeof(juergen);
	a.doml = 0;
	assert_int_equal(client_raw(&st, m, ntlm3_build(m, &a)), 0);
	USER_IS(&st, "J\xc3\xbcrgen\xf0\x9f\x98\x80");
	assert_not_kept(&st, nt, sizeof(nt));

	/* an unpaired surrogate and an odd length: U+FFFD, flagged */
	begin_line(&st, "NTLM", NULL);
	server_raw(&st, t2, n);
	{
		static const uint8_t bad16[] = {'a', 0, 0x00, 0xdc, 'b'};

		a.user = bad16;
		a.userl = sizeof(bad16);
	}
	assert_int_equal(client_raw(&st, m, ntlm3_build(m, &a)),
			 SASL_A_BAD_TEXT);
	USER_IS(&st, "a\xef\xbf\xbd");

	/* without the UNICODE flag the names are OEM bytes */
	begin_line(&st, "NTLM", NULL);
	a = (struct ntlm3){.flags = 0x00000002, .nt = nt, .ntl = 24,
			   .dom = (const uint8_t *)"CORP", .doml = 4,
			   .user = (const uint8_t *)"bob", .userl = 3};
	assert_int_equal(client_raw(&st, m, ntlm3_build(m, &a)),
			 SASL_A_UNEXPECTED); /* no challenge came first */
	USER_IS(&st, "CORP\\bob");
	assert_true(st.notes & SASL_N_NTLM_V1);

	/*
	 * The early 52-byte header: no flags field, the payload starts at
	 * 52 and bytes 60..63 are LM response bytes (zero here), not flags;
	 * the encoding is the one the type 2 negotiated (UNICODE).
	 *   52: user "bob" UTF-16LE (6)   58: LM (24)   82: NT (24)
	 */
	begin_line(&st, "NTLM", NULL);
	server_raw(&st, t2, n);
	memset(m, 0, sizeof(m));
	memcpy(m, "NTLMSSP", 8);
	put32(m + 8, 3);
	secbuf(m, 36, u16(m + 52, "bob"), 52);
	secbuf(m, 12, 24, 58);
	memcpy(m + 82, nt, 24);
	secbuf(m, 20, 24, 82);
	secbuf(m, 28, 0, 106);
	secbuf(m, 44, 0, 106);
	assert_int_equal(client_raw(&st, m, 106), 0);
	USER_IS(&st, "bob");
	assert_true(st.notes & SASL_N_NTLM_V1);

	/* anonymous: empty user, LM Z(1), no NT response */
	begin_line(&st, "NTLM", NULL);
	server_raw(&st, t2, n);
	a = (struct ntlm3){.flags = 0x00000001, .lm = lm, .lml = 1};
	assert_int_equal(client_raw(&st, m, ntlm3_build(m, &a)), 0);
	assert_false(st.have_user);
	assert_true(st.notes & SASL_N_NTLM_ANONYMOUS);
	assert_int_equal(st.secrets, 0);
}

static void test_ntlm_malformed(void **state)
{
	struct sasl_state st;
	uint8_t m[256], nt[24];
	struct ntlm3 a;
	size_t n;

	(void)state;
	memset(nt, 0x5c, sizeof(nt));
	a = (struct ntlm3){.flags = 0x00000002, .nt = nt, .ntl = sizeof(nt),
			   .user = (const uint8_t *)"bob", .userl = 3,
			   .ws = (const uint8_t *)"PC", .wsl = 2};
	n = ntlm3_build(m, &a);

#define T3(expect_user)                                                       \
	do {                                                                  \
		ntlm_prelude(&st);                                            \
		assert_int_equal(client_raw(&st, m, n), SASL_A_MALFORMED);   \
		assert_int_equal(st.have_user, (expect_user));                \
		assert_not_kept(&st, nt, sizeof(nt));                         \
	} while (0)

	/* the user buffer runs one byte past the end */
	secbuf(m, 36, 3, n - 2);
	T3(false);
	FIELD_IS(&st, workstation, "PC"); /* the good fields still count */
	/* an offset near 2^32 (would wrap a 32-bit sum) */
	secbuf(m, 36, 3, 0xfffffffe);
	T3(false);
	/* a length larger than the message */
	secbuf(m, 36, 0xffff, 0);
	T3(false);
	/* the NT response outside: malformed, and still a response */
	n = ntlm3_build(m, &a);
	secbuf(m, 20, 24, n);
	T3(true);
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	/* message cut inside the header */
	n = ntlm3_build(m, &a);
	n = 40;
	T3(false);
	/* header cut after the fields the old layout has (52 bytes): the
	 * buffers now point outside */
	n = 52;
	T3(false);
#undef T3

	/* bad signature, unknown type, a type in the wrong direction */
	n = ntlm3_build(m, &a);
	m[0] = 'X';
	begin_line(&st, "NTLM", NULL);
	assert_int_equal(client_raw(&st, m, n), SASL_A_MALFORMED);
	m[0] = 'N';
	put32(m + 8, 9);
	begin_line(&st, "NTLM", NULL);
	assert_int_equal(client_raw(&st, m, n), SASL_A_MALFORMED);
	put32(m + 8, 3);
	begin_line(&st, "NTLM", NULL);
	assert_int_equal(server_raw(&st, m, n), SASL_A_MALFORMED);
	assert_false(st.have_user);
	/* an empty client message; a short one */
	begin_line(&st, "NTLM", NULL);
	assert_int_equal(client_line(&st, ""), SASL_A_MALFORMED);
	assert_int_equal(CLIENT_STR(&st, "NTLMSSP"), SASL_A_MALFORMED);

	/* type 1 that says it supplies a domain its buffer does not hold */
	{
		uint8_t t1[36] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1};

		put32(t1 + 12, 0x00003000);
		secbuf(t1, 16, 4, 34); /* 34 + 4 > 36 */
		secbuf(t1, 24, 2, 32);
		t1[32] = 'P';
		t1[33] = 'C';
		begin_line(&st, "NTLM", NULL);
		assert_int_equal(client_raw(&st, t1, sizeof(t1)),
				 SASL_A_MALFORMED);
		assert_int_equal(st.realm_len, 0);
		FIELD_IS(&st, workstation, "PC");
		/* cut before the flags */
		begin_line(&st, "NTLM", NULL);
		assert_int_equal(client_raw(&st, t1, 14), SASL_A_MALFORMED);
	}

	/* type 2 with an AV pair running past its buffer, no EOL */
	{
		uint8_t t2[80];
		uint8_t t1[32] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1};

		memset(t2, 0, sizeof(t2));
		memcpy(t2, "NTLMSSP", 8);
		put32(t2 + 8, 2);
		put32(t2 + 20, 0x00800001);
		put16(t2 + 56, 1);   /* NbComputer */
		put16(t2 + 58, 200); /* ... of 200 bytes */
		secbuf(t2, 40, 24, 56);
		begin_raw(&st, "NTLM", t1, sizeof(t1));
		assert_int_equal(server_raw(&st, t2, sizeof(t2)),
				 SASL_A_MALFORMED);
		assert_int_equal(st.ntlm.nb_computer_len, 0);
		/* target info offset outside */
		secbuf(t2, 40, 24, 70);
		begin_raw(&st, "NTLM", t1, sizeof(t1));
		assert_int_equal(server_raw(&st, t2, sizeof(t2)),
				 SASL_A_MALFORMED);
		/* without the TARGET_INFO flag: not read, not malformed */
		put32(t2 + 20, 0x00000001);
		begin_raw(&st, "NTLM", t1, sizeof(t1));
		assert_int_equal(server_raw(&st, t2, sizeof(t2)), 0);
		/* TargetName outside; cut before the challenge */
		secbuf(t2, 40, 0, 0);
		secbuf(t2, 12, 4, 78);
		begin_raw(&st, "NTLM", t1, sizeof(t1));
		assert_int_equal(server_raw(&st, t2, sizeof(t2)),
				 SASL_A_MALFORMED);
		begin_raw(&st, "NTLM", t1, sizeof(t1));
		assert_int_equal(server_raw(&st, t2, 30), SASL_A_MALFORMED);
		assert_false(st.notes & SASL_N_SERVER_INFO);
	}
}

/* ---- XOAUTH2, OAUTHBEARER ------------------------------------------- */

static void test_xoauth2(void **state)
{
	struct sasl_state st;
	/* "user=" U ^A "auth=Bearer " token ^A ^A (Google's example) */
	static const char ir[] =
		"user=someuser@example.com\001"
		"auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\001\001";
	/* {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"} */
	static const char err[] =
		"{\"status\":\"401\",\"schemes\":\"bearer\","
		"\"scope\":\"https://mail.google.com/\"}";

	(void)state;
	assert_int_equal(begin_raw(&st, "XOAUTH2", ir, sizeof(ir) - 1), 0);
	assert_int_equal(st.mech, SASL_MECH_XOAUTH2);
	USER_IS(&st, "someuser@example.com");
	assert_int_equal(st.secrets, SASL_SECRET_BEARER);
	NOT_KEPT(&st, "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");

	/* the error path: JSON in a 334, then the empty line */
	assert_int_equal(SERVER_STR(&st, err), 0);
	assert_true(st.notes & SASL_N_SERVER_ERROR);
	assert_int_equal(client_line(&st, ""), 0);
	assert_int_equal(st.client_msgs, 2);
	assert_int_equal(st.server_msgs, 1);
	assert_int_equal(st.anomalies, 0);
	assert_int_equal(client_line(&st, ""), SASL_A_UNEXPECTED);

	/* no initial response: an empty 334 first */
	begin_line(&st, "XOAUTH2", NULL);
	assert_int_equal(server_line(&st, ""), 0);
	assert_int_equal(CLIENT_STR(&st, ir), 0);
	USER_IS(&st, "someuser@example.com");

	/* malformed: no closing ^A^A; no user; not "Bearer"; a line after
	 * success that was not asked for */
	assert_int_equal(BEGIN_STR(&st, "XOAUTH2",
				   "user=a\001auth=Bearer tok-123456"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "a");
	assert_int_equal(st.secrets, SASL_SECRET_BEARER);
	NOT_KEPT(&st, "tok-123456");
	assert_int_equal(BEGIN_STR(&st, "XOAUTH2",
				   "auth=Bearer tok-123456\001\001"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);
	assert_int_equal(BEGIN_STR(&st, "XOAUTH2",
				   "user=a\001auth=Basic tok-123456\001\001"),
			 SASL_A_MALFORMED);
	NOT_KEPT(&st, "tok-123456");
	assert_int_equal(BEGIN_STR(&st, "XOAUTH2", "user=a\001\001"),
			 SASL_A_MALFORMED);
	assert_int_equal(st.secrets, 0);
	assert_int_equal(BEGIN_STR(&st, "XOAUTH2",
				   "user=a\001auth=Bearer t\001\001junk"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "a");
	begin_raw(&st, "XOAUTH2", ir, sizeof(ir) - 1);
	assert_int_equal(client_line(&st, ""), SASL_A_UNEXPECTED);
}

static void test_oauthbearer_rfc7628(void **state)
{
	struct sasl_state st;

	(void)state;
	/* RFC 7628 section 4.1:
	 * n,a=user@example.com,^Ahost=server.example.com^Aport=143^A
	 * auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==^A^A */
	assert_int_equal(
		begin_line(&st, "OAUTHBEARER",
			   "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1w"
			   "bGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRj"
			   "Mk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"),
		0);
	assert_int_equal(st.mech, SASL_MECH_OAUTHBEARER);
	USER_IS(&st, "user@example.com");
	assert_int_equal(st.authzid_len, 0);
	assert_int_equal(st.secrets, SASL_SECRET_BEARER);
	NOT_KEPT(&st, "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==");

	/* RFC 7628 section 4.3: the error, and the client's ^A ("AQ==") */
	assert_int_equal(
		server_line(&st,
			    "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFt"
			    "cGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRw"
			    "czovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25m"
			    "aWd1cmF0aW9uIn0="),
		0);
	assert_true(st.notes & SASL_N_SERVER_ERROR);
	assert_int_equal(client_line(&st, "AQ=="), 0);
	assert_int_equal(st.anomalies, 0);
	assert_int_equal(st.client_msgs, 2);

	/* no a=: no user name on the wire */
	assert_int_equal(BEGIN_STR(&st, "OAUTHBEARER",
				   "n,,\001auth=Bearer tok-123456\001\001"),
			 0);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, SASL_SECRET_BEARER);
	NOT_KEPT(&st, "tok-123456");

	/* saslname escapes in a= */
	BEGIN_STR(&st, "OAUTHBEARER",
		  "n,a=a=2Cb=3Dc,\001auth=Bearer tok-123456\001\001");
	USER_IS(&st, "a,b=c");

	/* malformed: bad gs2 flag (still sees the token), no ^A after the
	 * header, no auth, the wrong reply to an error */
	assert_int_equal(BEGIN_STR(&st, "OAUTHBEARER",
				   "x,,\001auth=Bearer tok-123456\001\001"),
			 SASL_A_MALFORMED);
	assert_int_equal(st.secrets, SASL_SECRET_BEARER);
	NOT_KEPT(&st, "tok-123456");
	assert_int_equal(BEGIN_STR(&st, "OAUTHBEARER", "n,,"),
			 SASL_A_MALFORMED);
	assert_int_equal(BEGIN_STR(&st, "OAUTHBEARER",
				   "n,,\001host=x\001\001"),
			 SASL_A_MALFORMED);
	assert_int_equal(st.secrets, 0);
	BEGIN_STR(&st, "OAUTHBEARER", "n,,\001auth=Bearer t\001\001");
	SERVER_STR(&st, "{\"status\":\"invalid_token\"}");
	assert_int_equal(client_line(&st, ""), SASL_A_UNEXPECTED);
	begin_raw(&st, "OAUTHBEARER", "n,,\001auth=Bearer t\001\001", 18);
	SERVER_STR(&st, "{\"status\":\"invalid_token\"}");
	assert_int_equal(client_line(&st, "AQE="), SASL_A_UNEXPECTED); /* ^A^A */
}

/* ---- SCRAM ---------------------------------------------------------- */

static void test_scram_rfc5802(void **state)
{
	struct sasl_state st;

	(void)state;
	/* RFC 5802 section 5 (password "pencil") */
	assert_int_equal(
		BEGIN_STR(&st, "SCRAM-SHA-1",
			  "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"),
		0);
	assert_int_equal(st.mech, SASL_MECH_SCRAM);
	assert_string_equal(st.mech_name, "SCRAM-SHA-1");
	USER_IS(&st, "user");
	assert_int_equal(st.secrets, 0);
	assert_int_equal(SERVER_STR(&st,
				    "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
				    "s=QSXCR+Q6sek8bf92,i=4096"),
			 0);
	assert_int_equal(CLIENT_STR(&st,
				    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvW"
				    "Vs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="),
			 0);
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	/* server-final in a 334, then the empty response (RFC 4954) */
	assert_int_equal(SERVER_STR(&st, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), 0);
	assert_int_equal(client_line(&st, ""), 0);
	assert_int_equal(st.client_msgs, 3);
	assert_int_equal(st.server_msgs, 2);
	assert_int_equal(st.anomalies, 0);
	assert_int_equal(st.notes, SASL_N_INITIAL_RESPONSE);
	NOT_KEPT(&st, "v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
	assert_int_equal(client_line(&st, ""), SASL_A_UNEXPECTED);

	/* RFC 7677 section 3, SCRAM-SHA-256, no initial response */
	begin_line(&st, "scram-sha-256", NULL);
	assert_string_equal(st.mech_name, "SCRAM-SHA-256");
	assert_int_equal(server_line(&st, ""), 0);
	assert_int_equal(CLIENT_STR(&st, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
			 0);
	assert_int_equal(SERVER_STR(&st,
				    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)"
				    "hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
			 0);
	assert_int_equal(
		CLIENT_STR(&st, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAf"
				"uxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfM"
				"Hgsqmmiz7AndVQ="),
		0);
	USER_IS(&st, "user");
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	assert_int_equal(st.anomalies, 0);
	NOT_KEPT(&st, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
}

static void test_scram_variants(void **state)
{
	struct sasl_state st;

	(void)state;
	/* authzid and escaped names: a=ad=2Cmin, n=us=3Der */
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-256",
				   "n,a=ad=2Cmin,n=us=3Der,r=abc"),
			 0);
	USER_IS(&st, "us=er");
	FIELD_IS(&st, authzid, "ad,min");
	/* an authzid equal to the user is not repeated */
	BEGIN_STR(&st, "SCRAM-SHA-256", "n,a=bob,n=bob,r=abc");
	assert_int_equal(st.authzid_len, 0);

	/* channel binding: -PLUS with p=; a mismatch either way */
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-256-PLUS",
				   "p=tls-exporter,,n=bob,r=abc"),
			 0);
	assert_string_equal(st.mech_name, "SCRAM-SHA-256-PLUS");
	assert_true(st.notes & SASL_N_CHANNEL_BINDING);
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-256-PLUS",
				   "y,,n=bob,r=abc"),
			 SASL_A_MALFORMED);
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-1",
				   "p=tls-unique,,n=bob,r=abc"),
			 SASL_A_MALFORMED);

	/* malformed: bad escape (kept as sent), no gs2 header, m=, no r=,
	 * no n= */
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-1", "n,,n=b=41b,r=x"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "b=41b");
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-1", "n=bob,r=abc"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-1", "n,,m=x,n=bob,r=a"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "bob");
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-1", "n,,n=bob"),
			 SASL_A_MALFORMED);
	USER_IS(&st, "bob");
	assert_int_equal(BEGIN_STR(&st, "SCRAM-SHA-1", "n,,r=abc"),
			 SASL_A_MALFORMED);
	assert_false(st.have_user);

	/* server error in the server-final */
	BEGIN_STR(&st, "SCRAM-SHA-1", "n,,n=bob,r=abc");
	SERVER_STR(&st, "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096");
	CLIENT_STR(&st, "c=biws,r=abcdef,p=cHJvb2YtcHJvb2Y=");
	assert_int_equal(SERVER_STR(&st, "e=invalid-proof"), 0);
	assert_true(st.notes & SASL_N_SERVER_ERROR);
	NOT_KEPT(&st, "cHJvb2YtcHJvb2Y=");

	/* client-final without a proof; out of order */
	BEGIN_STR(&st, "SCRAM-SHA-1", "n,,n=bob,r=abc");
	SERVER_STR(&st, "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096");
	assert_int_equal(CLIENT_STR(&st, "c=biws,r=abcdef"), SASL_A_MALFORMED);
	assert_int_equal(st.secrets, 0);
	BEGIN_STR(&st, "SCRAM-SHA-1", "n,,n=bob,r=abc");
	assert_int_equal(CLIENT_STR(&st, "c=biws,r=abcdef,p=cHJvb2Y="),
			 SASL_A_UNEXPECTED);
	assert_int_equal(st.secrets, SASL_SECRET_CHALLENGE);
	/* taken as the server-final; a second one is one too many */
	assert_int_equal(SERVER_STR(&st, "v=xx"), 0);
	assert_int_equal(SERVER_STR(&st, "v=xx"), SASL_A_UNEXPECTED);
	/* server-first without a salt; a non-empty prompt before */
	BEGIN_STR(&st, "SCRAM-SHA-1", "n,,n=bob,r=abc");
	assert_int_equal(SERVER_STR(&st, "r=abcdef,i=4096"), SASL_A_MALFORMED);
	begin_line(&st, "SCRAM-SHA-1", NULL);
	assert_int_equal(SERVER_STR(&st, "hello"), SASL_A_UNEXPECTED);
}

/* ---- GSSAPI, EXTERNAL, ANONYMOUS, unknown ---------------------------- */

static void test_other_mechanisms(void **state)
{
	struct sasl_state st;
	uint8_t tok[600];

	(void)state;
	/* GSSAPI: tokens counted, nothing read from them */
	memset(tok, 0x60, sizeof(tok));
	assert_int_equal(begin_raw(&st, "GSSAPI", tok, sizeof(tok)), 0);
	assert_int_equal(st.mech, SASL_MECH_GSSAPI);
	server_raw(&st, tok, 100);
	client_line(&st, "");
	server_raw(&st, "\x05\x04\x01\xff", 4);
	client_raw(&st, "\x05\x04\x01\xff", 4);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, 0);
	assert_int_equal(st.client_msgs, 3);
	assert_int_equal(st.server_msgs, 2);
	assert_int_equal(st.anomalies, 0);

	/* EXTERNAL: the initial response is an authzid; "=" is none */
	assert_int_equal(BEGIN_STR(&st, "EXTERNAL", "admin@example.org"),
			 0);
	FIELD_IS(&st, authzid, "admin@example.org");
	assert_false(st.have_user);
	assert_int_equal(st.secrets, 0);
	assert_int_equal(begin_line(&st, "EXTERNAL", "="), 0);
	assert_int_equal(st.authzid_len, 0);
	assert_int_equal(client_line(&st, ""), SASL_A_UNEXPECTED);
	begin_line(&st, "EXTERNAL", NULL);
	assert_int_equal(server_line(&st, ""), 0);
	assert_int_equal(CLIENT_STR(&st, "x"), 0);
	FIELD_IS(&st, authzid, "x");

	/* ANONYMOUS: trace information is not kept */
	assert_int_equal(BEGIN_STR(&st, "ANONYMOUS", "sirhc@example.com"),
			 0);
	assert_int_equal(st.mech, SASL_MECH_ANONYMOUS);
	NOT_KEPT(&st, "sirhc@example.com");

	/* unknown mechanisms keep their name, upper-cased */
	assert_int_equal(begin_line(&st, "x-Custom_1", "AAEC"), 0);
	assert_int_equal(st.mech, SASL_MECH_OTHER);
	assert_string_equal(st.mech_name, "X-CUSTOM_1");
	assert_int_equal(st.client_msgs, 1);
	assert_int_equal(client_line(&st, "!"), SASL_A_BAD_BASE64);
	/* "SCRAM-" alone is not a SCRAM mechanism */
	begin_line(&st, "SCRAM-", NULL);
	assert_int_equal(st.mech, SASL_MECH_OTHER);

	/* bad names: flagged, not kept (one may be a misplaced secret) */
	assert_int_equal(begin_line(&st, "PL@IN", NULL), SASL_A_BAD_MECHANISM);
	assert_int_equal(st.mech, SASL_MECH_OTHER);
	assert_string_equal(st.mech_name, "");
	assert_int_equal(begin_line(&st, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", NULL),
			 SASL_A_BAD_MECHANISM);
	assert_string_equal(st.mech_name, "");
	assert_int_equal(begin_line(&st, "", NULL), SASL_A_BAD_MECHANISM);
	assert_int_equal(sasl_begin(&st, NULL, 5, NULL, 0, false),
			 SASL_A_BAD_MECHANISM);
	assert_string_equal(st.mech_name, "");
	/* exactly 20 characters is fine */
	assert_int_equal(begin_line(&st, "ABCDEFGHIJKLMNOPQRST", NULL), 0);

	assert_string_equal(sasl_mech_str(SASL_MECH_CRAM_MD5), "CRAM-MD5");
	assert_string_equal(sasl_mech_str(SASL_MECH_SCRAM), "SCRAM-*");
	assert_string_equal(sasl_mech_str(SASL_MECH_NONE), "NONE");
	assert_string_equal(sasl_mech_str(SASL_MECH_OTHER), "OTHER");
	assert_string_equal(sasl_mech_str(SASL_MECH_ANONYMOUS), "ANONYMOUS");
}

/* ---- cancel, order, caps -------------------------------------------- */

static void test_cancel(void **state)
{
	struct sasl_state st;

	(void)state;
	/* RFC 4954: "*" cancels */
	begin_line(&st, "PLAIN", NULL);
	server_line(&st, "");
	assert_int_equal(client_line(&st, "*"), 0);
	assert_true(st.cancelled);
	assert_int_equal(st.client_msgs, 1);
	assert_int_equal(st.secrets, 0);
	assert_int_equal(st.anomalies, 0);
	/* nothing is examined after it */
	assert_int_equal(CLIENT_STR(&st, "\0bob\0hunter2-pw"),
			 SASL_A_UNEXPECTED);
	assert_false(st.have_user);
	assert_int_equal(server_line(&st, ""), SASL_A_UNEXPECTED);
	assert_int_equal(client_line(&st, "*"), SASL_A_UNEXPECTED);
	assert_int_equal(st.client_msgs, 3);
	assert_int_equal(st.server_msgs, 2);

	/* LOGIN cancelled at the password prompt: the user stays, no
	 * password crossed */
	begin_line(&st, "LOGIN", "YWxpY2U=");
	server_line(&st, "UGFzc3dvcmQ6");
	client_line(&st, "*");
	assert_true(st.cancelled);
	USER_IS(&st, "alice");
	assert_int_equal(st.secrets, 0);

	/* "*" is only a cancel alone on its line */
	begin_line(&st, "LOGIN", NULL);
	assert_int_equal(client_line(&st, "* "), SASL_A_BAD_BASE64);
	assert_false(st.cancelled);

	/* before any AUTH: a zeroed state */
	memset(&st, 0, sizeof(st));
	assert_int_equal(client_line(&st, "dXNlcg=="), SASL_A_UNEXPECTED);
	assert_int_equal(server_line(&st, ""), SASL_A_UNEXPECTED);
	assert_int_equal(client_line(&st, "*"), SASL_A_UNEXPECTED);
	assert_false(st.have_user);

	/* a new AUTH resets everything */
	begin_line(&st, "PLAIN", "AGJvYgBodW50ZXIyLXB3"); /* \0bob\0hunter2-pw */
	assert_true(st.have_user);
	begin_line(&st, "LOGIN", NULL);
	assert_false(st.have_user);
	assert_int_equal(st.user_len, 0);
	assert_int_equal(st.client_msgs, 0);
	assert_int_equal(st.secrets, 0);
	assert_null(memmem(&st, sizeof(st), "bob", 3));
}

static void test_limits(void **state)
{
	struct sasl_state st;
	static char line[SASL_LINE_MAX + 2];
	static uint8_t name[400];

	(void)state;
	/* exactly SASL_LINE_MAX base64 characters: decoded */
	memset(line, 'A', SASL_LINE_MAX);
	line[SASL_LINE_MAX] = '\0';
	begin_line(&st, "GSSAPI", line);
	assert_int_equal(st.anomalies, 0);
	/* one more: not decoded, flagged, counted */
	memset(line, 'A', SASL_LINE_MAX + 1);
	line[SASL_LINE_MAX + 1] = '\0';
	assert_int_equal(client_line(&st, line), SASL_A_LINE_TOO_LONG);
	assert_int_equal(st.client_msgs, 2);
	/*
	 * A line the caller's framer cut (its limit may be below
	 * SASL_LINE_MAX) is no more complete than an oversize one: the
	 * prefix of "\0alice\0secret" decodes to a user and part of the
	 * password, and is not read.
	 */
	{
		const char *e = b64("\0alice\0secret-password", 23);

		begin_line(&st, "PLAIN", NULL);
		assert_int_equal(sasl_client(&st, e, 12, true),
				 SASL_A_LINE_TOO_LONG);
		assert_false(st.have_user);
		assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
		assert_int_equal(st.client_msgs, 1);
		/* ... the same prefix, not cut: read */
		begin_line(&st, "PLAIN", NULL);
		assert_int_equal(sasl_client(&st, e, 12, false), 0);
		USER_IS(&st, "alice");
		/* in the initial response; "=" cut is no empty response */
		assert_int_equal(sasl_begin(&st, "PLAIN", 5, e, 12, true),
				 SASL_A_LINE_TOO_LONG);
		assert_false(st.have_user);
		assert_int_equal(st.notes, SASL_N_INITIAL_RESPONSE);
		assert_int_equal(sasl_begin(&st, "PLAIN", 5, "=", 1, true),
				 SASL_A_LINE_TOO_LONG);
		assert_false(st.notes & SASL_N_EMPTY_INITIAL);
		/* cut after the mechanism: flagged, no message counted */
		assert_int_equal(sasl_begin(&st, "PLAIN", 5, NULL, 0, true),
				 SASL_A_LINE_TOO_LONG);
		assert_int_equal(st.mech, SASL_MECH_PLAIN);
		assert_int_equal(st.client_msgs, 0);
		/* a cut LOGIN user name ("YWxp" of "YWxpY2U=") is not kept
		 * either: it is not the name */
		begin_line(&st, "LOGIN", NULL);
		assert_int_equal(sasl_client(&st, "YWxpY2U=", 4, true),
				 SASL_A_LINE_TOO_LONG);
		assert_false(st.have_user);
	}
	/* an oversize PLAIN message: no user, a password probably sent */
	begin_line(&st, "PLAIN", NULL);
	assert_int_equal(client_line(&st, line), SASL_A_LINE_TOO_LONG);
	assert_false(st.have_user);
	assert_int_equal(st.secrets, SASL_SECRET_CLEARTEXT);
	/* in an initial response too */
	assert_int_equal(begin_line(&st, "LOGIN", line), SASL_A_LINE_TOO_LONG);
	assert_false(st.have_user);

	/* a long user name is cut to SASL_USER_MAX and flagged */
	memset(name, 'u', sizeof(name));
	begin_raw(&st, "LOGIN", name, sizeof(name));
	assert_int_equal(st.anomalies, SASL_A_USER_TRUNCATED);
	assert_int_equal(st.user_len, SASL_USER_MAX);
	assert_int_equal(st.user[SASL_USER_MAX], '\0');
	/* ... never inside a UTF-8 sequence: 255 'u' then "é" */
	name[255] = 0xc3;
	name[256] = 0xa9;
	begin_raw(&st, "LOGIN", name, 257);
	assert_int_equal(st.anomalies, SASL_A_USER_TRUNCATED);
	assert_int_equal(st.user_len, 255);
	assert_int_equal(st.user[255], '\0');
	/* exactly SASL_USER_MAX: not truncated */
	begin_raw(&st, "LOGIN", name, SASL_USER_MAX - 1);
	assert_int_equal(st.anomalies, 0);
	memset(name, 'u', sizeof(name));
	begin_raw(&st, "LOGIN", name, SASL_USER_MAX);
	assert_int_equal(st.anomalies, 0);
	assert_int_equal(st.user_len, SASL_USER_MAX);
	/* authzid and DIGEST-MD5 realm */
	{
		static uint8_t plain[600];

		memset(plain, 'z', sizeof(plain));
		plain[300] = 0;
		plain[304] = 0;
		begin_raw(&st, "PLAIN", plain, sizeof(plain));
		assert_int_equal(st.anomalies, SASL_A_AUTHZID_TRUNCATED);
		assert_int_equal(st.authzid_len, SASL_USER_MAX);
		USER_IS(&st, "zzz");
	}
	{
		char resp[400];
		int k = snprintf(resp, sizeof(resp),
				 "username=\"u\",response=1,realm=\"%0200d\"",
				 7);

		begin_raw(&st, "DIGEST-MD5", resp, (size_t)k);
		assert_int_equal(st.anomalies, SASL_A_TEXT_TRUNCATED);
		assert_int_equal(st.realm_len, SASL_TEXT_MAX);
	}

	/* the message cap: counted past it, not examined */
	begin_line(&st, "GSSAPI", "YQ==");
	for (int i = 0; i < 20; i++) {
		server_line(&st, "YQ==");
		client_line(&st, "YQ==");
	}
	assert_true(st.anomalies & SASL_A_TOO_MANY_MESSAGES);
	assert_int_equal(st.client_msgs, 21);
	assert_int_equal(st.server_msgs, 20);
	assert_int_equal(st.priv.cdata + st.priv.sdata, SASL_MESSAGES_MAX);
	/* LOGIN: a user name after the cap is not read */
	begin_line(&st, "LOGIN", NULL);
	for (int i = 0; i < SASL_MESSAGES_MAX; i++)
		server_line(&st, "");
	assert_int_equal(CLIENT_STR(&st, "alice"), SASL_A_TOO_MANY_MESSAGES);
	assert_false(st.have_user);
	/* but a cancel still counts */
	client_line(&st, "*");
	assert_true(st.cancelled);
}

/* A cut field ends at the cut: a shorter character after the one that
 * did not fit is not appended (that would leave a hole in the name). */
static void test_cut_leaves_no_hole(void **state)
{
	struct sasl_state st;
	uint8_t m[600], ws[2 * (SASL_TEXT_MAX + 2)];
	static const uint8_t nt[24] = {0x11, 0x22, 0x33, 0x44};
	struct ntlm3 a;
	size_t i;

	(void)state;
	/* workstation: (SASL_TEXT_MAX - 1) 'a', U+20AC (3 bytes in UTF-8,
	 * one too many), 'Z' (one byte, would fit) */
	for (i = 0; i < SASL_TEXT_MAX - 1; i++)
		put16(ws + 2 * i, 'a');
	put16(ws + 2 * i++, 0x20ac);
	put16(ws + 2 * i++, 'Z');
	ntlm_prelude(&st);
	a = (struct ntlm3){.flags = 0x00000001, .nt = nt, .ntl = sizeof(nt),
			   .user = (const uint8_t *)"b\0o\0b\0", .userl = 6,
			   .ws = ws, .wsl = 2 * i};
	assert_int_equal(client_raw(&st, m, ntlm3_build(m, &a)),
			 SASL_A_TEXT_TRUNCATED);
	assert_int_equal(st.workstation_len, SASL_TEXT_MAX - 1);
	for (i = 0; i < SASL_TEXT_MAX - 1; i++)
		assert_int_equal(st.workstation[i], 'a');
	assert_int_equal(st.workstation[SASL_TEXT_MAX - 1], '\0');
	USER_IS(&st, "bob");
}

/* ---- names of the flags --------------------------------------------- */

static void check_names(const char *(*fn)(uint32_t), uint32_t known)
{
	const char *seen[32];
	int n = 0;

	for (int i = 0; i < 32; i++) {
		uint32_t bit = 1u << i;
		const char *s = fn(bit);

		if (!(known & bit)) {
			assert_null(s);
			continue;
		}
		assert_non_null(s);
		assert_true(s[0] >= 'a' && s[0] <= 'z');
		for (const char *c = s; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') ||
				    (*c >= '0' && *c <= '9') || *c == '_');
		for (int j = 0; j < n; j++)
			assert_string_not_equal(seen[j], s);
		seen[n++] = s;
	}
	assert_null(fn(0));
	assert_null(fn(3));
	assert_null(fn(known));
}

static void test_flag_names(void **state)
{
	(void)state;
	check_names(sasl_secret_name, SASL_SECRET_CLEARTEXT |
					      SASL_SECRET_BEARER |
					      SASL_SECRET_CHALLENGE);
	check_names(sasl_anomaly_name, (SASL_A_LOGIN_PROMPT << 1) - 1);
	check_names(sasl_note_name, (SASL_N_NTLM_ANONYMOUS << 1) - 1);
	assert_string_equal(sasl_secret_name(SASL_SECRET_CLEARTEXT),
			    "cleartext_password");
	assert_string_equal(sasl_secret_name(SASL_SECRET_BEARER),
			    "bearer_token");
	assert_string_equal(sasl_secret_name(SASL_SECRET_CHALLENGE),
			    "challenge_response");
	assert_string_equal(sasl_anomaly_name(SASL_A_BAD_BASE64),
			    "bad_base64");
	assert_string_equal(sasl_anomaly_name(SASL_A_TOO_MANY_MESSAGES),
			    "too_many_messages");
	assert_string_equal(sasl_anomaly_name(SASL_A_LOGIN_PROMPT),
			    "login_prompt_mismatch");
	assert_string_equal(sasl_note_name(SASL_N_SERVER_INFO),
			    "server_info_disclosed");
}

/* ---- the secret is never kept --------------------------------------- */

/*
 * One secret, sent by every mechanism in the place its password, token,
 * response or proof goes, in well-formed and in damaged messages: after
 * each exchange, not one copy of it may be in the state.
 */
#define SECRET "Zq7-s3cr3t-W0rd!"

static void test_secret_never_stored(void **state)
{
	struct sasl_state st;
	uint8_t m[256], nt[32];
	struct ntlm3 a;
	static const char *const login_prompts[] = {"Username:", "Password:",
						     "", "Passwort:"};

	(void)state;
	/* PLAIN: good, one NUL, the secret as authcid's neighbour twice */
	BEGIN_STR(&st, "PLAIN", "a\0u\0" SECRET);
	NOT_KEPT(&st, SECRET);
	BEGIN_STR(&st, "PLAIN", "u\0" SECRET);
	NOT_KEPT(&st, SECRET);
	BEGIN_STR(&st, "PLAIN", SECRET);
	NOT_KEPT(&st, SECRET);
	BEGIN_STR(&st, "PLAIN", "u\0" SECRET "\0");
	NOT_KEPT(&st, SECRET);
	BEGIN_STR(&st, "PLAIN", "\0u\0" SECRET "\0" SECRET);
	NOT_KEPT(&st, SECRET);

	/* LOGIN: every prompt order */
	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4; j++) {
			begin_line(&st, "LOGIN", NULL);
			server_raw(&st, login_prompts[i],
				   strlen(login_prompts[i]));
			CLIENT_STR(&st, "u");
			server_raw(&st, login_prompts[j],
				   strlen(login_prompts[j]));
			CLIENT_STR(&st, SECRET);
			CLIENT_STR(&st, SECRET);
			NOT_KEPT(&st, SECRET);
		}
		BEGIN_STR(&st, "LOGIN", "u");
		server_raw(&st, login_prompts[i], strlen(login_prompts[i]));
		CLIENT_STR(&st, SECRET);
		NOT_KEPT(&st, SECRET);
	}
	begin_line(&st, "LOGIN", NULL);
	SERVER_STR(&st, "Password:");
	CLIENT_STR(&st, SECRET);
	NOT_KEPT(&st, SECRET);

	/* CRAM-MD5: the response after the last space, or alone */
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1@x>");
	CLIENT_STR(&st, "u " SECRET);
	NOT_KEPT(&st, SECRET);
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1@x>");
	CLIENT_STR(&st, SECRET);
	NOT_KEPT(&st, SECRET);
	begin_line(&st, "CRAM-MD5", NULL);
	SERVER_STR(&st, "<1@x>");
	CLIENT_STR(&st, "u " SECRET " " SECRET);
	NOT_KEPT(&st, SECRET);

	/* DIGEST-MD5: the response, quoted or not, first or last */
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"n\"");
	CLIENT_STR(&st, "username=\"u\",response=" SECRET);
	NOT_KEPT(&st, SECRET);
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"n\"");
	CLIENT_STR(&st, "response=\"" SECRET "\",username=\"u\"");
	NOT_KEPT(&st, SECRET);
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"n\"");
	CLIENT_STR(&st, "username=\"u\",response=\"" SECRET);
	NOT_KEPT(&st, SECRET);
	begin_line(&st, "DIGEST-MD5", NULL);
	SERVER_STR(&st, "nonce=\"n\"");
	CLIENT_STR(&st, "username=\"u,response=" SECRET);
	NOT_KEPT(&st, SECRET);

	/* NTLM: the NT and LM responses, OEM and Unicode */
	memcpy(nt, SECRET SECRET, sizeof(nt));
	for (uint32_t fl = 1; fl <= 2; fl++) {
		a = (struct ntlm3){.flags = fl, .lm = nt, .lml = 24,
				   .nt = nt, .ntl = sizeof(nt),
				   .user = (const uint8_t *)"u", .userl = 1};
		begin_line(&st, "NTLM", NULL);
		client_raw(&st, m, ntlm3_build(m, &a));
		NOT_KEPT(&st, SECRET);
	}

	/* XOAUTH2, OAUTHBEARER: the token, also in damaged messages */
	BEGIN_STR(&st, "XOAUTH2", "user=u\001auth=Bearer " SECRET "\001\001");
	NOT_KEPT(&st, SECRET);
	BEGIN_STR(&st, "XOAUTH2", "auth=Bearer " SECRET "\001user=u");
	NOT_KEPT(&st, SECRET);
	BEGIN_STR(&st, "OAUTHBEARER",
		  "n,a=u,\001auth=Bearer " SECRET "\001\001");
	NOT_KEPT(&st, SECRET);
	BEGIN_STR(&st, "OAUTHBEARER", "n,a=u,auth=Bearer " SECRET);
	NOT_KEPT(&st, SECRET);

	/* SCRAM: the proof */
	BEGIN_STR(&st, "SCRAM-SHA-256", "n,,n=u,r=abc");
	SERVER_STR(&st, "r=abcdef,s=c2FsdA==,i=4096");
	CLIENT_STR(&st, "c=biws,r=abcdef,p=" SECRET);
	SERVER_STR(&st, "v=x");
	NOT_KEPT(&st, SECRET);

	/* unknown mechanism: nothing is read from it at all */
	BEGIN_STR(&st, "X-FOO", SECRET);
	CLIENT_STR(&st, SECRET);
	NOT_KEPT(&st, SECRET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_strictness),
		cmocka_unit_test(test_plain_rfc4616),
		cmocka_unit_test(test_plain_authzid_and_malformed),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_cram_md5),
		cmocka_unit_test(test_digest_md5_rfc2831),
		cmocka_unit_test(test_digest_md5_quoting_and_malformed),
		cmocka_unit_test(test_ntlm_curl_vectors),
		cmocka_unit_test(test_ntlm_unicode),
		cmocka_unit_test(test_ntlm_malformed),
		cmocka_unit_test(test_xoauth2),
		cmocka_unit_test(test_oauthbearer_rfc7628),
		cmocka_unit_test(test_scram_rfc5802),
		cmocka_unit_test(test_scram_variants),
		cmocka_unit_test(test_other_mechanisms),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_cut_leaves_no_hole),
		cmocka_unit_test(test_flag_names),
		cmocka_unit_test(test_secret_never_stored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
