/*
 * Fuzz target: the SASL exchange decoder (src/smtp/sasl.c), fed the way
 * the SMTP parser feeds it, with every message in a heap buffer of its
 * exact size so a read past its end is caught.
 *
 * Input:
 *   MECH                 mechanism: an index into names[] below; past the
 *                        end, LEN(1) BYTES gives the name itself
 *   IR                   initial response: IR & 3 is 0 none, 1 "=", 2 raw
 *                        base64 text, 3 bytes the harness encodes; for 2
 *                        and 3 LEN(2) BYTES follow; IR & 8: the AUTH line
 *                        was cut
 *   then records OP LEN(2) BYTES until the input ends:
 *     OP & 3 == 0        server 334 text
 *     OP & 3 == 1        client line
 *     OP & 3 == 2        client "*" (no LEN, no BYTES)
 *     OP & 3 == 3        a new AUTH on the same state: MECH IR as above
 *     OP & 4             BYTES are decoded bytes: the harness encodes
 *                        them (most inputs then reach the mechanisms)
 *     OP & 8             a client line was cut (the framer's limit)
 * LEN is little-endian and cut to what is left of the input.
 *
 * After every call the state's invariants are checked: text fields
 * bounded and terminated, counters consistent with the calls made, flags
 * all named, secret kinds only those the mechanism can carry.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "smtp/sasl.h"
#include "tests/unit/b64enc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"PLAIN",       "LOGIN",         "CRAM-MD5",
	"DIGEST-MD5",  "NTLM",          "XOAUTH2",
	"OAUTHBEARER", "SCRAM-SHA-1",   "SCRAM-SHA-256-PLUS",
	"GSSAPI",      "EXTERNAL",      "ANONYMOUS",
	"X-UNKNOWN",   "login",         "pl@in",
	"SCRAM-SHA-512",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

struct input {
	const uint8_t *p;
	size_t n;
};

static void take(struct input *in, size_t k, const uint8_t **out)
{
	if (k > in->n)
		k = in->n;
	*out = in->p;
	in->p += k;
	in->n -= k;
}

static size_t take_len(struct input *in, size_t bytes)
{
	size_t v = 0, i;

	for (i = 0; i < bytes && in->n > 0; i++) {
		v |= (size_t)in->p[0] << (8 * i);
		in->p++;
		in->n--;
	}
	return v < in->n ? v : in->n;
}

/* A heap copy of exactly n bytes (n may be 0); the caller frees it. */
static char *exact(const void *p, size_t n)
{
	char *c = malloc(n ? n : 1);

	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

/* Base64 of p[0..n) in an exact-size heap buffer (no NUL). */
static char *encode(const uint8_t *p, size_t n, size_t *outlen)
{
	size_t len = b64enc_len(n);
	char *e = malloc(len ? len : 1);

	if (!e)
		abort();
	*outlen = b64enc(p, n, e);
	SS_ASSERT(*outlen == len);
	return e;
}

/* The message BYTES of a record, raw or encoded, as a heap line. */
static char *message(struct input *in, bool enc, size_t *len)
{
	size_t n = take_len(in, 2);
	const uint8_t *p;

	take(in, n, &p);
	if (enc)
		return encode(p, n, len);
	*len = n;
	return exact(p, n);
}

static void check_text(const char *s, uint16_t len, size_t cap)
{
	SS_ASSERT(len <= cap);
	SS_ASSERT(s[len] == '\0');
}

static uint32_t allowed_secrets(enum sasl_mech m)
{
	switch (m) {
	case SASL_MECH_PLAIN:
	case SASL_MECH_LOGIN: return SASL_SECRET_CLEARTEXT;
	case SASL_MECH_XOAUTH2:
	case SASL_MECH_OAUTHBEARER: return SASL_SECRET_BEARER;
	case SASL_MECH_CRAM_MD5:
	case SASL_MECH_DIGEST_MD5:
	case SASL_MECH_NTLM:
	case SASL_MECH_SCRAM: return SASL_SECRET_CHALLENGE;
	default: return 0;
	}
}

static void check_bits(uint32_t v, const char *(*name)(uint32_t))
{
	for (int i = 0; i < 32; i++)
		if (v & (1u << i))
			SS_ASSERT(name(1u << i) != NULL);
}

static void check(const struct sasl_state *st, uint32_t raised,
		  uint32_t calls)
{
	const struct sasl_ntlm_server *sv = &st->ntlm;

	SS_ASSERT((raised & ~st->anomalies) == 0);
	SS_ASSERT(memchr(st->mech_name, '\0', sizeof(st->mech_name)));
	check_text(st->user, st->user_len, SASL_USER_MAX);
	check_text(st->authzid, st->authzid_len, SASL_USER_MAX);
	check_text(st->realm, st->realm_len, SASL_TEXT_MAX);
	check_text(st->workstation, st->workstation_len, SASL_TEXT_MAX);
	check_text(sv->target, sv->target_len, SASL_TEXT_MAX);
	check_text(sv->nb_domain, sv->nb_domain_len, SASL_TEXT_MAX);
	check_text(sv->nb_computer, sv->nb_computer_len, SASL_TEXT_MAX);
	check_text(sv->dns_domain, sv->dns_domain_len, SASL_TEXT_MAX);
	check_text(sv->dns_computer, sv->dns_computer_len, SASL_TEXT_MAX);
	SS_ASSERT(st->client_msgs + st->server_msgs == calls);
	SS_ASSERT(st->priv.cdata + st->priv.sdata <= SASL_MESSAGES_MAX);
	SS_ASSERT((st->secrets & ~allowed_secrets(st->mech)) == 0);
	if (st->mech == SASL_MECH_GSSAPI || st->mech == SASL_MECH_OTHER ||
	    st->mech == SASL_MECH_ANONYMOUS || st->mech == SASL_MECH_EXTERNAL)
		SS_ASSERT(!st->have_user && st->user_len == 0);
	if (!st->have_user)
		SS_ASSERT(st->user_len == 0);
	check_bits(st->secrets, sasl_secret_name);
	check_bits(st->anomalies, sasl_anomaly_name);
	check_bits(st->notes, sasl_note_name);
	SS_ASSERT(sasl_mech_str(st->mech) != NULL);
}

/* MECH IR: a new AUTH. Returns the calls it made (0 or 1 messages). */
static uint32_t begin(struct sasl_state *st, struct input *in)
{
	const uint8_t *sel, *ir;
	const char *name;
	char *mech, *line = NULL;
	size_t mechlen, len = 0;
	uint32_t raised;
	uint8_t kind;
	bool cut = false;

	if (in->n == 0) {
		raised = sasl_begin(st, "PLAIN", 5, NULL, 0, false);
		check(st, raised, 0);
		return 0;
	}
	take(in, 1, &sel);
	if (sel[0] < NNAMES) {
		name = names[sel[0]];
		mech = exact(name, strlen(name));
		mechlen = strlen(name);
	} else {
		const uint8_t *p;

		mechlen = take_len(in, 1);
		take(in, mechlen, &p);
		mech = exact(p, mechlen);
	}
	kind = 0;
	if (in->n > 0) {
		take(in, 1, &ir);
		kind = ir[0] & 3;
		cut = (ir[0] & 8) != 0;
	}
	if (kind == 1) {
		line = exact("=", 1);
		len = 1;
	} else if (kind >= 2) {
		line = message(in, kind == 3, &len);
	}
	raised = sasl_begin(st, mech, mechlen, line, len, cut);
	if (cut)
		SS_ASSERT(raised & SASL_A_LINE_TOO_LONG);
	check(st, raised, line && len > 0 ? 1 : 0);
	free(mech);
	free(line);
	return line && len > 0 ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct sasl_state *st;
	struct input in = {data, size};
	uint32_t calls;

	if (!init) {
		init = true;
		log_set_quiet(1);
	}
	/* On the heap, so ASan sees the struct's own bounds too. */
	st = malloc(sizeof(*st));
	if (!st)
		abort();
	memset(st, 0xa5, sizeof(*st)); /* sasl_begin must reset it all */
	calls = begin(st, &in);
	while (in.n > 0) {
		const uint8_t *op;
		uint32_t raised;
		char *line;
		size_t len;

		take(&in, 1, &op);
		switch (op[0] & 3) {
		case 0:
			line = message(&in, (op[0] & 4) != 0, &len);
			raised = sasl_server(st, line, len);
			free(line);
			calls++;
			break;
		case 1:
			line = message(&in, (op[0] & 4) != 0, &len);
			raised = sasl_client(st, line, len,
					     (op[0] & 8) != 0);
			free(line);
			calls++;
			break;
		case 2:
			line = exact("*", 1);
			raised = sasl_client(st, line, 1, false);
			free(line);
			calls++;
			SS_ASSERT(st->cancelled);
			break;
		default:
			calls = begin(st, &in);
			continue;
		}
		check(st, raised, calls);
	}
	sasl_reset(st);
	free(st);
	return 0;
}
