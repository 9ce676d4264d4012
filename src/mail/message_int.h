/*
 * Inside the message engine: the state the three files share.
 *   message.c  lines, boundaries, the entity tree (the state machine)
 *   fields.c   header fields of an entity into the facts
 *   part.c     a leaf part's content: decode, hash, type, text, extract
 */
#ifndef SMTPSCOPE_MAIL_MESSAGE_INT_H
#define SMTPSCOPE_MAIL_MESSAGE_INT_H

#include <stdio.h>

#include "mail/addr.h"
#include "mail/archive.h"
#include "mail/charset.h"
#include "mail/cte.h"
#include "mail/hashes.h"
#include "mail/html.h"
#include "mail/message.h"
#include "mail/params.h"
#include "mail/received.h"
#include "mail/urlset.h"
#include "mail/urltext.h"

/* Longest boundary we match: RFC 2046 allows 70; real mail stays far
 * below, a longer one is flagged and still matched up to this. */
#define MAIL_BOUNDARY_MAX 200
/* Start of a line looked at before deciding it is no delimiter. */
#define MAIL_PEEK_MAX (MAIL_BOUNDARY_MAX + 64)
#define MAIL_PATH_MAX 256
/* Bytes of a part's start kept for its type (mail/filetype.h). */
#define MAIL_SNIFF_MAX 65536

/* One open multipart: the boundary stack. */
struct mail_frame {
	char boundary[MAIL_BOUNDARY_MAX];
	uint32_t blen;
	uint32_t children;
	bool digest;        /* multipart/digest: children default to
			       message/rfc822 */
	bool seen_delim;
	char path[MAIL_PATH_MAX];
	uint16_t depth;
};

enum mail_state {
	MS_HEADER,   /* an entity's header block */
	MS_BODY,     /* a leaf's content */
	MS_PREAMBLE, /* a multipart before its first delimiter */
	MS_EPILOGUE, /* after a close delimiter */
	MS_SKIP,     /* content past a limit: counted, not looked at */
};

/* The entity whose header is being read. */
struct mail_entity {
	char path[MAIL_PATH_MAX];
	uint16_t depth;
	bool top;             /* the message's own header */
	bool default_rfc822;  /* child of multipart/digest */
	uint32_t ct_count, cte_count, cd_count;
	struct mail_params ct, cd;
	enum mail_cte cte;
	uint64_t anomalies;   /* found while reading its header */
};

struct mail_msg {
	struct mail_limits lim;
	struct mail_extract ex;
	struct mail_facts f;
	char name[96];

	/* Lines. */
	enum mail_state state;
	uint8_t peek[MAIL_PEEK_MAX];
	uint32_t plen;
	bool streaming;       /* inside a line known to be no delimiter */
	bool cr_held;         /* a CR ended the last chunk mid-line */
	uint8_t eol_held;     /* 0, 1 (LF) or 2 (CRLF): the last line end,
				 owned by the next line unless a delimiter */
	struct mail_frame *frames;
	uint32_t nframes, frames_cap;
	bool eat_eol;         /* the blank line ending a header */
	bool drop_line;       /* skip to the next line end (after a gap) */
	uint32_t parts_cap;

	/* Header fields. */
	struct mail_entity ent;
	char *field;
	uint32_t field_len, field_cap;
	uint64_t field_total;  /* unfolded length, kept or not */
	uint64_t line_len;     /* current physical header line */
	bool have_field;
	bool header_started;
	uint32_t header_fields;
	uint32_t once_seen[16]; /* counts of single-instance fields */
	struct mail_addrlist al;
	char scratch[8192];

	/* The open leaf part. */
	bool in_part;
	uint32_t part;         /* facts index or UINT32_MAX */
	struct mail_part cur;  /* the open part, copied to facts at its end */
	struct mail_cte_dec dec;
	struct mail_hashes hashes;
	bool hashes_ok;
	uint64_t part_decoded;
	bool part_limited;
	bool part_dead;        /* a capture gap: no more decoding */
	uint8_t *head;         /* first bytes (more for an archive) */
	uint32_t head_len, head_cap;
	bool head_archive;     /* keep going up to archive_max */
	bool head_cut;
	bool text_part, html_part;
	struct mail_utf8_stream u8;
	struct mail_urltext ut;
	struct mail_html *html;
	struct mail_archive_info *arc;
	struct mail_urlset *urls;
	FILE *xfile;
	char xtmp[4096];
	FILE *eml;
	char emltmp[4096];
};

void mm_anomaly(struct mail_msg *m, enum mail_anomaly a);
struct strref mm_keep(struct mail_msg *m, const void *s, size_t n);
/* Lower-case ASCII copy of n bytes into the pool. */
struct strref mm_keep_lower(struct mail_msg *m, const char *s, size_t n);

/* fields.c */
void mm_field(struct mail_msg *m, const char *f, size_t n);
void mm_header_done_top(struct mail_msg *m);

/* part.c */
bool mm_part_init(struct mail_msg *m);
void mm_part_fini(struct mail_msg *m);
void mm_part_begin(struct mail_msg *m);
void mm_part_data(struct mail_msg *m, const uint8_t *p, size_t n);
void mm_part_end(struct mail_msg *m);
/* A part left open by a message that never finished: its file goes. */
void mm_part_abandon(struct mail_msg *m);
void mm_urls_collect(struct mail_msg *m);
void mm_eml_open(struct mail_msg *m);
void mm_eml_write(struct mail_msg *m, const uint8_t *p, size_t n);
void mm_eml_close(struct mail_msg *m);
void mm_eml_discard(struct mail_msg *m);

#endif
