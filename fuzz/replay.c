/*
 * main() for fuzz targets built without libFuzzer: run each file given on
 * the command line (or every file in a directory given) through the
 * target once. The test suite replays the seed corpora this way, so every
 * seed and every saved crash stays a regression test.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX (1u << 20)

static int run_file(const char *path)
{
	static uint8_t buf[REPLAY_MAX];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0, runs = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			char path[4096];

			if (!d) {
				fprintf(stderr, "%s: cannot open\n", argv[i]);
				bad = 1;
				continue;
			}
			while ((e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", argv[i],
					 e->d_name);
				bad |= run_file(path);
				runs++;
			}
			closedir(d);
		} else {
			bad |= run_file(argv[i]);
			runs++;
		}
	}
	printf("replayed %d inputs\n", runs);
	return bad || runs == 0;
}
