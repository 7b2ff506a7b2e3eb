/* The bounded send queue in front of g5_sctp_send (sctp_sendq.h). */
#include "transport/sctp_sendq.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

struct g5_sctp_qmsg {
    g5_sctp_qmsg *next;
    uint16_t stream;
    uint32_t ppid;
    size_t len;
    uint8_t data[];
};

static size_t limit(const g5_sctp_sendq *q)
{
    return q->max_bytes ? q->max_bytes : G5_SCTP_SENDQ_DEFAULT_MAX;
}

static int enqueue(g5_sctp_sendq *q, uint16_t stream, uint32_t ppid, const void *data, size_t len)
{
    if (q->bytes + len > limit(q)) {
        q->refused++;
        return G5_ERR_AGAIN;
    }
    g5_sctp_qmsg *m = malloc(sizeof *m + len);
    if (!m)
        return G5_ERR_NOMEM;
    m->next = NULL;
    m->stream = stream;
    m->ppid = ppid;
    m->len = len;
    if (len)
        memcpy(m->data, data, len);
    if (q->tail)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
    q->bytes += len;
    q->queued++;
    return 0;
}

int g5_sctp_sendq_send(g5_sctp_sendq *q, g5_sctp_assoc *a, uint16_t stream, uint32_t ppid,
                       const void *data, size_t len)
{
    if (!q->head) {
        int rc = g5_sctp_send(a, stream, ppid, data, len);
        if (rc != G5_ERR_AGAIN)
            return rc;
    }
    return enqueue(q, stream, ppid, data, len); /* behind what waits: order is kept */
}

static void pop(g5_sctp_sendq *q)
{
    g5_sctp_qmsg *m = q->head;
    q->head = m->next;
    if (!q->head)
        q->tail = NULL;
    q->bytes -= m->len;
    free(m);
}

void g5_sctp_sendq_flush(g5_sctp_sendq *q, g5_sctp_assoc *a)
{
    while (q->head) {
        int rc = g5_sctp_send(a, q->head->stream, q->head->ppid, q->head->data, q->head->len);
        if (rc == G5_ERR_AGAIN)
            return; /* writable fires again */
        if (rc)
            q->failed++;
        pop(q);
    }
}

void g5_sctp_sendq_clear(g5_sctp_sendq *q)
{
    while (q->head)
        pop(q);
}
