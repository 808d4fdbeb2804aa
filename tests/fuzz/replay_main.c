/* tests/fuzz/replay_main.c -- run a fuzz target's inputs once each, without libFuzzer.
 *
 * Linked with one target (LLVMFuzzerInitialize / LLVMFuzzerTestOneInput) and built with any C
 * compiler plus ASan/UBSan, so the regression inputs replay where clang's libFuzzer is missing.
 * Usage: replay_TARGET [--fork] FILE|DIR... (a directory means every regular file in it, sorted).
 * Without --fork every input runs in this process, one after the other (quick; LeakSanitizer
 * checks once at exit; the first finding ends the run). With --fork each input runs in a child
 * forked after the fixture is set up, so one finding does not hide the next and a leak is
 * pinned to its input. Exit status: 0 when every input ran clean, 1 when any failed (each named
 * on stderr with --fork), 2 when an input cannot be read. */
#include "fuzz_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define INPUT_MAX (1 << 20)

static long failed;
static int use_fork;

/* The whole file at path in an exact-size buffer (so reading past the input is caught); the
 * caller frees *data. 0 ok, -1 unreadable or over INPUT_MAX. */
static int read_input(const char *path, uint8_t **data, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(INPUT_MAX + 1);
    int rc = -1;
    if (f && buf) {
        *n = fread(buf, 1, INPUT_MAX + 1, f);
        if (!ferror(f) && *n <= INPUT_MAX && (*data = malloc(*n ? *n : 1))) {
            memcpy(*data, buf, *n);
            rc = 0;
        }
    }
    if (f)
        fclose(f);
    free(buf);
    return rc;
}

/* Run one input here, or in a child with --fork (a failure is counted, not fatal). */
static void run_input(const char *path, const uint8_t *data, size_t n)
{
    int st = 0;
    pid_t pid;
    if (!use_fork) {
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
        LLVMFuzzerTestOneInput(data, n);
        return;
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        LLVMFuzzerTestOneInput(data, n);
        exit(0); /* LeakSanitizer checks here */
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "replay: FAILED %s (%zu bytes)\n", path, n);
        failed++;
    }
}

/* Run one file through the target; 0 ok, -1 unreadable. */
static int replay_file(const char *path)
{
    uint8_t *data = NULL;
    size_t n = 0;
    if (read_input(path, &data, &n)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    run_input(path, data, n);
    free(data);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order; returns the count run, -1 on a read failure. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0;
    long done = 0;
    struct stat sb;

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            if (replay_file(path))
                done = -1;
            else if (done >= 0)
                done++;
        }
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    long total = 0;
    struct stat sb;
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--fork") == 0) {
        use_fork = 1;
        first = 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = first; i < argc; i++) {
        long n;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
            return 2;
        }
        n = S_ISDIR(sb.st_mode) ? replay_dir(argv[i]) : (replay_file(argv[i]) ? -1 : 1);
        if (n < 0)
            return 2;
        total += n;
    }
    if (failed) {
        printf("replay: %ld of %ld inputs FAILED\n", failed, total);
        return 1;
    }
    printf("replay: %ld inputs ran clean\n", total);
    return 0;
}
