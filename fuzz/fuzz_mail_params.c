/*
 * Fuzz target: header values, RFC 2047 (src/mail/rfc2047.c) and MIME
 * parameters with RFC 2231 (src/mail/params.c).
 *
 * Input:
 *   CAP        output room for the cut RFC 2047 decoding (CAP % 128)
 *   VALUE      the rest: one unfolded header value (exact-size heap copy)
 *
 * Both decoders run on every input. Checked for RFC 2047: with room
 * enough the output is valid UTF-8 and not cut; with room CAP it is
 * valid UTF-8, at most CAP bytes, a prefix of the full output, flagged
 * cut exactly when shorter. For parameters: at most MAIL_PARAMS_MAX
 * entries, each name lower-case and terminated, each value inside buf,
 * terminated and valid UTF-8 (boundary aside: raw bytes by design), the
 * main token printable lower-case ASCII, mail_params_get() finds every
 * entry of a name in order, flags named.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "mail/charset.h"
#include "mail/params.h"
#include "mail/rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IN_MAX 65536

static void check_2047(const char *in, size_t n, unsigned cap)
{
	/* RFC 2047 output is at most 3 bytes per input byte */
	static char full[3 * IN_MAX + 16];
	static char cut[128];
	uint32_t ff = 0, f = 0;
	size_t fl, k;
	int i;

	fl = mail_2047_decode(in, n, full, 3 * n + 16, &ff);
	SS_ASSERT(!(ff & MAIL_2047_F_TRUNCATED));
	SS_ASSERT(mail_utf8_valid((const uint8_t *)full, fl));
	for (i = 0; i < 32; i++)
		if (ff & (1u << i))
			SS_ASSERT(mail_2047_flag_name(1u << i) != NULL);
	k = mail_2047_decode(in, n, cut, cap, &f);
	SS_ASSERT(k <= cap);
	SS_ASSERT(memcmp(cut, full, k) == 0);
	SS_ASSERT(mail_utf8_valid((const uint8_t *)cut, k));
	SS_ASSERT(!!(f & MAIL_2047_F_TRUNCATED) == (k < fl));
}

static void check_params(const char *in, size_t n)
{
	struct mail_params *ps = malloc(sizeof(*ps));
	uint32_t i, j;
	size_t k;

	if (!ps)
		abort();
	mail_params_parse(ps, in, n);
	SS_ASSERT(ps->n <= MAIL_PARAMS_MAX);
	SS_ASSERT(ps->used <= sizeof(ps->buf));
	k = strnlen(ps->value, sizeof(ps->value));
	SS_ASSERT(k < sizeof(ps->value));
	for (j = 0; j < k; j++) {
		uint8_t c = (uint8_t)ps->value[j];

		SS_ASSERT(c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z'));
	}
	for (i = 0; i < 32; i++)
		if (ps->flags & (1u << i))
			SS_ASSERT(mail_params_flag_name(1u << i) != NULL);
	for (i = 0; i < ps->n; i++) {
		const struct mail_param *p = &ps->p[i], *q;

		k = strnlen(p->name, sizeof(p->name));
		SS_ASSERT(k < sizeof(p->name));
		for (j = 0; j < k; j++)
			SS_ASSERT(!(p->name[j] >= 'A' && p->name[j] <= 'Z'));
		SS_ASSERT(p->value >= ps->buf);
		SS_ASSERT(p->value + p->len < ps->buf + sizeof(ps->buf));
		SS_ASSERT(p->value[p->len] == '\0');
		SS_ASSERT(mail_utf8_valid((const uint8_t *)p->value, p->len) ||
			  strcmp(p->name, "boundary") == 0);
		SS_ASSERT(p->form <= MAIL_PARAM_RFC2047);
		/* get() walks every entry of this name, in order */
		q = mail_params_get(ps, p->name, NULL);
		while (q && q != p)
			q = mail_params_get(ps, p->name, q);
		SS_ASSERT(q == p);
	}
	free(ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	unsigned cap;
	char *in;

	if (!init) {
		init = true;
		log_set_quiet(1);
	}
	if (size < 1)
		return 0;
	cap = data[0] % 128;
	data++;
	size--;
	if (size > IN_MAX)
		size = IN_MAX;
	in = malloc(size ? size : 1);
	if (!in)
		abort();
	memcpy(in, data, size);
	check_2047(in, size, cap);
	check_params(in, size);
	free(in);
	return 0;
}
