#include "mail/date.h"

#include <string.h>

/* A read position in the value; flags gathered on the way. */
struct cur {
	const uint8_t *p;
	size_t n, i;
	uint32_t fl;
};

/* What a date-time says, before it is checked and converted. */
struct fields {
	int year, month, day, hour, min, sec;
	int wday;  /* 0 = Sunday; -1 when not given */
	int tz;    /* minutes east of UTC */
	bool zone; /* a zone was read */
};

enum { CF_WSP = 1, CF_COMMENT = 2 };

static inline bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static inline bool is_alpha(uint8_t c)
{
	c = lower(c);
	return c >= 'a' && c <= 'z';
}

static inline int peek(const struct cur *c)
{
	return c->i < c->n ? c->p[c->i] : -1;
}

static inline int peek_at(const struct cur *c, size_t k)
{
	return c->i + k < c->n ? c->p[c->i + k] : -1;
}

/* Skip white space (CR and LF left by a bad unfolding too) and nested
 * comments; says which of the two it met. An unclosed comment runs to
 * the end of the value. */
static int skip_cfws(struct cur *c)
{
	int seen = 0;

	while (c->i < c->n) {
		uint8_t ch = c->p[c->i];

		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			seen |= CF_WSP;
			c->i++;
		} else if (ch == '(') {
			unsigned depth = 0;

			seen |= CF_COMMENT;
			do {
				ch = c->p[c->i];
				if (ch == '\\')
					c->i++;
				else if (ch == '(')
					depth++;
				else if (ch == ')')
					depth--;
				c->i++;
			} while (depth > 0 && c->i < c->n);
			if (c->i > c->n) /* a final backslash */
				c->i = c->n;
			if (depth > 0)
				c->fl |= MAIL_DATE_F_SYNTAX;
		} else {
			break;
		}
	}
	return seen;
}

/* Digits at the position: their count, and their value (capped so it
 * cannot overflow; a count over 9 is never a valid field). */
static unsigned digits(struct cur *c, int *val)
{
	unsigned k = 0;
	int v = 0;

	while (c->i < c->n && is_digit(c->p[c->i])) {
		if (k < 9)
			v = v * 10 + (c->p[c->i] - '0');
		k++;
		c->i++;
	}
	*val = v;
	return k;
}

static size_t alpha_len(const struct cur *c)
{
	size_t k = 0;

	while (c->i + k < c->n && is_alpha(c->p[c->i + k]))
		k++;
	return k;
}

/* The word at p[0..len) as one of names[] (full English names, lower
 * case): its index, or -1. Three letters are the RFC form; a longer
 * prefix of the full name ("Tues", "Sept", "Thursday") is read too but
 * raises syntax. */
static int lookup_name(struct cur *c, const uint8_t *p, size_t len,
		       const char *const *names, int count)
{
	if (len < 3)
		return -1;
	for (int k = 0; k < count; k++) {
		size_t full = strlen(names[k]), j;

		if (len > full)
			continue;
		for (j = 0; j < len; j++)
			if (lower(p[j]) != (uint8_t)names[k][j])
				break;
		if (j < len)
			continue;
		if (len > 3)
			c->fl |= MAIL_DATE_F_SYNTAX;
		return k;
	}
	return -1;
}

static const char *const day_names[7] = {
	"sunday", "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday",
};

static const char *const month_names[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

/* A month name at the position: 1..12 (consumed), or 0. */
static int month(struct cur *c)
{
	size_t len = alpha_len(c);
	int k = lookup_name(c, c->p + c->i, len, month_names, 12);

	if (k < 0)
		return 0;
	c->i += len;
	return k + 1;
}

/* hh:mm[:ss][.fraction]; false when there is no time here. CFWS around
 * the colons is the obsolete form; a fraction is syntax, but for ISO. */
static bool time_of_day(struct cur *c, struct fields *f, bool iso)
{
	size_t save;
	unsigned k;

	k = digits(c, &f->hour);
	if (k == 0)
		return false;
	if (k > 2)
		c->fl |= MAIL_DATE_F_SYNTAX;
	if (skip_cfws(c))
		c->fl |= MAIL_DATE_F_OBSOLETE;
	if (peek(c) != ':')
		return false;
	c->i++;
	if (skip_cfws(c))
		c->fl |= MAIL_DATE_F_OBSOLETE;
	k = digits(c, &f->min);
	if (k == 0)
		return false;
	if (k != 2)
		c->fl |= MAIL_DATE_F_SYNTAX;
	save = c->i;
	if (skip_cfws(c) && peek(c) == ':')
		c->fl |= MAIL_DATE_F_OBSOLETE;
	if (peek(c) == ':') {
		c->i++;
		if (skip_cfws(c))
			c->fl |= MAIL_DATE_F_OBSOLETE;
		k = digits(c, &f->sec);
		if (k == 0)
			return false;
		if (k != 2)
			c->fl |= MAIL_DATE_F_SYNTAX;
		save = c->i;
	} else {
		f->sec = 0;
	}
	c->i = save;
	if ((peek(c) == '.' || peek(c) == ',') && peek_at(c, 1) >= 0 &&
	    is_digit((uint8_t)peek_at(c, 1))) {
		int frac;

		c->i++;
		digits(c, &frac);
		if (!iso)
			c->fl |= MAIL_DATE_F_SYNTAX;
	}
	return true;
}

/* "+hhmm" at the position (the sign is there, a digit follows). Other
 * shapes ("+hh", "+hh:mm", "+hmm") raise syntax unless iso says they are
 * the form expected. False, consuming nothing, for more than 4 digits. */
static bool numeric_zone(struct cur *c, struct fields *f, bool iso)
{
	size_t start = c->i;
	int sign = c->p[c->i] == '-' ? -1 : 1;
	int v, hh, mm = 0;
	unsigned k;

	c->i++;
	k = digits(c, &v);
	if (k == 4) {
		hh = v / 100;
		mm = v % 100;
	} else if (k == 3) {
		hh = v / 100;
		mm = v % 100;
		c->fl |= MAIL_DATE_F_SYNTAX;
	} else if (k <= 2) {
		hh = v;
		if (peek(c) == ':' && peek_at(c, 1) >= 0 &&
		    is_digit((uint8_t)peek_at(c, 1))) {
			c->i++;
			if (digits(c, &mm) != 2)
				c->fl |= MAIL_DATE_F_SYNTAX;
		}
		if (!iso)
			c->fl |= MAIL_DATE_F_SYNTAX;
	} else {
		c->i = start;
		return false;
	}
	if (hh > 23 || mm > 59) {
		c->fl |= MAIL_DATE_F_OUT_OF_RANGE;
		hh = mm = 0;
	}
	f->tz = sign * (hh * 60 + mm);
	f->zone = true;
	return true;
}

static const struct {
	char name[4];
	int tz;
} named_zones[] = {
	{"ut", 0},      {"utc", 0},     {"gmt", 0},     {"est", -5 * 60},
	{"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60}, {"mst", -7 * 60},
	{"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60},
};

/* An alphabetic zone at the position; false, consuming nothing, when
 * the word is too long to be one. */
static bool named_zone(struct cur *c, struct fields *f)
{
	size_t len = alpha_len(c);
	const uint8_t *p = c->p + c->i;
	bool known = false;

	if (len == 0 || len > 5)
		return false;
	f->tz = 0;
	for (size_t k = 0; k < sizeof(named_zones) / sizeof(named_zones[0]);
	     k++) {
		const char *z = named_zones[k].name;
		size_t j;

		if (strlen(z) != len)
			continue;
		for (j = 0; j < len && lower(p[j]) == (uint8_t)z[j]; j++)
			;
		if (j == len) {
			f->tz = named_zones[k].tz;
			known = true;
			break;
		}
	}
	if (known)
		c->fl |= MAIL_DATE_F_NAMED_ZONE;
	else if (len == 1 && lower(p[0]) != 'j')
		c->fl |= MAIL_DATE_F_MILITARY_ZONE;
	else
		c->fl |= MAIL_DATE_F_UNKNOWN_ZONE;
	c->fl |= MAIL_DATE_F_OBSOLETE;
	c->i += len;
	f->zone = true;
	/* "GMT+0100", "UTC-05:00": the offset written wins */
	if ((peek(c) == '+' || peek(c) == '-') && peek_at(c, 1) >= 0 &&
	    is_digit((uint8_t)peek_at(c, 1)) && numeric_zone(c, f, true))
		c->fl |= MAIL_DATE_F_SYNTAX;
	return true;
}

/* A zone at the position, after optional CFWS; false when none. */
static bool zone(struct cur *c, struct fields *f)
{
	size_t save = c->i;
	int ch;

	if (skip_cfws(c) & CF_COMMENT)
		c->fl |= MAIL_DATE_F_OBSOLETE;
	ch = peek(c);
	if ((ch == '+' || ch == '-') && peek_at(c, 1) >= 0 &&
	    is_digit((uint8_t)peek_at(c, 1)) && numeric_zone(c, f, false))
		return true;
	if (ch >= 0 && is_alpha((uint8_t)ch) && named_zone(c, f))
		return true;
	c->i = save;
	return false;
}

/* A year of `k` digits worth v, by the RFC 5322 4.3 rules for short ones. */
static int year_of(struct cur *c, unsigned k, int v)
{
	if (k >= 4)
		return k > 4 ? 10000 : v;
	c->fl |= MAIL_DATE_F_OBSOLETE;
	if (k == 1)
		c->fl |= MAIL_DATE_F_SYNTAX;
	if (k == 3)
		return 1900 + v;
	return v < 50 ? 2000 + v : 1900 + v;
}

/* Between the fields of a date: FWS, or (broken) '-' or '/'. */
static bool date_sep(struct cur *c)
{
	int seen = skip_cfws(c);

	if (seen & CF_COMMENT)
		c->fl |= MAIL_DATE_F_OBSOLETE;
	if (peek(c) == '-' || peek(c) == '/') {
		c->i++;
		skip_cfws(c);
		c->fl |= MAIL_DATE_F_SYNTAX;
		return true;
	}
	return seen != 0;
}

/* 2024-03-05T10:00:00[.frac][Z|+hh:mm|+hhmm] (also with a space for T). */
static bool iso8601(struct cur *c, struct fields *f)
{
	unsigned k;

	c->fl |= MAIL_DATE_F_ISO8601;
	k = digits(c, &f->year);
	if (k > 4)
		f->year = 10000;
	if (peek(c) != '-')
		return false;
	c->i++;
	if (digits(c, &f->month) - 1u > 1u || peek(c) != '-')
		return false;
	c->i++;
	if (digits(c, &f->day) - 1u > 1u)
		return false;
	if (peek(c) == 'T' || peek(c) == 't')
		c->i++;
	else if (!skip_cfws(c))
		return false;
	if (!time_of_day(c, f, true))
		return false;
	if (peek(c) == 'Z' || peek(c) == 'z') {
		c->i++;
		f->tz = 0;
		f->zone = true;
	} else if ((peek(c) == '+' || peek(c) == '-') &&
		   peek_at(c, 1) >= 0 && is_digit((uint8_t)peek_at(c, 1))) {
		numeric_zone(c, f, true);
	} else {
		zone(c, f);
	}
	return true;
}

/* After the month of "[Day] Mon dd hh:mm:ss [zone] yyyy [zone]". */
static bool asctime_rest(struct cur *c, struct fields *f)
{
	unsigned k;
	int v;

	c->fl |= MAIL_DATE_F_ASCTIME;
	skip_cfws(c);
	k = digits(c, &f->day);
	if (k == 0)
		return false;
	if (k > 2)
		f->day = 99;
	skip_cfws(c);
	if (!time_of_day(c, f, false))
		return false;
	zone(c, f);
	skip_cfws(c);
	k = digits(c, &v);
	if (k == 0)
		return false;
	f->year = year_of(c, k, v);
	if (!f->zone)
		zone(c, f);
	return true;
}

/* [Day[,]] dd Mon yyyy hh:mm[:ss] [zone], or the asctime order. */
static bool rfc5322(struct cur *c, struct fields *f)
{
	size_t len = alpha_len(c);
	unsigned k;
	int v;

	if (len > 0) {
		int d = lookup_name(c, c->p + c->i, len, day_names, 7);

		if (d < 0) {
			f->month = month(c);
			return f->month > 0 && asctime_rest(c, f);
		}
		f->wday = d;
		c->i += len;
		if (skip_cfws(c) && peek(c) == ',')
			c->fl |= MAIL_DATE_F_OBSOLETE;
		if (peek(c) == ',') {
			c->i++;
			if (skip_cfws(c) & CF_COMMENT)
				c->fl |= MAIL_DATE_F_OBSOLETE;
		} else if (peek(c) < 0 || !is_alpha((uint8_t)peek(c))) {
			c->fl |= MAIL_DATE_F_SYNTAX;
		}
		if (peek(c) >= 0 && is_alpha((uint8_t)peek(c))) {
			f->month = month(c);
			return f->month > 0 && asctime_rest(c, f);
		}
	}
	k = digits(c, &f->day);
	if (k == 0)
		return false;
	if (k > 2)
		f->day = 99;
	if (!date_sep(c))
		c->fl |= MAIL_DATE_F_SYNTAX;
	f->month = month(c);
	if (f->month == 0)
		return false;
	if (!date_sep(c))
		c->fl |= MAIL_DATE_F_SYNTAX;
	k = digits(c, &v);
	if (k == 0)
		return false;
	f->year = year_of(c, k, v);
	if (skip_cfws(c) & CF_COMMENT)
		c->fl |= MAIL_DATE_F_OBSOLETE;
	if (!time_of_day(c, f, false))
		return false;
	zone(c, f);
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31};

	return days[m - 1] + (m == 2 && is_leap(y));
}

/* Leap years among 1..y (y >= 0). */
static int64_t leaps_through(int64_t y)
{
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian, y >= 1. */
static int64_t days_since_epoch(int y, int m, int d)
{
	static const uint16_t before[12] = {0,   31,  59,  90,  120, 151,
					    181, 212, 243, 273, 304, 334};
	int64_t days = 365 * (int64_t)(y - 1970) + leaps_through(y - 1) -
		       leaps_through(1969);

	return days + before[m - 1] + (m > 2 && is_leap(y)) + d - 1;
}

bool mail_date_parse(const char *s, size_t n, int64_t *epoch_sec,
		     int *tz_minutes, uint32_t *flags)
{
	struct cur c = {(const uint8_t *)s, s ? n : 0, 0, 0};
	struct fields f = {.wday = -1};
	int64_t days, t = 0;
	bool ok;

	skip_cfws(&c);
	if (c.n - c.i >= 5 && is_digit(c.p[c.i]) && is_digit(c.p[c.i + 1]) &&
	    is_digit(c.p[c.i + 2]) && is_digit(c.p[c.i + 3]) &&
	    c.p[c.i + 4] == '-')
		ok = iso8601(&c, &f);
	else
		ok = rfc5322(&c, &f);
	if (ok) {
		skip_cfws(&c);
		if (c.i < c.n)
			c.fl |= MAIL_DATE_F_TRAILING;
		if (!f.zone)
			c.fl |= MAIL_DATE_F_NO_ZONE;
		if (f.year < 1900 || f.year > 9999 || f.month < 1 ||
		    f.month > 12 || f.day < 1 ||
		    f.day > month_days(f.year, f.month) || f.hour > 23 ||
		    f.min > 59 || f.sec > 60)
			c.fl |= MAIL_DATE_F_OUT_OF_RANGE;
		if (c.fl & MAIL_DATE_F_OUT_OF_RANGE)
			ok = false;
	}
	if (ok) {
		days = days_since_epoch(f.year, f.month, f.day);
		if (f.wday >= 0 && (days % 7 + 7 + 4) % 7 != f.wday)
			c.fl |= MAIL_DATE_F_BAD_WEEKDAY;
		t = days * 86400 + f.hour * 3600 + f.min * 60 + f.sec -
		    (int64_t)f.tz * 60;
	}
	if (epoch_sec)
		*epoch_sec = ok ? t : 0;
	if (tz_minutes)
		*tz_minutes = ok ? f.tz : 0;
	if (flags)
		*flags = c.fl;
	return ok;
}

const char *mail_date_flag_name(uint32_t bit)
{
	switch (bit) {
	case MAIL_DATE_F_OBSOLETE: return "obsolete";
	case MAIL_DATE_F_NO_ZONE: return "no_zone";
	case MAIL_DATE_F_NAMED_ZONE: return "named_zone";
	case MAIL_DATE_F_MILITARY_ZONE: return "military_zone";
	case MAIL_DATE_F_ISO8601: return "iso8601";
	case MAIL_DATE_F_BAD_WEEKDAY: return "bad_weekday";
	case MAIL_DATE_F_OUT_OF_RANGE: return "out_of_range";
	case MAIL_DATE_F_UNKNOWN_ZONE: return "unknown_zone";
	case MAIL_DATE_F_ASCTIME: return "asctime";
	case MAIL_DATE_F_SYNTAX: return "syntax";
	case MAIL_DATE_F_TRAILING: return "trailing";
	default: return NULL;
	}
}
