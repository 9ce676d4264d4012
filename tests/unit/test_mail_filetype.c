/*
 * Part typing: our own signatures (DETECTIONS.md Appendix C) on minimal
 * samples built here, each held in a heap buffer of its exact size so an
 * over-read is caught under ASan, cut at every length, with the near
 * misses that must not match; and libmagic's MIME type through the
 * module's flags and limits on the same samples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/filetype.h"

/* ---- samples ------------------------------------------------------------ */

struct buf {
	uint8_t *p;
	size_t n;
};

static struct buf mk(size_t n)
{
	struct buf b = { calloc(1, n ? n : 1), n };

	assert_non_null(b.p);
	return b;
}

static struct buf mk_bytes(const void *src, size_t n)
{
	struct buf b = mk(n);

	memcpy(b.p, src, n);
	return b;
}

#define MK_LIT(s) mk_bytes((s), sizeof(s) - 1)

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* MZ stub + PE32+ header of an x86-64 GUI program, 1 KiB. */
static struct buf pe_sample(uint32_t lfanew, size_t n)
{
	struct buf b = mk(n);

	b.p[0] = 'M';
	b.p[1] = 'Z';
	if (n >= 0x40)
		put32le(b.p + 0x3c, lfanew);
	if (lfanew >= 0x40 && lfanew < n && n - lfanew >= 0x100) {
		uint8_t *pe = b.p + lfanew;

		memcpy(pe, "PE\0\0\x64\x86\x03\x00", 8);
		pe[20] = 0xf0;
		pe[22] = 0x22;
		pe[24] = 0x0b;
		pe[25] = 0x02;
		pe[24 + 68] = 2;
	}
	return b;
}

/* A zip local file header for one stored member named `name`. */
static struct buf zip_sample(const char *name)
{
	size_t nl = strlen(name);
	struct buf b = mk(30 + nl + 4);

	memcpy(b.p, "PK\x03\x04\x14\x00", 6);
	b.p[26] = (uint8_t)nl;
	b.p[18] = b.p[22] = 4; /* sizes */
	memcpy(b.p + 30, name, nl);
	memcpy(b.p + 30 + nl, "data", 4);
	return b;
}

static void release(struct buf *b)
{
	free(b->p);
	b->p = NULL;
}

static enum mail_filekind kind(struct buf b)
{
	return mail_filekind_of(b.p, b.n);
}

/* ---- our signatures --------------------------------------------------- */

struct sig_case {
	const char *what;
	const char *bytes;
	size_t len;
	enum mail_filekind want;
	size_t need; /* shortest prefix that is still this kind */
};

#define SIG(what, lit, kind, need) { what, lit, sizeof(lit) - 1, kind, need }

static const struct sig_case sigs[] = {
	SIG("elf", "\x7f" "ELF\x02\x01\x01", MAIL_KIND_ELF, 4),
	SIG("macho 32 be", "\xfe\xed\xfa\xce\0\0\0\x07", MAIL_KIND_MACHO, 4),
	SIG("macho 64 be", "\xfe\xed\xfa\xcf\0\0\0\x07", MAIL_KIND_MACHO, 4),
	SIG("macho 32 le", "\xce\xfa\xed\xfe\x07\0\0\0", MAIL_KIND_MACHO, 4),
	SIG("macho 64 le", "\xcf\xfa\xed\xfe\x07\0\0\x01", MAIL_KIND_MACHO, 4),
	SIG("macho fat, 2 archs", "\xca\xfe\xba\xbe\0\0\0\x02",
	    MAIL_KIND_MACHO, 8),
	SIG("java class 52.0", "\xca\xfe\xba\xbe\0\0\0\x34",
	    MAIL_KIND_JAVA_CLASS, 8),
	SIG("java class 45.3", "\xca\xfe\xba\xbe\0\x03\0\x2d",
	    MAIL_KIND_JAVA_CLASS, 8),
	SIG("ole2", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0", MAIL_KIND_OLE, 8),
	SIG("zip empty", "PK\x05\x06\0\0\0\0", MAIL_KIND_ZIP, 4),
	SIG("zip spanned", "PK\x07\x08PK\x03\x04", MAIL_KIND_ZIP, 4),
	SIG("rar4", "Rar!\x1a\x07\x00\xcf\x90\x73", MAIL_KIND_RAR, 7),
	SIG("rar5", "Rar!\x1a\x07\x01\x00\x33\x92", MAIL_KIND_RAR, 8),
	SIG("7z", "7z\xbc\xaf\x27\x1c\x00\x04", MAIL_KIND_7Z, 6),
	SIG("gzip", "\x1f\x8b\x08\x00\0\0\0\0", MAIL_KIND_GZIP, 2),
	SIG("bzip2", "BZh91AY&SY", MAIL_KIND_BZIP2, 4),
	SIG("xz", "\xfd" "7zXZ\x00\x00\x04", MAIL_KIND_XZ, 6),
	SIG("cab", "MSCF\0\0\0\0", MAIL_KIND_CAB, 4),
	SIG("chm", "ITSF\x03\0\0\0", MAIL_KIND_CHM, 4),
	SIG("lnk", "\x4c\0\0\0\x01\x14\x02\0\0\0\0\0\xc0\0\0\0\0\0\0\x46\x9b",
	    MAIL_KIND_LNK, 20),
	SIG("onenote", "\xe4\x52\x5c\x7b\x8c\xd8\xa7\x4d\xae\xb1\x53\x78"
		       "\xd0\x29\x96\xd3\0\0",
	    MAIL_KIND_ONENOTE, 16),
	SIG("tnef", "\x78\x9f\x3e\x22\x01\x00", MAIL_KIND_TNEF, 4),
	SIG("rtf", "{\\rtf1\\ansi", MAIL_KIND_RTF, 4),
	SIG("rtf as Word reads it", "{\\rtx", MAIL_KIND_RTF, 4),
	SIG("vhd", "conectix\0\0\0\x02", MAIL_KIND_VHD, 8),
	SIG("vhdx", "vhdxfile\0\0", MAIL_KIND_VHDX, 8),
	SIG("pdf", "%PDF-1.7\n", MAIL_KIND_PDF, 5),
	SIG("html", "<!DOCTYPE html><html>", MAIL_KIND_HTML, 14),
};

static void test_signatures(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		const struct sig_case *c = &sigs[i];

		/* every prefix: the kind exactly from `need` bytes on */
		for (k = 0; k <= c->len; k++) {
			struct buf b = mk_bytes(c->bytes, k);
			enum mail_filekind got = kind(b);

			if (k >= c->need && got != c->want)
				fail_msg("%s cut at %zu: %s", c->what, k,
					 mail_filekind_name(got));
			if (k < c->need && got == c->want)
				fail_msg("%s: %zu bytes were enough", c->what,
					 k);
			release(&b);
		}
	}
}

static void test_near_misses(void **state)
{
	struct buf b;

	(void)state;
	assert_int_equal(mail_filekind_of(NULL, 0), MAIL_KIND_OTHER);
	b = MK_LIT("\x7f" "ELG");
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
	b = MK_LIT("BZh0xxxx"); /* block size digit 0: not bzip2 */
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
	b = MK_LIT("Rar!\x1a\x07\x02\x00");
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
	b = MK_LIT("\xca\xfe\xba\xbe\0\0\0\0"); /* zero archs, version 0.0 */
	assert_int_equal(kind(b), MAIL_KIND_JAVA_CLASS);
	release(&b);
	b = MK_LIT("PK\x01\x02"); /* central directory first: not a zip */
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
	b = MK_LIT("{\\r");
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
	b = MK_LIT("Hello, this is plain text with <html> in it.");
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
	b = MK_LIT("<p>a fragment, no html tag</p>");
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
}

static void test_pe(void **state)
{
	struct buf b;

	(void)state;
	b = pe_sample(0x80, 1024);
	assert_int_equal(kind(b), MAIL_KIND_PE);
	release(&b);
	/* the PE header at the very end of what we have */
	b = pe_sample(0x80, 0x84);
	memcpy(b.p + 0x80, "PE\0\0", 4);
	assert_int_equal(kind(b), MAIL_KIND_PE);
	release(&b);
	/* one byte short of the signature */
	b = pe_sample(0x80, 0x83);
	memcpy(b.p + 0x80, "PE\0", 3);
	assert_int_equal(kind(b), MAIL_KIND_MZ);
	release(&b);
	/* e_lfanew past the bytes, or absurd (no overflow in the check) */
	b = pe_sample(0x10000, 1024);
	assert_int_equal(kind(b), MAIL_KIND_MZ);
	release(&b);
	b = pe_sample(0xffffffffu, 1024);
	assert_int_equal(kind(b), MAIL_KIND_MZ);
	release(&b);
	b = pe_sample(0xfffffffeu, 1024);
	assert_int_equal(kind(b), MAIL_KIND_MZ);
	release(&b);
	/* a DOS program: MZ, no PE */
	b = pe_sample(0, 0x30);
	assert_int_equal(kind(b), MAIL_KIND_MZ);
	release(&b);
	b = MK_LIT("MZ");
	assert_int_equal(kind(b), MAIL_KIND_MZ);
	release(&b);
	/* e_lfanew pointing at the MZ itself is not a PE */
	b = pe_sample(0, 1024);
	assert_int_equal(kind(b), MAIL_KIND_MZ);
	release(&b);
}

static void test_zip_first_member(void **state)
{
	static const struct {
		const char *name;
		enum mail_filekind want;
	} c[] = {
		{ "[Content_Types].xml", MAIL_KIND_OOXML },
		{ "_rels/.rels", MAIL_KIND_OOXML },
		{ "word/document.xml", MAIL_KIND_OOXML },
		{ "xl/workbook.xml", MAIL_KIND_OOXML },
		{ "META-INF/MANIFEST.MF", MAIL_KIND_JAR },
		{ "META-INF/", MAIL_KIND_JAR },
		{ "META-INF", MAIL_KIND_ZIP },
		{ "invoice.exe", MAIL_KIND_ZIP },
		{ "", MAIL_KIND_ZIP },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct buf b = zip_sample(c[i].name);

		assert_int_equal(kind(b), c[i].want);
		release(&b);
	}
	/* a name length past the end of what we have: cut, no over-read */
	{
		struct buf b = zip_sample("META-INF/MANIFEST.MF");

		b.p[26] = 0xff;
		b.p[27] = 0xff;
		assert_int_equal(kind(b), MAIL_KIND_JAR);
		b.n = 30 + 5; /* "META-" only */
		assert_int_equal(kind(b), MAIL_KIND_ZIP);
		b.n = 29;
		assert_int_equal(kind(b), MAIL_KIND_ZIP);
		release(&b);
	}
}

static void test_offsets_further_in(void **state)
{
	static const size_t iso_at[] = { 0x8001, 0x8801, 0x9001, 0x9801 };
	struct buf b;
	size_t i;

	(void)state;
	/* tar: "ustar" at 257 */
	b = mk(512);
	memcpy(b.p, "invoice.exe", 11);
	memcpy(b.p + 257, "ustar\0" "00", 8);
	assert_int_equal(kind(b), MAIL_KIND_TAR);
	b.n = 261;
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);

	/* PDF: "%PDF-" anywhere in the first 1024 bytes */
	b = mk(2048);
	memset(b.p, ' ', b.n);
	memcpy(b.p + 1019, "%PDF-", 5);
	assert_int_equal(kind(b), MAIL_KIND_PDF);
	memset(b.p + 1019, ' ', 5);
	memcpy(b.p + 1020, "%PDF-", 5);
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);

	/* ISO 9660 / UDF descriptors after the 32 KiB system area */
	for (i = 0; i < 4; i++) {
		b = mk(iso_at[i] + 5);
		memcpy(b.p + iso_at[i], i == 2 ? "BEA01" : "CD001", 5);
		assert_int_equal(kind(b), MAIL_KIND_ISO);
		b.n--;
		assert_int_equal(kind(b), MAIL_KIND_OTHER);
		release(&b);
	}
	b = mk(0x8001 + 5);
	memcpy(b.p + 0x8001, "NSR03", 5);
	assert_int_equal(kind(b), MAIL_KIND_ISO);
	memcpy(b.p + 0x8001, "CD002", 5);
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
	/* past MAIL_FILETYPE_HEAD: not looked at */
	b = mk(MAIL_FILETYPE_HEAD + 600);
	memcpy(b.p + MAIL_FILETYPE_HEAD + 257, "ustar", 5);
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
}

static void test_disk_images(void **state)
{
	struct buf b;

	(void)state;
	/* FAT16 volume boot sector */
	b = mk(512);
	memcpy(b.p, "\xeb\x3c\x90MSDOS5.0", 11);
	memcpy(b.p + 0x36, "FAT16   ", 8);
	b.p[510] = 0x55;
	b.p[511] = 0xaa;
	assert_int_equal(kind(b), MAIL_KIND_DISK_IMAGE);
	b.p[511] = 0xab;
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	b.p[511] = 0xaa;
	b.n = 511;
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
	/* NTFS */
	b = mk(4096);
	memcpy(b.p, "\xeb\x52\x90NTFS    ", 11);
	b.p[510] = 0x55;
	b.p[511] = 0xaa;
	assert_int_equal(kind(b), MAIL_KIND_DISK_IMAGE);
	release(&b);
	/* MBR with one bootable partition of type 0x07 */
	b = mk(512);
	b.p[446] = 0x80;
	b.p[446 + 4] = 0x07;
	b.p[510] = 0x55;
	b.p[511] = 0xaa;
	assert_int_equal(kind(b), MAIL_KIND_DISK_IMAGE);
	/* a bad status byte: just bytes ending in 55 AA */
	b.p[462] = 0x12;
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	/* an empty table */
	b.p[462] = 0;
	b.p[446 + 4] = 0;
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
}

static void test_markup(void **state)
{
	static const struct {
		const char *text;
		enum mail_filekind want;
	} c[] = {
		{ "<html><body>x</body></html>", MAIL_KIND_HTML },
		{ "<HTML>", MAIL_KIND_HTML },
		{ "\xef\xbb\xbf\r\n  \t<!DoCtYpE HTML>", MAIL_KIND_HTML },
		{ "<!-- saved from url=(0014)about:internet -->\n<html>",
		  MAIL_KIND_HTML },
		{ "<script>var b=new Blob([atob('TVqQ')]);</script>",
		  MAIL_KIND_HTML },
		{ "<meta http-equiv=refresh content=0;url=x>", MAIL_KIND_HTML },
		{ "<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>",
		  MAIL_KIND_SVG },
		{ "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<SVG>",
		  MAIL_KIND_SVG },
		{ "<html><body><svg></svg></body></html>", MAIL_KIND_HTML },
		{ "<?xml version=\"1.0\"?><note>no markup we know</note>",
		  MAIL_KIND_OTHER },
		{ "   ", MAIL_KIND_OTHER },
		{ "<", MAIL_KIND_OTHER },
		{ "<htm", MAIL_KIND_OTHER },
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		b = mk_bytes(c[i].text, strlen(c[i].text));
		if (kind(b) != c[i].want)
			fail_msg("\"%s\": %s", c[i].text,
				 mail_filekind_name(kind(b)));
		release(&b);
	}
	/* the tag must be in the first KiB after the white space */
	b = mk(2100);
	memset(b.p, ' ', b.n);
	b.p[0] = '<';
	memcpy(b.p + 1019, "<html", 5);
	assert_int_equal(kind(b), MAIL_KIND_HTML);
	memset(b.p + 1019, ' ', 5);
	memcpy(b.p + 1021, "<html", 5);
	assert_int_equal(kind(b), MAIL_KIND_OTHER);
	release(&b);
}

static void test_names(void **state)
{
	int k, j;

	(void)state;
	for (k = 0; k < MAIL_KIND_COUNT; k++) {
		const char *n = mail_filekind_name((enum mail_filekind)k);

		assert_string_not_equal(n, "?");
		for (j = 0; j < k; j++)
			assert_string_not_equal(
				n, mail_filekind_name((enum mail_filekind)j));
	}
	assert_string_equal(mail_filekind_name(MAIL_KIND_COUNT), "?");
	assert_string_equal(mail_filekind_name((enum mail_filekind)-1), "?");
	assert_string_equal(mail_filekind_name(MAIL_KIND_PE), "pe");
	assert_string_equal(mail_filekind_name(MAIL_KIND_OTHER), "other");

	for (k = 0; k < MAIL_KIND_COUNT; k++) {
		bool want = k == MAIL_KIND_ZIP || k == MAIL_KIND_JAR ||
			    k == MAIL_KIND_OOXML || k == MAIL_KIND_RAR ||
			    k == MAIL_KIND_7Z || k == MAIL_KIND_GZIP ||
			    k == MAIL_KIND_TAR;

		assert_int_equal(mail_filekind_is_archive((enum mail_filekind)k),
				 want);
	}
}

/* ---- libmagic ----------------------------------------------------------- */

static const char *mime(struct buf b)
{
	static char out[MAIL_FILETYPE_MIME_MAX];

	return mail_filetype_mime(b.p, b.n, out, sizeof(out));
}

static void test_mime_uninitialised(void **state)
{
	char out[64] = "junk";
	struct buf b = MK_LIT("%PDF-1.4\n");

	(void)state;
	mail_filetype_fini(); /* not initialised: no-op */
	assert_string_equal(mail_filetype_mime(b.p, b.n, out, sizeof(out)),
			    "");
	assert_string_equal(out, "");
	assert_string_equal(mail_filetype_mime(b.p, b.n, NULL, 0), "");
	release(&b);
}

static void test_mime(void **state)
{
	char err[256], small[5];
	struct buf b;
	size_t i;

	(void)state;
	assert_true(mail_filetype_init(err, sizeof(err)));
	assert_string_equal(err, "");
	assert_true(mail_filetype_init(err, sizeof(err))); /* idempotent */

	b = pe_sample(0x80, 4096);
	assert_string_equal(mime(b),
			    "application/vnd.microsoft.portable-executable");
	release(&b);
	b = pe_sample(0, 64);
	assert_string_equal(mime(b), "application/x-dosexec");
	release(&b);
	b = MK_LIT("%PDF-1.4\n1 0 obj\n<< >>\nendobj\n");
	assert_string_equal(mime(b), "application/pdf");
	release(&b);
	b = MK_LIT("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03");
	assert_string_equal(mime(b), "application/gzip");
	release(&b);
	b = MK_LIT("7z\xbc\xaf\x27\x1c\x00\x04");
	assert_string_equal(mime(b), "application/x-7z-compressed");
	release(&b);
	b = MK_LIT("Hello, world.\nThis is text.\n");
	assert_string_equal(mime(b), "text/plain");
	release(&b);
	b = MK_LIT("<!DOCTYPE html>\n<html><head><title>x</title></head>"
		   "<body>hi</body></html>\n");
	assert_string_equal(mime(b), "text/html");
	release(&b);
	b = mk(0);
	assert_string_equal(mime(b), "application/x-empty");
	assert_string_equal(mail_filetype_mime(NULL, 0, small, sizeof(small)),
			    "appl");
	release(&b);
	b = mk(4096);
	for (i = 0; i < b.n; i++)
		b.p[i] = (uint8_t)(i * 131 + (i >> 3) * 7 + 0x91);
	assert_string_equal(mime(b), "application/octet-stream");
	release(&b);

	/* truncated into a small buffer, NUL-terminated */
	b = MK_LIT("%PDF-1.4\n");
	assert_string_equal(mail_filetype_mime(b.p, b.n, small, sizeof(small)),
			    "appl");
	assert_string_equal(mail_filetype_mime(b.p, b.n, small, 1), "");
	release(&b);

	/* only the head is looked at: text for MAIL_FILETYPE_HEAD bytes,
	 * then binary that would make it "data" */
	b = mk(MAIL_FILETYPE_HEAD + 4096);
	memset(b.p, 'a', MAIL_FILETYPE_HEAD);
	for (i = 0; i < MAIL_FILETYPE_HEAD; i += 64)
		b.p[i] = '\n';
	for (i = MAIL_FILETYPE_HEAD; i < b.n; i++)
		b.p[i] = (uint8_t)i;
	assert_string_equal(mime(b), "text/plain");
	release(&b);

	mail_filetype_fini();
	b = MK_LIT("%PDF-1.4\n");
	assert_string_equal(mime(b), "");
	assert_true(mail_filetype_init(NULL, 0)); /* again after fini */
	assert_string_equal(mime(b), "application/pdf");
	release(&b);
	mail_filetype_fini();
}

/* libmagic and our kinds agree where both know the type */
static void test_mime_agrees_with_kind(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		enum mail_filekind k;
		const char *mime;
	} c[] = {
		{ "Rar!\x1a\x07\x00\xcf\x90\x73\x00\x00\x0d\x00\x00\x00\x00"
		  "\x00\x00\x00",
		  20, MAIL_KIND_RAR, "application/x-rar" },
		{ "{\\rtf1\\ansi\\deff0 hello}", 24, MAIL_KIND_RTF,
		  "text/rtf" },
		{ "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0", 20,
		  MAIL_KIND_ELF, "application/x-executable" },
	};
	size_t i;

	(void)state;
	assert_true(mail_filetype_init(NULL, 0));
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct buf b = mk_bytes(c[i].bytes, c[i].len);

		assert_int_equal(kind(b), c[i].k);
		if (strcmp(mime(b), c[i].mime) != 0)
			fail_msg("%s: libmagic says %s",
				 mail_filekind_name(c[i].k), mime(b));
		release(&b);
	}
	mail_filetype_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_pe),
		cmocka_unit_test(test_zip_first_member),
		cmocka_unit_test(test_offsets_further_in),
		cmocka_unit_test(test_disk_images),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mime_uninitialised),
		cmocka_unit_test(test_mime),
		cmocka_unit_test(test_mime_agrees_with_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
