/*
 * The true type of a MIME part, from its first bytes rather than from what
 * the sender declared: two independent answers.
 *
 *  - mail_filetype_mime(): libmagic's MIME type (the long tail of types,
 *    as `file --mime-type` would say), for DETECTIONS.md CONT-03.
 *  - mail_filekind_of(): our own classification of the signatures of
 *    DETECTIONS.md Appendix C, the kinds CONT-04..08 act on. It does not
 *    depend on libmagic or its database version, costs well under a
 *    microsecond, and never fails.
 *
 * Ownership and threads. mail_filetype_init() opens one libmagic handle
 * and loads the compiled database once for the whole process (the default
 * database, /usr/share/misc/magic.mgc on Debian, or what the MAGIC
 * environment variable names); mail_filetype_fini() closes it. A libmagic
 * handle is not thread-safe: the program runs one thread per worker and
 * only that thread may call mail_filetype_mime(). Giving each worker its
 * own handle will be needed the day workers share a process. The kind
 * functions keep no state and are safe anywhere. Input is borrowed for
 * the call; results go to the caller's buffer.
 *
 * Limits: both look at no more than MAIL_FILETYPE_HEAD bytes of a part
 * (enough for the ISO 9660 descriptors at 32 KiB and more); the caller
 * passes the head of the decoded part, or all of it when it is shorter.
 *
 * Cost per call on 64 KiB (bench/filetype_speed.c, AMD EPYC, libmagic
 * 5.44): libmagic 66 us on a PDF, 320 us on a PE, 380 us on random bytes,
 * 440 us on HTML, and 1.5-2.6 ms on plain text - the text searches of the
 * magic database, whatever the length past 4 KiB (0.24 ms on one short
 * line). mail_filekind_of(): under 0.5 us, 6 us on HTML. So a caller
 * with many text bodies should ask libmagic about attachments, not about
 * every body.
 */
#ifndef SMTPSCOPE_MAIL_FILETYPE_H
#define SMTPSCOPE_MAIL_FILETYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_FILETYPE_HEAD 65536 /* bytes of a part looked at */
#define MAIL_FILETYPE_MIME_MAX 128 /* a useful size for `out` below */

/*
 * Load the magic database (once; later calls return true at no cost).
 * False, with a message in err (always NUL-terminated when errlen > 0),
 * when libmagic cannot be opened or its database loaded: the caller then
 * runs without MIME types (mail_filetype_mime() answers "").
 */
bool mail_filetype_init(char *err, size_t errlen);
void mail_filetype_fini(void);

/*
 * libmagic's MIME type of p[0..n) (only the first MAIL_FILETYPE_HEAD
 * bytes are looked at), e.g. "application/x-dosexec", copied into out
 * (truncated to outlen - 1 bytes, NUL-terminated) and returned. The
 * answer is libmagic's as it is: "application/octet-stream" for binary
 * data it does not know, "application/x-empty" for n == 0. "" when there
 * is no answer: not initialised, or libmagic failed. Returns a literal ""
 * when outlen == 0.
 */
const char *mail_filetype_mime(const uint8_t *p, size_t n, char *out,
			       size_t outlen);

/* DETECTIONS.md Appendix C, and a few kinds more. */
enum mail_filekind {
	MAIL_KIND_OTHER = 0, /* none of those below */
	MAIL_KIND_PE,        /* "MZ" and "PE\0\0" at e_lfanew */
	MAIL_KIND_ELF,
	MAIL_KIND_MACHO,     /* thin, either byte order, or fat */
	MAIL_KIND_OLE,       /* OLE2 / CFB: doc xls ppt msi msg */
	MAIL_KIND_ZIP,       /* any other zip */
	MAIL_KIND_RAR,       /* v4 and v5 */
	MAIL_KIND_7Z,
	MAIL_KIND_GZIP,
	MAIL_KIND_CAB,
	MAIL_KIND_PDF,       /* "%PDF-" in the first 1024 bytes */
	MAIL_KIND_RTF,       /* "{\rt", as Word reads it */
	MAIL_KIND_LNK,       /* Windows shortcut */
	MAIL_KIND_ISO,       /* ISO 9660 or UDF descriptors */
	MAIL_KIND_HTML,      /* sniffed: starts with '<' and an HTML tag */
	MAIL_KIND_ONENOTE,   /* OneNote section */
	MAIL_KIND_MZ,        /* "MZ" without a PE header in the bytes seen:
			      * DOS program, or a PE whose header is further */
	MAIL_KIND_JAVA_CLASS,
	MAIL_KIND_JAR,       /* zip whose first member is under META-INF/ */
	MAIL_KIND_OOXML,     /* zip whose first member is an OOXML part */
	MAIL_KIND_BZIP2,
	MAIL_KIND_XZ,
	MAIL_KIND_TAR,       /* ustar or GNU tar */
	MAIL_KIND_CHM,
	MAIL_KIND_VHD,       /* "conectix" at 0: dynamic VHD (a fixed VHD
			      * has it only in its last 512 bytes) */
	MAIL_KIND_VHDX,
	MAIL_KIND_DISK_IMAGE, /* FAT/NTFS/exFAT boot sector or an MBR */
	MAIL_KIND_TNEF,      /* winmail.dat */
	MAIL_KIND_SVG,       /* sniffed like HTML */
	MAIL_KIND_COUNT
};

/* The kind of p[0..n); n may be anything (only MAIL_FILETYPE_HEAD bytes
 * are read), p may be NULL when n == 0. */
enum mail_filekind mail_filekind_of(const uint8_t *p, size_t n);
/* Lower-case stable name ("pe", "zip", ...); "?" out of range. */
const char *mail_filekind_name(enum mail_filekind k);
/* A kind mail_archive_list() opens: zip (and jar, ooxml), rar, 7z, gzip,
 * tar. CAB and ISO are containers too, but not listed here. */
bool mail_filekind_is_archive(enum mail_filekind k);

#endif
