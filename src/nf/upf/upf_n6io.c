/* Batched N6 TUN I/O (upf_n6io.h): a small io_uring (raw system calls, no liburing) whose
 * submission queue takes one IORING_OP_READ or IORING_OP_WRITE per packet. The TUN fd is
 * O_NONBLOCK, so io_uring completes each operation inline inside io_uring_enter() (a read
 * on an empty queue completes with -EAGAIN instead of being parked), and one system call
 * moves a whole batch. The ring is only ever used synchronously: submit n, wait for n
 * completions, so no request outlives the call and the caller's buffers are free again on
 * return. */
#include <errno.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nf/upf/upf_n6io.h"

static int ring_setup(unsigned entries, struct io_uring_params *p)
{
    return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int ring_enter(int fd, unsigned submit, unsigned wait)
{
    return (int)syscall(__NR_io_uring_enter, fd, submit, wait, IORING_ENTER_GETEVENTS, NULL, 0);
}

static void *map_ring(int fd, size_t len, off_t off)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off);
    return p == MAP_FAILED ? NULL : p;
}

static void unmap_all(upf_n6io *q)
{
    if (q->sqe_map)
        munmap(q->sqe_map, q->sqe_map_len);
    if (q->cq_map && q->cq_map != q->sq_map)
        munmap(q->cq_map, q->cq_map_len);
    if (q->sq_map)
        munmap(q->sq_map, q->sq_map_len);
    q->sq_map = q->cq_map = q->sqe_map = NULL;
}

static int ring_open(upf_n6io *q)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    /* SUBMIT_ALL (Linux 5.18): one failed SQE must not leave the rest of a batch queued.
     * Older kernels take the per-packet path. */
    p.flags = IORING_SETUP_SUBMIT_ALL;
    int fd = ring_setup(UPF_N6IO_DEPTH, &p);
    if (fd < 0)
        return -1;
    q->ring_fd = fd;
    q->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    q->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    if (p.features & IORING_FEAT_SINGLE_MMAP) {
        if (q->cq_map_len > q->sq_map_len)
            q->sq_map_len = q->cq_map_len;
        q->cq_map_len = q->sq_map_len;
    }
    q->sq_map = map_ring(fd, q->sq_map_len, IORING_OFF_SQ_RING);
    q->cq_map = !q->sq_map ? NULL
                : (p.features & IORING_FEAT_SINGLE_MMAP)
                    ? q->sq_map
                    : map_ring(fd, q->cq_map_len, IORING_OFF_CQ_RING);
    q->sqe_map_len = p.sq_entries * sizeof(struct io_uring_sqe);
    q->sqe_map = q->cq_map ? map_ring(fd, q->sqe_map_len, IORING_OFF_SQES) : NULL;
    if (!q->sqe_map || p.sq_entries < UPF_N6IO_DEPTH || p.cq_entries < UPF_N6IO_DEPTH)
        return -1;
    uint8_t *sq = q->sq_map, *cq = q->cq_map;
    q->sq_head = (unsigned *)(sq + p.sq_off.head);
    q->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    q->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    q->sq_array = (unsigned *)(sq + p.sq_off.array);
    q->cq_head = (unsigned *)(cq + p.cq_off.head);
    q->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    q->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    q->sqes = q->sqe_map;
    q->cqes = cq + p.cq_off.cqes;
    return 0;
}

void upf_n6io_init(upf_n6io *q, int tun_fd)
{
    memset(q, 0, sizeof *q);
    q->tun_fd = tun_fd;
    q->ring_fd = -1;
    if (ring_open(q)) {
        unmap_all(q);
        if (q->ring_fd >= 0)
            close(q->ring_fd);
        q->ring_fd = -1;
    }
}

void upf_n6io_free(upf_n6io *q)
{
    unmap_all(q);
    if (q->ring_fd >= 0)
        close(q->ring_fd);
    q->ring_fd = -1;
}

/* The ring failed in a way that may leave operations queued: never use it again. */
static void ring_disable(upf_n6io *q)
{
    upf_n6io_free(q);
}

bool upf_n6io_batched(const upf_n6io *q)
{
    return q->ring_fd >= 0;
}

/* Queues one read or write of buf[0..len) on the TUN fd, tagged with slot. */
static void queue_op(upf_n6io *q, uint8_t op, void *buf, size_t len, unsigned slot)
{
    unsigned tail = *q->sq_tail, idx = tail & *q->sq_mask;
    struct io_uring_sqe *sqe = (struct io_uring_sqe *)q->sqes + idx;
    memset(sqe, 0, sizeof *sqe);
    sqe->opcode = op;
    sqe->fd = q->tun_fd;
    sqe->addr = (uint64_t)(uintptr_t)buf;
    sqe->len = (uint32_t)len;
    /* RWF_NOWAIT: a read with nothing queued completes with -EAGAIN; without it io_uring
     * would park the read until a packet arrives and the batch would never complete. */
    sqe->rw_flags = op == IORING_OP_READ ? RWF_NOWAIT : 0;
    sqe->user_data = slot;
    q->sq_array[idx] = idx;
    __atomic_store_n(q->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

/* Submits n queued operations, waits for their n completions and stores each result in
 * res[slot]. Returns 0, or -1 when the ring failed (it is then disabled; what happened to
 * the batch is unknown). */
static int run_batch(upf_n6io *q, unsigned n, int *res)
{
    unsigned done = 0;
    for (unsigned i = 0; i < n; i++)
        res[i] = -ECANCELED; /* a slot no completion names counts as failed */
    q->syscalls++;
    int r = ring_enter(q->ring_fd, n, n);
    while (r < 0 && errno == EINTR) {
        q->syscalls++;
        r = ring_enter(q->ring_fd, n, n); /* interrupted before anything was submitted */
    }
    if (r != (int)n) {
        ring_disable(q);
        return -1;
    }
    for (;;) {
        unsigned head = *q->cq_head, tail = __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE);
        for (; head != tail; head++) {
            const struct io_uring_cqe *c =
                (const struct io_uring_cqe *)q->cqes + (head & *q->cq_mask);
            if (c->user_data < n)
                res[c->user_data] = c->res;
            done++;
        }
        __atomic_store_n(q->cq_head, head, __ATOMIC_RELEASE);
        if (done >= n)
            return 0;
        q->syscalls++;
        if (ring_enter(q->ring_fd, 0, n - done) < 0 && errno != EINTR) {
            ring_disable(q);
            return -1;
        }
    }
}

unsigned upf_n6io_write(upf_n6io *q, const struct iovec *pkt, unsigned n)
{
    unsigned ok = 0;
    if (n > UPF_N6IO_DEPTH)
        n = UPF_N6IO_DEPTH;
    if (q->ring_fd >= 0 && n > 1) {
        int res[UPF_N6IO_DEPTH];
        for (unsigned i = 0; i < n; i++)
            queue_op(q, IORING_OP_WRITE, pkt[i].iov_base, pkt[i].iov_len, i);
        if (run_batch(q, n, res) == 0) {
            for (unsigned i = 0; i < n; i++)
                ok += res[i] >= 0;
            return ok;
        }
        return 0;
    }
    for (unsigned i = 0; i < n; i++) {
        q->syscalls++;
        ok += write(q->tun_fd, pkt[i].iov_base, pkt[i].iov_len) >= 0;
    }
    return ok;
}

unsigned upf_n6io_read(upf_n6io *q, uint8_t *const *buf, size_t cap, size_t *len, unsigned n)
{
    unsigned got = 0;
    if (n > UPF_N6IO_DEPTH)
        n = UPF_N6IO_DEPTH;
    memset(len, 0, n * sizeof *len);
    if (q->ring_fd >= 0) {
        int res[UPF_N6IO_DEPTH];
        for (unsigned i = 0; i < n; i++)
            queue_op(q, IORING_OP_READ, buf[i], cap, i);
        if (run_batch(q, n, res))
            return 0;
        for (unsigned i = 0; i < n; i++)
            if (res[i] > 0) {
                len[i] = (size_t)res[i];
                got++;
            }
        return got;
    }
    for (unsigned i = 0; i < n; i++) {
        q->syscalls++;
        ssize_t r = read(q->tun_fd, buf[i], cap);
        if (r <= 0)
            break;
        len[i] = (size_t)r;
        got++;
    }
    return got;
}
