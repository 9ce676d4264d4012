/* The message engine's state machine: lines, MIME delimiters, entities.
 *
 * Every line is first looked at for a delimiter of an open multipart (an
 * outer boundary also ends the inner ones, RFC 2046 §5.1.2); only its
 * start is held for that, so a line of any length streams through. The
 * line break before a delimiter belongs to the delimiter, so each line end
 * is held until the next line shows it is no delimiter.
 *
 * Where readers disagree, this one reads as Python's email package and
 * most MUAs do: the first Content-Type / Content-Transfer-Encoding of an
 * entity wins, a delimiter line may carry trailing white space but nothing
 * else, a header line without a colon ends the header. Each such case is
 * an anomaly, so a detection can see that another reader may differ. */
#include "mail/message_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/log.h"

void mail_limits_defaults(struct mail_limits *l)
{
	l->header_line_max = 16384;
	l->headers_max = 1000;
	l->depth_max = 20;
	l->parts_max = 500;
	l->part_decoded_max = (uint64_t)1 << 30;
	l->message_decoded_max = (uint64_t)4 << 30;
	l->urls_max = 256;
	l->text_max = 262144;
	l->archive_max = 8u << 20;
	l->strings_max = 262144;
}

struct limit_def {
	const char *name;
	size_t off;
	bool wide;
	uint64_t min, max;
};

#define LIM(f, lo, hi) \
	{ #f, offsetof(struct mail_limits, f), \
	  sizeof(((struct mail_limits *)0)->f) == 8, lo, hi }
static const struct limit_def limit_defs[] = {
	LIM(header_line_max, 1000, 1u << 24),
	LIM(headers_max, 10, 1000000),
	LIM(depth_max, 1, 100),
	LIM(parts_max, 1, 1000000),
	LIM(part_decoded_max, 1, (uint64_t)1 << 50),
	LIM(message_decoded_max, 1, (uint64_t)1 << 50),
	LIM(urls_max, 0, 1000000),
	LIM(text_max, 0, 1u << 30),
	LIM(archive_max, 0, 1u << 30),
	LIM(strings_max, 4096, 1u << 30),
};
#undef LIM

const char *mail_limits_names(void)
{
	return "header_line_max, headers_max, depth_max, parts_max, "
	       "part_decoded_max, message_decoded_max, urls_max, text_max, "
	       "archive_max, strings_max";
}

bool mail_limits_set(struct mail_limits *l, const char *assignment,
		     char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	size_t i, nlen;

	if (!eq) {
		snprintf(err, errlen, "'%s': expected NAME=VALUE", assignment);
		return false;
	}
	nlen = (size_t)(eq - assignment);
	for (i = 0; i < sizeof(limit_defs) / sizeof(limit_defs[0]); i++) {
		const struct limit_def *d = &limit_defs[i];
		char *end;
		unsigned long long v;

		if (strlen(d->name) != nlen ||
		    memcmp(d->name, assignment, nlen) != 0)
			continue;
		v = strtoull(eq + 1, &end, 10);
		if (end == eq + 1 || *end || eq[1] == '-' || v < d->min ||
		    v > d->max) {
			snprintf(err, errlen,
				 "mail limit %s: '%s' is not a number from "
				 "%llu to %llu",
				 d->name, eq + 1, (unsigned long long)d->min,
				 (unsigned long long)d->max);
			return false;
		}
		if (d->wide)
			*(uint64_t *)(void *)((char *)l + d->off) = v;
		else
			*(uint32_t *)(void *)((char *)l + d->off) =
				(uint32_t)v;
		return true;
	}
	snprintf(err, errlen, "unknown mail limit '%.*s' (known: %s)",
		 (int)nlen, assignment, mail_limits_names());
	return false;
}

/* ---- small shared helpers ---------------------------------------------- */

void mm_anomaly(struct mail_msg *m, enum mail_anomaly a)
{
	m->f.anomalies |= (uint64_t)1 << a;
	if (m->state == MS_HEADER)
		m->ent.anomalies |= (uint64_t)1 << a;
	else if (m->in_part)
		m->cur.anomalies |= (uint64_t)1 << a;
}

struct strref mm_keep(struct mail_msg *m, const void *s, size_t n)
{
	struct strref r = strpool_add(&m->f.text, s, n);

	if (m->f.text.full)
		mm_anomaly(m, MA_STRINGS_FULL);
	return r;
}

struct strref mm_keep_lower(struct mail_msg *m, const char *s, size_t n)
{
	struct strref r = mm_keep(m, s, n);
	uint32_t i;

	for (i = 0; i < r.len; i++) {
		char *c = &m->f.text.buf[r.off + i];

		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	}
	return r;
}

/* ---- life cycle -------------------------------------------------------- */

struct mail_msg *mail_msg_new(const struct mail_limits *lim,
			      const struct mail_extract *ex)
{
	struct mail_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->lim = *lim;
	if (ex)
		m->ex = *ex;
	strpool_init(&m->f.text, lim->strings_max);
	if (!mm_part_init(m)) {
		mail_msg_free(m);
		return NULL;
	}
	mail_msg_reset(m, NULL);
	return m;
}

void mail_msg_free(struct mail_msg *m)
{
	if (!m)
		return;
	mm_part_fini(m);
	strpool_free(&m->f.text);
	free(m->f.parts);
	free(m->f.members);
	free(m->f.body_text);
	free(m->f.urls);
	free(m->frames);
	free(m->field);
	free(m);
}

static void entity_start(struct mail_msg *m, const char *path, uint16_t depth,
			 bool top, bool digest_child)
{
	struct mail_entity *e = &m->ent;

	snprintf(e->path, sizeof(e->path), "%s", path);
	e->depth = depth;
	e->top = top;
	e->default_rfc822 = digest_child;
	e->ct_count = e->cte_count = e->cd_count = 0;
	e->ct.n = e->cd.n = 0;
	e->ct.value[0] = e->cd.value[0] = '\0';
	e->cte = MAIL_CTE_7BIT;
	e->anomalies = 0;
	m->state = MS_HEADER;
	m->have_field = false;
	m->header_started = false;
	m->header_fields = 0;
	m->line_len = 0;
	if (depth > m->f.max_depth)
		m->f.max_depth = depth;
}

void mail_msg_reset(struct mail_msg *m, const char *name)
{
	struct strpool keep = m->f.text;
	struct mail_part *parts = m->f.parts;
	struct mail_archive_entry *members = m->f.members;
	uint32_t members_cap = m->f.members_cap;
	char *body_text = m->f.body_text;
	struct mail_url_fact *urls = m->f.urls;

	if (m->eml)
		mm_eml_discard(m); /* the last message never ended */
	mm_part_abandon(m);
	memset(&m->f, 0, sizeof(m->f));
	m->f.text = keep;
	m->f.text.len = 0;
	m->f.text.full = false;
	m->f.parts = parts;
	m->f.members = members;
	m->f.members_cap = members_cap;
	m->f.body_text = body_text;
	m->f.urls = urls;
	snprintf(m->name, sizeof(m->name), "%s", name ? name : "message");
	m->plen = 0;
	m->streaming = m->cr_held = m->drop_line = false;
	m->eol_held = 0;
	m->nframes = 0;
	m->in_part = false;
	memset(m->once_seen, 0, sizeof(m->once_seen));
	mail_urlset_reset(m->urls);
	entity_start(m, "", 0, true, false);
	if (m->ex.dir && m->ex.eml && name)
		mm_eml_open(m);
}

const struct mail_facts *mail_msg_facts(const struct mail_msg *m)
{
	return &m->f;
}

/* ---- entities ---------------------------------------------------------- */

/* The child's path; a path too long to hold (only with a raised
 * depth_max) ends cut, which the depth beside it makes plain. */
static void path_child(char *dst, const char *parent, uint32_t n)
{
	int k = parent[0] ? snprintf(dst, MAIL_PATH_MAX, "%s.%u", parent, n)
			  : snprintf(dst, MAIL_PATH_MAX, "%u", n);

	if (k < 0)
		dst[0] = '\0';
}

/* A new entry in the part list for the entity whose header just ended;
 * UINT32_MAX past parts_max. */
static uint32_t part_add(struct mail_msg *m)
{
	m->f.parts_total++;
	if (m->f.nparts >= m->lim.parts_max) {
		mm_anomaly(m, MA_PARTS_LIMIT);
		return UINT32_MAX;
	}
	m->f.parts = grow_array(m->f.parts, &m->parts_cap, m->f.nparts + 1, 8,
				m->lim.parts_max, sizeof(*m->f.parts),
				"MIME parts");
	memset(&m->f.parts[m->f.nparts], 0, sizeof(m->f.parts[0]));
	return m->f.nparts++;
}

/* What every entity's part entry says, from its header. */
static void part_describe(struct mail_msg *m, struct mail_part *p,
			  const char *type)
{
	const struct mail_entity *e = &m->ent;
	const struct mail_param *cs = mail_params_get(&e->ct, "charset", NULL);
	const struct mail_param *bd = mail_params_get(&e->ct, "boundary",
						      NULL);

	p->path = mm_keep(m, e->path, strlen(e->path));
	p->depth = e->depth;
	p->anomalies |= e->anomalies;
	p->gap = (e->anomalies >> MA_CAPTURE_GAP) & 1;
	p->type = mm_keep_lower(m, type, strlen(type));
	if (cs)
		p->charset = mm_keep_lower(m, cs->value, cs->len);
	if (bd && strncmp(type, "multipart/", 10) == 0)
		p->boundary = mm_keep(m, bd->value, bd->len);
	if (e->cd_count)
		p->disposition = mm_keep_lower(m, e->cd.value,
					       strlen(e->cd.value));
	if (e->cte_count)
		p->cte = mm_keep(m, mail_cte_name(e->cte),
				 strlen(mail_cte_name(e->cte)));
}

static bool boundary_nested_in_outer(const struct mail_msg *m,
				     const char *b, size_t n)
{
	uint32_t i;

	for (i = 0; i < m->nframes; i++) {
		const struct mail_frame *f = &m->frames[i];
		size_t k = f->blen < n ? f->blen : n;

		if (memcmp(f->boundary, b, k) == 0)
			return true;
	}
	return false;
}

/* A multipart or message/rfc822 entity: its entry in the part list;
 * false (its content to be skipped) past depth_max. */
static bool container_begin(struct mail_msg *m, const char *type)
{
	struct mail_part p;
	uint32_t idx;

	if (m->ent.depth >= m->lim.depth_max) {
		mm_anomaly(m, MA_DEPTH_LIMIT);
		m->state = MS_SKIP;
		return false;
	}
	memset(&p, 0, sizeof(p));
	part_describe(m, &p, type);
	idx = part_add(m);
	if (idx != UINT32_MAX)
		m->f.parts[idx] = p;
	return true;
}

/* The header of the current entity is over: what comes next. */
static void header_done(struct mail_msg *m)
{
	struct mail_entity *e = &m->ent;
	const char *type = e->ct.value;
	const struct mail_param *bd;

	if (e->top)
		mm_header_done_top(m);
	if (!e->ct_count || !type[0] || !strchr(type, '/'))
		type = e->default_rfc822 ? "message/rfc822" : "text/plain";
	bd = mail_params_get(&e->ct, "boundary", NULL);

	if (strncmp(type, "multipart/", 10) == 0 && (!bd || bd->len == 0)) {
		mm_anomaly(m, MA_MULTIPART_NO_BOUNDARY);
		type = "text/plain";
	}
	if (strncmp(type, "multipart/", 10) == 0) {
		struct mail_frame *f;

		if (e->cte_count && e->cte != MAIL_CTE_7BIT &&
		    e->cte != MAIL_CTE_8BIT && e->cte != MAIL_CTE_BINARY)
			mm_anomaly(m, MA_CTE_ON_MULTIPART);
		if (bd->len > 70)
			mm_anomaly(m, MA_BOUNDARY_TOO_LONG);
		/* Still in the header: the anomaly goes on this entity. */
		if (e->depth < m->lim.depth_max &&
		    boundary_nested_in_outer(m, bd->value, bd->len))
			mm_anomaly(m, MA_BOUNDARY_NESTED_PREFIX);
		if (!container_begin(m, type))
			return;
		m->frames = grow_array(m->frames, &m->frames_cap,
				       m->nframes + 1, 4, 0,
				       sizeof(*m->frames), "MIME frames");
		f = &m->frames[m->nframes++];
		memset(f, 0, sizeof(*f));
		f->blen = bd->len < MAIL_BOUNDARY_MAX ? bd->len
						      : MAIL_BOUNDARY_MAX;
		memcpy(f->boundary, bd->value, f->blen);
		f->digest = strcmp(type, "multipart/digest") == 0;
		snprintf(f->path, sizeof(f->path), "%s", e->path);
		f->depth = e->depth;
		m->state = MS_PREAMBLE;
		return;
	}
	if ((strcmp(type, "message/rfc822") == 0 ||
	     strcmp(type, "message/global") == 0) &&
	    (e->cte == MAIL_CTE_7BIT || e->cte == MAIL_CTE_8BIT ||
	     e->cte == MAIL_CTE_BINARY)) {
		char child[MAIL_PATH_MAX];

		if (!container_begin(m, type))
			return;
		path_child(child, e->path, 1);
		entity_start(m, child, (uint16_t)(e->depth + 1), false,
			     false);
		return;
	}
	if (strncmp(type, "message/", 8) == 0 &&
	    strcmp(type, "message/delivery-status") != 0 &&
	    strcmp(type, "message/disposition-notification") != 0 &&
	    strncmp(type, "message/partial", 15) != 0 &&
	    strcmp(type, "message/external-body") != 0)
		mm_anomaly(m, MA_ENCODED_MESSAGE);

	/* A leaf. */
	memset(&m->cur, 0, sizeof(m->cur));
	m->cur.leaf = true;
	part_describe(m, &m->cur, type);
	m->part = part_add(m);
	m->in_part = true;
	m->state = MS_BODY;
	mm_part_begin(m);
}

static void part_close(struct mail_msg *m)
{
	if (m->state == MS_HEADER)
		header_done(m);
	if (m->state == MS_BODY && m->in_part) {
		mm_part_end(m);
		if (m->part != UINT32_MAX)
			m->f.parts[m->part] = m->cur;
		m->in_part = false;
	}
}

/* ---- lines ------------------------------------------------------------- */

/* Content of the current state: a leaf's body, a preamble, an epilogue. */
static void content(struct mail_msg *m, const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	switch (m->state) {
	case MS_BODY:
		mm_part_data(m, p, n);
		break;
	case MS_PREAMBLE:
	case MS_EPILOGUE:
		for (i = 0; i < n; i++) {
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
			    p[i] != '\n') {
				mm_anomaly(m, m->state == MS_PREAMBLE ?
						      MA_PREAMBLE_CONTENT :
						      MA_EPILOGUE_CONTENT);
				break;
			}
		}
		break;
	default:
		break;
	}
}

static const uint8_t crlf[2] = {'\r', '\n'};

static void flush_eol(struct mail_msg *m)
{
	if (m->eol_held && m->state != MS_HEADER)
		content(m, crlf + (m->eol_held == 1), m->eol_held);
	m->eol_held = 0;
}

/* ---- header lines ------------------------------------------------------ */

static void field_end(struct mail_msg *m)
{
	if (!m->have_field)
		return;
	m->have_field = false;
	if (m->field_total > m->field_len)
		mm_anomaly(m, MA_HEADER_FIELD_CUT);
	if (++m->header_fields > m->lim.headers_max) {
		if (m->header_fields == m->lim.headers_max + 1)
			mm_anomaly(m, MA_TOO_MANY_HEADERS);
		return;
	}
	mm_field(m, m->field, m->field_len);
}

static void field_append(struct mail_msg *m, const uint8_t *p, size_t n)
{
	size_t room;

	m->field_total += n;
	if (m->field_len >= m->lim.header_line_max)
		return;
	room = m->lim.header_line_max - m->field_len;
	if (n > room)
		n = room;
	m->field = grow_array(m->field, &m->field_cap,
			      m->field_len + (uint32_t)n, 256,
			      m->lim.header_line_max, 1, "header field");
	memcpy(m->field + m->field_len, p, n);
	m->field_len += (uint32_t)n;
}

/* Bytes of a header line; first says whether they start it. */
static void header_bytes(struct mail_msg *m, const uint8_t *p, size_t n,
			 bool first)
{
	if (first) {
		bool cont = n > 0 && (p[0] == ' ' || p[0] == '\t');

		m->line_len = 0;
		if (cont && !m->have_field) {
			if (!m->header_started)
				mm_anomaly(m, MA_HEADER_STARTS_FOLDED);
			cont = false;
		}
		if (!cont) {
			field_end(m);
			m->have_field = true;
			m->field_len = 0;
			m->field_total = 0;
		}
		m->header_started = true;
	}
	m->line_len += n;
	field_append(m, p, n);
}

static bool looks_like_field(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == ':')
			return i > 0;
		if (p[i] <= ' ' && p[i] != ' ' && p[i] != '\t')
			return false;
	}
	return false;
}

static void header_line_end(struct mail_msg *m)
{
	if (m->line_len + 2 > 1000)
		mm_anomaly(m, MA_HEADER_LINE_TOO_LONG);
}

/* ---- the line reader ------------------------------------------------------ */

/* A whole line held in peek (without its line end) is a delimiter of an
 * open multipart? Returns the frame index, or -1. */
static int delimiter(struct mail_msg *m, const uint8_t *p, size_t n,
		     bool *close, bool *suffix)
{
	int i;

	*suffix = false;
	if (n < 2 || p[0] != '-' || p[1] != '-')
		return -1;
	for (i = (int)m->nframes - 1; i >= 0; i--) {
		const struct mail_frame *f = &m->frames[i];
		size_t k;

		if (n - 2 < f->blen || memcmp(p + 2, f->boundary, f->blen))
			continue;
		k = 2 + f->blen;
		*close = n - k >= 2 && p[k] == '-' && p[k + 1] == '-';
		if (*close)
			k += 2;
		while (k < n && (p[k] == ' ' || p[k] == '\t'))
			k++;
		if (k == n)
			return i;
		*suffix = true;
	}
	return -1;
}

static void on_delimiter(struct mail_msg *m, int fi, bool close)
{
	struct mail_frame *f;
	char child[MAIL_PATH_MAX];

	m->eol_held = 0; /* the line end before it is the delimiter's */
	part_close(m);
	while ((int)m->nframes - 1 > fi) {
		/* An outer boundary ends the inner multiparts. */
		mm_anomaly(m, MA_MISSING_CLOSE_BOUNDARY);
		m->nframes--;
	}
	f = &m->frames[fi];
	f->seen_delim = true;
	if (close) {
		m->nframes--;
		m->state = MS_EPILOGUE;
		return;
	}
	f->children++;
	path_child(child, f->path, f->children);
	entity_start(m, child, (uint16_t)(f->depth + 1), false, f->digest);
}

/* A line that is no delimiter: bytes (and whether they start it). */
static void line_bytes(struct mail_msg *m, const uint8_t *p, size_t n,
		       bool first)
{
	if (m->state == MS_HEADER) {
		if (!first || (n > 0 && (p[0] == ' ' || p[0] == '\t' ||
					 looks_like_field(p, n)))) {
			header_bytes(m, p, n, first);
			return;
		}
		/* The blank line, or a line that is no field: the header is
		 * over (the latter already belongs to the body). */
		field_end(m);
		header_done(m);
		if (n == 0) {
			m->eat_eol = true;
			return;
		}
		mm_anomaly(m, MA_HEADER_NO_COLON);
		line_bytes(m, p, n, true);
		return;
	}
	if (first)
		flush_eol(m);
	content(m, p, n);
}

static void line_done(struct mail_msg *m, uint8_t eol)
{
	if (m->eat_eol)
		m->eat_eol = false;
	else if (m->state == MS_HEADER)
		header_line_end(m);
	else
		m->eol_held = eol;
}

/* Decide on the line start held in peek: complete (ends with LF) or not
 * a delimiter in any case. */
static void peek_decide(struct mail_msg *m, bool complete)
{
	uint32_t n = m->plen;

	m->plen = 0;
	if (complete) {
		uint8_t eol = 1;
		bool close, suffix;
		int fi;

		n--;
		if (n && m->peek[n - 1] == '\r') {
			n--;
			eol = 2;
		}
		fi = delimiter(m, m->peek, n, &close, &suffix);
		if (fi >= 0) {
			on_delimiter(m, fi, close);
			return;
		}
		if (suffix)
			mm_anomaly(m, MA_BOUNDARY_WITH_SUFFIX);
		line_bytes(m, m->peek, n, true);
		line_done(m, eol);
		return;
	}
	if (n && m->peek[n - 1] == '\r') {
		n--;
		m->cr_held = true;
	}
	line_bytes(m, m->peek, n, true);
	m->streaming = true;
}

/*
 * In a streaming line, the line end that must be held: the first one in
 * a header (each line is a unit there), else the first one whose next
 * line may be a delimiter (it starts with '-', or the chunk ends before
 * it shows). The lines before it are content as they are, line ends
 * included: a base64 body goes on in runs, not in 76-byte lines. NULL
 * when the chunk has no such line end.
 */
static const uint8_t *next_held_eol(const struct mail_msg *m,
				    const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *lf = memchr(p, '\n', n);

	if (m->state == MS_HEADER)
		return lf;
	while (lf && lf + 1 < end && (m->nframes == 0 || lf[1] != '-'))
		lf = memchr(lf + 1, '\n', (size_t)(end - lf - 1));
	return lf;
}

static void lines(struct mail_msg *m, const uint8_t *p, size_t n)
{
	while (n > 0) {
		const uint8_t *lf;
		size_t k;

		if (!m->streaming) {
			bool whole = m->state == MS_HEADER;

			if (!whole && m->plen == 0 &&
			    (m->nframes == 0 || p[0] != '-')) {
				line_bytes(m, NULL, 0, true);
				m->streaming = true;
				continue;
			}
			k = MAIL_PEEK_MAX - m->plen;
			if (k > n)
				k = n;
			lf = memchr(p, '\n', k);
			if (lf)
				k = (size_t)(lf - p) + 1;
			memcpy(m->peek + m->plen, p, k);
			m->plen += (uint32_t)k;
			p += k;
			n -= k;
			if (lf)
				peek_decide(m, true);
			else if (m->plen == MAIL_PEEK_MAX ||
				 (!whole && m->plen >= 2 && m->peek[1] != '-'))
				peek_decide(m, false);
			continue;
		}
		if (m->drop_line) {
			lf = memchr(p, '\n', n);
			if (!lf)
				return;
			m->drop_line = false;
			m->streaming = false;
			n -= (size_t)(lf - p) + 1;
			p = lf + 1;
			continue;
		}
		if (m->cr_held) {
			m->cr_held = false;
			if (p[0] == '\n') {
				line_done(m, 2);
				m->streaming = false;
				p++;
				n--;
				continue;
			}
			line_bytes(m, crlf, 1, false);
		}
		lf = next_held_eol(m, p, n);
		if (!lf) {
			k = n;
			if (p[k - 1] == '\r') {
				k--;
				m->cr_held = true;
			}
			line_bytes(m, p, k, false);
			return;
		}
		k = (size_t)(lf - p);
		if (k && p[k - 1] == '\r') {
			line_bytes(m, p, k - 1, false);
			line_done(m, 2);
		} else {
			line_bytes(m, p, k, false);
			line_done(m, 1);
		}
		m->streaming = false;
		p = lf + 1;
		n -= k + 1;
	}
}

/* ---- input --------------------------------------------------------------- */

void mail_msg_feed(struct mail_msg *m, const uint8_t *p, size_t n)
{
	if (m->f.ended || n == 0)
		return;
	m->f.body_bytes += n;
	if (m->eml)
		mm_eml_write(m, p, n);
	lines(m, p, n);
}

void mail_msg_gap(struct mail_msg *m, uint64_t n)
{
	bool mid_line = m->streaming || m->plen;

	if (m->f.ended || n == 0)
		return;
	m->f.partial = true;
	mm_anomaly(m, MA_CAPTURE_GAP);
	if (m->eml)
		mm_eml_discard(m); /* a message with holes is not the message */
	if (m->in_part) {
		/* The rest of the part cannot be decoded in step: it is
		 * counted, not read (its hashes are gone anyway). */
		m->cur.gap = true;
		m->part_dead = true;
	}
	/* A header field cut by the hole is not read; the bytes after the
	 * hole up to the next line end are the rest of an unknown line and
	 * are skipped too. */
	if (m->state == MS_HEADER && mid_line)
		m->have_field = false;
	m->plen = 0;
	m->eol_held = 0;
	m->cr_held = false;
	m->eat_eol = false;
	m->streaming = true;
	m->drop_line = true;
}

void mail_msg_finish(struct mail_msg *m, bool whole)
{
	uint32_t i;

	if (m->f.ended)
		return;
	m->f.cut = !whole;
	if (m->eml && !whole)
		mm_eml_discard(m);
	if (!m->streaming && m->plen) {
		/* A last line without its line end. */
		bool close, suffix;
		int fi = delimiter(m, m->peek, m->plen, &close, &suffix);

		if (fi >= 0) {
			on_delimiter(m, fi, close);
		} else {
			line_bytes(m, m->peek, m->plen, true);
		}
		m->plen = 0;
	} else if (m->cr_held) {
		line_bytes(m, crlf, 1, false);
	}
	m->cr_held = false;
	if (m->state == MS_HEADER) {
		field_end(m);
		if (!m->ent.top)
			mm_anomaly(m, MA_HEADER_UNTERMINATED);
		header_done(m);
	}
	/* The last line end before the end of the message is content. */
	flush_eol(m);
	part_close(m);
	for (i = 0; i < m->nframes; i++)
		mm_anomaly(m, m->frames[i].seen_delim ?
				      MA_MISSING_CLOSE_BOUNDARY :
				      MA_BOUNDARY_NEVER_SEEN);
	m->nframes = 0;
	mm_urls_collect(m);
	if (m->eml)
		mm_eml_close(m);
	m->f.ended = true;
}
