/* service/api_admin.h -- admin writes to the centre list: create, update, delete.
 *
 * Only routed when the server has an admin token (kkc serve --admin-token-file), and only to a
 * request whose `Authorization: Bearer TOKEN` api_admin_check_token() accepted (the dispatcher
 * calls it for the write rows of the route table, routes.c). Each write runs as one SQLite
 * transaction (WAL) with an audit row holding the centre before and after, and then publishes a
 * freshly loaded world so every later answer reflects it. */
#ifndef KKC_API_ADMIN_H
#define KKC_API_ADMIN_H

#include "api.h"

void api_admin_create(const struct api_req *r, struct api_res *res);
void api_admin_update(const struct api_req *r, struct api_res *res);
void api_admin_delete(const struct api_req *r, struct api_res *res);

/* 0 when r carries the admin token (compared in constant time); otherwise res is filled (401
 * without, 403 wrong) and -1. */
int api_admin_check_token(const struct api_req *r, struct api_res *res);

/* Constant-time comparison of a presented token with the configured one: 1 equal, 0 not. */
int api_admin_token_equal(const char *given, const char *want);

#endif
