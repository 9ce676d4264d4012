#include "golden.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *golden_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (!b) {
		fclose(f);
		return NULL;
	}
	*n = fread(b, 1, (size_t)len, f);
	b[*n] = '\0';
	fclose(f);
	return b;
}

int golden_compare(const char *name, const char *ref, const char *out,
		   size_t len, bool update)
{
	char *want;
	size_t wlen;
	int bad = 0;

	if (update) {
		FILE *f = fopen(ref, "w");

		if (!f || fwrite(out, 1, len, f) != len) {
			fprintf(stderr, "%s: cannot write\n", ref);
			bad = 1;
		}
		if (f)
			fclose(f);
		if (!bad)
			printf("wrote %s\n", ref);
		return bad;
	}
	want = golden_slurp(ref, &wlen);
	if (!want || wlen != len || memcmp(want, out, len) != 0) {
		fprintf(stderr, "FAIL %s: output differs from %s:\n%.*s", name,
			ref, (int)len, out);
		bad = 1;
	}
	free(want);
	return bad;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool wanted(const char *name, const char *const *suffixes)
{
	size_t l = strlen(name);

	for (; *suffixes; suffixes++) {
		size_t k = strlen(*suffixes);

		if (l > k && strcmp(name + l - k, *suffixes) == 0)
			return true;
	}
	return false;
}

int golden_main(int argc, char **argv, const char *def_dir,
		const char *const *suffixes, const char *what,
		int (*check)(const char *dir, const char *name, bool update))
{
	const char *dir = argc > 1 ? argv[1] : def_dir;
	bool update = getenv("SMTPSCOPE_UPDATE_GOLDEN") != NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[1024];
	int n = 0, i, bad = 0;

	if (!d) {
		fprintf(stderr, "%s: cannot open\n", dir);
		return 2;
	}
	while ((e = readdir(d)) && n < 1024)
		if (wanted(e->d_name, suffixes))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++) {
		bad += check(dir, names[i], update);
		free(names[i]);
	}
	printf("%d golden %s, %d failed\n", n, what, bad);
	return bad || n == 0;
}
