/*
 * Message anomalies: the one list of names smtp.mime.anomalies[] draws
 * from (docs/schema.md documents each). The decoders and field parsers of
 * src/mail/ report their own flag bits; the message engine translates them
 * into these. Each message (and each part) keeps a 64-bit set.
 */
#ifndef SMTPSCOPE_MAIL_ANOMALY_H
#define SMTPSCOPE_MAIL_ANOMALY_H

#include <stdint.h>

enum mail_anomaly {
	/* header block */
	MA_HEADER_LINE_TOO_LONG,   /* a physical line > 998 bytes (RFC 5322) */
	MA_HEADER_FIELD_CUT,       /* unfolded field longer than kept */
	MA_TOO_MANY_HEADERS,
	MA_HEADER_NO_COLON,        /* a line in the header that is no field */
	MA_HEADER_SPACE_BEFORE_COLON,
	MA_HEADER_STARTS_FOLDED,   /* the first line is a continuation */
	MA_HEADER_8BIT,            /* raw 8-bit bytes in a header field */
	MA_HEADER_CONTROL,         /* NUL, bare CR or other C0 in a field */
	MA_HEADER_UNTERMINATED,    /* the message ended inside its header */
	MA_DUPLICATE_HEADER,       /* a field allowed once came twice */
	MA_MISSING_FROM,
	MA_MISSING_DATE,
	MA_BAD_DATE,
	MA_ENCODED_WORD_MALFORMED,
	MA_ENCODED_WORD_MISPLACED, /* inside quotes or glued to text */
	MA_UNKNOWN_CHARSET,
	MA_INVALID_TEXT,           /* bytes invalid in their charset */
	MA_ADDRESS_MALFORMED,      /* unbalanced, no domain, several '@' */
	MA_ADDRESS_DISPLAY_HAS_ADDRESS, /* "paypal.com@x" <evil@y> */
	MA_ADDRESS_CONTROL,
	MA_TOO_MANY_ADDRESSES,
	MA_TOO_MANY_RECEIVED,
	/* MIME structure */
	MA_DEPTH_LIMIT,
	MA_PARTS_LIMIT,
	MA_MULTIPART_NO_BOUNDARY,
	MA_BOUNDARY_TOO_LONG,      /* > 70 (RFC 2046) */
	MA_BOUNDARY_NEVER_SEEN,    /* a multipart with no delimiter line */
	MA_MISSING_CLOSE_BOUNDARY,
	MA_BOUNDARY_WITH_SUFFIX,   /* "--b" followed by other text */
	MA_BOUNDARY_NESTED_PREFIX, /* an inner boundary starts with an outer */
	MA_EPILOGUE_CONTENT,       /* non-blank text after the close line */
	MA_PREAMBLE_CONTENT,
	MA_DUPLICATE_CONTENT_HEADER, /* two Content-Type, -Transfer-Encoding
					or -Disposition in one part */
	MA_CTE_ON_MULTIPART,
	MA_UNKNOWN_CTE,
	MA_ENCODED_MESSAGE,        /* message/rfc822 not 7bit/8bit/binary */
	MA_8BIT_IN_7BIT,           /* 8-bit bytes in a 7bit part */
	MA_PARAM_MALFORMED,
	MA_PARAM_RFC2231_BROKEN,   /* missing or repeated sections */
	MA_FILENAME_VARIANTS_DIFFER, /* name= and filename= (or their
					encoded forms) disagree */
	/* decoding */
	MA_BASE64_BAD_CHAR,
	MA_BASE64_AFTER_PADDING,
	MA_BASE64_TRUNCATED,
	MA_ENCODED_LINE_TOO_LONG,  /* base64/QP line > 76 */
	MA_QP_BAD_ESCAPE,
	MA_QP_TRUNCATED,
	MA_UUENCODE_MALFORMED,
	/* limits and capture */
	MA_PART_DECODED_LIMIT,
	MA_MESSAGE_DECODED_LIMIT,
	MA_URLS_LIMIT,
	MA_TEXT_LIMIT,
	MA_ARCHIVE_CUT,            /* larger than the bytes held to list it */
	MA_ARCHIVE_UNREADABLE,
	MA_STRINGS_FULL,
	MA_CAPTURE_GAP,            /* bytes of the message are missing */
	MA__COUNT
};

_Static_assert(MA__COUNT <= 64, "message anomaly bits must fit in 64");

const char *mail_anomaly_name(enum mail_anomaly a);

#endif
