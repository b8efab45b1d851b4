// Hostile-corpus checker: every file named in a manifest must fail (or pass)
// with exactly the status the manifest gives. Build it with ASan+UBSan.
//
//   hostile_check DIR            reads DIR/expected.txt: "file STATUS_NAME" lines
//   hostile_check --show FILE... prints "FILE STATUS_NAME stage: message"
//
// Prints "hostile: N passed, N failed"; exit status 1 on any mismatch.
#define _POSIX_C_SOURCE 200112L
#include <unistd.h>
#include "run_model.h"

// A file that takes longer than this (under ASan) is a hang: SIGALRM kills the run.
#define FILE_SECONDS 30

#define MODEL_CAP (1024u * 1024u)
#define WORK_CAP (1024u * 1024u)
#define ARENA_CAP (16u * 1024u * 1024u)

static uint8_t *aligned_buf(uint32_t n) {
    void *p = NULL;
    if (posix_memalign(&p, 16, n) != 0) {
        fprintf(stderr, "hostile_check: out of memory\n");
        exit(2);
    }
    return (uint8_t *)p;
}

static void free_bufs(run_bufs_t *b) {
    free(b->model);
    free(b->work);
    free(b->arena);
}

static uint8_t *read_all(const char *path, uint32_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = (uint8_t *)realloc(buf, cap);
            if (buf == NULL) {
                fclose(f);
                return NULL;
            }
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        if (k == 0) {
            break;
        }
        n += k;
    }
    fclose(f);
    *len = (uint32_t)n;
    return buf;
}

static run_result_t run_file(const run_bufs_t *b, const char *path, int *ok) {
    run_result_t r;
    memset(&r, 0, sizeof(r));
    uint32_t len = 0;
    uint8_t *data = read_all(path, &len);
    *ok = data != NULL && len <= b->model_cap;
    if (*ok) {
        alarm(FILE_SECONDS);
        r = run_model(b, data, len);
        alarm(0);
    }
    free(data);
    return r;
}

static void describe(const char *path, const run_result_t *r) {
    char msg[256];
    tflm_error_format(&r->err, msg, sizeof(msg));
    printf("%s %s %s: %s\n", path, run_status_name(r->status), run_stage_name(r->stage), r->status == TFLM_OK ? "ok" : msg);
}

int main(int argc, char **argv) {
    run_bufs_t b = { aligned_buf(MODEL_CAP), MODEL_CAP, aligned_buf(WORK_CAP), WORK_CAP, aligned_buf(ARENA_CAP), ARENA_CAP, 12344u, 0u };
    if (argc >= 2 && strcmp(argv[1], "--show") == 0) {
        for (int a = 2; a < argc; a++) {
            int ok;
            run_result_t r = run_file(&b, argv[a], &ok);
            if (!ok) {
                printf("%s cannot read\n", argv[a]);
                continue;
            }
            describe(argv[a], &r);
        }
        free_bufs(&b);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: hostile_check DIR | hostile_check --show FILE...\n");
        free_bufs(&b);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/expected.txt", argv[1]);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "hostile_check: cannot open %s\n", path);
        free_bufs(&b);
        return 2;
    }
    char line[1024];
    int passed = 0, failed = 0;
    while (fgets(line, sizeof(line), f)) {
        char name[512], want[128];
        if (line[0] == '#' || sscanf(line, "%511s %127s", name, want) != 2) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", argv[1], name);
        // Every plan: default, lean (constant views read from the model at
        // each use), two-core, lean two-core; the same verdict from each.
        static const uint32_t plans[4] = { 0u, TFLM_PLAN_LEAN, TFLM_PLAN_DUAL, TFLM_PLAN_LEAN | TFLM_PLAN_DUAL };
        int file_ok = 1;
        for (int k = 0; k < 4 && file_ok; k++) {
            int ok;
            b.plan = plans[k];
            run_result_t r = run_file(&b, path, &ok);
            if (!ok) {
                printf("FAIL %s: cannot read\n", name);
                file_ok = 0;
            } else if (strcmp(run_status_name(r.status), want) != 0) {
                printf("FAIL %s (plan %u): expected %s, got ", name, (unsigned)plans[k], want);
                describe(name, &r);
                file_ok = 0;
            }
        }
        if (file_ok) {
            passed++;
        } else {
            failed++;
        }
    }
    fclose(f);
    free_bufs(&b);
    printf("hostile: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
