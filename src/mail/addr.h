/*
 * Address fields of a message header: From, Sender, Reply-To, To, Cc,
 * Bcc, Return-Path, Resent-*, Delivered-To. One field value (already
 * unfolded) is read into a list of addresses as RFC 5322 section 3.4
 * defines them, with the section 4.4 obsolete forms and what real mail
 * holds besides; every departure from the grammar is a flag.
 *
 * Input: raw bytes, possibly 8-bit (UTF-8 per RFC 6532, or anything),
 * possibly hostile. RFC 2047 encoded words are left as they are: the
 * display name is the raw text (quotes removed, quoted-pairs unescaped,
 * comments dropped, runs of white space collapsed to one space, trimmed);
 * whoever decodes encoded words does it afterwards.
 *
 * What is read, and how the lenient cases are decided:
 *   name-addr "Name <local@domain>", addr-spec "local@domain", groups
 *   "Name: member, member;" (each address carries its group's name), a
 *   group with no member ("undisclosed-recipients:;": no address,
 *   empty_group), routes "<@a,@b:user@c>" (dropped, obsolete_route),
 *   CFWS between the words of an address (dropped, obsolete_syntax),
 *   comments anywhere, nested, and empty members ",," (empty_member).
 *   Without angle brackets, the local part is the run of words joined by
 *   dots (or touching) just before '@'; words before it are a display
 *   name (missing_angle): "Name user@dom". Several '@': the last one
 *   splits local part from domain (multiple_at), as delivery would.
 *   Text before '<' is the display name even when it holds '@'
 *   ("service@paypal.com <x@evil>": display_has_address). An address
 *   with no display name takes the text of the comment that follows it,
 *   the old "user@dom (Full Name)" convention. Two addresses without a
 *   comma between them are two addresses (missing_comma); a member
 *   without '@' is an address with no domain (no_domain). "<>" is an
 *   empty address (empty_addr): the null path of a Return-Path.
 *
 * Ownership and lifetime: the caller owns the struct mail_addrlist (big:
 * about 12 KiB; heap or static, not a small stack). Every text pointer in
 * it points into its own buf, so the list must not be copied by value;
 * the input is only borrowed during the call. mail_addrlist_parse()
 * resets the whole list first, so one list serves many fields. Texts are
 * NUL-terminated for convenience but may hold NUL bytes (control_chars):
 * use the lengths. An empty text points at buf[0] (an empty string).
 *
 * Limits: MAIL_ADDRS_MAX addresses are kept, later ones counted (total)
 * and flagged too_many; each text is cut at MAIL_ADDR_TEXT_MAX bytes and
 * all of them share buf: a text cut for either reason is flagged
 * truncated (its local/domain split is then that of the bytes kept).
 * Work is linear in n; nothing is allocated.
 */
#ifndef SMTPSCOPE_MAIL_ADDR_H
#define SMTPSCOPE_MAIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_ADDRS_MAX 64        /* addresses kept per field */
#define MAIL_ADDR_TEXT_MAX 1024  /* bytes kept of one display, address or
				    group name (an RFC 5322 line is 998) */
#define MAIL_ADDRLIST_BUF 8192   /* all texts of one field */

/* Anomalies. The per-address ones are set on the address they concern;
 * the list's flags are the union of those of every address (kept or
 * not) plus the list-only ones. */
enum {
	MAIL_ADDR_F_NO_DOMAIN = 1u << 0,     /* no '@', or nothing after it */
	MAIL_ADDR_F_MULTIPLE_AT = 1u << 1,   /* more than one '@' */
	MAIL_ADDR_F_MISSING_ANGLE = 1u << 2, /* display name, address not in
						<> */
	MAIL_ADDR_F_UNBALANCED = 1u << 3,    /* quote, <>, () or [] not
						closed, or closed unopened;
						group without ';' */
	MAIL_ADDR_F_OBSOLETE_ROUTE = 1u << 4, /* <@a,@b:user@c> */
	MAIL_ADDR_F_COMMENT = 1u << 5,       /* a comment (...) */
	MAIL_ADDR_F_QUOTED_LOCAL = 1u << 6,  /* "quoted"@local part */
	MAIL_ADDR_F_IP_LITERAL = 1u << 7,    /* user@[192.0.2.1] */
	MAIL_ADDR_F_EMPTY_MEMBER = 1u << 8,  /* list: ",," or a trailing or
						leading comma */
	MAIL_ADDR_F_UTF8 = 1u << 9,          /* bytes >= 0x80 */
	MAIL_ADDR_F_DISPLAY_HAS_ADDRESS = 1u << 10, /* the display name
						holds x@y other than the
						address itself */
	MAIL_ADDR_F_CONTROL_CHARS = 1u << 11, /* NUL, CR, LF, other C0
						 (not TAB), DEL */
	MAIL_ADDR_F_TOO_MANY = 1u << 12,     /* list: > MAIL_ADDRS_MAX */
	MAIL_ADDR_F_TRUNCATED = 1u << 13,    /* a text cut (cap or buf) */
	MAIL_ADDR_F_EMPTY_ADDR = 1u << 14,   /* <> */
	MAIL_ADDR_F_SYNTAX = 1u << 15,       /* a character out of place:
						stray ':' or ';', '<' in
						<>, '\' outside quotes,
						empty local part ... */
	MAIL_ADDR_F_MISSING_COMMA = 1u << 16, /* follows the previous
						 address with no comma */
	MAIL_ADDR_F_OBSOLETE_SYNTAX = 1u << 17, /* CFWS inside the address
						   ("a . b @ c") */
	MAIL_ADDR_F_EMPTY_GROUP = 1u << 18,  /* list: a group with no
						address */
};

struct mail_addr {
	const char *display; /* display name as described above, or "" */
	uint32_t display_len;
	const char *addr;    /* "local@domain" as written minus CFWS and
				route; quoted local parts keep their quotes */
	uint32_t addr_len;
	uint32_t local_len;  /* addr[0..local_len) is the local part; the
				domain starts at local_len + 1 when has_at */
	const char *group;   /* the group's display name, or "" */
	uint32_t group_len;
	bool has_at;         /* addr[local_len] == '@' */
	uint32_t flags;      /* MAIL_ADDR_F_* about this address */
};

struct mail_addrlist {
	struct mail_addr a[MAIL_ADDRS_MAX];
	uint32_t n;     /* kept: a[0..n) */
	uint32_t total; /* seen (> n when too_many) */
	uint32_t flags; /* MAIL_ADDR_F_*: union of all, plus list-only */
	char buf[MAIL_ADDRLIST_BUF];
	uint32_t used;  /* bytes of buf in use */
};

/* Read the field value s[0..n) into l (reset first). */
void mail_addrlist_parse(struct mail_addrlist *l, const char *s, size_t n);

/* snake_case name of one MAIL_ADDR_F_* bit, for JSON; NULL if unknown. */
const char *mail_addr_flag_name(uint32_t bit);

#endif
