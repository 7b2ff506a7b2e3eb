/* A bounded FIFO in front of g5_sctp_send for senders that must not lose a message when
 * the association's send buffer is momentarily full (G5_ERR_AGAIN): the AMF towards a
 * gNB and the simulator's gNB towards an AMF. A message is sent at once when nothing is
 * waiting and the stack takes it; otherwise it is copied to the queue (in order), and
 * g5_sctp_sendq_flush, called from cbs->writable, sends what waits. The queue is bounded
 * (max_bytes): beyond it the message is refused with G5_ERR_AGAIN and counted, so a peer
 * that stops reading costs bounded memory (docs/sctp.md "Backpressure"). */
#ifndef G5_TRANSPORT_SCTP_SENDQ_H
#define G5_TRANSPORT_SCTP_SENDQ_H

#include <stddef.h>
#include <stdint.h>

#include "transport/sctp.h"

#define G5_SCTP_SENDQ_DEFAULT_MAX (4u << 20) /* 4 MiB of NGAP messages */

typedef struct g5_sctp_qmsg g5_sctp_qmsg;

typedef struct g5_sctp_sendq {
    g5_sctp_qmsg *head, *tail;
    size_t bytes; /* queued payload bytes */
    size_t max_bytes; /* 0 = G5_SCTP_SENDQ_DEFAULT_MAX */
    uint64_t queued; /* messages that had to wait */
    uint64_t refused; /* refused: the queue was full */
    uint64_t failed; /* dropped at flush: the stack refused them for another reason */
} g5_sctp_sendq;

/* Returns 0 (sent or queued), G5_ERR_AGAIN (queue full: not sent), G5_ERR_NOMEM, or the
 * error g5_sctp_send returned when nothing was waiting (G5_ERR_STATE, G5_ERR_INVALID...). */
int g5_sctp_sendq_send(g5_sctp_sendq *q, g5_sctp_assoc *a, uint16_t stream, uint32_t ppid,
                       const void *data, size_t len);
/* Sends what waits, in order, until the stack pushes back again. For cbs->writable. */
void g5_sctp_sendq_flush(g5_sctp_sendq *q, g5_sctp_assoc *a);
/* Frees what waits (the association is going away). The queue stays usable. */
void g5_sctp_sendq_clear(g5_sctp_sendq *q);

#endif
