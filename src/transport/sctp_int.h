/* Internals shared by the SCTP front end (sctp.c) and its two backends (sctp_kernel.c,
 * sctp_usrsctp.c). The backends cannot share a translation unit: <netinet/sctp.h> and
 * <usrsctp.h> define the same RFC 6458 structs differently, so each backend parses its own
 * notifications and reports them through the g5__sctp_* helpers below, which own the
 * association life cycle (up/down/free), reassembly and the listener's limits.
 *
 * Life cycle: an association is "dead" once it was reported down, aborted, or its
 * listener closed. A dead association gets no more callbacks. Its memory is released
 * through be->free when no backend dispatch is running on it (busy == 0); a backend
 * dispatch brackets its work with g5__sctp_hold()/g5__sctp_release() and stops as soon
 * as the association is dead.
 */
#ifndef G5_TRANSPORT_SCTP_INT_H
#define G5_TRANSPORT_SCTP_INT_H

#include "transport/sctp.h"

typedef struct g5_sctp_be g5_sctp_be;

typedef struct g5__sctp_flusher g5__sctp_flusher;

struct g5_sctp_ep {
    const g5_sctp_be *be;
    uv_loop_t *loop;
    g5_sctp_cfg cfg;
    g5_sctp_cbs cbs;
    void *user;
    bool listener;
    bool dead;
    int busy;
    uint16_t port;
    size_t nassocs;
    g5_sctp_assoc *head; /* linked associations (listener) or the one client association */
    g5_sctp_ep_stats st;
    /* bundling (sctp.c "bundling"): associations holding a message until the end of the
     * loop iteration, flushed from a uv_prepare handle; bundle = false sends at once */
    bool bundle;
    g5__sctp_flusher *fl;
    g5_sctp_assoc *dirty;
};

struct g5_sctp_assoc {
    const g5_sctp_be *be;
    g5_sctp_ep *ep;
    void *user;
    g5_sctp_assoc *prev, *next;
    bool up, dead, shutting, want_writable, paused, local_shutdown;
    int busy;
    uint16_t out_streams, in_streams;
    /* partial-delivery reassembly (RFC 6458 8.1.20: MSG_EOR marks the last piece) */
    uint8_t *rbuf;
    size_t rlen, rcap;
    uint16_t rsid;
    uint32_t rppid;
    /* the last message sent this loop iteration, not yet given to the stack (bundling) */
    uint8_t *held;
    size_t held_len, held_cap;
    uint16_t held_sid;
    uint32_t held_ppid;
    bool has_held, in_dirty;
    g5_sctp_assoc *dnext, *dprev; /* ep->dirty */
};

/* Association state changes as the backends see them (RFC 6458 6.1.1 sac_state). */
enum g5__sctp_ac {
    G5__AC_COMM_UP,
    G5__AC_COMM_LOST,
    G5__AC_RESTART,
    G5__AC_SHUTDOWN_COMP,
    G5__AC_CANT_START,
};
#define G5__AC_COUNT 5

#define G5__PADDR_KNOWN 6 /* G5_SCTP_PADDR_AVAILABLE .. G5_SCTP_PADDR_CONFIRMED */

/* One backend's RFC 6458 notification ABI (sctp_common.c): constants and offsetof()s from
 * its own header, so the decoding is written once. Field widths are those of RFC 6458
 * (16-bit states and streams, 32-bit address states, PPIDs and errors); each backend
 * checks them with _Static_assert. */
struct g5__sctp_abi_sf { /* a send-failed notification */
    size_t size, sid, ppid, error;
};
typedef struct g5__sctp_abi {
    uint16_t t_assoc_change, t_paddr_change, t_send_failed_event, t_shutdown;
    uint16_t t_send_failed; /* the older SCTP_SEND_FAILED; 0 when not subscribed */
    uint16_t ac_state[G5__AC_COUNT]; /* sac_state value of each enum g5__sctp_ac */
    uint32_t pc_state[G5__PADDR_KNOWN]; /* spc_state value of each g5_sctp_paddr */
    struct {
        size_t size, state, os, is;
    } ac; /* struct sctp_assoc_change */
    struct {
        size_t size, addr, state;
    } pc; /* struct sctp_paddr_change */
    struct g5__sctp_abi_sf sfe, sf; /* sctp_send_failed_event, sctp_send_failed */
} g5__sctp_abi;

/* Decodes one notification (MSG_NOTIFICATION) and reports it; short or unknown ones are
 * ignored. */
void g5__sctp_notification(g5_sctp_assoc *a, const g5__sctp_abi *abi, const uint8_t *p, size_t n);
/* A receive ended the association: err is the errno of a failed receive (not EAGAIN), or 0
 * for end of stream. Reports down with the reason that fits the association's state. */
void g5__sctp_read_end(g5_sctp_assoc *a, int err);
/* listen() backlog for a listener with this configuration. */
int g5__sctp_backlog(const g5_sctp_cfg *cfg);

struct g5_sctp_be {
    g5_sctp_backend id;
    size_t ep_size, assoc_size; /* structs embed g5_sctp_ep / g5_sctp_assoc first */
    int (*listen)(g5_sctp_ep *ep, const g5_sctp_addrs *local);
    int (*connect)(g5_sctp_ep *ep, g5_sctp_assoc *a, const g5_sctp_addrs *local,
                   const g5_sctp_addrs *peer);
    /* more: another message follows at once; the stack may hold this one to bundle it
     * with the next (usrsctp: Nagle for this send; kernel: MSG_MORE). A send without it
     * pushes out everything held. */
    int (*send)(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, const void *p, size_t n, bool more);
    int (*shutdown)(g5_sctp_assoc *a);
    /* Closes the socket (ABORT if abort, else a plain close); no more events. The backend
     * may finish the close later (usrsctp waits for the stack to free the association),
     * but the peer sees the ABORT now. */
    void (*close_sock)(g5_sctp_assoc *a, bool abort);
    /* Releases the memory (eventually; may go through a uv close callback). */
    void (*free)(g5_sctp_assoc *a);
    void (*close_ep)(g5_sctp_ep *ep); /* closes and frees a listener or client endpoint */
    /* want_writable or paused changed: update what the backend watches for. */
    void (*watch)(g5_sctp_assoc *a);
    int (*info)(const g5_sctp_assoc *a, g5_sctp_info *info);
};

extern const g5_sctp_be g5__sctp_be_kernel;
extern const g5_sctp_be g5__sctp_be_usrsctp;

/* Parses addrs into sockaddrs (port applied); returns the count or a negative g5_err. */
int g5__sctp_parse_addrs(const g5_sctp_addrs *a, struct sockaddr_storage *out, size_t max);
/* Packs parsed addresses back to back (sctp_bindx/connectx layout); returns bytes. */
size_t g5__sctp_pack_addrs(const struct sockaddr_storage *ss, size_t n, uint8_t *out, size_t cap);
const char *g5__sctp_ntop(const struct sockaddr *sa, char *buf, size_t cap);

/* For listeners: allocates and links a new association (NULL if max_assocs reached: the
 * caller aborts it and g5__sctp_refused() counts it). */
g5_sctp_assoc *g5__sctp_assoc_new(g5_sctp_ep *ep);
void g5__sctp_refused(g5_sctp_ep *ep);

void g5__sctp_hold(g5_sctp_assoc *a);
void g5__sctp_release(g5_sctp_assoc *a);
void g5__sctp_ep_hold(g5_sctp_ep *ep);
void g5__sctp_ep_release(g5_sctp_ep *ep);

void g5__sctp_up(g5_sctp_assoc *a);
/* Reports down (once), closes the socket (abort for LIMIT/ERROR) and frees when idle. */
void g5__sctp_down(g5_sctp_assoc *a, g5_sctp_down why);
void g5__sctp_assoc_change(g5_sctp_assoc *a, enum g5__sctp_ac st, uint16_t os, uint16_t is);
/* One received piece; eor = last piece of the message. */
void g5__sctp_rx(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, bool eor, const uint8_t *p,
                 size_t n);
void g5__sctp_peer_addr(g5_sctp_assoc *a, const struct sockaddr *sa, g5_sctp_paddr ev);
void g5__sctp_send_failed(g5_sctp_assoc *a, uint16_t sid, uint32_t ppid, uint32_t error);
void g5__sctp_peer_shutdown(g5_sctp_assoc *a);
void g5__sctp_writable(g5_sctp_assoc *a);
/* Accounting of a message the backend sent. */
void g5__sctp_sent(g5_sctp_assoc *a, size_t n);
/* Releases the common part of an association's memory (the backend frees the rest). */
void g5__sctp_assoc_free_mem(g5_sctp_assoc *a);

#endif
