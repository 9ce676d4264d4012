/* A leaf part's content, as it streams: the transfer encoding undone, the
 * decoded bytes hashed, their start kept for the true type (and, for an
 * archive, up to archive_max to list its members), text parts converted
 * to UTF-8 and scanned for links, attachments written out on request. */
#include "mail/message_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/grow.h"
#include "core/log.h"
#include "mail/archive.h"
#include "mail/filetype.h"

bool mm_part_init(struct mail_msg *m)
{
	char err[256];

	if (!mail_filetype_init(err, sizeof(err))) {
		log_error("%s", err);
		return false;
	}
	if (mail_hashes_init(&m->hashes) != 0)
		return false;
	m->hashes_ok = true;
	m->html = mail_html_new();
	m->urls = mail_urlset_new(m->lim.urls_max, 2048);
	m->arc = malloc(sizeof(*m->arc));
	return m->html && m->urls && m->arc;
}

void mm_part_fini(struct mail_msg *m)
{
	if (m->hashes_ok)
		mail_hashes_free(&m->hashes);
	mail_html_free(m->html);
	mail_urlset_free(m->urls);
	free(m->arc);
	free(m->head);
	if (m->xfile) {
		fclose(m->xfile);
		unlink(m->xtmp);
	}
	if (m->eml) {
		fclose(m->eml);
		unlink(m->emltmp);
	}
}

/* ---- names ------------------------------------------------------------- */

static void add_filename(struct mail_msg *m, const char *s, size_t n)
{
	struct mail_part *p = &m->cur;
	uint8_t i;

	if (n == 0)
		return;
	for (i = 0; i < p->nfilename; i++) {
		struct strref r = p->filename[i];

		if (r.len == n && memcmp(strpool_at(&m->f.text, r), s, n) == 0)
			return;
	}
	if (p->nfilename)
		mm_anomaly(m, MA_FILENAME_VARIANTS_DIFFER);
	if (p->nfilename < MAIL_FILENAME_VARIANTS)
		p->filename[p->nfilename++] = mm_keep(m, s, n);
}

static void collect_names(struct mail_msg *m)
{
	const struct mail_param *q = NULL;

	while ((q = mail_params_get(&m->ent.cd, "filename", q)))
		add_filename(m, q->value, q->len);
	while ((q = mail_params_get(&m->ent.ct, "name", q)))
		add_filename(m, q->value, q->len);
}

static bool type_is(const struct mail_msg *m, const char *t)
{
	const struct strref r = m->cur.type;

	return r.len == strlen(t) &&
	       memcmp(strpool_at(&m->f.text, r), t, r.len) == 0;
}

/* ---- extraction ---------------------------------------------------------- */

static FILE *temp_in(const char *dir, const char *stem, char *path,
		     size_t pathlen)
{
	int fd;
	FILE *f;

	if ((size_t)snprintf(path, pathlen, "%s/.%s-XXXXXX", dir, stem) >=
	    pathlen)
		return NULL;
	fd = mkstemp(path);
	if (fd < 0) {
		log_warn("--extract: cannot create a file in %s: %s", dir,
			 strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		unlink(path);
	}
	return f;
}

/* Close f and move it to dir/name; false (and the file gone) on error. */
static bool temp_keep(FILE *f, const char *tmp, const char *dir,
		      const char *name, char *dst, size_t dstlen)
{
	bool ok = !ferror(f);

	if (fclose(f) != 0)
		ok = false;
	if (ok && (size_t)snprintf(dst, dstlen, "%s/%s", dir, name) >= dstlen)
		ok = false;
	if (ok && access(dst, F_OK) == 0) {
		unlink(tmp); /* the same content is already there */
		return true;
	}
	if (ok && rename(tmp, dst) != 0) {
		log_warn("--extract: cannot write %s: %s", dst,
			 strerror(errno));
		ok = false;
	}
	if (!ok)
		unlink(tmp);
	return ok;
}

void mm_eml_open(struct mail_msg *m)
{
	m->eml = temp_in(m->ex.dir, "eml", m->emltmp, sizeof(m->emltmp));
}

void mm_eml_discard(struct mail_msg *m)
{
	fclose(m->eml);
	unlink(m->emltmp);
	m->eml = NULL;
}

void mm_eml_write(struct mail_msg *m, const uint8_t *p, size_t n)
{
	if (fwrite(p, 1, n, m->eml) != n) {
		log_warn("--extract: writing %s: %s", m->emltmp,
			 strerror(errno));
		mm_eml_discard(m);
	}
}

void mm_eml_close(struct mail_msg *m)
{
	char name[128], dst[4096];

	snprintf(name, sizeof(name), "%s.eml", m->name);
	if (temp_keep(m->eml, m->emltmp, m->ex.dir, name, dst, sizeof(dst)))
		m->f.eml_path = mm_keep(m, dst, strlen(dst));
	m->eml = NULL;
}

/* ---- decoded bytes ----------------------------------------------------- */

/* The length of the UTF-8 text s[0..len) without a character cut at its
 * end (the text is valid UTF-8 up to such a cut). */
static uint32_t utf8_whole(const char *s, uint32_t len)
{
	uint32_t i = len, need;
	uint8_t lead;

	while (i > 0 && len - i < 3 && ((uint8_t)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return len;
	lead = (uint8_t)s[i - 1];
	if (lead < 0xc0)
		return len;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	return len - (i - 1) < need ? i - 1 : len;
}

static void text_keep(struct mail_msg *m, const uint8_t *p, size_t n)
{
	size_t room;

	if (m->f.anomalies & ((uint64_t)1 << MA_TEXT_LIMIT))
		return; /* cut already: what follows would leave a hole */
	if (!m->f.body_text) {
		if (m->lim.text_max == 0)
			return;
		m->f.body_text = malloc(m->lim.text_max);
		if (!m->f.body_text)
			log_fatal(1, "out of memory (message text)");
	}
	room = m->lim.text_max - m->f.body_text_len;
	if (n > room) {
		n = room;
		mm_anomaly(m, MA_TEXT_LIMIT);
	}
	memcpy(m->f.body_text + m->f.body_text_len, p, n);
	m->f.body_text_len += (uint32_t)n;
	if (m->f.anomalies & ((uint64_t)1 << MA_TEXT_LIMIT))
		m->f.body_text_len =
			utf8_whole(m->f.body_text, m->f.body_text_len);
}

static void text_out(void *ctx, const uint8_t *p, size_t n)
{
	struct mail_msg *m = ctx;

	if (m->html_part)
		mail_html_feed(m->html, (const char *)p, n, m->urls);
	else
		mail_urltext_feed(&m->ut, (const char *)p, n, m->urls);
	text_keep(m, p, n);
}

static void head_add(struct mail_msg *m, const uint8_t *p, size_t n)
{
	uint32_t max = m->head_archive ? m->lim.archive_max : MAIL_SNIFF_MAX;

	if (max < MAIL_SNIFF_MAX)
		max = MAIL_SNIFF_MAX;
	if (m->head_len >= max) {
		m->head_cut = true;
		return;
	}
	if (n > max - m->head_len) {
		n = max - m->head_len;
		m->head_cut = true;
	}
	m->head = grow_array(m->head, &m->head_cap, m->head_len + (uint32_t)n,
			     4096, max, 1, "part head");
	memcpy(m->head + m->head_len, p, n);
	m->head_len += (uint32_t)n;
}

static void decoded(void *ctx, const uint8_t *p, size_t n)
{
	struct mail_msg *m = ctx;
	uint64_t room;

	m->cur.decoded_size += n;
	/* From the size, not from which cap stopped the part first: that
	 * would depend on how the decoder cut its output. */
	if (m->cur.decoded_size > m->lim.part_decoded_max)
		mm_anomaly(m, MA_PART_DECODED_LIMIT);
	if (m->part_limited)
		return;
	room = m->lim.part_decoded_max - m->part_decoded;
	if (n > room) {
		n = (size_t)room;
		m->part_limited = true;
	}
	room = m->lim.message_decoded_max - m->f.decoded_bytes;
	if (n > room) {
		n = (size_t)room;
		m->part_limited = true;
		mm_anomaly(m, MA_MESSAGE_DECODED_LIMIT);
	}
	m->part_decoded += n;
	m->f.decoded_bytes += n;
	mail_hashes_update(&m->hashes, p, n);
	if (m->head_len < MAIL_SNIFF_MAX || m->head_archive) {
		uint32_t before = m->head_len;

		head_add(m, p, n);
		if (before < MAIL_SNIFF_MAX && m->head_len >= MAIL_SNIFF_MAX &&
		    mail_filekind_is_archive(
			    mail_filekind_of(m->head, m->head_len))) {
			m->head_archive = true;
			head_add(m, p + (m->head_len - before),
				 n - (m->head_len - before));
		}
	}
	if (m->text_part)
		mail_utf8_stream_feed(&m->u8, p, n, text_out, m);
	if (m->xfile && fwrite(p, 1, n, m->xfile) != n) {
		log_warn("--extract: writing %s: %s", m->xtmp,
			 strerror(errno));
		fclose(m->xfile);
		unlink(m->xtmp);
		m->xfile = NULL;
	}
}

/* ---- a part's life ------------------------------------------------------- */

void mm_part_begin(struct mail_msg *m)
{
	struct mail_part *p = &m->cur;
	const char *disp = m->ent.cd.value;

	collect_names(m);
	p->attachment = strcmp(disp, "attachment") == 0 || p->nfilename > 0;
	m->text_part = !p->attachment &&
		       (type_is(m, "text/plain") || type_is(m, "text/html"));
	m->html_part = m->text_part && type_is(m, "text/html");
	p->text = m->text_part;
	mail_cte_init(&m->dec, m->ent.cte);
	mail_hashes_start(&m->hashes);
	m->part_decoded = 0;
	m->part_limited = m->part_dead = false;
	if (m->head_cap > MAIL_SNIFF_MAX) {
		/* An archive's bytes are not kept for the next part. */
		free(m->head);
		m->head = NULL;
		m->head_cap = 0;
	}
	m->head_len = 0;
	m->head_archive = m->head_cut = false;
	if (m->text_part && m->f.body_text_len) {
		/* Text parts are kept one after the other, a line apart. */
		text_keep(m, (const uint8_t *)"\n", 1);
	}
	if (m->text_part) {
		const char *cs = p->charset.len ?
					 strpool_at(&m->f.text, p->charset) :
					 "us-ascii";
		size_t cl = p->charset.len ? p->charset.len : 8;

		mail_utf8_stream_init(&m->u8, cs, cl);
		if (m->html_part)
			mail_html_reset(m->html);
		else
			mail_urltext_init(&m->ut);
	}
	if (m->ex.dir && p->attachment)
		m->xfile = temp_in(m->ex.dir, "part", m->xtmp,
				   sizeof(m->xtmp));
}

void mm_part_data(struct mail_msg *m, const uint8_t *p, size_t n)
{
	m->cur.encoded_size += n;
	if (m->part_dead)
		return;
	if (m->ent.cte == MAIL_CTE_7BIT &&
	    !(m->cur.anomalies & ((uint64_t)1 << MA_8BIT_IN_7BIT))) {
		size_t i;

		for (i = 0; i < n; i++) {
			if (p[i] & 0x80) {
				mm_anomaly(m, MA_8BIT_IN_7BIT);
				break;
			}
		}
	}
	mail_cte_feed(&m->dec, p, n, decoded, m);
}

static void decoder_flags(struct mail_msg *m, uint32_t fl)
{
	static const struct {
		uint32_t bit;
		enum mail_anomaly a;
	} map[] = {
		{MAIL_CTE_F_BAD_CHAR, MA_BASE64_BAD_CHAR},
		{MAIL_CTE_F_AFTER_PAD, MA_BASE64_AFTER_PADDING},
		{MAIL_CTE_F_LONG_LINE, MA_ENCODED_LINE_TOO_LONG},
		{MAIL_CTE_F_BAD_ESCAPE, MA_QP_BAD_ESCAPE},
		{MAIL_CTE_F_UU_BAD_LINE, MA_UUENCODE_MALFORMED},
		{MAIL_CTE_F_UU_NO_BEGIN, MA_UUENCODE_MALFORMED},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (fl & map[i].bit)
			mm_anomaly(m, map[i].a);
	if (fl & MAIL_CTE_F_TRUNCATED)
		mm_anomaly(m, m->ent.cte == MAIL_CTE_QP ? MA_QP_TRUNCATED :
			      m->ent.cte == MAIL_CTE_UUENCODE ?
							  MA_UUENCODE_MALFORMED :
							  MA_BASE64_TRUNCATED);
}

static void archive(struct mail_msg *m)
{
	struct mail_archive_info *a = m->arc;
	struct mail_part *p = &m->cur;
	uint32_t i;

	if (m->head_cut)
		mm_anomaly(m, MA_ARCHIVE_CUT);
	if (!mail_archive_list(m->head, m->head_len, m->head_cut, a)) {
		mm_anomaly(m, MA_ARCHIVE_UNREADABLE);
		return;
	}
	if (a->flags & MAIL_ARC_F_ERROR)
		mm_anomaly(m, MA_ARCHIVE_UNREADABLE);
	p->archive_format = mm_keep(m, a->format, strlen(a->format));
	p->archive_members = a->members;
	p->archive_encrypted = a->encrypted;
	p->members_at = m->f.nmembers;
	for (i = 0; i < a->kept && p->nmembers < MAIL_ARCHIVE_MEMBERS_KEEP;
	     i++) {
		struct mail_archive_entry *e;

		m->f.members = grow_array(m->f.members, &m->f.members_cap,
					  m->f.nmembers + 1, 16, 0,
					  sizeof(*m->f.members),
					  "archive members");
		e = &m->f.members[m->f.nmembers++];
		e->name = mm_keep(m, a->m[i].name, strlen(a->m[i].name));
		e->size = a->m[i].size;
		e->encrypted = a->m[i].encrypted;
		p->nmembers++;
	}
}

void mm_part_end(struct mail_msg *m)
{
	struct mail_part *p = &m->cur;
	char buf[128];
	enum mail_filekind kind;

	if (!m->part_dead)
		mail_cte_finish(&m->dec, decoded, m);
	decoder_flags(m, m->dec.flags);
	if (m->ent.cte == MAIL_CTE_UUENCODE && m->dec.uu_name[0]) {
		add_filename(m, m->dec.uu_name, strlen(m->dec.uu_name));
		p->attachment = true;
	}
	if (m->text_part) {
		mail_utf8_stream_finish(&m->u8, text_out, m);
		if (m->u8.flags & MAIL_CS_F_UNKNOWN)
			mm_anomaly(m, MA_UNKNOWN_CHARSET);
		if (m->u8.flags & MAIL_CS_F_INVALID)
			mm_anomaly(m, MA_INVALID_TEXT);
		if (m->html_part) {
			mail_html_finish(m->html, m->urls);
			m->f.html_flags |= mail_html_flags(m->html);
		} else {
			mail_urltext_finish(&m->ut, m->urls);
		}
	}
	mail_hashes_final(&m->hashes, p->md5, p->sha1, p->sha256);
	p->hashed = !m->part_limited && !p->gap;
	if (m->head_len) {
		/* libmagic costs up to milliseconds on text (its text
		 * searches): it looks at what may be a file, not at bodies. */
		if (!p->text) {
			mail_filetype_mime(m->head,
					   m->head_len < MAIL_SNIFF_MAX ?
						   m->head_len :
						   MAIL_SNIFF_MAX,
					   buf, sizeof(buf));
			p->magic = mm_keep(m, buf, strlen(buf));
		}
		kind = mail_filekind_of(m->head, m->head_len);
		p->kind = mm_keep(m, mail_filekind_name(kind),
				  strlen(mail_filekind_name(kind)));
		if (mail_filekind_is_archive(kind))
			archive(m);
	}
	if (m->xfile) {
		char dst[4096];

		if (p->hashed && temp_keep(m->xfile, m->xtmp, m->ex.dir,
					   p->sha256, dst, sizeof(dst)))
			p->extracted = mm_keep(m, dst, strlen(dst));
		else if (!p->hashed) {
			fclose(m->xfile);
			unlink(m->xtmp);
		}
		m->xfile = NULL;
	}
}

void mm_part_abandon(struct mail_msg *m)
{
	if (m->xfile) {
		fclose(m->xfile);
		unlink(m->xtmp);
		m->xfile = NULL;
	}
}

void mm_urls_collect(struct mail_msg *m)
{
	uint32_t i, n = mail_urlset_count(m->urls);

	free(m->f.urls);
	m->f.urls = n ? calloc(n, sizeof(*m->f.urls)) : NULL;
	if (n && !m->f.urls)
		log_fatal(1, "out of memory (URLs)");
	for (i = 0; i < n; i++) {
		const struct mail_url *u = mail_urlset_get(m->urls, i);
		struct mail_url_fact *o = &m->f.urls[i];

		o->url = mm_keep(m, u->url, u->len);
		o->host = mm_keep(m, u->host, u->host_len);
		if (u->anchor_len)
			o->anchor = mm_keep(m, u->anchor, u->anchor_len);
		o->flags = u->flags;
		o->sources = u->sources;
		o->count = u->count;
	}
	m->f.nurls = n;
	m->f.urls_dropped = mail_urlset_dropped(m->urls);
	if (m->f.urls_dropped)
		mm_anomaly(m, MA_URLS_LIMIT);
}
