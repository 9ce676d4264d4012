/*
 * The archive lister: every format on small archives made by
 * tests/data/archive/make_archives.py (zip with hostile names and both
 * kinds of encryption, zip written as a stream, RAR 4 and RAR 5 written
 * byte by byte, 7z plain and encrypted both ways, tar.gz, gzip with and
 * without a name), each also cut at every length; tar built here with
 * names no archiver would write; the caps (members kept, headers read,
 * name length) at and around their values; and decompression bombs
 * built here (a tar.gz and a streamed zip of 1 GiB of zeros, 1 MiB of
 * bytes each) that must be stopped by the clock.
 *
 * The data directory is argv[1], else $SMTPSCOPE_ARCHIVE_DATA, else
 * ../data/archive beside this file as the compiler named it (meson runs
 * tests from the build directory, where that path resolves).
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zlib.h>

#include "mail/archive.h"

static char data_dir[1024];

/* ---- buffers -------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void reserve(struct buf *b, size_t more)
{
	if (b->n + more <= b->cap)
		return;
	while (b->n + more > b->cap)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->p = realloc(b->p, b->cap);
	assert_non_null(b->p);
}

static void append(struct buf *b, const void *p, size_t n)
{
	reserve(b, n);
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void append_zeros(struct buf *b, size_t n)
{
	reserve(b, n);
	memset(b->p + b->n, 0, n);
	b->n += n;
}

static void release(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* A heap copy of exactly n bytes: a read past the end is an ASan error. */
static uint8_t *exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

static struct buf load(const char *name)
{
	char path[2048];
	struct buf b = { 0 };
	FILE *f;
	uint8_t tmp[4096];
	size_t k;

	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		append(&b, tmp, k);
	fclose(f);
	return b;
}

static struct mail_archive_info info;

/* List p[0..n) from an exact-size copy. */
static bool list(const uint8_t *p, size_t n, bool cut,
		 const struct mail_archive_limits *lim)
{
	uint8_t *c = exact(p, n);
	bool ok = mail_archive_list_limits(c, n, cut, lim, &info);

	free(c);
	return ok;
}

static bool list_file(const char *name)
{
	struct buf b = load(name);
	bool ok = list(b.p, b.n, false, NULL);

	release(&b);
	return ok;
}

static const struct mail_archive_member *member(const char *name)
{
	static const struct mail_archive_member none;
	uint32_t i;

	for (i = 0; i < info.kept; i++)
		if (strcmp(info.m[i].name, name) == 0)
			return &info.m[i];
	fail_msg("no member \"%s\"", name);
	return &none; /* not reached: fail_msg() jumps out */
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- tar and gzip made here ------------------------------------------------ */

static void octal(uint8_t *dst, size_t width, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(width - 1),
		 (unsigned long long)v);
	memcpy(dst, tmp, width - 1);
	dst[width - 1] = 0;
}

/* One ustar header for name[0..len) (len <= 100). */
static void tar_header(struct buf *b, const void *name, size_t len,
		       uint64_t size, char type)
{
	uint8_t h[512];
	unsigned sum = 0, i;

	assert_true(len <= 100);
	memset(h, 0, sizeof(h));
	memcpy(h, name, len);
	octal(h + 100, 8, 0644);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, 1704164646);
	memset(h + 148, ' ', 8);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar\0" "00", 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	append(b, h, sizeof(h));
}

static void tar_file(struct buf *b, const void *name, size_t len,
		     const void *data, size_t n)
{
	tar_header(b, name, len, n, '0');
	append(b, data, n);
	append_zeros(b, (512 - n % 512) % 512);
}

/* A pax extended header carrying path=name (any length, any bytes),
 * then the file it names. */
static void tar_pax_file(struct buf *b, const void *name, size_t len)
{
	struct buf rec = { 0 };
	char head[32];
	size_t total = len + 7, digits;

	/* "LEN path=NAME\n": LEN counts its own digits */
	for (digits = 1;; digits++) {
		size_t t = total + digits;
		size_t d = snprintf(head, sizeof(head), "%zu", t);

		if (d == digits) {
			total = t;
			break;
		}
	}
	snprintf(head, sizeof(head), "%zu path=", total);
	append(&rec, head, strlen(head));
	append(&rec, name, len);
	append(&rec, "\n", 1);
	tar_header(b, "PaxHeader", 9, rec.n, 'x');
	append(b, rec.p, rec.n);
	append_zeros(b, (512 - rec.n % 512) % 512);
	tar_file(b, "placeholder", 11, "x", 1);
	release(&rec);
}

static void tar_end(struct buf *b)
{
	append_zeros(b, 1024);
}

/* One gzip member holding p[0..n), appended to out. */
static void gzip_member(struct buf *out, const void *p, size_t n)
{
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	reserve(out, deflateBound(&z, (uLong)n) + 64);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out->p + out->n;
	z.avail_out = (uInt)(out->cap - out->n);
	r = deflate(&z, Z_FINISH);
	assert_int_equal(r, Z_STREAM_END);
	out->n += z.total_out;
	deflateEnd(&z);
}

static struct buf gzip_of(const struct buf *in)
{
	struct buf out = { 0 };

	gzip_member(&out, in->p, in->n);
	return out;
}

/*
 * `mib` MiB of zeros as raw deflate blocks: one MiB compressed once with a
 * full flush (byte-aligned blocks that need no earlier history), repeated,
 * then the final empty block. About 1 KiB per MiB.
 */
static void deflate_zeros(struct buf *out, unsigned mib)
{
	static uint8_t zeros[1 << 20];
	uint8_t *blk, fin[64];
	size_t blen, flen;
	z_stream z;
	unsigned i;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 9,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	blk = malloc(1 << 16);
	assert_non_null(blk);
	z.next_in = zeros;
	z.avail_in = sizeof(zeros);
	z.next_out = blk;
	z.avail_out = 1 << 16;
	assert_int_equal(deflate(&z, Z_FULL_FLUSH), Z_OK);
	assert_int_equal(z.avail_in, 0);
	blen = (1 << 16) - z.avail_out;
	z.next_out = fin;
	z.avail_out = sizeof(fin);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	flen = sizeof(fin) - z.avail_out;
	deflateEnd(&z);
	for (i = 0; i < mib; i++)
		append(out, blk, blen);
	append(out, fin, flen);
	free(blk);
}

/* ---- data files -------------------------------------------------------------- */

static void test_zip_names(void **state)
{
	const struct mail_archive_member *m;
	uint32_t i;
	bool found;

	(void)state;
	assert_true(list_file("names.zip"));
	assert_string_equal(info.format, "zip");
	assert_int_equal(info.members, 10);
	assert_int_equal(info.kept, 10);
	assert_false(info.encrypted);
	assert_int_equal(info.flags, 0);
	assert_string_equal(info.err, "");

	m = member("docs/");
	assert_true(m->is_dir);
	assert_int_equal(m->size, 0);
	assert_int_equal(m->flags, 0);
	m = member("docs/readme.txt");
	assert_false(m->is_dir);
	assert_int_equal(m->size, 600);
	assert_false(m->encrypted);
	assert_int_equal(member("../../evil.sh")->flags, MAIL_ARCM_F_TRAVERSAL);
	assert_int_equal(member("/etc/cron.d/x")->flags, MAIL_ARCM_F_TRAVERSAL);
	/* "..\win\evil.bat": libarchive may turn \ into /; flagged either way */
	for (i = 0, found = false; i < info.kept; i++)
		if (strstr(info.m[i].name, "evil.bat")) {
			assert_int_equal(info.m[i].flags,
					 MAIL_ARCM_F_TRAVERSAL);
			found = true;
		}
	assert_true(found);
	assert_int_equal(member("inner.ZIP")->flags,
			 MAIL_ARCM_F_NESTED_ARCHIVE);
	assert_int_equal(member("line\\x0d\\x0abreak\\x01.exe")->flags,
			 MAIL_ARCM_F_BAD_NAME);
	/* U+202E RIGHT-TO-LEFT OVERRIDE is kept, for CONT-02 to see */
	assert_int_equal(member("r\xc3\xa9sum\xc3\xa9\xe2\x80\xaetxt.exe")->flags,
			 0);
	assert_int_equal(member("dir..name/ok..txt")->flags, 0);
	/* 300 a's + ".txt": cut in the middle, the extension kept */
	for (i = 0, found = false; i < info.kept; i++) {
		const char *n = info.m[i].name;

		if (n[0] != 'a')
			continue;
		found = true;
		assert_int_equal(info.m[i].flags, MAIL_ARCM_F_LONG_NAME);
		assert_int_equal(strlen(n), MAIL_ARCHIVE_NAME_MAX - 1);
		assert_non_null(strstr(n, "a...a"));
		assert_string_equal(n + strlen(n) - 5, "a.txt");
	}
	assert_true(found);
}

static void test_zip_streamed_and_encrypted(void **state)
{
	const struct mail_archive_member *m;

	(void)state;
	assert_true(list_file("streamed.zip"));
	assert_string_equal(info.format, "zip");
	assert_int_equal(info.members, 2);
	/* sizes from the central directory, though the local headers
	 * leave them to data descriptors */
	assert_int_equal(member("one.txt")->size, 200);
	assert_int_equal(member("two.js")->size, 3);

	assert_true(list_file("encrypted.zip"));
	assert_int_equal(info.members, 3);
	assert_true(info.encrypted);
	assert_int_equal(info.flags, 0);
	m = member("secret.exe"); /* traditional PKWARE: flag bit 0 */
	assert_true(m->encrypted);
	assert_int_equal(m->size, 5);
	assert_true(member("aes.docm")->encrypted); /* WinZip AES */
	assert_false(member("readme.txt")->encrypted);
}

static void test_rar(void **state)
{
	static const char *const plain[] = { "plain.rar", "solid.rar" };
	static const char *const plain5[] = { "plain.rar5", "solid.rar5" };
	const struct mail_archive_member *m;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_true(list_file(plain[i]));
		assert_string_equal(info.format, "rar");
		assert_int_equal(info.members, 3);
		assert_false(info.encrypted);
		assert_int_equal(info.flags, 0);
		assert_true(member("bin")->is_dir);
		assert_int_equal(member("bin/tool.exe")->size, 4);
		assert_int_equal(member("readme.txt")->size, 5);

		assert_true(list_file(plain5[i]));
		assert_string_equal(info.format, "rar5");
		assert_int_equal(info.members, 3);
		assert_false(info.encrypted);
		assert_int_equal(info.flags, 0);
		assert_true(member("docs")->is_dir);
		m = member("docs/caf\xc3\xa9.pdf.exe");
		assert_int_equal(m->size, 4);
		assert_false(m->encrypted);
	}

	assert_true(list_file("enc.rar")); /* file header flag 0x04 */
	assert_true(info.encrypted);
	assert_true(member("bin/tool.exe")->encrypted);
	assert_false(member("readme.txt")->encrypted);
	assert_false(member("bin")->encrypted);
	assert_int_equal(info.flags, 0);

	assert_true(list_file("enc.rar5")); /* file encryption record */
	assert_true(info.encrypted);
	assert_int_equal(info.members, 3);
	assert_true(member("docs/caf\xc3\xa9.pdf.exe")->encrypted);
	assert_false(member("readme.txt")->encrypted);
	assert_false(member("docs")->encrypted);
	assert_int_equal(info.flags, 0);

	/* encrypted headers: no names, and said so */
	assert_true(list_file("hdr_enc.rar"));
	assert_string_equal(info.format, "rar");
	assert_int_equal(info.members, 0);
	assert_true(info.encrypted);
	assert_int_equal(info.flags,
			 MAIL_ARC_F_HEADER_ENCRYPTED | MAIL_ARC_F_ERROR);
	assert_string_not_equal(info.err, "");
	assert_true(list_file("hdr_enc.rar5"));
	assert_string_equal(info.format, "rar5");
	assert_int_equal(info.members, 0);
	assert_true(info.encrypted);
	assert_int_equal(info.flags,
			 MAIL_ARC_F_HEADER_ENCRYPTED | MAIL_ARC_F_ERROR);
}

static void test_7z(void **state)
{
	(void)state;
	assert_true(list_file("plain.7z"));
	assert_string_equal(info.format, "7z");
	assert_int_equal(info.members, 3);
	assert_false(info.encrypted);
	assert_int_equal(info.flags, 0);
	assert_true(member("sub/")->is_dir);
	assert_int_equal(member("a.txt")->size, 100);
	assert_int_equal(member("sub/payload.js")->size, 17);

	assert_true(list_file("encrypted.7z")); /* AES coder, names clear */
	assert_int_equal(info.members, 3);
	assert_true(info.encrypted);
	assert_true(member("a.txt")->encrypted);
	assert_true(member("sub/payload.js")->encrypted);
	assert_false(member("sub/")->encrypted);
	assert_int_equal(info.flags, 0);

	assert_true(list_file("header_encrypted.7z")); /* 7z -mhe=on */
	assert_string_equal(info.format, "7z");
	assert_int_equal(info.members, 0);
	assert_true(info.encrypted);
	assert_int_equal(info.flags,
			 MAIL_ARC_F_HEADER_ENCRYPTED | MAIL_ARC_F_ERROR);
}

static void test_gzip_and_tar_gz(void **state)
{
	const struct mail_archive_member *m;

	(void)state;
	assert_true(list_file("named.gz"));
	assert_string_equal(info.format, "gzip");
	assert_int_equal(info.members, 1);
	m = member("invoice.pdf.exe"); /* the FNAME of the gzip header */
	assert_int_equal(m->size, -1);
	assert_int_equal(m->flags, 0);
	assert_false(m->is_dir);

	assert_true(list_file("noname.gz"));
	assert_string_equal(info.format, "gzip");
	assert_int_equal(info.members, 1);
	assert_string_equal(info.m[0].name, "");

	assert_true(list_file("plain.tar.gz"));
	assert_string_equal(info.format, "tar.gz");
	assert_int_equal(info.members, 4);
	assert_true(member("bin/")->is_dir);
	assert_int_equal(member("bin/run.elf")->size, 32);
	assert_int_equal(member("../up.txt")->flags, MAIL_ARCM_F_TRAVERSAL);
	assert_int_equal(member("notes.txt")->size, 600);
	assert_int_equal(info.flags, 0);
}

/*
 * Every file cut at every length, as the MIME engine hands over the first
 * bytes of a long part: never a crash, never a member that the whole file
 * does not have, in the same order with the same name and encryption;
 * always flagged truncated when listed.
 */
static void test_cut_everywhere(void **state)
{
	static const char *const files[] = {
		"names.zip",    "streamed.zip", "encrypted.zip", "many.zip",
		"plain.rar",    "enc.rar",      "hdr_enc.rar",   "plain.rar5",
		"enc.rar5",     "hdr_enc.rar5", "plain.7z",      "encrypted.7z",
		"plain.tar.gz", "named.gz",     "noname.gz",
	};
	static struct mail_archive_info whole;
	size_t f, len;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct buf b = load(files[f]);
		unsigned listed = 0;

		assert_true(list(b.p, b.n, false, NULL));
		whole = info;
		for (len = 0; len < b.n; len++) {
			uint32_t i;

			if (!list(b.p, len, true, NULL)) {
				assert_string_equal(info.format, "");
				assert_int_equal(info.members, 0);
				assert_int_equal(info.flags, 0);
				continue;
			}
			listed++;
			assert_true(info.flags & MAIL_ARC_F_TRUNCATED);
			/* a tar.gz cut inside its first tar header is just
			 * a gzip member */
			if (strcmp(info.format, whole.format) != 0 &&
			    !(strcmp(whole.format, "tar.gz") == 0 &&
			      strcmp(info.format, "gzip") == 0))
				fail_msg("%s cut at %zu: format %s", files[f],
					 len, info.format);
			if (strcmp(info.format, "gzip") == 0 &&
			    strcmp(whole.format, "tar.gz") == 0)
				continue;
			if (strcmp(info.format, "gzip") == 0 &&
			    strcmp(info.m[0].name, whole.m[0].name) != 0) {
				/* the header-only report: the name once its
				 * NUL is in, before that none */
				assert_string_equal(info.m[0].name, "");
				assert_int_equal(info.m[0].flags,
						 MAIL_ARCM_F_BAD_NAME);
				assert_true(info.flags & MAIL_ARC_F_ERROR);
				continue;
			}
			assert_true(info.members <= whole.members);
			assert_true(info.kept <= info.members);
			for (i = 0; i < info.kept; i++) {
				const struct mail_archive_member *a =
					&info.m[i], *w = &whole.m[i];

				if (strcmp(a->name, w->name) != 0)
					fail_msg("%s cut at %zu: member %u "
						 "\"%s\", whole \"%s\"",
						 files[f], len, i, a->name,
						 w->name);
				assert_int_equal(a->encrypted, w->encrypted);
				assert_int_equal(a->is_dir, w->is_dir);
				assert_int_equal(a->flags, w->flags);
				assert_true(a->size == w->size ||
					    a->size == -1);
			}
			if (whole.encrypted && whole.members > 0 &&
			    info.members == whole.members && !info.encrypted)
				fail_msg("%s cut at %zu: not encrypted (%s)",
					 files[f], len, info.err);
		}
		if (strncmp(files[f], "hdr_enc", 7) == 0) {
			/* marker + main header (RAR 4: 7 + 13 bytes); RAR 5:
			 * the encryption header ends at byte 35 */
			size_t need = strstr(files[f], "rar5") ? 35 : 20;

			assert_true(list(b.p, need, true, NULL));
			assert_true(info.flags & MAIL_ARC_F_HEADER_ENCRYPTED);
			assert_true(info.encrypted);
		}
		/* the cut header itself must not make the lister give up
		 * on everything: most cuts still list */
		if (listed == 0)
			fail_msg("%s: no cut listed", files[f]);
		release(&b);
	}
}

/* ---- names no archiver writes, through tar ------------------------------------ */

struct name_case {
	const char *raw;
	size_t len;
	const char *want;
	uint32_t flags;
};

#define NC(raw, want, flags) { raw, sizeof(raw) - 1, want, flags }

static void test_tar_names(void **state)
{
	static const struct name_case c[] = {
		NC("plain.txt", "plain.txt", 0),
		NC("tab\there", "tab\\x09here", MAIL_ARCM_F_BAD_NAME),
		NC("del\x7f.exe", "del\\x7f.exe", MAIL_ARCM_F_BAD_NAME),
		NC("esc\x1b[31m.js", "esc\\x1b[31m.js", MAIL_ARCM_F_BAD_NAME),
		/* not UTF-8: Latin-1, a lone continuation, overlong "/",
		 * a surrogate, past U+10FFFF, a C1 control */
		NC("caf\xe9.pdf", "caf\\xe9.pdf", MAIL_ARCM_F_BAD_NAME),
		NC("x\x80y", "x\\x80y", MAIL_ARCM_F_BAD_NAME),
		NC("\xc0\xaf" "etc", "\\xc0\\xafetc", MAIL_ARCM_F_BAD_NAME),
		NC("s\xed\xa0\x80", "s\\xed\\xa0\\x80", MAIL_ARCM_F_BAD_NAME),
		NC("h\xf4\x90\x80\x80", "h\\xf4\\x90\\x80\\x80",
		   MAIL_ARCM_F_BAD_NAME),
		NC("nel\xc2\x85", "nel\\xc2\\x85", MAIL_ARCM_F_BAD_NAME),
		NC("cut\xe2\x80", "cut\\xe2\\x80", MAIL_ARCM_F_BAD_NAME),
		/* valid UTF-8 stays, whatever it says */
		NC("\xe2\x80\xae" "fdp.exe", "\xe2\x80\xae" "fdp.exe", 0),
		NC("\xf0\x9f\x93\x8e.zip", "\xf0\x9f\x93\x8e.zip",
		   MAIL_ARCM_F_NESTED_ARCHIVE),
		/* traversal and roots */
		NC("a/../../b", "a/../../b", MAIL_ARCM_F_TRAVERSAL),
		NC("..", "..", MAIL_ARCM_F_TRAVERSAL),
		NC("x/..", "x/..", MAIL_ARCM_F_TRAVERSAL),
		NC("..\\..\\boot.ini", "..\\..\\boot.ini",
		   MAIL_ARCM_F_TRAVERSAL),
		NC("C:\\Windows\\x.dll", "C:\\Windows\\x.dll",
		   MAIL_ARCM_F_TRAVERSAL),
		NC("\\\\server\\share\\x", "\\\\server\\share\\x",
		   MAIL_ARCM_F_TRAVERSAL),
		NC("...", "...", 0),
		NC("a..b/..c/d..", "a..b/..c/d..", 0),
		/* nested archives and split volumes */
		NC("x.tar.gz", "x.tar.gz", MAIL_ARCM_F_NESTED_ARCHIVE),
		NC("INVOICE.ISO", "INVOICE.ISO", MAIL_ARCM_F_NESTED_ARCHIVE),
		NC("disk.img. . .", "disk.img. . .",
		   MAIL_ARCM_F_NESTED_ARCHIVE),
		NC("big.zip.001", "big.zip.001", MAIL_ARCM_F_NESTED_ARCHIVE),
		NC("big.r07", "big.r07", MAIL_ARCM_F_NESTED_ARCHIVE),
		NC("big.z01", "big.z01", MAIL_ARCM_F_NESTED_ARCHIVE),
		NC("v.VHDX", "v.VHDX", MAIL_ARCM_F_NESTED_ARCHIVE),
		NC("zip", "zip", 0),
		NC("zip/readme", "zip/readme", 0),
		NC("a.rar5", "a.rar5", 0),
		NC("a.r0x", "a.r0x", 0),
		NC("a.1234", "a.1234", 0),
		NC("../evil.7z", "../evil.7z",
		   MAIL_ARCM_F_TRAVERSAL | MAIL_ARCM_F_NESTED_ARCHIVE),
	};
	struct buf t = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		tar_file(&t, c[i].raw, c[i].len, "x", 1);
	tar_end(&t);
	assert_true(list(t.p, t.n, false, NULL));
	assert_string_equal(info.format, "tar");
	assert_int_equal(info.members, sizeof(c) / sizeof(c[0]));
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (strcmp(info.m[i].name, c[i].want) != 0 ||
		    info.m[i].flags != c[i].flags)
			fail_msg("case %zu: \"%s\" flags %x, want \"%s\" %x", i,
				 info.m[i].name, info.m[i].flags, c[i].want,
				 c[i].flags);
		assert_int_equal(info.m[i].size, 1);
	}
	release(&t);
}

/* Does s hold only what set_name writes: printable ASCII, valid UTF-8
 * and \xNN escapes, no byte of a split character? */
static void assert_clean_utf8(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;

	while (*p) {
		if (*p < 0x80) {
			assert_true(*p >= 0x20 && *p < 0x7f);
			p++;
		} else if (*p >= 0xc2 && *p < 0xe0) {
			assert_true((p[1] & 0xc0) == 0x80);
			p += 2;
		} else if (*p >= 0xe0 && *p < 0xf0) {
			assert_true((p[1] & 0xc0) == 0x80 &&
				    (p[2] & 0xc0) == 0x80);
			p += 3;
		} else {
			assert_true(*p >= 0xf0 && *p <= 0xf4);
			assert_true((p[1] & 0xc0) == 0x80 &&
				    (p[2] & 0xc0) == 0x80 &&
				    (p[3] & 0xc0) == 0x80);
			p += 4;
		}
	}
}

/* Long names through pax: every length around the cap, with multi-byte
 * characters and escapes placed across the cut points. */
static void test_long_names(void **state)
{
	static const char *const fill[] = { "a", "\xc3\xa9", "\xe2\x82\xac",
					    "\xf0\x9f\x98\x80", "\x01" };
	char name[2048];
	size_t f, len;

	(void)state;
	for (f = 0; f < sizeof(fill) / sizeof(fill[0]); f++) {
		for (len = 200; len < 1200; len += 37) {
			struct buf t = { 0 };
			size_t n = 0, fl = strlen(fill[f]);
			const char *got;

			while (n + fl + 4 <= len) {
				memcpy(name + n, fill[f], fl);
				n += fl;
			}
			memcpy(name + n, ".exe", 4);
			n += 4;
			tar_pax_file(&t, name, n);
			tar_end(&t);
			assert_true(list(t.p, t.n, false, NULL));
			assert_int_equal(info.members, 1);
			got = info.m[0].name;
			assert_true(strlen(got) < MAIL_ARCHIVE_NAME_MAX);
			assert_string_equal(got + strlen(got) - 4, ".exe");
			if (f == 4) {
				/* \x01 is escaped in four bytes */
				assert_true(info.m[0].flags &
					    MAIL_ARCM_F_BAD_NAME);
				assert_null(strstr(got, "\x01"));
			} else {
				assert_clean_utf8(got);
			}
			if (n * (f == 4 ? 4 : 1) >= MAIL_ARCHIVE_NAME_MAX) {
				assert_true(info.m[0].flags &
					    MAIL_ARCM_F_LONG_NAME);
				assert_non_null(strstr(got, "..."));
				/* no more than 3 bytes lost at each end of
				 * the cut, where a character did not fit */
				assert_true(strlen(got) >=
					    MAIL_ARCHIVE_NAME_MAX - 7);
			}
			release(&t);
		}
	}
	/* 255 bytes fit exactly; 256 do not */
	for (len = 250; len <= 260; len++) {
		struct buf t = { 0 };

		memset(name, 'b', len);
		tar_pax_file(&t, name, len);
		tar_end(&t);
		assert_true(list(t.p, t.n, false, NULL));
		if (len < MAIL_ARCHIVE_NAME_MAX) {
			assert_int_equal(info.m[0].flags, 0);
			assert_int_equal(strlen(info.m[0].name), len);
		} else {
			assert_int_equal(info.m[0].flags,
					 MAIL_ARCM_F_LONG_NAME);
			assert_int_equal(strlen(info.m[0].name),
					 MAIL_ARCHIVE_NAME_MAX - 1);
		}
		release(&t);
	}
}

/* ---- caps ------------------------------------------------------------------------ */

static void test_member_caps(void **state)
{
	struct mail_archive_limits lim = { 0, 0 };
	struct buf t = { 0 }, gz;
	char name[32];
	unsigned i;

	(void)state;
	/* 70 members: all counted, 64 kept, in order */
	assert_true(list_file("many.zip"));
	assert_int_equal(info.members, 70);
	assert_int_equal(info.kept, MAIL_ARCHIVE_MEMBERS_MAX);
	assert_int_equal(info.flags, 0);
	assert_string_equal(info.m[0].name, "f000.txt");
	assert_string_equal(info.m[63].name, "f063.txt");

	/* headers read: at, under and over the cap */
	{
		struct buf b = load("many.zip");

		lim.scan_max = 70;
		assert_true(list(b.p, b.n, false, &lim));
		assert_int_equal(info.members, 70);
		assert_int_equal(info.flags, 0);
		lim.scan_max = 69;
		assert_true(list(b.p, b.n, false, &lim));
		assert_int_equal(info.members, 69);
		assert_int_equal(info.flags, MAIL_ARC_F_TOO_MANY_MEMBERS);
		lim.scan_max = 1;
		assert_true(list(b.p, b.n, false, &lim));
		assert_int_equal(info.members, 1);
		assert_int_equal(info.kept, 1);
		assert_int_equal(info.flags, MAIL_ARC_F_TOO_MANY_MEMBERS);
		release(&b);
	}

	/* the default cap: a tar.gz of 10,001 empty files */
	for (i = 0; i <= MAIL_ARCHIVE_SCAN_MAX; i++) {
		int k = snprintf(name, sizeof(name), "f%05u", i);

		tar_file(&t, name, (size_t)k, NULL, 0);
	}
	tar_end(&t);
	gz = gzip_of(&t);
	assert_true(list(gz.p, gz.n, false, NULL));
	assert_string_equal(info.format, "tar.gz");
	assert_int_equal(info.members, MAIL_ARCHIVE_SCAN_MAX);
	assert_int_equal(info.kept, MAIL_ARCHIVE_MEMBERS_MAX);
	assert_int_equal(info.flags, MAIL_ARC_F_TOO_MANY_MEMBERS);
	/* one fewer: no flag */
	lim.scan_max = MAIL_ARCHIVE_SCAN_MAX + 1;
	assert_true(list(gz.p, gz.n, false, &lim));
	assert_int_equal(info.members, MAIL_ARCHIVE_SCAN_MAX + 1);
	assert_int_equal(info.flags, 0);
	release(&t);
	release(&gz);
}

/* A tar.gz of one 1 GiB member of zeros, then a member that the listing
 * should never reach: each gzip member is 1 MiB of zeros, repeated. */
static struct buf tar_gz_bomb(void)
{
	static uint8_t zeros[1 << 20];
	struct buf t = { 0 }, out = { 0 }, one = { 0 };
	unsigned i;

	tar_header(&t, "zeros.bin", 9, (uint64_t)1 << 30, '0');
	gzip_member(&out, t.p, t.n);
	gzip_member(&one, zeros, sizeof(zeros));
	for (i = 0; i < 1024; i++)
		append(&out, one.p, one.n);
	release(&t);
	tar_file(&t, "after.exe", 9, "MZ", 2);
	tar_end(&t);
	gzip_member(&out, t.p, t.n);
	release(&t);
	release(&one);
	return out;
}

static void put16(struct buf *b, unsigned v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	append(b, x, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

/*
 * A zip whose one member is 1 GiB of zeros, deflated, its sizes left to
 * a data descriptor (flag bit 3). With `cd` the central directory follows
 * and claims a compressed size of 0, which makes libarchive find the end
 * of the member by inflating it, as it must when the central directory is
 * cut off; *data_end is where the deflate data ends.
 */
static struct buf zip_bomb(bool cd, size_t *data_end)
{
	struct buf z = { 0 };
	size_t cd_off, cd_size;

	put32(&z, 0x04034b50);
	put16(&z, 20);
	put16(&z, 0x0008);
	put16(&z, 8);
	put32(&z, 0);
	put32(&z, 0);
	put32(&z, 0);
	put32(&z, 0);
	put16(&z, 9);
	put16(&z, 0);
	append(&z, "zeros.bin", 9);
	deflate_zeros(&z, 1024);
	*data_end = z.n;
	if (!cd)
		return z;
	put32(&z, 0x08074b50);
	put32(&z, 0);
	put32(&z, 0);
	put32(&z, 0);
	cd_off = z.n;
	put32(&z, 0x02014b50);
	put16(&z, 20);
	put16(&z, 20);
	put16(&z, 0x0008);
	put16(&z, 8);
	put32(&z, 0);
	put32(&z, 0);
	put32(&z, 0);
	put32(&z, 0);
	put16(&z, 9);
	put16(&z, 0);
	put16(&z, 0);
	put16(&z, 0);
	put16(&z, 0);
	put32(&z, 0);
	put32(&z, 0);
	append(&z, "zeros.bin", 9);
	cd_size = z.n - cd_off;
	put32(&z, 0x06054b50);
	put16(&z, 0);
	put16(&z, 0);
	put16(&z, 1);
	put16(&z, 1);
	put32(&z, (uint32_t)cd_size);
	put32(&z, (uint32_t)cd_off);
	put16(&z, 0);
	return z;
}

/* Listing b[0..n) ends near the time limit; stopped by it when must. */
static void expect_bounded(const struct buf *b, size_t n, bool cut,
			   unsigned time_ms, bool must_stop, const char *name)
{
	struct mail_archive_limits lim = { 0, time_ms };
	struct timespec t0;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(mail_archive_list_limits(b->p, n, cut,
					     time_ms ? &lim : NULL, &info));
	ms = ms_since(&t0);
	/* inflating it all takes seconds; the clock stops it near the limit
	 * (the bound leaves room for a loaded machine) */
	if (ms > (time_ms ? time_ms : MAIL_ARCHIVE_TIME_MS) + 1000.0)
		fail_msg("%s: %.0f ms", name, ms);
	assert_int_equal(info.members, 1);
	if (!must_stop)
		return;
	if (!(info.flags & MAIL_ARC_F_TIME_LIMIT))
		fail_msg("%s: flags %x members %u err %s", name, info.flags,
			 info.members, info.err);
	assert_true(info.flags & MAIL_ARC_F_ERROR);
	assert_non_null(strstr(info.err, "time limit"));
	assert_string_equal(info.m[0].name, "zeros.bin");
}

static void test_bombs(void **state)
{
	struct buf b;
	size_t end;

	(void)state;
	b = tar_gz_bomb();
	assert_true(b.n < (2u << 20));
	expect_bounded(&b, b.n, false, 20, true, "tar.gz bomb");
	assert_string_equal(info.format, "tar.gz");
	assert_int_equal(info.m[0].size, (int64_t)1 << 30);
	expect_bounded(&b, b.n, false, 0, true, "tar.gz bomb, default limit");
	release(&b);

	b = zip_bomb(false, &end);
	expect_bounded(&b, end, true, 20, true, "zip bomb, cut");
	assert_string_equal(info.format, "zip");
	assert_true(info.flags & MAIL_ARC_F_TRUNCATED);
	release(&b);

	/* whole, the central directory is read (seekable zip) and the
	 * member skipped without inflating it, whatever it claims */
	b = zip_bomb(true, &end);
	expect_bounded(&b, b.n, false, 20, false, "zip bomb, whole");
	assert_false(info.flags & MAIL_ARC_F_TRUNCATED);
	assert_false(info.flags & MAIL_ARC_F_TIME_LIMIT);
	release(&b);
}

/* ---- not archives, and the rest of the contract ------------------------------------ */

static void test_not_archives(void **state)
{
	static const char text[] = "Dear customer, please find attached.\r\n";
	struct buf b = { 0 }, g;
	uint8_t pe[1024];
	size_t i;

	(void)state;
	info.flags = 0xff;
	assert_false(mail_archive_list(NULL, 0, true, &info));
	assert_int_equal(info.flags, 0);
	assert_string_equal(info.format, "");
	assert_false(list((const uint8_t *)text, 0, false, NULL));
	assert_false(list((const uint8_t *)text, sizeof(text) - 1, true, NULL));
	assert_string_equal(info.format, "");
	assert_int_equal(info.flags, 0);
	memset(pe, 0, sizeof(pe));
	memcpy(pe, "MZ", 2);
	assert_false(list(pe, sizeof(pe), false, NULL));
	for (i = 0; i < sizeof(pe); i++)
		pe[i] = (uint8_t)(i * 151 + 7);
	assert_false(list(pe, sizeof(pe), false, NULL));
	/* zeros look like an empty tar to libarchive; not to us */
	append_zeros(&b, 64 * 1024);
	assert_false(list(b.p, b.n, false, NULL));
	/* under gzip they are a gzip member */
	g = gzip_of(&b);
	assert_true(list(g.p, g.n, false, NULL));
	assert_string_equal(info.format, "gzip");
	assert_int_equal(info.members, 1);
	release(&g);
	release(&b);
	/* gzip magic, nothing after it */
	assert_false(list((const uint8_t *)"\x1f\x8b", 2, true, NULL));
	/* a lone "PK\3\4": a zip, cut before its first header */
	assert_true(list((const uint8_t *)"PK\x03\x04", 4, true, NULL));
	assert_string_equal(info.format, "zip");
	assert_int_equal(info.members, 0);
	assert_int_equal(info.flags, MAIL_ARC_F_TRUNCATED | MAIL_ARC_F_ERROR);
}

static void test_locale_untouched(void **state)
{
	locale_t before = uselocale((locale_t)0);

	(void)state;
	assert_true(list_file("names.zip"));
	assert_true(uselocale((locale_t)0) == before);
	assert_false(list((const uint8_t *)"junk", 4, false, NULL));
	assert_true(uselocale((locale_t)0) == before);
}

static void test_flag_names(void **state)
{
	static const char *const arcm[] = { "traversal", "nested_archive",
					    "long_name", "bad_name" };
	static const char *const arc[] = { "truncated", "error",
					   "too_many_members",
					   "header_encrypted", "time_limit" };
	unsigned i;

	(void)state;
	for (i = 0; i < MAIL_ARCM_F_COUNT; i++)
		assert_string_equal(mail_arcm_flag_name(1u << i), arcm[i]);
	for (i = 0; i < MAIL_ARC_F_COUNT; i++)
		assert_string_equal(mail_arc_flag_name(1u << i), arc[i]);
	assert_int_equal(MAIL_ARCM_F_TRAVERSAL, 1);
	assert_int_equal(MAIL_ARC_F_TIME_LIMIT, 1u << 4);
	assert_string_equal(mail_arcm_flag_name(0), "?");
	assert_string_equal(mail_arcm_flag_name(3), "?");
	assert_string_equal(mail_arcm_flag_name(1u << MAIL_ARCM_F_COUNT), "?");
	assert_string_equal(mail_arc_flag_name(1u << MAIL_ARC_F_COUNT), "?");
	assert_string_equal(mail_arc_flag_name(0x80000000u), "?");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zip_names),
		cmocka_unit_test(test_zip_streamed_and_encrypted),
		cmocka_unit_test(test_rar),
		cmocka_unit_test(test_7z),
		cmocka_unit_test(test_gzip_and_tar_gz),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_tar_names),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_member_caps),
		cmocka_unit_test(test_bombs),
		cmocka_unit_test(test_not_archives),
		cmocka_unit_test(test_locale_untouched),
		cmocka_unit_test(test_flag_names),
	};
	const char *env = getenv("SMTPSCOPE_ARCHIVE_DATA");

	if (argc > 1)
		snprintf(data_dir, sizeof(data_dir), "%s", argv[1]);
	else if (env && env[0])
		snprintf(data_dir, sizeof(data_dir), "%s", env);
	else {
		const char *slash = strrchr(__FILE__, '/');
		int dl = slash ? (int)(slash - __FILE__) : 1;

		snprintf(data_dir, sizeof(data_dir), "%.*s/../data/archive",
			 dl, slash ? __FILE__ : ".");
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
