// glibc is the test oracle for package glob: it answers fnmatch(3), glob(3) and wordexp(3)
// queries read from stdin, one a line, with every string hex-encoded ("-" is the empty string):
//
//	m FLAGS PATTERN NAME   fnmatch(PATTERN, NAME, FLAGS)      -> "RC" (FLAGS: 2 NOESCAPE, 4 PERIOD)
//	g PATTERN              glob(PATTERN, GLOB_NOCHECK, NULL)  -> "RC N PATH..."
//	w WORDS                wordexp(WORDS, WRDE_NOCMD)         -> "RC N WORD..."
//	b COUNT PATTERN        glob COUNT times                   -> "NANOSECONDS N"
//
// Arguments: [-chroot DIR] [-chdir DIR]. It never calls setlocale, so it runs in the C locale,
// as ifupdown does (ifupdown never calls setlocale either).
#define _GNU_SOURCE
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wordexp.h>

static char *unhex(const char *s) {
	size_t n = strlen(s);
	char *out = malloc(n / 2 + 1);
	if (strcmp(s, "-") == 0) {
		out[0] = 0;
		return out;
	}
	for (size_t i = 0; i + 1 < n + 1 && s[i] && s[i + 1]; i += 2) {
		unsigned v;
		sscanf(s + i, "%2x", &v);
		out[i / 2] = (char)v;
	}
	out[n / 2] = 0;
	return out;
}

static void puthex(const char *s) {
	putchar(' ');
	if (!*s)
		putchar('-');
	for (; *s; s++)
		printf("%02x", (unsigned char)*s);
}

int main(int argc, char **argv) {
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-chroot") == 0 && (chroot(argv[i + 1]) != 0 || chdir("/") != 0)) {
			perror("chroot");
			return 2;
		}
		if (strcmp(argv[i], "-chdir") == 0 && chdir(argv[i + 1]) != 0) {
			perror("chdir");
			return 2;
		}
	}
	static char line[1 << 20];
	while (fgets(line, sizeof line, stdin)) {
		char *f[4] = {0};
		int nf = 0;
		for (char *t = strtok(line, " \n"); t && nf < 4; t = strtok(NULL, " \n"))
			f[nf++] = t;
		if (nf == 4 && f[0][0] == 'm') {
			char *p = unhex(f[2]), *s = unhex(f[3]);
			printf("%d", fnmatch(p, s, atoi(f[1])));
			free(p);
			free(s);
		} else if (nf == 2 && f[0][0] == 'g') {
			char *p = unhex(f[1]);
			glob_t g;
			int rc = glob(p, GLOB_NOCHECK, NULL, &g);
			printf("%d %zu", rc, rc == 0 ? g.gl_pathc : 0);
			for (size_t j = 0; rc == 0 && j < g.gl_pathc; j++)
				puthex(g.gl_pathv[j]);
			if (rc == 0)
				globfree(&g);
			free(p);
		} else if (nf == 2 && f[0][0] == 'w') {
			char *p = unhex(f[1]);
			wordexp_t w;
			int rc = wordexp(p, &w, WRDE_NOCMD);
			printf("%d %zu", rc, rc == 0 ? w.we_wordc : 0);
			for (size_t j = 0; rc == 0 && j < w.we_wordc; j++)
				puthex(w.we_wordv[j]);
			if (rc == 0)
				wordfree(&w);
			free(p);
		} else if (nf == 3 && f[0][0] == 'b') {
			char *p = unhex(f[2]);
			long count = atol(f[1]);
			size_t n = 0;
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (long j = 0; j < count; j++) {
				glob_t g;
				if (glob(p, GLOB_NOCHECK, NULL, &g) == 0) {
					n = g.gl_pathc;
					globfree(&g);
				}
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("%lld %zu", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec), n);
			free(p);
		} else {
			printf("?");
		}
		putchar('\n');
		fflush(stdout);
	}
	return 0;
}
