/*
 * The value of one base64 digit (RFC 4648 §4 alphabet), for the small
 * decoders that read base64 a character at a time (SASL messages, RFC
 * 2047 encoded words); -1 for any other byte. Bulk decoding of message
 * bodies has its own table (mail/cte.c).
 */
#ifndef SMTPSCOPE_CORE_B64_H
#define SMTPSCOPE_CORE_B64_H

static inline int b64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

#endif
