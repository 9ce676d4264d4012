/*
 * SMTP command and reply lines, parsed in place: verbs, MAIL/RCPT paths
 * and ESMTP parameters, BDAT arguments, reply codes and RFC 3463 enhanced
 * status codes. Everything returned points into the caller's line; no
 * state, no allocation. Character classes are ASCII, locale-free.
 */
#ifndef SMTPSCOPE_SMTP_COMMAND_H
#define SMTPSCOPE_SMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum smtp_verb {
	SMTP_V_UNKNOWN = 0,
	SMTP_V_HELO,
	SMTP_V_EHLO,
	SMTP_V_LHLO,
	SMTP_V_MAIL,
	SMTP_V_RCPT,
	SMTP_V_DATA,
	SMTP_V_BDAT,
	SMTP_V_RSET,
	SMTP_V_NOOP,
	SMTP_V_QUIT,
	SMTP_V_VRFY,
	SMTP_V_EXPN,
	SMTP_V_HELP,
	SMTP_V_STARTTLS,
	SMTP_V_AUTH,
	SMTP_V_XCLIENT,
	SMTP_V_XFORWARD,
	SMTP_V_ETRN,
	SMTP_V_TURN,
	SMTP_V_ATRN,
	SMTP_V_BURL,
	SMTP_V_SEND,
	SMTP_V_SOML,
	SMTP_V_SAML,
	SMTP_V_VERB,
	SMTP_V_XEXCH50,
	SMTP_V_XLINK2STATE,
	SMTP_V__COUNT,
	/* Not commands: what a reply can answer besides a command. */
	SMTP_V_GREETING,
	SMTP_V_EOD,       /* the end of DATA */
	SMTP_V_AUTH_DATA, /* a SASL line during AUTH */
};

const char *smtp_verb_name(enum smtp_verb v);

struct smtp_command {
	enum smtp_verb verb;
	const uint8_t *word;  /* the verb as sent */
	uint32_t word_len;
	const uint8_t *arg;   /* after the verb and the spaces after it */
	uint32_t arg_len;
};

/* Split a command line; false when the line has no verb (empty or does
 * not start with a letter). */
bool smtp_command_parse(const uint8_t *p, uint32_t len,
			struct smtp_command *out);

/* MAIL FROM:<path> params / RCPT TO:<path> params */
struct smtp_path {
	const uint8_t *addr;   /* inside the brackets, or the bare token */
	uint32_t addr_len;
	const uint8_t *params; /* what follows the path */
	uint32_t params_len;
	bool brackets;         /* <...> as RFC 5321 asks */
	bool lenient;          /* spaces around the colon, or no brackets */
};

bool smtp_path_parse(const uint8_t *arg, uint32_t len, const char *kw,
		     struct smtp_path *out);

struct smtp_param {
	const uint8_t *name;
	uint32_t name_len;
	const uint8_t *value; /* NULL when there is no "=" */
	uint32_t value_len;
};

/* Next space-separated KEY[=VALUE] from *p (up to end); false at end. */
bool smtp_param_next(const uint8_t **p, const uint8_t *end,
		     struct smtp_param *out);

/* BDAT <size> [LAST] */
struct smtp_bdat {
	uint64_t size;
	bool last;
	bool valid;
	bool too_large; /* more digits than any real chunk */
};

void smtp_bdat_parse(const uint8_t *arg, uint32_t len, struct smtp_bdat *out);

/* AUTH <mechanism> [initial-response] */
struct smtp_auth_arg {
	const uint8_t *mech;
	uint32_t mech_len;
	const uint8_t *initial; /* NULL when absent */
	uint32_t initial_len;
};

void smtp_auth_arg_parse(const uint8_t *arg, uint32_t len,
			 struct smtp_auth_arg *out);

/* One reply line: NNN[-| ]text */
struct smtp_reply_line {
	uint16_t code;
	bool more;          /* "NNN-": more lines follow */
	bool valid;         /* three digits 2..5 then SP, "-" or the end */
	const uint8_t *text;
	uint32_t text_len;
};

void smtp_reply_line_parse(const uint8_t *p, uint32_t len,
			   struct smtp_reply_line *out);

/* "X.Y.Z" (RFC 3463) at the start of a reply text, copied into dst
 * (dstlen >= 12); false when there is none. */
bool smtp_enhanced_status(const uint8_t *text, uint32_t len, char *dst,
			  size_t dstlen);

/* ASCII upper case, locale-free; other bytes as they are. */
static inline uint8_t smtp_ascii_upper(uint8_t c)
{
	return (c >= 'a' && c <= 'z') ? (uint8_t)(c - 32) : c;
}
/* ASCII case-insensitive prefix test (prefix: a C string, any case). */
bool smtp_ascii_prefix(const uint8_t *p, uint32_t len, const char *prefix);
/* ASCII case-insensitive equality of two byte strings. */
bool smtp_ascii_eq(const void *a, uint32_t alen, const void *b, uint32_t blen);

#endif
