#include "smtp/command.h"

#include <stdio.h>
#include <string.h>

/* Names as written on the wire (and, for the pseudo-verbs, in records),
 * with their lengths for the lookup. */
#define VERB(v, s) [v] = {s, sizeof(s) - 1}
static const struct {
	const char *name;
	uint32_t len;
} verbs[] = {
	VERB(SMTP_V_UNKNOWN, "UNKNOWN"),
	VERB(SMTP_V_HELO, "HELO"),
	VERB(SMTP_V_EHLO, "EHLO"),
	VERB(SMTP_V_LHLO, "LHLO"),
	VERB(SMTP_V_MAIL, "MAIL"),
	VERB(SMTP_V_RCPT, "RCPT"),
	VERB(SMTP_V_DATA, "DATA"),
	VERB(SMTP_V_BDAT, "BDAT"),
	VERB(SMTP_V_RSET, "RSET"),
	VERB(SMTP_V_NOOP, "NOOP"),
	VERB(SMTP_V_QUIT, "QUIT"),
	VERB(SMTP_V_VRFY, "VRFY"),
	VERB(SMTP_V_EXPN, "EXPN"),
	VERB(SMTP_V_HELP, "HELP"),
	VERB(SMTP_V_STARTTLS, "STARTTLS"),
	VERB(SMTP_V_AUTH, "AUTH"),
	VERB(SMTP_V_XCLIENT, "XCLIENT"),
	VERB(SMTP_V_XFORWARD, "XFORWARD"),
	VERB(SMTP_V_ETRN, "ETRN"),
	VERB(SMTP_V_TURN, "TURN"),
	VERB(SMTP_V_ATRN, "ATRN"),
	VERB(SMTP_V_BURL, "BURL"),
	VERB(SMTP_V_SEND, "SEND"),
	VERB(SMTP_V_SOML, "SOML"),
	VERB(SMTP_V_SAML, "SAML"),
	VERB(SMTP_V_VERB, "VERB"),
	VERB(SMTP_V_XEXCH50, "XEXCH50"),
	VERB(SMTP_V_XLINK2STATE, "X-LINK2STATE"),
	VERB(SMTP_V__COUNT, "?"),
	VERB(SMTP_V_GREETING, "(greeting)"),
	VERB(SMTP_V_EOD, "(end of data)"),
	VERB(SMTP_V_AUTH_DATA, "(auth data)"),
};
#undef VERB

const char *smtp_verb_name(enum smtp_verb v)
{
	return (unsigned)v <= SMTP_V_AUTH_DATA && verbs[v].name ? verbs[v].name
								: "?";
}

static inline bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* What separates a verb from its argument, and words of AUTH, for the
 * servers we know of: space or tab. */
static inline bool is_blank(uint8_t c) { return c == ' ' || c == '\t'; }

bool smtp_ascii_prefix(const uint8_t *p, uint32_t len, const char *prefix)
{
	uint32_t i;

	for (i = 0; prefix[i]; i++)
		if (i >= len || smtp_ascii_upper(p[i]) !=
				    smtp_ascii_upper((uint8_t)prefix[i]))
			return false;
	return true;
}

bool smtp_ascii_eq(const void *a, uint32_t alen, const void *b, uint32_t blen)
{
	const uint8_t *x = a, *y = b;
	uint32_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (smtp_ascii_upper(x[i]) != smtp_ascii_upper(y[i]))
			return false;
	return true;
}

static enum smtp_verb lookup(const uint8_t *w, uint32_t n)
{
	int v;

	for (v = SMTP_V_HELO; v < SMTP_V__COUNT; v++)
		if (smtp_ascii_eq(w, n, verbs[v].name, verbs[v].len))
			return (enum smtp_verb)v;
	return SMTP_V_UNKNOWN;
}

bool smtp_command_parse(const uint8_t *p, uint32_t len,
			struct smtp_command *out)
{
	uint32_t i = 0, w;

	memset(out, 0, sizeof(*out));
	if (len == 0 || !is_alpha(p[0]))
		return false;
	while (i < len && !is_blank(p[i]))
		i++;
	w = i;
	/* "MAIL FROM:" has a space in it; the verb is still MAIL. */
	out->word = p;
	out->word_len = w;
	out->verb = lookup(p, w);
	while (i < len && is_blank(p[i]))
		i++;
	out->arg = p + i;
	out->arg_len = len - i;
	return true;
}

bool smtp_path_parse(const uint8_t *arg, uint32_t len, const char *kw,
		     struct smtp_path *out)
{
	uint32_t i = 0, kl = (uint32_t)strlen(kw), start;

	memset(out, 0, sizeof(*out));
	if (!smtp_ascii_prefix(arg, len, kw))
		return false;
	i = kl;
	while (i < len && arg[i] == ' ') {
		out->lenient = true; /* "FROM :" */
		i++;
	}
	if (i >= len || arg[i] != ':')
		return false;
	i++;
	while (i < len && arg[i] == ' ') {
		out->lenient = true; /* "FROM: <" */
		i++;
	}
	if (i < len && arg[i] == '<') {
		bool quoted = false;

		start = ++i;
		while (i < len && (arg[i] != '>' || quoted)) {
			if (arg[i] == '"')
				quoted = !quoted;
			else if (arg[i] == '\\' && quoted && i + 1 < len)
				i++;
			i++;
		}
		out->addr = arg + start;
		out->addr_len = i - start;
		out->brackets = i < len; /* found the closing '>' */
		if (i < len)
			i++;
		else
			out->lenient = true;
	} else {
		start = i;
		while (i < len && arg[i] != ' ')
			i++;
		out->addr = arg + start;
		out->addr_len = i - start;
		out->lenient = true;
	}
	while (i < len && arg[i] == ' ')
		i++;
	out->params = arg + i;
	out->params_len = len - i;
	return true;
}

bool smtp_param_next(const uint8_t **pp, const uint8_t *end,
		     struct smtp_param *out)
{
	const uint8_t *p = *pp, *s, *eq = NULL;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end) {
		*pp = p;
		return false;
	}
	s = p;
	while (p < end && *p != ' ' && *p != '\t') {
		if (*p == '=' && !eq)
			eq = p;
		p++;
	}
	out->name = s;
	if (eq) {
		out->name_len = (uint32_t)(eq - s);
		out->value = eq + 1;
		out->value_len = (uint32_t)(p - eq - 1);
	} else {
		out->name_len = (uint32_t)(p - s);
		out->value = NULL;
		out->value_len = 0;
	}
	*pp = p;
	return true;
}

void smtp_bdat_parse(const uint8_t *arg, uint32_t len, struct smtp_bdat *out)
{
	uint32_t i = 0, digits = 0;
	uint64_t v = 0;

	memset(out, 0, sizeof(*out));
	while (i < len && is_digit(arg[i])) {
		if (digits < 19)
			v = v * 10 + (uint64_t)(arg[i] - '0');
		else
			out->too_large = true;
		digits++;
		i++;
	}
	if (digits == 0)
		return;
	out->size = v;
	while (i < len && arg[i] == ' ')
		i++;
	if (i < len) {
		if (len - i >= 4 && smtp_ascii_prefix(arg + i, len - i, "LAST")) {
			out->last = true;
			i += 4;
			while (i < len && arg[i] == ' ')
				i++;
		}
		if (i < len)
			return; /* something else after the size */
	}
	out->valid = !out->too_large;
}

void smtp_auth_arg_parse(const uint8_t *arg, uint32_t len,
			 struct smtp_auth_arg *out)
{
	uint32_t i = 0, s;

	memset(out, 0, sizeof(*out));
	while (i < len && !is_blank(arg[i]))
		i++;
	out->mech = arg;
	out->mech_len = i;
	while (i < len && is_blank(arg[i]))
		i++;
	if (i < len) {
		s = i;
		while (i < len && !is_blank(arg[i]))
			i++;
		out->initial = arg + s;
		out->initial_len = i - s;
	}
}

void smtp_reply_line_parse(const uint8_t *p, uint32_t len,
			   struct smtp_reply_line *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 3 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]))
		return;
	out->code = (uint16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 +
			       (p[2] - '0'));
	if (len == 3) {
		out->valid = true;
		out->text = p + 3; /* empty */
	} else if (p[3] == ' ' || p[3] == '-') {
		out->valid = true;
		out->more = p[3] == '-';
		out->text = p + 4;
		out->text_len = len - 4;
	} else {
		return;
	}
	if (p[0] < '2' || p[0] > '5')
		out->valid = false;
}

bool smtp_enhanced_status(const uint8_t *t, uint32_t len, char *dst,
			  size_t dstlen)
{
	uint32_t i = 0, part, digits;

	if (len < 5 || (t[0] != '2' && t[0] != '4' && t[0] != '5') ||
	    t[1] != '.')
		return false;
	i = 2;
	for (part = 0; part < 2; part++) {
		digits = 0;
		while (i < len && is_digit(t[i]) && digits < 3) {
			i++;
			digits++;
		}
		if (digits == 0)
			return false;
		if (part == 0) {
			if (i >= len || t[i] != '.')
				return false;
			i++;
		}
	}
	if (i < len && t[i] != ' ')
		return false;
	snprintf(dst, dstlen, "%.*s", (int)i, (const char *)t);
	return true;
}
