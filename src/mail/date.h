/*
 * Dates of message headers (Date:, Resent-Date:, the date of a Received:
 * field): RFC 5322 section 3.3 date-time read into seconds since the epoch
 * (UTC) and the zone offset it was written with.
 *
 * Read as real mail writes them: the section 4.3 obsolete forms (2- and
 * 3-digit years, named and military zones, comments and folding white
 * space between any two tokens), case-insensitive day and month names,
 * missing seconds, and the common broken forms: ISO 8601
 * ("2024-03-05T10:00:00Z"), asctime ("Tue Mar  5 10:00:00 2024", also
 * with a zone name before the year as date(1) writes it), no zone, a
 * two-digit or "hh:mm" zone, "GMT+0100", "05-Mar-2024", full day and
 * month names, text after the zone. What was odd is said by flags: each
 * form read is data, not an error.
 *
 * Zones: "+hhmm" is read as written. UT, UTC and GMT are +0000; EST EDT
 * CST CDT MST MDT PST PDT have their RFC 5322 offsets. Military letters and
 * any other alphabetic zone ("CET", "BST") are read as -0000 (tz 0), as
 * RFC 5322 section 4.3 says; the numeric offset, when one is also written
 * ("+0100 CET", "GMT+0100"), wins. No zone at all: read as UTC.
 *
 * The calendar is proleptic Gregorian computed here (no timegm(), no TZ,
 * no locale). Ranges: year 1900..9999 (RFC 5322: "1900 or later"), day
 * within its month (Feb 29 only in leap years), hour 0..23, minute 0..59,
 * second 0..60 (a leap second is read as the next second), zone offset
 * up to +-23:59; anything else sets out_of_range and the call returns
 * false.
 *
 * Nothing is allocated or kept; the input is read only, within [s, s+n).
 */
#ifndef SMTPSCOPE_MAIL_DATE_H
#define SMTPSCOPE_MAIL_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	MAIL_DATE_F_OBSOLETE = 1u << 0,     /* RFC 5322 4.3 form: 2- or
					       3-digit year, alphabetic
					       zone, comment or white space
					       inside the date or time */
	MAIL_DATE_F_NO_ZONE = 1u << 1,      /* no zone: read as UTC */
	MAIL_DATE_F_NAMED_ZONE = 1u << 2,   /* UT UTC GMT EST ... PDT */
	MAIL_DATE_F_MILITARY_ZONE = 1u << 3, /* one letter: read as -0000 */
	MAIL_DATE_F_ISO8601 = 1u << 4,      /* 2024-03-05T10:00:00Z */
	MAIL_DATE_F_BAD_WEEKDAY = 1u << 5,  /* day name is not the date's */
	MAIL_DATE_F_OUT_OF_RANGE = 1u << 6, /* a field out of range: the
					       call returns false */
	MAIL_DATE_F_UNKNOWN_ZONE = 1u << 7, /* other zone name ("CET"):
					       read as -0000 */
	MAIL_DATE_F_ASCTIME = 1u << 8,      /* Tue Mar  5 10:00:00 2024 */
	MAIL_DATE_F_SYNTAX = 1u << 9,       /* read, but outside even the
					       obsolete grammar: no comma
					       after the day name, full or
					       odd names, "-" between date
					       fields, zone "+01" / "+01:00"
					       / "GMT+0100", fraction of
					       second, 1-digit year ... */
	MAIL_DATE_F_TRAILING = 1u << 10,    /* text after the date, other
					       than comments, ignored */
};

/*
 * Read the date-time in s[0..n). True when a date was read: *epoch_sec is
 * the instant in UTC, *tz_minutes the offset it was written with (east
 * positive; 0 when none or unknown). False when none could be read (also
 * for out_of_range); *epoch_sec and *tz_minutes are then 0. *flags is set
 * in every case (MAIL_DATE_F_*). Any output pointer may be NULL.
 */
bool mail_date_parse(const char *s, size_t n, int64_t *epoch_sec,
		     int *tz_minutes, uint32_t *flags);

/* snake_case name of one MAIL_DATE_F_* bit, for JSON; NULL if unknown. */
const char *mail_date_flag_name(uint32_t bit);

#endif
