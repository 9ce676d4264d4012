/*
 * One Received: header field (RFC 5321 section 4.4 Time-stamp-line, RFC
 * 5322 section 3.6.7 and its obsolete form) split into what an analyst
 * reads in it: who connected (the HELO name claimed, the reverse-DNS name
 * and the address the receiving MTA saw), who received, with what
 * protocol, the queue id, the recipient, the date, and every IP address
 * written anywhere in it.
 *
 * Read as MTAs really write it - clauses "from by via with id for" in any
 * order, keywords in any case, comments holding anything (nested), then
 * the date after the LAST ';' (outside comments):
 *   Postfix, Sendmail, Gmail  from HELO (rdns [ip]) by ...
 *   Exim                      from rdns ([ip] helo=HELO) by ...
 *                             from [ip] (helo=HELO) by ...
 *   qmail                     from rdns (HELO name) (ip) by ...
 *                             (qmail 1234 invoked from network); date
 *   Microsoft Exchange / 365  from HELO (ip) by host (ip) with Microsoft
 *                             SMTP Server (...) id 15.20.x via Frontend
 *                             Transport; date
 * So: `from` is the HELO name as claimed (from "helo=" or "HELO x" in a
 * comment when there is one, else the word after the keyword), from_rdns
 * the name the receiver found by reverse DNS (as written, "unknown"
 * included, a final root dot removed), from_ip the address of the
 * connection (the first IP of the from clause's comments, "IPv6:" and a
 * "%zone" removed; else the word after "from" when it is "[ip]"). with
 * and via keep all their words ("Microsoft SMTP Server"); the others
 * keep one. for_addr loses its angle brackets. An Exim "tls <cipher>"
 * clause is recognised and skipped.
 *
 * IP addresses (ips[], from_ip) are validated with inet_pton() and kept in
 * inet_ntop() form; ips[] are those that stand alone as a token in the
 * field (not inside a host name such as 1.2.3.4.dnsbl.example), in the
 * order first written, each once.
 *
 * Ownership: the caller owns the struct (about 2 KiB, no pointers inside);
 * the input is borrowed for the call. mail_received_parse() resets it
 * first. Limits: each text field is cut to its array size - 1 bytes
 * (NUL-terminated; raw bytes that may be 8-bit) and the cut is flagged
 * truncated, as is an IP address beyond MAIL_RCVD_IPS_MAX. Work is linear
 * in n; nothing is allocated.
 */
#ifndef SMTPSCOPE_MAIL_RECEIVED_H
#define SMTPSCOPE_MAIL_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_RCVD_IPS_MAX 4

enum {
	MAIL_RCVD_F_NO_FROM = 1u << 0,   /* no from clause */
	MAIL_RCVD_F_NO_BY = 1u << 1,     /* no by clause */
	MAIL_RCVD_F_NO_DATE = 1u << 2,   /* no ';' */
	MAIL_RCVD_F_BAD_DATE = 1u << 3,  /* text after ';' is no date */
	MAIL_RCVD_F_UNPARSED = 1u << 4,  /* text the grammar did not
					    explain: words before the first
					    clause or after a clause's
					    value */
	MAIL_RCVD_F_TRUNCATED = 1u << 5, /* a text cut, or an IP not kept */
	MAIL_RCVD_F_REPEATED = 1u << 6,  /* a clause given twice: the first
					    is kept */
	MAIL_RCVD_F_UNBALANCED = 1u << 7, /* a comment not closed, or ')'
					     not opened */
};

struct mail_received {
	char from[256];      /* the HELO name as claimed */
	char from_rdns[256]; /* the receiver's reverse-DNS name */
	char from_ip[64];    /* the address the receiver saw */
	char by[256];
	char via[64];
	char with[64];
	char id[128];
	char for_addr[256];
	bool have_date;
	int64_t date;        /* seconds since the epoch, UTC */
	int tz_minutes;      /* the zone the date was written in */
	uint32_t date_flags; /* MAIL_DATE_F_* (src/mail/date.h) */
	char ips[MAIL_RCVD_IPS_MAX][64];
	uint32_t nips;
	uint32_t flags;      /* MAIL_RCVD_F_* */
};

/* Read the field value s[0..n) (unfolded) into r (reset first). */
void mail_received_parse(struct mail_received *r, const char *s, size_t n);

/* snake_case name of one MAIL_RCVD_F_* bit, for JSON; NULL if unknown. */
const char *mail_received_flag_name(uint32_t bit);

#endif
