/* Batched N6 I/O (src/nf/upf/upf_n6io.c): packet boundaries and order kept, a read on an
 * empty queue returns at once (the hang a parked io_uring read would cause), the
 * per-packet fallback behaves the same, and one batch costs one system call when io_uring
 * is there. A non-blocking SOCK_SEQPACKET socket pair stands in for the TUN device: like
 * TUN it hands out one whole packet per read() and keeps message boundaries, and it needs
 * no privileges. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "nf/upf/upf_n6io.h"

static uint8_t pkt[UPF_N6IO_DEPTH][256];
static uint8_t rx[UPF_N6IO_DEPTH][300];

/* Writes n packets of distinct lengths and contents through w, reads them back through r
 * with room for n + 3, checks order, lengths, contents and the empty slots. */
static void round_trip(upf_n6io *w, upf_n6io *r, unsigned n)
{
    struct iovec v[UPF_N6IO_DEPTH];
    for (unsigned i = 0; i < n; i++) {
        memset(pkt[i], (int)(i + 1), sizeof pkt[i]);
        v[i] = (struct iovec){pkt[i], 20 + i};
    }
    assert_int_equal(upf_n6io_write(w, v, n), n);
    uint8_t *bufs[UPF_N6IO_DEPTH];
    size_t len[UPF_N6IO_DEPTH];
    unsigned want = n + 3 > UPF_N6IO_DEPTH ? UPF_N6IO_DEPTH : n + 3;
    for (unsigned i = 0; i < want; i++)
        bufs[i] = rx[i];
    assert_int_equal(upf_n6io_read(r, bufs, sizeof rx[0], len, want), n);
    unsigned seen = 0;
    for (unsigned i = 0; i < want; i++) {
        if (!len[i])
            continue;
        assert_int_equal(len[i], 20 + seen);
        assert_memory_equal(rx[i], pkt[seen], len[i]);
        seen++;
    }
    assert_int_equal(seen, n);
}

static void pair(int sv[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
    int big = 1 << 20;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
}

static void batches_keep_order_and_boundaries(void **state)
{
    (void)state;
    int sv[2];
    pair(sv);
    upf_n6io w, r;
    upf_n6io_init(&w, sv[0]);
    upf_n6io_init(&r, sv[1]);
    alarm(10); /* a parked read would hang here */
    uint8_t *b0[4] = {rx[0], rx[1], rx[2], rx[3]};
    size_t len[4];
    assert_int_equal(upf_n6io_read(&r, b0, sizeof rx[0], len, 4), 0); /* empty: at once */
    round_trip(&w, &r, 1);
    round_trip(&w, &r, 5);
    round_trip(&w, &r, UPF_N6IO_DEPTH - 3);
    uint64_t before = r.syscalls;
    round_trip(&w, &r, 32);
    if (upf_n6io_batched(&r))
        assert_int_equal(r.syscalls - before, 1); /* 35 reads, one io_uring_enter */
    else
        assert_int_equal(r.syscalls - before, 33); /* 32 packets + the EAGAIN */
    alarm(0);
    upf_n6io_free(&w);
    upf_n6io_free(&r);
    close(sv[0]);
    close(sv[1]);
}

static void fallback_behaves_the_same(void **state)
{
    (void)state;
    int sv[2];
    pair(sv);
    upf_n6io w, r;
    upf_n6io_init(&w, sv[0]);
    upf_n6io_init(&r, sv[1]);
    upf_n6io_free(&w); /* forces the read()/write() path */
    upf_n6io_free(&r);
    assert_false(upf_n6io_batched(&r));
    alarm(10);
    round_trip(&w, &r, 1);
    round_trip(&w, &r, 17);
    alarm(0);
    close(sv[0]);
    close(sv[1]);
}

static void write_to_closed_peer_counts_failures(void **state)
{
    (void)state;
    int sv[2];
    pair(sv);
    upf_n6io w;
    upf_n6io_init(&w, sv[0]);
    close(sv[1]);
    struct iovec v[3] = {{pkt[0], 10}, {pkt[1], 10}, {pkt[2], 10}};
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(upf_n6io_write(&w, v, 3), 0);
    upf_n6io_free(&w);
    close(sv[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batches_keep_order_and_boundaries),
        cmocka_unit_test(fallback_behaves_the_same),
        cmocka_unit_test(write_to_closed_peer_counts_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
