/* service/cli_call.h -- the CLI's in-process calls of the API: a command builds a request, the
 * API's own handler answers it against the database (so the command line prints exactly what
 * the HTTP API answers), and errors are printed as "kkc: message (code)". */
#ifndef KKC_CLI_CALL_H
#define KKC_CLI_CALL_H

#include "api.h"
#include "world.h"

/* A world loaded for in-process calls. */
struct cli_world {
    struct world_holder h;
    struct world *w;
};

/* Load db into cw; 0, or 1 with "kkc: message" printed. */
/* The database a command opens without --db: $KKC_DB when set and not empty, else
 * data/kkc.sqlite. */
const char *cli_db_default(void);

int cli_world_open(const char *db, struct cli_world *cw);
/* Answer r (its world and thread context are filled in) into res. */
void cli_world_dispatch(struct cli_world *cw, struct api_req *r, struct api_res *res);
void cli_world_close(struct cli_world *cw);

/* Load db, answer r into res and let the world go: 0, or 1 with a message printed (the caller
 * frees res->body). For answers that are not streamed. */
int cli_call(const char *db, struct api_req *r, struct api_res *res);

/* res's body parsed as JSON (an empty object when there is none or it does not parse). When
 * res is an error (status not 200), prints "kkc: message (code)" and sets *failed. */
struct json_t *cli_answer(const struct api_res *res, int *failed);

/* Print res the way every query command does: an error as cli_answer() does; with json the body
 * as the API answered it; otherwise table(answer, arg). Frees res->body; 0, or 1 on an error. */
int cli_print(struct api_res *res, int json, void (*table)(struct json_t *v, void *arg),
              void *arg);

/* GET path with the query q against db, printed as cli_print() does: 0, or 1 on an error. */
int cli_get(const char *db, const char *path, struct params *q, int json,
            void (*table)(struct json_t *v, void *arg), void *arg);

/* Member key of the object o as a number, an integer or a string, for the tables (0 or NULL
 * when it is missing or of another type). */
double cli_num(const struct json_t *o, const char *key);
long long cli_int(const struct json_t *o, const char *key);
const char *cli_str(const struct json_t *o, const char *key);

#endif
