/* N2 transport: one SCTP association API over two backends (docs/sctp.md).
 *
 * NGAP runs over SCTP (TS 38.412 clause 7: PPID 60, port 38412, stream 0 for
 * non-UE-associated signalling). glass5g must run where the kernel has SCTP (lksctp) and
 * where it has not (usrsctp, SCTP over UDP per RFC 6951), so this API hides the backend:
 *
 *   - g5_sctp_listen() opens a server endpoint (the AMF, many gNBs): each accepted
 *     association is reported with cbs->up; more than cfg->max_assocs are aborted.
 *   - g5_sctp_connect() opens one client association (the simulated gNB).
 *   - g5_sctp_send() sends one whole message on a stream with a PPID; above
 *     cfg->max_buffered bytes queued in the stack it returns G5_ERR_AGAIN and cbs->writable
 *     fires once room is back (backpressure, never an unbounded queue).
 *   - Received messages are delivered whole (partial deliveries are reassembled up to
 *     cfg->max_msg_size; a bigger message aborts the association).
 *
 * Every callback runs on the thread of the uv_loop_t the endpoint was created on, even for
 * usrsctp (whose own threads only hand events over; see docs/sctp.md). Callbacks may call
 * any function of this API, including g5_sctp_abort() on the association they are about.
 * After cbs->down returns, the association is freed; after g5_sctp_abort() or
 * g5_sctp_ep_close() no further callback fires for the associations concerned.
 */
#ifndef G5_TRANSPORT_SCTP_H
#define G5_TRANSPORT_SCTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#define G5_SCTP_PPID_NGAP 60u /* TS 38.412 clause 7 */
#define G5_SCTP_PORT_NGAP 38412u /* TS 38.412 clause 7 */
#define G5_SCTP_UDP_ENCAPS_PORT 9899u /* RFC 6951 clause 5.1 (IANA sctp-tunneling) */
#define G5_SCTP_MAX_ADDRS 8 /* multi-homing: addresses per side */

typedef enum g5_sctp_backend {
    G5_SCTP_AUTO = 0, /* kernel when socket(..., IPPROTO_SCTP) works, else usrsctp */
    G5_SCTP_KERNEL = 1, /* Linux lksctp */
    G5_SCTP_USRSCTP = 2, /* userland stack over UDP (RFC 6951) */
} g5_sctp_backend;

typedef struct g5_sctp_cfg {
    g5_sctp_backend backend;
    /* usrsctp only: this process's UDP encapsulation port (one per process: the usrsctp
     * stack is process-global, the first endpoint fixes it) and, for a client, the peer's. */
    uint16_t udp_port;
    uint16_t peer_udp_port;
    uint16_t out_streams, in_streams; /* requested in INIT (RFC 4960 3.3.2) */
    uint16_t max_init_attempts; /* INIT retransmissions before giving up */
    uint32_t max_init_timeo_ms; /* cap of the INIT retransmission timer */
    uint32_t hb_interval_ms; /* heartbeat interval (RFC 4960 8.3) */
    uint32_t rto_initial_ms, rto_min_ms, rto_max_ms; /* RFC 4960 6.3.1 */
    uint32_t max_assocs; /* listener: more are aborted at accept */
    uint32_t max_msg_size; /* largest message sent or received */
    uint32_t max_buffered; /* send buffer limit per association (backpressure) */
} g5_sctp_cfg;

/* One side's addresses: up to G5_SCTP_MAX_ADDRS numeric IPv4/IPv6 addresses (more than
 * one = multi-homed) and a port (0 = any / ephemeral). */
typedef struct g5_sctp_addrs {
    const char *addr[G5_SCTP_MAX_ADDRS];
    size_t n;
    uint16_t port;
} g5_sctp_addrs;

typedef struct g5_sctp_ep g5_sctp_ep;
typedef struct g5_sctp_assoc g5_sctp_assoc;

typedef struct g5_sctp_msg {
    uint16_t stream;
    uint32_t ppid; /* host byte order */
    const uint8_t *data;
    size_t len;
} g5_sctp_msg;

/* Why an association went down (cbs->down). */
typedef enum g5_sctp_down {
    G5_SCTP_DOWN_SHUTDOWN = 0, /* graceful SHUTDOWN completed (either side started it) */
    G5_SCTP_DOWN_ABORTED = 1, /* peer sent ABORT, or the association was lost (timeouts) */
    G5_SCTP_DOWN_CONNECT_FAILED = 2, /* INIT/COOKIE never completed */
    G5_SCTP_DOWN_LIMIT = 3, /* peer broke a local limit (message too big); we aborted */
    G5_SCTP_DOWN_ERROR = 4, /* local socket error; we aborted */
} g5_sctp_down;

/* Peer address events (cbs->peer_addr), RFC 6458 6.1.2. */
typedef enum g5_sctp_paddr {
    G5_SCTP_PADDR_AVAILABLE = 0,
    G5_SCTP_PADDR_UNREACHABLE = 1,
    G5_SCTP_PADDR_REMOVED = 2,
    G5_SCTP_PADDR_ADDED = 3,
    G5_SCTP_PADDR_PRIMARY = 4,
    G5_SCTP_PADDR_CONFIRMED = 5,
    G5_SCTP_PADDR_OTHER = 6,
} g5_sctp_paddr;

typedef struct g5_sctp_cbs {
    void (*up)(g5_sctp_assoc *a); /* association established (accepted or connected) */
    void (*data)(g5_sctp_assoc *a, const g5_sctp_msg *m);
    void (*down)(g5_sctp_assoc *a, g5_sctp_down why); /* a is freed after return */
    void (*restart)(g5_sctp_assoc *a); /* peer restarted (RFC 4960 5.2.4); a stays up */
    void (*peer_addr)(g5_sctp_assoc *a, const struct sockaddr *sa, g5_sctp_paddr ev);
    void (*send_failed)(g5_sctp_assoc *a, uint16_t stream, uint32_t ppid, uint32_t error);
    void (*writable)(g5_sctp_assoc *a); /* after a G5_ERR_AGAIN: room again */
} g5_sctp_cbs;

typedef struct g5_sctp_ep_stats {
    uint64_t accepted; /* associations reported with up */
    uint64_t refused; /* aborted at accept: max_assocs reached */
    uint64_t limit_aborts; /* aborted: message larger than max_msg_size */
    uint64_t msgs_in, msgs_out, bytes_in, bytes_out;
} g5_sctp_ep_stats;

typedef struct g5_sctp_info {
    g5_sctp_backend backend;
    uint16_t out_streams, in_streams; /* negotiated */
    uint16_t local_port, peer_port;
    char peer_addr[64]; /* primary peer address, numeric */
    uint16_t npeer_addrs; /* peer transport addresses (multi-homing) */
} g5_sctp_info;

/* Defaults: AUTO backend, UDP port 9899, 2/2 streams, 8 INIT attempts capped at 60 s,
 * heartbeat 30 s, RTO 1 s/1 s/60 s... see docs/sctp.md (RFC 4960 15 values, except
 * RTO.Min 1s kept). */
void g5_sctp_cfg_defaults(g5_sctp_cfg *cfg);

/* Checks a configuration (ranges, min <= initial <= max); returns 0 or G5_ERR_CONFIG with
 * a message in err. */
int g5_sctp_cfg_check(const g5_sctp_cfg *cfg, char *err, size_t errlen);

/* Resolves AUTO to the backend that works here (logs which, once per process). */
g5_sctp_backend g5_sctp_resolve(g5_sctp_backend b);
const char *g5_sctp_backend_name(g5_sctp_backend b);
/* Parses "auto" | "kernel" | "usrsctp"; -1 if unknown. */
int g5_sctp_backend_parse(const char *s);
/* True when this process can open a kernel SCTP socket. */
bool g5_sctp_kernel_available(void);

int g5_sctp_listen(uv_loop_t *loop, const g5_sctp_cfg *cfg, const g5_sctp_addrs *local,
                   const g5_sctp_cbs *cbs, void *user, g5_sctp_ep **out);
/* local may be NULL (any address, ephemeral port). The association is returned at once;
 * cbs->up or cbs->down(G5_SCTP_DOWN_CONNECT_FAILED) follows. */
int g5_sctp_connect(uv_loop_t *loop, const g5_sctp_cfg *cfg, const g5_sctp_addrs *local,
                    const g5_sctp_addrs *peer, const g5_sctp_cbs *cbs, void *user,
                    g5_sctp_assoc **out);

/* Sends one message. Returns 0; G5_ERR_AGAIN when max_buffered bytes are already queued
 * (cbs->writable fires later); G5_ERR_TOO_LONG above max_msg_size; G5_ERR_INVALID for a
 * stream the association does not have; G5_ERR_STATE when not up or shutting down (also
 * when the peer's ABORT has reached the stack but cbs->down has not run yet); G5_ERR_IO
 * otherwise. */
int g5_sctp_send(g5_sctp_assoc *a, uint16_t stream, uint32_t ppid, const void *data, size_t len);
/* Receive-side flow control: while paused nothing is read from this association (data,
 * nor notifications), so the peer's sends back up into its G5_ERR_AGAIN. */
void g5_sctp_pause(g5_sctp_assoc *a, bool paused);
/* Graceful SHUTDOWN (queued data is delivered first); cbs->down(SHUTDOWN) follows. */
int g5_sctp_shutdown(g5_sctp_assoc *a);
/* Sends ABORT and frees the association now; no callback follows. Safe while the peer
 * is still sending (docs/sctp.md "Aborting under load"). */
void g5_sctp_abort(g5_sctp_assoc *a);

/* Closes a listener: aborts its associations (no callbacks) and frees it. */
void g5_sctp_ep_close(g5_sctp_ep *ep);
size_t g5_sctp_ep_assocs(const g5_sctp_ep *ep);
uint16_t g5_sctp_ep_port(const g5_sctp_ep *ep); /* bound port (useful with port 0) */
g5_sctp_backend g5_sctp_ep_backend(const g5_sctp_ep *ep);
const g5_sctp_ep_stats *g5_sctp_ep_get_stats(const g5_sctp_ep *ep);

/* User pointer of an association; defaults to the endpoint's user pointer. */
void *g5_sctp_user(const g5_sctp_assoc *a);
void g5_sctp_set_user(g5_sctp_assoc *a, void *user);
g5_sctp_ep *g5_sctp_assoc_ep(const g5_sctp_assoc *a); /* NULL for a client association */
int g5_sctp_assoc_info(const g5_sctp_assoc *a, g5_sctp_info *info);
/* Bytes the stack still holds for sending on this association. */
size_t g5_sctp_buffered(const g5_sctp_assoc *a);

/* Releases the process-global usrsctp stack once no endpoint uses it (waits up to
 * timeout_ms for its associations to drain). Returns 0 or G5_ERR_AGAIN. */
int g5_sctp_global_cleanup(unsigned timeout_ms);

#endif
