#include "mail/filetype.h"

#include <stdio.h>
#include <string.h>

#include <magic.h>

/* ---- libmagic -------------------------------------------------------- */

/* The process-wide handle; see the header on threads. */
static magic_t cookie;

/*
 * What libmagic is asked, and why (costs measured on 64 KiB buffers):
 *
 *  MAGIC_MIME_TYPE           the MIME type only, no description text.
 *  MAGIC_NO_CHECK_COMPRESS   never look inside compressed data: that means
 *  MAGIC_NO_COMPRESS_FORK    decompressing hostile bytes, in-process or by
 *                            forking a helper (bzip2, xz, lzip...); gzip and
 *                            friends are still named by their magic.
 *  MAGIC_NO_CHECK_ELF        the ELF walker only adds to the description
 *                            (interpreter, notes, sections); the MIME type
 *                            comes from the magic entries. It parses
 *                            attacker-controlled tables: skipped.
 *  MAGIC_NO_CHECK_JSON       two scanners of the whole buffer whose only
 *  MAGIC_NO_CHECK_CSV        outcome is text/plain vs application/json or
 *                            text/csv, which no detection needs; CSV alone
 *                            cost ~1.4 ms per 64 KiB of CSV.
 *  MAGIC_NO_CHECK_APPTYPE    OS/2 only.
 * Kept: CDF (what tells msword, vnd.ms-excel and x-msi apart inside OLE2),
 * tar, text and encoding (text/html needs the encoding check), soft magic.
 */
#define FT_MAGIC_FLAGS                                                       \
	(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_COMPRESS_FORK | \
	 MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_JSON | MAGIC_NO_CHECK_CSV |       \
	 MAGIC_NO_CHECK_APPTYPE)

/*
 * Limits (magic_setparam), against both slowness and deep recursion:
 *  BYTES_MAX 64 KiB     we never pass more; libmagic's default is 7 MiB.
 *  ENCODING_MAX 16 KiB  text encoding decided on the first 16 KiB
 *                       (default 64 KiB): halves the cost on HTML.
 *  REGEX_MAX 4 KiB      regex magic reads 4 KiB (default 8 KiB): a third
 *                       off plain text, still every script type we tried.
 *  INDIR_MAX 15         recursion through indirect magic (default 50).
 *  NAME_MAX 30          recursion through named magic "use" (default 50).
 */
static const struct {
	int param;
	size_t value;
} ft_params[] = {
	{ MAGIC_PARAM_BYTES_MAX, MAIL_FILETYPE_HEAD },
	{ MAGIC_PARAM_ENCODING_MAX, 16384 },
	{ MAGIC_PARAM_REGEX_MAX, 4096 },
	{ MAGIC_PARAM_INDIR_MAX, 15 },
	{ MAGIC_PARAM_NAME_MAX, 30 },
};

static void set_err(char *err, size_t errlen, const char *what,
		    const char *why)
{
	if (errlen > 0)
		snprintf(err, errlen, "libmagic: %s%s%s", what,
			 why ? ": " : "", why ? why : "");
}

bool mail_filetype_init(char *err, size_t errlen)
{
	size_t i;

	if (errlen > 0)
		err[0] = '\0';
	if (cookie)
		return true;
	cookie = magic_open(FT_MAGIC_FLAGS);
	if (!cookie) {
		set_err(err, errlen, "cannot open", NULL);
		return false;
	}
	if (magic_load(cookie, NULL) != 0) {
		set_err(err, errlen, "cannot load the database",
			magic_error(cookie));
		goto fail;
	}
	for (i = 0; i < sizeof(ft_params) / sizeof(ft_params[0]); i++) {
		if (magic_setparam(cookie, ft_params[i].param,
				   &ft_params[i].value) != 0) {
			set_err(err, errlen, "cannot set a limit",
				magic_error(cookie));
			goto fail;
		}
	}
	return true;
fail:
	magic_close(cookie);
	cookie = NULL;
	return false;
}

void mail_filetype_fini(void)
{
	if (cookie)
		magic_close(cookie);
	cookie = NULL;
}

const char *mail_filetype_mime(const uint8_t *p, size_t n, char *out,
			       size_t outlen)
{
	static const uint8_t empty[1];
	const char *r;
	size_t i;

	if (outlen == 0)
		return "";
	out[0] = '\0';
	if (!cookie)
		return out;
	if (n > MAIL_FILETYPE_HEAD)
		n = MAIL_FILETYPE_HEAD;
	r = magic_buffer(cookie, n ? p : empty, n);
	if (!r)
		return out;
	/* The database is trusted text, but keep the promise of a short
	 * printable token whatever a future database says. */
	for (i = 0; r[i] && i + 1 < outlen; i++) {
		unsigned char c = (unsigned char)r[i];

		out[i] = c > 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[i] = '\0';
	return out;
}

/* ---- our own signatures ------------------------------------------------ */

/* sig at p[off..off+len), bounds-checked without overflow */
static bool at(const uint8_t *p, size_t n, size_t off, const void *sig,
	       size_t len)
{
	return off <= n && len <= n - off && memcmp(p + off, sig, len) == 0;
}

#define AT(off, lit) at(p, n, (off), (lit), sizeof(lit) - 1)

static uint32_t le16(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8;
}

static uint32_t le32(const uint8_t *b)
{
	return le16(b) | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* First offset of the lower-case ASCII word w in p[0..n), ignoring case,
 * or n when absent. */
static size_t find_ci(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w), i, j;

	for (i = 0; wl <= n && i <= n - wl; i++) {
		for (j = 0; j < wl && lower(p[i + j]) == (uint8_t)w[j]; j++)
			;
		if (j == wl)
			return i;
	}
	return n;
}

/* PE when e_lfanew points at "PE\0\0" inside what we have. */
static enum mail_filekind mz_kind(const uint8_t *p, size_t n)
{
	uint32_t lfanew;

	if (n < 0x40)
		return MAIL_KIND_MZ;
	lfanew = le32(p + 0x3c);
	return at(p, n, lfanew, "PE\0\0", 4) ? MAIL_KIND_PE : MAIL_KIND_MZ;
}

/* "CA FE BA BE" is a fat Mach-O or a Java class: the next 32 bits are the
 * architecture count of the one (a handful) and minor:major version of
 * the other (major >= 45), the rule file(1) uses too. */
static enum mail_filekind cafebabe_kind(const uint8_t *p, size_t n)
{
	uint32_t v;

	if (n < 8)
		return MAIL_KIND_OTHER;
	v = be32(p + 4);
	if (v >= 1 && v < 45)
		return MAIL_KIND_MACHO;
	return MAIL_KIND_JAVA_CLASS;
}

/* A zip local header: look at the first member's name only (office
 * suites and jar tools write these first; a zip built to hide its nature
 * is still a zip, and mail_archive_list() lists it). */
static enum mail_filekind zip_kind(const uint8_t *p, size_t n)
{
	static const char *const ooxml[] = {
		"[Content_Types].xml", "_rels/", "docProps/", "word/", "xl/",
		"ppt/",
	};
	const uint8_t *name;
	size_t len, i;

	if (n < 30)
		return MAIL_KIND_ZIP;
	len = le16(p + 26);
	if (len > n - 30)
		len = n - 30;
	name = p + 30;
	if (len >= 9 && memcmp(name, "META-INF/", 9) == 0)
		return MAIL_KIND_JAR;
	for (i = 0; i < sizeof(ooxml) / sizeof(ooxml[0]); i++) {
		size_t l = strlen(ooxml[i]);

		if (len >= l && memcmp(name, ooxml[i], l) == 0)
			return MAIL_KIND_OOXML;
	}
	return MAIL_KIND_ZIP;
}

/* ISO 9660 primary/supplementary descriptors or the UDF volume
 * recognition sequence, in the first sectors after the 32 KiB system
 * area (ECMA-119 8.1, ECMA-167 2/8.3). */
static bool iso_like(const uint8_t *p, size_t n)
{
	static const char *const ids[] = { "CD001", "BEA01", "NSR02",
					   "NSR03" };
	size_t s, i;

	for (s = 0; s < 4; s++)
		for (i = 0; i < 4; i++)
			if (at(p, n, 0x8001 + s * 0x800, ids[i], 5))
				return true;
	return false;
}

/* A volume boot sector (FAT12/16/32, NTFS, exFAT) or a master boot
 * record with a plausible partition table: a raw disk image. */
static bool disk_image(const uint8_t *p, size_t n)
{
	size_t k;
	bool any = false;

	if (n < 512 || p[510] != 0x55 || p[511] != 0xaa)
		return false;
	if ((p[0] == 0xeb && p[2] == 0x90) || p[0] == 0xe9) {
		if (AT(0x36, "FAT") || AT(0x52, "FAT32") ||
		    AT(3, "NTFS    ") || AT(3, "EXFAT   "))
			return true;
	}
	for (k = 0; k < 4; k++) {
		const uint8_t *e = p + 446 + 16 * k;

		if (e[0] != 0x00 && e[0] != 0x80)
			return false;
		any |= e[4] != 0;
	}
	return any;
}

/* Markup: after an optional UTF-8 BOM and white space the first byte is
 * '<', and an HTML or SVG tag appears in the first KiB; the earlier of
 * the two decides. Browsers sniff more loosely (text before the tag,
 * UTF-16); a part that hides so is left to libmagic and the detections
 * on names. */
static enum mail_filekind markup_kind(const uint8_t *p, size_t n)
{
	static const char *const html[] = { "<html", "<!doctype html",
					    "<head", "<body", "<script",
					    "<iframe", "<meta" };
	size_t i = 0, first_html, s, k;

	if (n > 1024)
		n = 1024;
	if (AT(0, "\xef\xbb\xbf"))
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
			 p[i] == '\n' || p[i] == '\f'))
		i++;
	if (i >= n || p[i] != '<')
		return MAIL_KIND_OTHER;
	p += i;
	n -= i;
	first_html = n;
	for (k = 0; k < sizeof(html) / sizeof(html[0]); k++) {
		s = find_ci(p, n, html[k]);
		if (s < first_html)
			first_html = s;
	}
	s = find_ci(p, n, "<svg");
	if (s < first_html)
		return MAIL_KIND_SVG;
	return first_html < n ? MAIL_KIND_HTML : MAIL_KIND_OTHER;
}

enum mail_filekind mail_filekind_of(const uint8_t *p, size_t n)
{
	static const uint8_t lnk[20] = { 0x4c, 0, 0, 0, 0x01, 0x14, 0x02, 0,
					 0, 0, 0, 0, 0xc0, 0, 0, 0,
					 0, 0, 0, 0x46 };
	static const uint8_t onenote[16] = { 0xe4, 0x52, 0x5c, 0x7b,
					     0x8c, 0xd8, 0xa7, 0x4d,
					     0xae, 0xb1, 0x53, 0x78,
					     0xd0, 0x29, 0x96, 0xd3 };
	size_t pdf_window;

	if (!p || n == 0)
		return MAIL_KIND_OTHER;
	if (n > MAIL_FILETYPE_HEAD)
		n = MAIL_FILETYPE_HEAD;

	/* signatures at offset 0 */
	if (AT(0, "MZ"))
		return mz_kind(p, n);
	if (AT(0, "\x7f" "ELF"))
		return MAIL_KIND_ELF;
	if (AT(0, "\xfe\xed\xfa\xce") || AT(0, "\xfe\xed\xfa\xcf") ||
	    AT(0, "\xce\xfa\xed\xfe") || AT(0, "\xcf\xfa\xed\xfe"))
		return MAIL_KIND_MACHO;
	if (AT(0, "\xca\xfe\xba\xbe"))
		return cafebabe_kind(p, n);
	if (AT(0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))
		return MAIL_KIND_OLE;
	if (AT(0, "PK\x03\x04"))
		return zip_kind(p, n);
	if (AT(0, "PK\x05\x06") || AT(0, "PK\x07\x08"))
		return MAIL_KIND_ZIP;
	if (AT(0, "Rar!\x1a\x07\x00") || AT(0, "Rar!\x1a\x07\x01\x00"))
		return MAIL_KIND_RAR;
	if (AT(0, "7z\xbc\xaf\x27\x1c"))
		return MAIL_KIND_7Z;
	if (AT(0, "\x1f\x8b"))
		return MAIL_KIND_GZIP;
	if (AT(0, "BZh") && n > 3 && p[3] >= '1' && p[3] <= '9')
		return MAIL_KIND_BZIP2;
	if (AT(0, "\xfd" "7zXZ\x00"))
		return MAIL_KIND_XZ;
	if (AT(0, "MSCF"))
		return MAIL_KIND_CAB;
	if (AT(0, "ITSF"))
		return MAIL_KIND_CHM;
	if (at(p, n, 0, lnk, sizeof(lnk)))
		return MAIL_KIND_LNK;
	if (at(p, n, 0, onenote, sizeof(onenote)))
		return MAIL_KIND_ONENOTE;
	if (AT(0, "\x78\x9f\x3e\x22"))
		return MAIL_KIND_TNEF;
	if (AT(0, "{\\rt"))
		return MAIL_KIND_RTF;
	if (AT(0, "conectix"))
		return MAIL_KIND_VHD;
	if (AT(0, "vhdxfile"))
		return MAIL_KIND_VHDX;

	/* signatures further in */
	if (AT(257, "ustar"))
		return MAIL_KIND_TAR;
	pdf_window = n < 1024 ? n : 1024;
	if (memmem(p, pdf_window, "%PDF-", 5))
		return MAIL_KIND_PDF;
	if (iso_like(p, n))
		return MAIL_KIND_ISO;
	if (disk_image(p, n))
		return MAIL_KIND_DISK_IMAGE;
	return markup_kind(p, n);
}

static const char *const kind_names[MAIL_KIND_COUNT] = {
	[MAIL_KIND_OTHER] = "other",
	[MAIL_KIND_PE] = "pe",
	[MAIL_KIND_ELF] = "elf",
	[MAIL_KIND_MACHO] = "macho",
	[MAIL_KIND_OLE] = "ole",
	[MAIL_KIND_ZIP] = "zip",
	[MAIL_KIND_RAR] = "rar",
	[MAIL_KIND_7Z] = "7z",
	[MAIL_KIND_GZIP] = "gzip",
	[MAIL_KIND_CAB] = "cab",
	[MAIL_KIND_PDF] = "pdf",
	[MAIL_KIND_RTF] = "rtf",
	[MAIL_KIND_LNK] = "lnk",
	[MAIL_KIND_ISO] = "iso",
	[MAIL_KIND_HTML] = "html",
	[MAIL_KIND_ONENOTE] = "onenote",
	[MAIL_KIND_MZ] = "mz",
	[MAIL_KIND_JAVA_CLASS] = "java_class",
	[MAIL_KIND_JAR] = "jar",
	[MAIL_KIND_OOXML] = "ooxml",
	[MAIL_KIND_BZIP2] = "bzip2",
	[MAIL_KIND_XZ] = "xz",
	[MAIL_KIND_TAR] = "tar",
	[MAIL_KIND_CHM] = "chm",
	[MAIL_KIND_VHD] = "vhd",
	[MAIL_KIND_VHDX] = "vhdx",
	[MAIL_KIND_DISK_IMAGE] = "disk_image",
	[MAIL_KIND_TNEF] = "tnef",
	[MAIL_KIND_SVG] = "svg",
};

const char *mail_filekind_name(enum mail_filekind k)
{
	return (unsigned)k < MAIL_KIND_COUNT && kind_names[k] ? kind_names[k]
								: "?";
}

bool mail_filekind_is_archive(enum mail_filekind k)
{
	switch (k) {
	case MAIL_KIND_ZIP:
	case MAIL_KIND_JAR:
	case MAIL_KIND_OOXML:
	case MAIL_KIND_RAR:
	case MAIL_KIND_7Z:
	case MAIL_KIND_GZIP:
	case MAIL_KIND_TAR:
		return true;
	default:
		return false;
	}
}
