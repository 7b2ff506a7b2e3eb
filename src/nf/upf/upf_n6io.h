/* Batched reads and writes on the UPF's N6 TUN device.
 *
 * A TUN device moves one packet per read()/write(), and a system call is the dominant
 * cost of a UPF packet (about 1.3 us on the paravirtualised CI machine against ~60 ns of
 * rule work, docs/upf.md). These calls put a whole batch of reads or writes into one
 * io_uring_enter(): the TUN fd is non-blocking, so every read/write completes inline
 * during submission (a read with nothing queued completes with -EAGAIN) and one system
 * call carries up to UPF_N6IO_DEPTH packets. Without io_uring (old kernel, seccomp,
 * kernel.io_uring_disabled) the same calls fall back to one read()/write() per packet. */
#ifndef G5_NF_UPF_UPF_N6IO_H
#define G5_NF_UPF_UPF_N6IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define UPF_N6IO_DEPTH 64

typedef struct upf_n6io {
    int tun_fd;
    int ring_fd; /* -1: per-packet read()/write() */
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
    unsigned *cq_head, *cq_tail, *cq_mask;
    void *sqes, *cqes;
    void *sq_map, *cq_map, *sqe_map;
    size_t sq_map_len, cq_map_len, sqe_map_len;
    uint64_t syscalls; /* system calls made for N6 packets (for benchmarks) */
} upf_n6io;

/* Sets up batching for tun_fd (which must be O_NONBLOCK). Never fails: without io_uring
 * the per-packet fallback is used (upf_n6io_batched() says which). */
void upf_n6io_init(upf_n6io *q, int tun_fd);
void upf_n6io_free(upf_n6io *q);
bool upf_n6io_batched(const upf_n6io *q);

/* Writes the n (<= UPF_N6IO_DEPTH) packets pkt[0..n) to the TUN device, in order.
 * Returns how many the kernel accepted. */
unsigned upf_n6io_write(upf_n6io *q, const struct iovec *pkt, unsigned n);

/* Reads up to n (<= UPF_N6IO_DEPTH) packets into buf[0..n) (cap octets each); len[i] is
 * the length of the packet in buf[i], 0 for a slot that got none. Slots in index order are
 * arrival order. Returns how many packets were read: fewer than n means the device queue
 * ran empty. */
unsigned upf_n6io_read(upf_n6io *q, uint8_t *const *buf, size_t cap, size_t *len, unsigned n);

#endif
