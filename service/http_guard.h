/* service/http_guard.h -- limits libmicrohttpd does not have: deadlines and per-client budgets.
 *
 * Every connection gets a record (through MHD_OPTION_NOTIFY_CONNECTION) with the time its current
 * request began. A reaper thread shuts down the socket of a connection whose headers are not
 * complete within the header deadline, or whose request (headers and the whole body) is not
 * complete within the body deadline: unlike an idle timeout, a byte now and then does not extend
 * either. Bodies are also counted per client address, so that a few clients cannot hold the
 * whole server's body budget. */
#ifndef KKC_HTTP_GUARD_H
#define KKC_HTTP_GUARD_H

#include <stddef.h>
#include <sys/socket.h>

struct guard;
struct guard_conn;

/* header_s: seconds from a request's first byte (or the previous answer on the connection) to
 * the end of its headers; body_s: to the end of its body. per_client: bytes of bodies one client
 * address may have held at once. NULL when out of memory. */
struct guard *guard_create(int header_s, int body_s, size_t per_client);
void guard_destroy(struct guard *g);
/* Have the reaper thread call tick(cls) every half second (without any lock of the guard). */
void guard_set_tick(struct guard *g, void (*tick)(void *), void *cls);

/* A connection opened (fd, peer address) / closed. */
struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *peer);
void guard_close(struct guard *g, struct guard_conn *c);
/* Its headers are complete / its request was answered (the clock restarts for the next one). */
void guard_headers_done(struct guard *g, struct guard_conn *c);
void guard_request_done(struct guard *g, struct guard_conn *c);

/* Count n more (or, with n negative, fewer) body bytes against c's client; 0, or -1 when that
 * would go beyond the per-client budget (nothing is counted then). */
int guard_body(struct guard *g, struct guard_conn *c, long n);

#endif
