#include "mail/anomaly.h"

#include "core/log.h"

static const char *const names[MA__COUNT] = {
	[MA_HEADER_LINE_TOO_LONG] = "header_line_too_long",
	[MA_HEADER_FIELD_CUT] = "header_field_cut",
	[MA_TOO_MANY_HEADERS] = "too_many_headers",
	[MA_HEADER_NO_COLON] = "header_line_without_colon",
	[MA_HEADER_SPACE_BEFORE_COLON] = "header_space_before_colon",
	[MA_HEADER_STARTS_FOLDED] = "header_starts_folded",
	[MA_HEADER_8BIT] = "header_8bit",
	[MA_HEADER_CONTROL] = "header_control_char",
	[MA_HEADER_UNTERMINATED] = "header_unterminated",
	[MA_DUPLICATE_HEADER] = "duplicate_header",
	[MA_MISSING_FROM] = "missing_from",
	[MA_MISSING_DATE] = "missing_date",
	[MA_BAD_DATE] = "bad_date",
	[MA_ENCODED_WORD_MALFORMED] = "encoded_word_malformed",
	[MA_ENCODED_WORD_MISPLACED] = "encoded_word_misplaced",
	[MA_UNKNOWN_CHARSET] = "unknown_charset",
	[MA_INVALID_TEXT] = "invalid_text",
	[MA_ADDRESS_MALFORMED] = "address_malformed",
	[MA_ADDRESS_DISPLAY_HAS_ADDRESS] = "display_name_has_address",
	[MA_ADDRESS_CONTROL] = "address_control_char",
	[MA_TOO_MANY_ADDRESSES] = "too_many_addresses",
	[MA_TOO_MANY_RECEIVED] = "too_many_received",
	[MA_DEPTH_LIMIT] = "mime_depth_limit",
	[MA_PARTS_LIMIT] = "mime_parts_limit",
	[MA_MULTIPART_NO_BOUNDARY] = "multipart_without_boundary",
	[MA_BOUNDARY_TOO_LONG] = "boundary_too_long",
	[MA_BOUNDARY_NEVER_SEEN] = "boundary_never_seen",
	[MA_MISSING_CLOSE_BOUNDARY] = "missing_close_boundary",
	[MA_BOUNDARY_WITH_SUFFIX] = "boundary_with_suffix",
	[MA_BOUNDARY_NESTED_PREFIX] = "boundary_nested_prefix",
	[MA_EPILOGUE_CONTENT] = "epilogue_content",
	[MA_PREAMBLE_CONTENT] = "preamble_content",
	[MA_DUPLICATE_CONTENT_HEADER] = "duplicate_content_header",
	[MA_CTE_ON_MULTIPART] = "cte_on_multipart",
	[MA_UNKNOWN_CTE] = "unknown_cte",
	[MA_ENCODED_MESSAGE] = "encoded_message_rfc822",
	[MA_8BIT_IN_7BIT] = "8bit_in_7bit_part",
	[MA_PARAM_MALFORMED] = "param_malformed",
	[MA_PARAM_RFC2231_BROKEN] = "param_rfc2231_broken",
	[MA_FILENAME_VARIANTS_DIFFER] = "filename_variants_differ",
	[MA_BASE64_BAD_CHAR] = "base64_bad_char",
	[MA_BASE64_AFTER_PADDING] = "base64_after_padding",
	[MA_BASE64_TRUNCATED] = "base64_truncated",
	[MA_ENCODED_LINE_TOO_LONG] = "encoded_line_too_long",
	[MA_QP_BAD_ESCAPE] = "qp_bad_escape",
	[MA_QP_TRUNCATED] = "qp_truncated",
	[MA_UUENCODE_MALFORMED] = "uuencode_malformed",
	[MA_PART_DECODED_LIMIT] = "part_decoded_limit",
	[MA_MESSAGE_DECODED_LIMIT] = "message_decoded_limit",
	[MA_URLS_LIMIT] = "urls_limit",
	[MA_TEXT_LIMIT] = "text_limit",
	[MA_ARCHIVE_CUT] = "archive_cut",
	[MA_ARCHIVE_UNREADABLE] = "archive_unreadable",
	[MA_STRINGS_FULL] = "mime_strings_full",
	[MA_CAPTURE_GAP] = "capture_gap",
};

const char *mail_anomaly_name(enum mail_anomaly a)
{
	if ((unsigned)a >= MA__COUNT || !names[a])
		log_panic(__FILE__, __LINE__, "message anomaly %d has no name",
			  (int)a);
	return names[a];
}
