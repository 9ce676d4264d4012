/*
 * The message engine: one RFC 5322 message, fed as it crosses the wire
 * (the body events of an SMTP transaction, in any chunk sizes), rebuilt
 * the way an analyst needs to see it: the header fields that identify and
 * route it, the MIME tree with every leaf part decoded, hashed and typed,
 * archives listed, links and URLs found in its text.
 *
 * Nothing holds a whole message or a whole part: header fields are kept
 * up to header_line_max, part content streams through a decoder into the
 * hashes, a sniffing window, the text scanners and (optionally) a file.
 * Every cap is in struct mail_limits; a breach is an anomaly on the facts.
 *
 * Ownership: a struct mail_msg owns its facts; mail_msg_facts() lends them
 * until the next mail_msg_reset() or mail_msg_free(). The struct is reused
 * from message to message (reset keeps its buffers).
 */
#ifndef SMTPSCOPE_MAIL_MESSAGE_H
#define SMTPSCOPE_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strpool.h"
#include "mail/anomaly.h"

struct mail_limits {
	uint32_t header_line_max;  /* bytes kept of one unfolded field */
	uint32_t headers_max;      /* fields read per header block */
	uint32_t depth_max;        /* MIME nesting */
	uint32_t parts_max;        /* MIME parts per message */
	uint64_t part_decoded_max; /* decoded bytes looked at per part */
	uint64_t message_decoded_max; /* ... and per message */
	uint32_t urls_max;         /* distinct URLs kept */
	uint32_t text_max;         /* UTF-8 text kept for matching */
	uint32_t archive_max;      /* bytes of an archive held to list it */
	uint32_t strings_max;      /* bytes of strings kept for the record */
};

void mail_limits_defaults(struct mail_limits *l);
/* "name=value"; false with a message in err when unknown or out of
 * range. */
bool mail_limits_set(struct mail_limits *l, const char *assignment,
		     char *err, size_t errlen);
const char *mail_limits_names(void);

/* Addresses kept per header field, Received hops kept, parts kept. */
#define MAIL_FIELD_ADDRS 32
#define MAIL_RECEIVED_KEEP 32
#define MAIL_AUTH_HEADERS_KEEP 8
#define MAIL_HEADER_NAMES_KEEP 128
#define MAIL_FILENAME_VARIANTS 4
#define MAIL_ARCHIVE_MEMBERS_KEEP 32

struct mail_address {
	struct strref display; /* decoded to UTF-8 */
	struct strref addr;    /* local@domain as written */
};

struct mail_addr_field {
	struct mail_address a[MAIL_FIELD_ADDRS];
	uint32_t n;     /* kept */
	uint32_t total; /* in the field(s) */
	uint32_t fields; /* how many such header fields */
};

struct mail_hop {
	struct strref from, from_rdns, from_ip, by, with, id, for_addr;
	struct strref ips; /* every address in the field, comma-separated */
	bool have_date;
	int64_t date;
};

struct mail_archive_entry {
	struct strref name;
	int64_t size;
	bool encrypted;
};

struct mail_part {
	struct strref path;      /* "" for the root, "1", "1.2", ... */
	uint16_t depth;
	bool leaf;
	bool attachment;
	bool text;               /* a text body (plain or html) */
	struct strref type;      /* lower-cased type/subtype */
	struct strref charset, disposition, boundary, cte;
	struct strref filename[MAIL_FILENAME_VARIANTS]; /* distinct ones */
	uint8_t nfilename;
	struct strref magic;     /* libmagic MIME type of the decoded bytes */
	struct strref kind;      /* our own classification (mail/filetype.h) */
	uint64_t encoded_size, decoded_size;
	bool gap;                /* bytes of it are missing */
	bool hashed;             /* hashes below are valid */
	char md5[33], sha1[41], sha256[65];
	struct strref extracted; /* path written with --extract */
	/* Archives. */
	struct strref archive_format;
	uint32_t archive_members;
	bool archive_encrypted;
	uint32_t members_at;     /* first of them in facts.members */
	uint32_t nmembers;
	uint64_t anomalies;      /* bit per enum mail_anomaly */
};

struct mail_url_fact {
	struct strref url, host, anchor;
	uint32_t flags, sources, count;
};

struct mail_facts {
	struct strpool text;     /* every strref below */

	/* Top-level header. */
	uint32_t header_count;
	uint64_t header_bytes;
	struct strref header_names[MAIL_HEADER_NAMES_KEEP]; /* in order */
	uint32_t nheader_names;
	struct strref duplicates; /* single fields seen twice, comma-separated */
	struct mail_addr_field from, sender, reply_to, to, cc, bcc, return_path;
	struct strref subject, message_id, in_reply_to, references, date_raw;
	bool have_date;
	int64_t date;
	int date_tz;
	struct strref x_mailer, user_agent, x_originating_ip, list_unsubscribe;
	struct strref mime_version, content_type;
	struct mail_hop received[MAIL_RECEIVED_KEEP];
	uint32_t nreceived, received_total;
	struct strref auth_results[MAIL_AUTH_HEADERS_KEEP];
	uint32_t nauth_results;
	struct strref dkim[MAIL_AUTH_HEADERS_KEEP];
	uint32_t ndkim;
	struct strref arc[MAIL_AUTH_HEADERS_KEEP];
	uint32_t narc;

	/* MIME. */
	struct mail_part *parts; /* first parts_max, in wire order */
	uint32_t nparts, parts_total;
	uint32_t max_depth;
	struct mail_archive_entry *members;
	uint32_t nmembers, members_cap;
	uint64_t decoded_bytes;
	uint64_t body_bytes;     /* message bytes fed */
	bool ended;              /* mail_msg_finish called */
	bool cut;                /* ... before the message's end */
	bool partial;            /* bytes were missing (capture gaps) */
	struct strref eml_path;  /* the message written with --extract */

	/* Text and links. */
	char *body_text;         /* UTF-8 text of the text parts, bounded */
	uint32_t body_text_len;
	struct mail_url_fact *urls;
	uint32_t nurls, urls_dropped;
	uint32_t html_flags;     /* MAIL_HTML_F_* of all HTML parts */

	uint64_t anomalies;      /* bit per enum mail_anomaly */
};

struct mail_extract {
	const char *dir;         /* NULL: off */
	bool eml;                /* also write each whole message */
};

struct mail_msg;

struct mail_msg *mail_msg_new(const struct mail_limits *lim,
			      const struct mail_extract *ex);
void mail_msg_free(struct mail_msg *m);
/* Start a new message; name is used for its .eml file (NULL: none). */
void mail_msg_reset(struct mail_msg *m, const char *name);
void mail_msg_feed(struct mail_msg *m, const uint8_t *p, size_t n);
/* n bytes of the message are missing here. */
void mail_msg_gap(struct mail_msg *m, uint64_t n);
/* The message is over; whole is false when it never reached its end
 * (the session ended inside DATA): then no .eml is written. */
void mail_msg_finish(struct mail_msg *m, bool whole);
const struct mail_facts *mail_msg_facts(const struct mail_msg *m);

#endif
