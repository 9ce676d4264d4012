#include "output/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/timefmt.h"

#define OUT_BUF (256u * 1024u)

struct out_writer {
	int fd;
	bool own_fd;
	bool eager;   /* flush every line */
	bool failed;
	char *path;
	char *buf;
	size_t len;
	uint64_t lines;
	int64_t last_flush;
};

struct out_writer *out_open(const char *path, char *err, size_t errlen)
{
	struct out_writer *w = calloc(1, sizeof(*w));
	struct stat st;

	if (!w || !(w->buf = malloc(OUT_BUF))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		w->fd = STDOUT_FILENO;
		w->path = strdup("(standard output)");
	} else {
		w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0644);
		w->own_fd = true;
		w->path = strdup(path);
		if (w->fd < 0) {
			snprintf(err, errlen, "%s: cannot write: %s", path,
				 strerror(errno));
			free(w->path);
			free(w->buf);
			free(w);
			return NULL;
		}
	}
	w->eager = !(fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode));
	w->last_flush = time_mono_ns();
	return w;
}

static bool write_all(struct out_writer *w, const char *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(w->fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("%s: write failed: %s", w->path,
				  strerror(errno));
			w->failed = true;
			return false;
		}
		off += (size_t)n;
	}
	return true;
}

bool out_flush(struct out_writer *w)
{
	if (w->failed || !write_all(w, w->buf, w->len))
		return false;
	w->len = 0;
	w->last_flush = time_mono_ns();
	return true;
}

bool out_line(struct out_writer *w, const char *line, size_t len)
{
	if (w->failed)
		return false;
	if (w->len + len + 1 > OUT_BUF && !out_flush(w))
		return false;
	w->lines++;
	if (len + 1 > OUT_BUF) /* larger than the buffer: on its own */
		return write_all(w, line, len) && write_all(w, "\n", 1);
	memcpy(w->buf + w->len, line, len);
	w->buf[w->len + len] = '\n';
	w->len += len + 1;
	if (w->eager || w->len > OUT_BUF / 2 ||
	    time_mono_ns() - w->last_flush > NS_PER_SEC)
		return out_flush(w);
	return true;
}

bool out_close(struct out_writer *w)
{
	bool ok;

	if (!w)
		return true;
	ok = out_flush(w);
	if (w->own_fd && close(w->fd) != 0 && ok) {
		log_error("%s: close failed: %s", w->path, strerror(errno));
		ok = false;
	}
	free(w->path);
	free(w->buf);
	free(w);
	return ok;
}

uint64_t out_lines(const struct out_writer *w) { return w->lines; }
