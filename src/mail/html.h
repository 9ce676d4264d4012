/*
 * The links of an HTML body, streaming: what a mail client would render
 * as a link, an image, a frame, a form target or a redirect, with the
 * anchor text the reader sees, into a struct mail_urlset; and what the
 * page does that a mail should not (forms, password fields, scripts,
 * HTML smuggling) as flags.
 *
 * Not an HTML parser: a tokenizer after the WHATWG one (tags, attribute
 * values quoted ' or " or not, character references, comments, CDATA,
 * the raw text of script, style, textarea, title and xmp), without a
 * tree. Tag and attribute names are matched without regard to case.
 *
 * Links taken: href of a and area (HTML_HREF, with anchor text for a);
 * src of img, iframe, frame, embed, script (HTML_SRC); action of form,
 * formaction of button and input (HTML_FORM); the URL of <meta
 * http-equiv=refresh content="N;url=...">" (HTML_META); href of other
 * tags (link, VML v:roundrect ...), src of other tags, background of any
 * tag and <base href> (HTML_OTHER). The first <base href> that is
 * absolute is applied to the relative links after it (uriAddBaseUri);
 * a relative link with no base is not a URL and is skipped, as are
 * "#fragment" and empty links; mailto: and cid: are skipped by the set.
 *
 * Anchor text is the text between <a> and </a> (or the next <a>, or
 * the end) with references decoded and blanks collapsed, cut at
 * MAIL_URL_ANCHOR_MAX bytes. When it is itself a URL or a domain name
 * and its host is not the href's host (nor one a parent or child of
 * the other, a leading "www." aside), the URL is flagged
 * anchor_mismatch and so is the page.
 *
 * Comments are not rendered, so links in them are skipped, except
 * Outlook's conditional comments: after "<!--[if ...]>" the content is
 * read as HTML, as Outlook renders it. A document that ends inside a
 * tag, comment or raw text loses that part, as in a browser (flag
 * unterminated).
 *
 * Ownership. mail_html_new() allocates the scanner and its fixed
 * buffers; the caller frees it. Input is borrowed for the call; the
 * set is the caller's.
 *
 * Limits. Fixed memory per scanner (about 5 x MAIL_URL_LEN_MAX): tag
 * names past 16 bytes and attribute names past 16 bytes match nothing;
 * an attribute value is kept up to MAIL_URL_LEN_MAX + 1 bytes (longer:
 * flag long_value, and the set refuses the URL as too long, except a
 * data: URL, of which the set keeps the start); character references
 * past 32 bytes are left as text. Work is linear in the input.
 */
#ifndef SMTPSCOPE_MAIL_HTML_H
#define SMTPSCOPE_MAIL_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "mail/urlset.h"

/* mail_html_flags() */
enum {
	MAIL_HTML_F_FORM = 1u << 0,           /* a <form> */
	MAIL_HTML_F_PASSWORD_INPUT = 1u << 1, /* <input type=password> */
	MAIL_HTML_F_META_REFRESH = 1u << 2,   /* <meta http-equiv=refresh> */
	MAIL_HTML_F_SCRIPT = 1u << 3,         /* a <script> */
	MAIL_HTML_F_BLOB_DOWNLOAD = 1u << 4,  /* script with Blob( ,
						 createObjectURL,
						 msSaveOrOpenBlob or atob(
						 and a download attribute or
						 ".download =": HTML
						 smuggling */
	MAIL_HTML_F_DATA_URI_DOWNLOAD = 1u << 5, /* <a href="data:...;base64,"
						    download> */
	MAIL_HTML_F_IFRAME = 1u << 6,         /* <iframe> or <frame> */
	MAIL_HTML_F_BASE_HREF = 1u << 7,      /* <base href> taken */
	MAIL_HTML_F_ANCHOR_MISMATCH = 1u << 8, /* see above */
	MAIL_HTML_F_UNTERMINATED = 1u << 9,   /* ended inside a tag, comment,
						 script, style ... */
	MAIL_HTML_F_LONG_VALUE = 1u << 10,    /* an attribute value of a link
						 was longer than kept */
};

struct mail_html;

struct mail_html *mail_html_new(void);
void mail_html_free(struct mail_html *h);
/* Forget the document (flags, base, state) for the next one. */
void mail_html_reset(struct mail_html *h);
/* Scan p[0..n) and offer the links found to s. */
void mail_html_feed(struct mail_html *h, const char *p, size_t n,
		    struct mail_urlset *s);
/* The document ended: offer an anchor still open; the scanner is then
 * ready for another document, its flags kept until reset. */
void mail_html_finish(struct mail_html *h, struct mail_urlset *s);
uint32_t mail_html_flags(const struct mail_html *h);
/* Name of one MAIL_HTML_F_* bit; NULL for anything else. */
const char *mail_html_flag_name(uint32_t bit);

#endif
