/*
 * Fuzz target: the archive lister (src/mail/archive.c) - libarchive's zip,
 * rar, rar5, 7z, tar, raw and gzip readers on hostile bytes, our RAR 5
 * header walk and gzip header fallback, name escaping - and, on the same
 * bytes, our own file kinds (src/mail/filetype.c) and, for some inputs,
 * libmagic through the module's flags.
 *
 * Input: one control byte, then the bytes of the "part".
 *   CTRL & 1      the part was cut (the caller says so)
 *   CTRL >> 1 & 3 headers read at most: 0 the default, 1 -> 1, 2 -> 3,
 *                 3 -> 70 (around MAIL_ARCHIVE_MEMBERS_MAX)
 *   CTRL & 8      also ask libmagic
 * The part is copied to a heap buffer of its exact size, so a read past
 * its end in our code is caught (libarchive and libmagic are not
 * instrumented).
 *
 * Checked after each call: the result is the same when listed twice
 * (unless the clock stopped one of them); a false return leaves a zeroed
 * result; counts, caps and flags agree with each other; every kept name
 * is NUL-terminated and holds printable ASCII and valid UTF-8 only, no
 * C0/C1 control; the file kind is in range and the same on a copy.
 *
 * Built with -fsanitize=fuzzer when meson -Dfuzzing=true; otherwise
 * linked with replay.c, which runs the files given on its command line.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "mail/archive.h"
#include "mail/filetype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Short: a decompression bomb costs this per run, not the default. */
#define FUZZ_TIME_MS 60

static const char *const formats[] = { "zip",  "rar",    "rar5",
				       "7z",   "gzip",   "tar",
				       "tar.gz", "zip.gz", "rar.gz",
				       "rar5.gz", "7z.gz" };

static void check_name(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strnlen(s, MAIL_ARCHIVE_NAME_MAX);

	SS_ASSERT(n < MAIL_ARCHIVE_NAME_MAX);
	while (*p) {
		size_t len = 1, i;
		uint32_t c;

		if (*p < 0x80) {
			SS_ASSERT(*p >= 0x20 && *p != 0x7f);
			p++;
			continue;
		}
		SS_ASSERT(*p >= 0xc2 && *p <= 0xf4);
		len = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		c = *p & (0x7fu >> len);
		for (i = 1; i < len; i++) {
			SS_ASSERT((p[i] & 0xc0) == 0x80);
			c = c << 6 | (p[i] & 0x3fu);
		}
		SS_ASSERT(!(c >= 0x80 && c <= 0x9f));
		SS_ASSERT(!(c >= 0xd800 && c <= 0xdfff) && c <= 0x10ffff);
		SS_ASSERT(!(len == 3 && c < 0x800) &&
			  !(len == 4 && c < 0x10000));
		p += len;
	}
}

static void check(const struct mail_archive_info *in, bool ok, bool cut,
		  uint32_t scan_max)
{
	const uint32_t arc_all = (1u << MAIL_ARC_F_COUNT) - 1;
	const uint32_t arcm_all = (1u << MAIL_ARCM_F_COUNT) - 1;
	bool known = false, any_enc = false;
	size_t i;

	if (!ok) {
		static const struct mail_archive_info zero;

		SS_ASSERT(memcmp(in, &zero, sizeof(zero)) == 0);
		return;
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		known |= strcmp(in->format, formats[i]) == 0;
	SS_ASSERT(known);
	SS_ASSERT((in->flags & ~arc_all) == 0);
	SS_ASSERT(!!(in->flags & MAIL_ARC_F_TRUNCATED) == cut);
	SS_ASSERT(in->members <= scan_max);
	SS_ASSERT(in->kept == (in->members < MAIL_ARCHIVE_MEMBERS_MAX
				       ? in->members
				       : MAIL_ARCHIVE_MEMBERS_MAX));
	if (in->flags & MAIL_ARC_F_TOO_MANY_MEMBERS)
		SS_ASSERT(in->members == scan_max);
	if (in->flags & MAIL_ARC_F_TIME_LIMIT)
		SS_ASSERT(in->flags & MAIL_ARC_F_ERROR);
	if (in->flags & MAIL_ARC_F_HEADER_ENCRYPTED)
		SS_ASSERT(in->encrypted);
	SS_ASSERT(strnlen(in->err, sizeof(in->err)) < sizeof(in->err));
	SS_ASSERT(!!(in->flags & MAIL_ARC_F_ERROR) == (in->err[0] != '\0'));
	if (strcmp(in->format, "gzip") == 0)
		SS_ASSERT(in->members == 1 && in->m[0].size == -1);
	for (i = 0; i < in->kept; i++) {
		const struct mail_archive_member *m = &in->m[i];

		check_name(m->name);
		SS_ASSERT((m->flags & ~arcm_all) == 0);
		SS_ASSERT(m->size >= -1);
		if (m->flags & MAIL_ARCM_F_LONG_NAME)
			SS_ASSERT(strlen(m->name) + 8 >= MAIL_ARCHIVE_NAME_MAX &&
				  strstr(m->name, "...") != NULL);
		any_enc |= m->encrypted;
	}
	if (any_enc)
		SS_ASSERT(in->encrypted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t scans[4] = { 0, 1, 3, 70 };
	static struct mail_archive_info a, b;
	static bool magic_ready, magic_tried;
	struct mail_archive_limits lim;
	uint8_t ctrl, *part;
	size_t n;
	bool cut, ok1, ok2;
	enum mail_filekind k;

	if (size < 1)
		return 0;
	ctrl = data[0];
	n = size - 1;
	part = malloc(n ? n : 1);
	if (!part)
		abort();
	memcpy(part, data + 1, n);
	cut = ctrl & 1;
	lim.scan_max = scans[ctrl >> 1 & 3];
	lim.time_ms = FUZZ_TIME_MS;

	ok1 = mail_archive_list_limits(part, n, cut, &lim, &a);
	check(&a, ok1, cut, lim.scan_max ? lim.scan_max : MAIL_ARCHIVE_SCAN_MAX);
	ok2 = mail_archive_list_limits(part, n, cut, &lim, &b);
	if (!(a.flags & MAIL_ARC_F_TIME_LIMIT) &&
	    !(b.flags & MAIL_ARC_F_TIME_LIMIT)) {
		SS_ASSERT(ok1 == ok2);
		SS_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	}

	k = mail_filekind_of(part, n);
	SS_ASSERT((unsigned)k < MAIL_KIND_COUNT);
	SS_ASSERT(strcmp(mail_filekind_name(k), "?") != 0);
	SS_ASSERT(mail_filekind_of(part, n) == k);

	if (ctrl & 8) {
		char mime[MAIL_FILETYPE_MIME_MAX];

		if (!magic_tried) {
			magic_tried = true;
			magic_ready = mail_filetype_init(NULL, 0);
		}
		mail_filetype_mime(part, n, mime, sizeof(mime));
		SS_ASSERT(strlen(mime) < sizeof(mime));
		if (magic_ready && n > 0)
			SS_ASSERT(mime[0] != '\0');
	}
	free(part);
	return 0;
}
