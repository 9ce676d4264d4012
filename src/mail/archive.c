#include "mail/archive.h"

#include "mail/lex.h"

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/log.h"

/* ---- flag names ---------------------------------------------------------- */

static const char *const arcm_flag_names[MAIL_ARCM_F_COUNT] = {
	"traversal", "nested_archive", "long_name", "bad_name",
};

static const char *const arc_flag_names[MAIL_ARC_F_COUNT] = {
	"truncated", "error", "too_many_members", "header_encrypted",
	"time_limit",
};

const char *mail_arcm_flag_name(uint32_t bit)
{
	const char *s = mail_bit_name(arcm_flag_names, MAIL_ARCM_F_COUNT, bit);

	return s ? s : "?";
}

const char *mail_arc_flag_name(uint32_t bit)
{
	const char *s = mail_bit_name(arc_flag_names, MAIL_ARC_F_COUNT, bit);

	return s ? s : "?";
}

/* ---- a UTF-8 locale for this thread while libarchive runs ------------------ */

/*
 * libarchive converts names between the archive's charset and the current
 * locale's. Under the "C" locale a UTF-8 name with a character outside
 * ASCII cannot be converted and comes back as no name at all. Switching
 * the calling thread (uselocale, not setlocale) to C.UTF-8 for the call
 * keeps such names and touches no other thread.
 */
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static locale_t utf8_locale;

static void utf8_locale_make(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* ---- the input, handed to libarchive in blocks, against a clock ------------ */

struct src {
	const uint8_t *p;
	size_t n, off;
	struct timespec deadline;
	bool timed_out;
};

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec >= deadline->tv_nsec);
}

/*
 * Each block libarchive asks for is a chance to stop it: decompressing
 * while skipping a member pulls input block by block, so a bomb is cut
 * off within one block's worth of output after the deadline.
 */
static la_ssize_t src_read(struct archive *a, void *cd, const void **buf)
{
	struct src *s = cd;
	size_t k = s->n - s->off;

	if (past(&s->deadline)) {
		s->timed_out = true;
		archive_set_error(a, ETIMEDOUT, "time limit reached");
		return -1;
	}
	if (k > MAIL_ARCHIVE_BLOCK)
		k = MAIL_ARCHIVE_BLOCK;
	*buf = s->p + s->off;
	s->off += k;
	return (la_ssize_t)k;
}

static la_int64_t src_skip(struct archive *a, void *cd, la_int64_t request)
{
	struct src *s = cd;
	size_t left = s->n - s->off;

	(void)a;
	if (request <= 0)
		return 0;
	if ((uint64_t)request < left)
		left = (size_t)request;
	s->off += left;
	return (la_int64_t)left;
}

static la_int64_t src_seek(struct archive *a, void *cd, la_int64_t offset,
			   int whence)
{
	struct src *s = cd;
	int64_t base;

	(void)a;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)s->off;
		break;
	case SEEK_END:
		base = (int64_t)s->n;
		break;
	default:
		return ARCHIVE_FATAL;
	}
	/* no overflow: both are within +-2^62 or the offset is refused */
	if (offset > (la_int64_t)s->n || offset < -(la_int64_t)s->n ||
	    base + offset < 0 || base + offset > (int64_t)s->n)
		return ARCHIVE_FATAL;
	s->off = (size_t)(base + offset);
	return (la_int64_t)s->off;
}

/* ---- names ------------------------------------------------------------------ */

/*
 * Length of the character at s[0..n) when it is kept as it is: printable
 * ASCII, or a valid UTF-8 sequence (shortest form, no surrogate, at most
 * U+10FFFF) that is not a C1 control. 0 when its first byte is escaped.
 */
static size_t keep_len(const uint8_t *s, size_t n)
{
	uint8_t b = s[0];
	uint32_t c;
	size_t len, i;

	if (b >= 0x20 && b < 0x7f)
		return 1;
	if (b < 0xc2 || b > 0xf4)
		return 0;
	len = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	c = b & (0x7fu >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    (c >= 0x80 && c <= 0x9f))
		return 0;
	return len;
}

/* One unit of output for the input at s: the character itself or one
 * escaped byte. Returns its output length; *in says how much input. */
static size_t unit(const uint8_t *s, size_t n, char out[4], size_t *in)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = keep_len(s, n);

	if (k) {
		memcpy(out, s, k);
		*in = k;
		return k;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[s[0] >> 4];
	out[3] = hex[s[0] & 15];
	*in = 1;
	return 4;
}

static size_t escaped_len(const uint8_t *s, size_t n, bool *bad)
{
	size_t total = 0, in, i = 0;
	char u[4];

	while (i < n) {
		size_t k = unit(s + i, n - i, u, &in);

		if (k == 4 && in == 1 && u[0] == '\\')
			*bad = true;
		total += k;
		i += in;
	}
	return total;
}

/* Append the units of s[0..n) to dst while they fit in room bytes;
 * returns the bytes written. */
static size_t put_units(char *dst, size_t room, const uint8_t *s, size_t n)
{
	size_t w = 0, in, i = 0;
	char u[4];

	while (i < n) {
		size_t k = unit(s + i, n - i, u, &in);

		if (k > room - w)
			break;
		memcpy(dst + w, u, k);
		w += k;
		i += in;
	}
	return w;
}

/* Bytes of the end of a long name kept after the "...": room for any
 * extension and the characters around it. */
#define NAME_TAIL 64

static void set_name(struct mail_archive_member *m, const char *name)
{
	const uint8_t *s = (const uint8_t *)name;
	size_t n = strlen(name), t, w, in;
	bool bad = false;
	char u[4];

	if (escaped_len(s, n, &bad) < MAIL_ARCHIVE_NAME_MAX) {
		w = put_units(m->name, MAIL_ARCHIVE_NAME_MAX - 1, s, n);
	} else {
		/* the tail: from a character boundary near the end, moved
		 * forward until its escaped form fits NAME_TAIL */
		bool ignored = false;
		size_t k;

		t = n > NAME_TAIL ? n - NAME_TAIL : 0;
		for (k = 0; k < 3 && t < n && (s[t] & 0xc0) == 0x80; k++)
			t++;
		while (t < n && escaped_len(s + t, n - t, &ignored) > NAME_TAIL) {
			unit(s + t, n - t, u, &in);
			t += in;
		}
		w = put_units(m->name,
			      MAIL_ARCHIVE_NAME_MAX - 1 - 3 - NAME_TAIL, s, t);
		memcpy(m->name + w, "...", 3);
		w += 3;
		w += put_units(m->name + w, NAME_TAIL, s + t, n - t);
		m->flags |= MAIL_ARCM_F_LONG_NAME;
	}
	SS_ASSERT(w < MAIL_ARCHIVE_NAME_MAX);
	m->name[w] = '\0';
	if (bad)
		m->flags |= MAIL_ARCM_F_BAD_NAME;
}

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A ".." component, or a path that starts at a root: /x, \x, C:x. */
static bool traversal(const char *s)
{
	const char *c = s;

	if (is_sep(s[0]) || (is_alpha(s[0]) && s[1] == ':'))
		return true;
	for (;;) {
		const char *e = c;

		while (*e && !is_sep(*e))
			e++;
		if (e - c == 2 && c[0] == '.' && c[1] == '.')
			return true;
		if (!*e)
			return false;
		c = e + 1;
	}
}

/* Extensions of archives and disk images a mail client or Windows opens
 * (rspamd's archive and bad-extension lists, DETECTIONS.md CONT-05/08). */
static const char *const nested_exts[] = {
	"7z",   "ace",  "apk", "arj",  "bz2",  "cab",  "cpio", "deb",
	"dmg",  "ear",  "gz",   "gzip", "img",  "iso",  "jar",  "lha",
	"lz",   "lzh",  "lzma", "rar",  "rpm",  "tar",  "taz",
	"tbz",  "tbz2", "tgz",  "tlz",  "txz",  "uue",  "vhd",  "vhdx",
	"war",  "wim",  "xar",  "xxe",  "xz",   "z",    "zip",  "zipx",
	"zst",
};

/* The final extension, after trailing dots and spaces are dropped (as
 * Windows drops them), is an archive's, or a split volume's: 001, r00,
 * z01. */
static bool nested_archive(const char *s)
{
	size_t n = strlen(s), dot, len, i, k;
	char ext[8];

	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
		n--;
	for (dot = n; dot > 0 && s[dot - 1] != '.' && !is_sep(s[dot - 1]);
	     dot--)
		;
	if (dot == 0 || s[dot - 1] != '.')
		return false;
	len = n - dot;
	if (len == 0 || len >= sizeof(ext))
		return false;
	for (i = 0; i < len; i++) {
		char c = s[dot + i];

		ext[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	ext[len] = '\0';
	if (len == 3 && is_digit(ext[1]) && is_digit(ext[2]) &&
	    (is_digit(ext[0]) || ext[0] == 'r' || ext[0] == 'z'))
		return true;
	for (k = 0; k < sizeof(nested_exts) / sizeof(nested_exts[0]); k++)
		if (strcmp(ext, nested_exts[k]) == 0)
			return true;
	return false;
}

/* ---- RAR 5: what libarchive 3.6.2 does not say -------------------------------- */

static const uint8_t rar5_sig[8] = { 'R', 'a', 'r', '!', 0x1a, 0x07, 0x01,
				     0x00 };

/* A RAR 5 variable-length integer at p[*pos..end): 7 bits a byte, low
 * first, at most 10 bytes. */
static bool rar5_vint(const uint8_t *p, size_t end, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;
	unsigned shift;

	for (shift = 0; *pos < end && shift < 70; shift += 7) {
		uint8_t b = p[(*pos)++];

		if (shift < 64)
			r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

struct rar5_facts {
	bool header_encrypted; /* an archive encryption header */
	bool any_encrypted;    /* a file header with an encryption record */
	uint64_t encrypted;    /* bit i: the i-th file header, i < 64 */
};

/* Does the extra area x[0..n) hold a file encryption record (type 1)? */
static bool rar5_extra_crypt(const uint8_t *x, size_t n)
{
	size_t pos = 0;

	while (pos < n) {
		uint64_t size, type;
		size_t start;

		if (!rar5_vint(x, n, &pos, &size) || size == 0 ||
		    size > n - pos)
			return false;
		start = pos;
		if (!rar5_vint(x, start + (size_t)size, &pos, &type))
			return false;
		if (type == 1)
			return true;
		pos = start + (size_t)size;
	}
	return false;
}

/*
 * Walk the block headers of a RAR 5 archive that starts at p (RARLAB's
 * "RAR 5.0 archive format": CRC32, header size, type, flags, extra and
 * data sizes; the extra area ends the header) for at most max blocks,
 * stopping at the first thing that does not fit. Only sizes and record
 * types are read: the listing itself is libarchive's.
 */
static void rar5_walk(const uint8_t *p, size_t n, uint32_t max,
		      struct rar5_facts *f)
{
	size_t pos = sizeof(rar5_sig);
	uint32_t k, files = 0;

	memset(f, 0, sizeof(*f));
	if (n < sizeof(rar5_sig) || memcmp(p, rar5_sig, sizeof(rar5_sig)))
		return;
	for (k = 0; k < max; k++) {
		uint64_t hsize, type, hflags, extra = 0, data = 0;
		size_t q, hend;

		if (n - pos < 4)
			return;
		pos += 4; /* header CRC32 */
		if (!rar5_vint(p, n, &pos, &hsize) || hsize == 0 ||
		    hsize > n - pos)
			return;
		hend = pos + (size_t)hsize;
		q = pos;
		if (!rar5_vint(p, hend, &q, &type) ||
		    !rar5_vint(p, hend, &q, &hflags))
			return;
		if ((hflags & 0x1) && !rar5_vint(p, hend, &q, &extra))
			return;
		if ((hflags & 0x2) && !rar5_vint(p, hend, &q, &data))
			return;
		if (type == 4) { /* archive encryption header */
			f->header_encrypted = true;
			return;
		}
		if (type == 5) /* end of archive */
			return;
		if (type == 2) {
			if (extra > 0 && extra <= hend - q &&
			    rar5_extra_crypt(p + hend - extra, (size_t)extra)) {
				f->any_encrypted = true;
				if (files < 64)
					f->encrypted |= (uint64_t)1 << files;
			}
			files++;
		}
		pos = hend;
		if (data > n - pos)
			return;
		pos += (size_t)data;
	}
}

/* ---- listing ------------------------------------------------------------------- */

static void set_err(struct mail_archive_info *out, const char *msg)
{
	out->flags |= MAIL_ARC_F_ERROR;
	if (!out->err[0])
		snprintf(out->err, sizeof(out->err), "%s",
			 msg ? msg : "unknown libarchive error");
}

static void set_format(struct mail_archive_info *out, struct archive *a)
{
	const char *base;
	bool gz = archive_filter_count(a) > 1 &&
		  archive_filter_code(a, 0) == ARCHIVE_FILTER_GZIP;

	switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
	case ARCHIVE_FORMAT_ZIP:
		base = "zip";
		break;
	case ARCHIVE_FORMAT_RAR:
		base = "rar";
		break;
	case ARCHIVE_FORMAT_RAR_V5:
		base = "rar5";
		break;
	case ARCHIVE_FORMAT_7ZIP:
		base = "7z";
		break;
	case ARCHIVE_FORMAT_TAR:
		base = "tar";
		break;
	case ARCHIVE_FORMAT_RAW:
		base = gz ? "gzip" : "";
		gz = false;
		break;
	default:
		base = "";
		gz = false;
		break;
	}
	snprintf(out->format, sizeof(out->format), "%s%s", base,
		 gz && base[0] ? ".gz" : "");
}

static bool is_raw(struct archive *a)
{
	return (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) ==
	       ARCHIVE_FORMAT_RAW;
}

static struct archive *reader_new(struct src *s, bool tar, bool only_raw)
{
	struct archive *a = archive_read_new();

	if (!a)
		log_fatal(1, "out of memory (archive reader)");
	if (!only_raw) {
		archive_read_support_format_zip(a);
		archive_read_support_format_rar(a);
		archive_read_support_format_rar5(a);
		archive_read_support_format_7zip(a);
		if (tar)
			archive_read_support_format_tar(a);
	}
	/* raw = a gzip member alone; refused below without the filter */
	archive_read_support_format_raw(a);
	/* gzip only: no other filter, and none that forks a program */
	archive_read_support_filter_gzip(a);
	archive_read_set_read_callback(a, src_read);
	archive_read_set_skip_callback(a, src_skip);
	archive_read_set_seek_callback(a, src_seek);
	archive_read_set_callback_data(a, s);
	return a;
}

static void take_member(struct mail_archive_info *out,
			struct archive_entry *e, bool raw, bool gz_named,
			const struct rar5_facts *r5, uint32_t ordinal)
{
	struct mail_archive_member *m;
	const char *name;
	bool enc = archive_entry_is_encrypted(e) != 0;

	if (r5 && ordinal < 64 && (r5->encrypted >> ordinal & 1))
		enc = true;
	if (enc)
		out->encrypted = true;
	if (out->kept >= MAIL_ARCHIVE_MEMBERS_MAX)
		return;
	m = &out->m[out->kept++];
	m->encrypted = enc;
	name = archive_entry_pathname_utf8(e);
	if (!name)
		name = archive_entry_pathname(e);
	if (raw && !gz_named)
		name = ""; /* libarchive's stand-in "data" is no name */
	if (!name) {
		name = "";
		m->flags |= MAIL_ARCM_F_BAD_NAME;
	}
	set_name(m, name);
	if (traversal(name))
		m->flags |= MAIL_ARCM_F_TRAVERSAL;
	if (nested_archive(name))
		m->flags |= MAIL_ARCM_F_NESTED_ARCHIVE;
	m->is_dir = archive_entry_filetype(e) == AE_IFDIR;
	m->size = !raw && archive_entry_size_is_set(e) ? archive_entry_size(e)
						       : -1;
}

/* One pass with one set of formats. False when not an archive. */
static bool list_once(const uint8_t *p, size_t n,
		      const struct mail_archive_limits *lim, bool tar,
		      bool only_raw, struct mail_archive_info *out)
{
	struct src s = { .p = p, .n = n };
	struct rar5_facts r5 = { 0 };
	struct archive_entry *e;
	struct archive *a;
	bool raw = false, gz_named, is_rar5 = false, walked = false;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &s.deadline);
	s.deadline.tv_sec += lim->time_ms / 1000;
	s.deadline.tv_nsec += (long)(lim->time_ms % 1000) * 1000000L;
	if (s.deadline.tv_nsec >= 1000000000L) {
		s.deadline.tv_sec++;
		s.deadline.tv_nsec -= 1000000000L;
	}
	/* RFC 1952: FNAME is bit 3 of the flags of the first member */
	gz_named = n > 3 && p[0] == 0x1f && p[1] == 0x8b && (p[3] & 0x08);

	a = reader_new(&s, tar, only_raw);
	r = archive_read_open1(a);
	if (r != ARCHIVE_OK && !archive_format(a)) {
		archive_read_free(a);
		return false;
	}
	if (r != ARCHIVE_OK)
		set_err(out, archive_error_string(a));
	while (r == ARCHIVE_OK) {
		if (out->members >= lim->scan_max) {
			r = archive_read_next_header(a, &e);
			if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
				out->flags |= MAIL_ARC_F_TOO_MANY_MEMBERS;
			break;
		}
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			set_err(out, archive_error_string(a));
			break;
		}
		r = ARCHIVE_OK;
		if (out->members == 0) {
			raw = is_raw(a);
			if (raw && archive_filter_count(a) < 2)
				break; /* raw bytes without gzip: no archive */
			is_rar5 = (archive_format(a) &
				   ARCHIVE_FORMAT_BASE_MASK) ==
				  ARCHIVE_FORMAT_RAR_V5;
			if (is_rar5) {
				rar5_walk(p, n, 2 * lim->scan_max + 16, &r5);
				walked = true;
			}
		}
		take_member(out, e, raw, gz_named, is_rar5 ? &r5 : NULL,
			    out->members);
		out->members++;
		if (raw)
			break; /* one member; skipping it would inflate it */
		if (past(&s.deadline)) {
			s.timed_out = true;
			break;
		}
		r = archive_read_data_skip(a);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			set_err(out, archive_error_string(a));
			break;
		}
		r = ARCHIVE_OK;
	}
	set_format(out, a);
	/* a gzip that did not give its one member is left to
	 * gzip_header_only() */
	if (!out->format[0] || (is_raw(a) && out->members == 0)) {
		archive_read_free(a);
		memset(out, 0, sizeof(*out));
		return false;
	}
	if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) ==
	    ARCHIVE_FORMAT_RAR_V5) {
		if (!walked)
			rar5_walk(p, n, 2 * lim->scan_max + 16, &r5);
		if (r5.any_encrypted)
			out->encrypted = true;
		if (r5.header_encrypted)
			out->flags |= MAIL_ARC_F_HEADER_ENCRYPTED;
	}
	/* 7z and RAR 4 with encrypted headers fail at the first header and
	 * say, through this, why */
	if (archive_read_has_encrypted_entries(a) > 0) {
		out->encrypted = true;
		if (out->members == 0 && (out->flags & MAIL_ARC_F_ERROR))
			out->flags |= MAIL_ARC_F_HEADER_ENCRYPTED;
	}
	if (out->flags & MAIL_ARC_F_HEADER_ENCRYPTED)
		out->encrypted = true;
	if (s.timed_out) {
		/* whatever libarchive made of the failed read, this is why */
		out->flags |= MAIL_ARC_F_TIME_LIMIT | MAIL_ARC_F_ERROR;
		snprintf(out->err, sizeof(out->err),
			 "time limit of %u ms reached", lim->time_ms);
	}
	archive_read_free(a);
	return true;
}

/*
 * libarchive's gzip filter fails when the deflate data ends before its
 * first output block is full, which is the case of a short gzip whose
 * end the caller cut off. Its header (RFC 1952 section 2.3: ten fixed
 * bytes, FEXTRA, FNAME) still names the member: report that, so a cut
 * ".gz" keeps its original name.
 */
static bool gzip_header_only(const uint8_t *p, size_t n, const char *why,
			     struct mail_archive_info *out)
{
	struct mail_archive_member *m = &out->m[0];
	size_t pos = 10, end;
	char name[1024];

	if (n < 10 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 ||
	    (p[3] & 0xe0))
		return false;
	memset(out, 0, sizeof(*out));
	snprintf(out->format, sizeof(out->format), "gzip");
	out->members = out->kept = 1;
	m->size = -1;
	name[0] = '\0';
	if (p[3] & 0x04) { /* FEXTRA: XLEN, then that many bytes */
		pos = n - pos < 2 ? n : pos + 2 + (p[10] | (size_t)p[11] << 8);
		if (pos > n)
			pos = n;
	}
	if (p[3] & 0x08) { /* FNAME, NUL-terminated */
		for (end = pos; end < n && p[end]; end++)
			;
		if (end < n && end - pos < sizeof(name)) {
			memcpy(name, p + pos, end - pos);
			name[end - pos] = '\0';
		} else {
			m->flags |= MAIL_ARCM_F_BAD_NAME; /* cut or too long */
		}
	}
	set_name(m, name);
	if (traversal(name))
		m->flags |= MAIL_ARCM_F_TRAVERSAL;
	if (nested_archive(name))
		m->flags |= MAIL_ARCM_F_NESTED_ARCHIVE;
	set_err(out, why);
	return true;
}

bool mail_archive_list_limits(const uint8_t *p, size_t n, bool cut,
			      const struct mail_archive_limits *lim,
			      struct mail_archive_info *out)
{
	struct mail_archive_limits l = { MAIL_ARCHIVE_SCAN_MAX,
					 MAIL_ARCHIVE_TIME_MS };
	locale_t prev = (locale_t)0;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!p || n == 0)
		return false;
	if (lim && lim->scan_max)
		l.scan_max = lim->scan_max;
	if (lim && lim->time_ms)
		l.time_ms = lim->time_ms;

	pthread_once(&utf8_once, utf8_locale_make);
	if (utf8_locale)
		prev = uselocale(utf8_locale);
	ok = list_once(p, n, &l, true, false, out);
	/*
	 * libarchive takes a block of zeros for an empty tar. Bytes that
	 * start so (a disk image, say) are not a tar to us; under gzip they
	 * are still a gzip member, with a name to report.
	 */
	if (ok && strncmp(out->format, "tar", 3) == 0 && out->members == 0 &&
	    !(out->flags & MAIL_ARC_F_ERROR)) {
		bool gz = strcmp(out->format, "tar.gz") == 0;

		memset(out, 0, sizeof(*out));
		ok = gz && list_once(p, n, &l, false, true, out);
	}
	if (!ok)
		ok = gzip_header_only(p, n, "gzip data unreadable", out);
	if (utf8_locale)
		uselocale(prev);
	if (ok && cut)
		out->flags |= MAIL_ARC_F_TRUNCATED;
	return ok;
}

bool mail_archive_list(const uint8_t *p, size_t n, bool cut,
		       struct mail_archive_info *out)
{
	return mail_archive_list_limits(p, n, cut, NULL, out);
}
