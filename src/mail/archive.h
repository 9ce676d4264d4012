/*
 * The members of an archive held in memory - a zip, rar (v4 and v5), 7z,
 * gzip, tar or tar.gz attachment - as libarchive reads their headers:
 * names, sizes, directories, which are encrypted, and what is odd about
 * them (path traversal, archives inside, names too long or with control
 * bytes). This is what DETECTIONS.md CONT-07 and CONT-08 look at.
 *
 * The caller (the MIME engine) buffers the first bytes of a decoded part
 * and passes them with `cut` saying whether the part went on past them.
 * Nothing is extracted: only headers are read, and member data is
 * skipped. Only the formats above and the gzip filter are enabled, none
 * of libarchive's filters that run external programs.
 *
 * Ownership. The caller owns the result struct (about 18 KiB: keep one,
 * not one per part on a small stack) and the input, which is borrowed for
 * the call only. Nothing is kept between calls: each call opens and frees
 * its own libarchive reader, so calls on different threads are
 * independent.
 *
 * Limits, all bounded whatever the bytes say:
 *  - members: MAIL_ARCHIVE_MEMBERS_MAX kept in full; headers read at most
 *    limits.scan_max (default MAIL_ARCHIVE_SCAN_MAX), then the listing
 *    stops with too_many_members.
 *  - time: skipping a member is free in a zip whose sizes are known, in
 *    tar and in 7z, but it means decompressing in a tar.gz, in a zip
 *    written as a stream (sizes after the data) and in a solid RAR 5: a
 *    zip bomb there would be inflated. The input is handed to libarchive
 *    MAIL_ARCHIVE_BLOCK bytes at a time, and when limits.time_ms (default
 *    MAIL_ARCHIVE_TIME_MS) have passed the next read fails: the listing
 *    stops with time_limit (and error). Deflate inflates at most ~1032
 *    bytes per input byte, so one block costs a few milliseconds at most
 *    (a 1 GiB tar.gz or streamed-zip bomb stopped 10-35 ms past the
 *    limit here). See BUGS for what the clock cannot interrupt.
 *  - names: MAIL_ARCHIVE_NAME_MAX - 1 bytes, cut in the middle so that the
 *    end (the extension) stays, flagged long_name.
 *
 * Names are UTF-8 as libarchive gives them (archive_entry_pathname_utf8,
 * else archive_entry_pathname, read under a UTF-8 locale set for this
 * thread only), with each byte that is a C0 or C1 control, DEL, or not
 * part of valid UTF-8 written as \xNN (flag bad_name). Other characters,
 * bidi controls (U+202E) included, are kept for the detections to see. A
 * backslash is kept as it is, so "\x41" in a name is ambiguous: check
 * bad_name. A gzip member's name is the original name from its header
 * ("" when the header has none); its size is not known (-1). When
 * libarchive cannot read a gzip at all (a short one cut before its end:
 * the filter wants a full block of output first), that header alone is
 * reported, with error set. A cut tar.gz may so be listed as "gzip".
 *
 * BUGS. The clock is read only when libarchive asks for input: work it
 * does on input it already holds - decoding a small packed 7z header into
 * a large one, say - runs to its end (libarchive bounds that size, not
 * its time). libarchive 3.6.2 (Debian 12) neither flags encrypted RAR 5
 * members nor says why a RAR 5 with encrypted headers fails; a short walk
 * over the RAR 5 block headers (sizes and the extra-area records only)
 * fills that gap. A 7z with encrypted headers is only seen as such; its
 * member list is not available without the password. A 7z keeps its
 * header at its end: cut, it lists nothing. Split archives are seen
 * through their names (.001, .r00, .z01: nested_archive); only the volume
 * given is listed.
 */
#ifndef SMTPSCOPE_MAIL_ARCHIVE_H
#define SMTPSCOPE_MAIL_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAIL_ARCHIVE_MEMBERS_MAX 64   /* members kept in the result */
#define MAIL_ARCHIVE_NAME_MAX 256     /* bytes of a kept name, with NUL */
#define MAIL_ARCHIVE_SCAN_MAX 10000   /* headers read by default */
#define MAIL_ARCHIVE_TIME_MS 250      /* default time for one listing */
#define MAIL_ARCHIVE_BLOCK 16384      /* bytes per read given to libarchive */

/* struct mail_archive_member.flags */
enum {
	MAIL_ARCM_F_TRAVERSAL = 1u << 0,      /* a ".." component, or an
					       * absolute path (/, \, C:) */
	MAIL_ARCM_F_NESTED_ARCHIVE = 1u << 1, /* name ends in an archive or
					       * disk image extension, or a
					       * split volume's (.001 .r00) */
	MAIL_ARCM_F_LONG_NAME = 1u << 2,      /* cut to fit name[] */
	MAIL_ARCM_F_BAD_NAME = 1u << 3,       /* control bytes or invalid
					       * UTF-8 escaped, or no name */
};
#define MAIL_ARCM_F_COUNT 4

struct mail_archive_member {
	char name[MAIL_ARCHIVE_NAME_MAX];
	int64_t size; /* uncompressed bytes as declared; -1 unknown */
	bool encrypted;
	bool is_dir;
	uint32_t flags; /* MAIL_ARCM_F_* */
};

/* struct mail_archive_info.flags */
enum {
	MAIL_ARC_F_TRUNCATED = 1u << 0,        /* the caller cut the bytes */
	MAIL_ARC_F_ERROR = 1u << 1,            /* libarchive failed: err[] */
	MAIL_ARC_F_TOO_MANY_MEMBERS = 1u << 2, /* stopped at scan_max */
	MAIL_ARC_F_HEADER_ENCRYPTED = 1u << 3, /* headers encrypted: names
						* hidden (7z -mhe, RAR -hp) */
	MAIL_ARC_F_TIME_LIMIT = 1u << 4,       /* stopped at time_ms: likely
						* a decompression bomb */
};
#define MAIL_ARC_F_COUNT 5

struct mail_archive_info {
	char format[32]; /* "zip", "rar", "rar5", "7z", "gzip", "tar",
			  * "tar.gz" (any but gzip over the gzip filter
			  * gets ".gz"); "" when not an archive */
	uint32_t members; /* headers read (<= scan_max) */
	uint32_t kept;    /* entries of m[] filled (<= MEMBERS_MAX) */
	struct mail_archive_member m[MAIL_ARCHIVE_MEMBERS_MAX];
	bool encrypted;   /* any member, or the headers */
	uint32_t flags;   /* MAIL_ARC_F_* */
	char err[128];    /* libarchive's message when flags has error */
};

struct mail_archive_limits {
	uint32_t scan_max; /* headers read at most (>= 1) */
	uint32_t time_ms;  /* milliseconds for one listing (>= 1) */
};

/*
 * List the archive in p[0..n); cut says the part was longer than n. The
 * result is always fully written (zeroed first). False when the bytes
 * are not an archive libarchive can open in one of the formats above
 * (format[] is then ""; so is an empty input); true otherwise, even when
 * reading stopped early (see flags).
 */
bool mail_archive_list(const uint8_t *p, size_t n, bool cut,
		       struct mail_archive_info *out);
/* The same with limits other than the defaults; a zero field means its
 * default. */
bool mail_archive_list_limits(const uint8_t *p, size_t n, bool cut,
			      const struct mail_archive_limits *lim,
			      struct mail_archive_info *out);

/* Stable lower-case names of single flag bits ("traversal", "error",
 * ...); "?" for anything else. */
const char *mail_arcm_flag_name(uint32_t bit);
const char *mail_arc_flag_name(uint32_t bit);

#endif
