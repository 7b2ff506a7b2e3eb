/* The UPF process measured between network namespaces (issue #10): packets/s, Gbit/s, loss
 * and UPF CPU time per packet for 64 and 1400 octet packets, uplink and downlink, with 1 and
 * 1,000 PDU sessions, next to plain kernel IP forwarding over the same veths (the baseline,
 * measured in the same run).
 *
 *   gNB ns (generator/sink) --veth N3-- UPF ns (glass5g run --nf upf, N6 TUN) --veth-- DN ns
 *
 * The real `glass5g run --nf upf` process runs in its own namespace; this program is the
 * SMF (association + session establishment/deletion over PFCP, built and parsed with
 * src/pfcp) and the gNB/DN traffic generators and sinks (sendmmsg/recvmmsg threads whose
 * sockets are opened inside the right namespace with setns()). Uplink: prebuilt GTP-U
 * G-PDUs (PDU Session Container, QFI 9) from the gNB to the UPF's N3, counted by a UDP
 * sink in the DN. Downlink: UDP from the DN to the UE addresses, counted (still GTP-U) by
 * a sink in the gNB namespace. Baseline: the same generator sends plain UDP packets of
 * the same IP size gNB -> DN and DN -> gNB, forwarded by the UPF namespace's kernel.
 *
 * Each case: 0.3 s warm-up, then a measured window (default 1.5 s, -t SECONDS); counters
 * are snapshots at the window's edges. "UPF CPU" is the process's utime+stime from
 * /proc/<pid>/stat over the window (softirq work the kernel does for its packets on other
 * tasks' time is not in it), so "Mpps/core" = delivered packets / UPF CPU seconds is what
 * one core running the UPF process sustains. Generator, sink, UPF and the kernel share the
 * machine's cores, so the figures are those of this box, not of a UPF with dedicated cores.
 *
 * Needs root (namespaces, veth, TUN); prints why and exits 0 otherwise so `make bench`
 * goes on. Packet sizes are inner IP packet sizes (what a UE sends/receives); Gbit/s
 * counts those octets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "gtpu/gtpu.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

#define MAX_UES 1000
#define BATCH 64
#define QFI 9
#define GNB_TEID_BASE 0x1000u
#define SINK_PORT 9001
#define WARMUP_NS 300000000ull

static const char GNB_IP[] = "10.201.1.2", UPF_N3_IP[] = "10.201.1.1", UPF_N6_IP[] = "10.201.2.1",
                  DN_IP[] = "10.201.2.2";
#define UE_BASE 0x0a2e1000u /* 10.46.16.0: UE i is UE_BASE + 1 + i */

static char ns_gnb[32], ns_upf[32], ns_dn[32], tmpdir[64], cfg_path[128], log_path[128];
static pid_t upf_pid = -1;
static int root_ns = -1;
static volatile sig_atomic_t interrupted;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    while (nanosleep(&ts, &ts) && errno == EINTR && !interrupted)
        ;
}

/* ---- namespaces ---- */

/* Runs a shell command built from our own constants; returns its exit status. */
static int sh(const char *fmt, ...)
{
    char cmd[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static int enter_ns(const char *ns)
{
    char p[96];
    snprintf(p, sizeof p, "/var/run/netns/%s", ns);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = setns(fd, CLONE_NEWNET);
    close(fd);
    return rc;
}

/* A socket that lives in namespace ns (a socket keeps the namespace it was created in). */
static int ns_socket(const char *ns, int type, int proto)
{
    if (enter_ns(ns))
        return -1;
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, proto);
    if (setns(root_ns, CLONE_NEWNET)) {
        perror("setns back");
        exit(1);
    }
    return fd;
}

/* SIGTERM, then SIGKILL if the UPF has not exited within 3 s. Returns the wait status. */
static int stop_upf(void)
{
    int st = -1;
    if (upf_pid <= 0)
        return st;
    kill(upf_pid, SIGTERM);
    for (int i = 0; i < 300 && waitpid(upf_pid, &st, WNOHANG) == 0; i++)
        sleep_ns(10000000);
    if (st == -1) {
        printf("  the UPF did not stop on SIGTERM: killed\n");
        kill(upf_pid, SIGKILL);
        waitpid(upf_pid, &st, 0);
        st = -1;
    }
    upf_pid = -1;
    return st;
}

static void cleanup(void)
{
    stop_upf();
    if (ns_gnb[0]) {
        sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; ip netns del %s "
           "2>/dev/null",
           ns_gnb, ns_upf, ns_dn);
        ns_gnb[0] = 0;
    }
    if (tmpdir[0]) {
        unlink(cfg_path);
        unlink(log_path);
        rmdir(tmpdir);
        tmpdir[0] = 0;
    }
}

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* gNB 10.201.1.2 -- 10.201.1.1 UPF 10.201.2.1 -- 10.201.2.2 DN; the DN routes the UE pool
 * (10.46.0.0/16) to the UPF; gNB and DN route each other's subnet through the UPF
 * namespace for the kernel-forwarding baseline. */
static int setup_namespaces(void)
{
    int id = (int)getpid();
    snprintf(ns_gnb, sizeof ns_gnb, "g5bg%d", id);
    snprintf(ns_upf, sizeof ns_upf, "g5bu%d", id);
    snprintf(ns_dn, sizeof ns_dn, "g5bd%d", id);
    if (sh("ip netns add %s 2>/dev/null", ns_gnb)) {
        ns_gnb[0] = 0;
        return 77;
    }
    if (sh("ip netns add %s && ip netns add %s", ns_upf, ns_dn))
        return -1;
    if (sh("ip link add n3g%d netns %s type veth peer name n3u%d netns %s", id, ns_gnb, id, ns_upf))
        return 77;
    int rc =
        sh("ip link add n6u%d netns %s type veth peer name n6d%d netns %s", id, ns_upf, id, ns_dn);
    rc |= sh("ip -n %s addr add %s/24 dev n3g%d && ip -n %s link set n3g%d up && "
             "ip -n %s link set lo up && ip -n %s route add 10.201.2.0/24 via %s",
             ns_gnb, GNB_IP, id, ns_gnb, id, ns_gnb, ns_gnb, UPF_N3_IP);
    rc |= sh("ip -n %s addr add %s/24 dev n3u%d && ip -n %s addr add %s/24 dev n6u%d && "
             "ip -n %s link set n3u%d up && ip -n %s link set n6u%d up && ip -n %s link set lo up",
             ns_upf, UPF_N3_IP, id, ns_upf, UPF_N6_IP, id, ns_upf, id, ns_upf, id, ns_upf);
    rc |= sh("ip -n %s addr add %s/24 dev n6d%d && ip -n %s link set n6d%d up && "
             "ip -n %s link set lo up && ip -n %s route add 10.46.0.0/16 via %s && "
             "ip -n %s route add 10.201.1.0/24 via %s",
             ns_dn, DN_IP, id, ns_dn, id, ns_dn, ns_dn, UPF_N6_IP, ns_dn, UPF_N6_IP);
    rc |= sh("ip netns exec %s sysctl -qw net.ipv4.ip_forward=1", ns_upf);
    return rc ? -1 : 0;
}

/* ---- the UPF process ---- */

static int find_glass5g(char *out, size_t cap)
{
    const char *bin = getenv("G5_BINARY_DIR");
    char self[PATH_MAX];
    if (bin) {
        snprintf(out, cap, "%s/glass5g", bin);
    } else {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            return -1;
        self[n] = 0;
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = 0;
        snprintf(out, cap, "%s/../glass5g", self); /* build/bench/.. */
    }
    return access(out, X_OK);
}

static int start_upf(const char *exe)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/g5bench.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        tmpdir[0] = 0;
        return -1;
    }
    snprintf(cfg_path, sizeof cfg_path, "%s/upf.yaml", tmpdir);
    snprintf(log_path, sizeof log_path, "%s/upf.log", tmpdir);
    FILE *f = fopen(cfg_path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "log: {level: notice}\n"
            "upf:\n"
            "  pfcp: {address: %s, port: 8805}\n"
            "  n3: {address: %s, port: 2152}\n"
            "  n6: {tun: g5bt%d, address: 10.46.0.1/16}\n"
            "  ue_pools: [10.46.0.0/16]\n"
            "  limits: {sessions: %d}\n",
            UPF_N3_IP, UPF_N3_IP, (int)getpid(), MAX_UES + 16);
    fclose(f);
    upf_pid = fork();
    if (upf_pid < 0)
        return -1;
    if (upf_pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || enter_ns(ns_upf))
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(exe, exe, "run", "--nf", "upf", "-c", cfg_path, (char *)NULL);
        _exit(127);
    }
    return 0;
}

/* utime + stime of the UPF in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
static uint64_t upf_cpu_ticks(void)
{
    char p[64], buf[1024];
    snprintf(p, sizeof p, "/proc/%d/stat", (int)upf_pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *s = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long ut = 0, st = 0;
    if (!s || sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return 0;
    return ut + st;
}

/* ---- SMF side: PFCP over a socket in the gNB namespace ---- */

static int pfcp_fd = -1;
static uint32_t pfcp_seq = 1;
static g5_pfcp_msg rsp_msg;

static int pfcp_call(const uint8_t *req, size_t len, uint8_t want_type)
{
    struct sockaddr_in upf = {.sin_family = AF_INET, .sin_port = htons(8805)};
    inet_pton(AF_INET, UPF_N3_IP, &upf.sin_addr);
    static uint8_t buf[4096];
    for (int attempt = 0; attempt < 3; attempt++) {
        if (sendto(pfcp_fd, req, len, 0, (struct sockaddr *)&upf, sizeof upf) < 0)
            return -1;
        for (;;) {
            ssize_t n = recv(pfcp_fd, buf, sizeof buf, 0);
            if (n < 0)
                break; /* timeout: retransmit */
            if (g5_pfcp_decode(buf, (size_t)n, &rsp_msg, NULL) == 0 &&
                rsp_msg.h.type == want_type && rsp_msg.h.seq == pfcp_seq - 1)
                return 0;
        }
    }
    return -1;
}

static int pfcp_wait_up(void)
{
    uint8_t b[256];
    for (int i = 0; i < 50; i++) {
        g5_wbuf w;
        g5_wbuf_init(&w, b, sizeof b);
        g5_pfcp_build_heartbeat_req(&w, pfcp_seq++, 1);
        struct sockaddr_in upf = {.sin_family = AF_INET, .sin_port = htons(8805)};
        inet_pton(AF_INET, UPF_N3_IP, &upf.sin_addr);
        sendto(pfcp_fd, b, w.len, 0, (struct sockaddr *)&upf, sizeof upf);
        uint8_t r[512];
        struct timeval tv = {0, 100000};
        setsockopt(pfcp_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (recv(pfcp_fd, r, sizeof r, 0) > 0)
            return 0;
    }
    return -1;
}

static uint64_t up_seid[MAX_UES];
static uint32_t ul_teid[MAX_UES];

static int pfcp_sessions(int n)
{
    static uint8_t b[4096];
    g5_wbuf w;
    struct timeval tv = {1, 0};
    setsockopt(pfcp_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    g5_pfcp_node_id smf = {.type = G5_PFCP_NODE_IPV4};
    inet_pton(AF_INET, GNB_IP, smf.ipv4);
    g5_wbuf_init(&w, b, sizeof b);
    g5_pfcp_build_assoc_setup_req(&w, pfcp_seq++, &smf, 3900000000u, 0, 0);
    if (pfcp_call(b, w.len, G5_PFCP_ASSOC_SETUP_RSP))
        return -1;
    static g5_pfcp_sess_est_req est;
    static g5_pfcp_sess_rsp rsp;
    for (int i = 0; i < n; i++) {
        memset(&est, 0, sizeof est);
        est.node_id = smf;
        est.cp_fseid.v4 = true;
        est.cp_fseid.seid = 0x5000u + (uint64_t)i;
        memcpy(est.cp_fseid.ipv4, smf.ipv4, 4);
        uint32_t ue = UE_BASE + 1u + (uint32_t)i;
        g5_pfcp_pdu_session s = {
            .ue_ipv4 = {(uint8_t)(ue >> 24), (uint8_t)(ue >> 16), (uint8_t)(ue >> 8), (uint8_t)ue},
            .qfi = QFI,
            .ambr = {10000000, 10000000}, /* 10 Gbit/s: the MBR path runs, never drops */
            .ul_teid_choose = true,
            .has_gnb = true,
            .gnb_teid = GNB_TEID_BASE + (uint32_t)i,
            .with_urr = true};
        memcpy(s.gnb_ipv4, smf.ipv4, 4);
        g5_pfcp_pdu_session_rules(&est.create, &s);
        g5_wbuf_init(&w, b, sizeof b);
        g5_pfcp_build_sess_est_req(&w, 0, pfcp_seq++, &est);
        if (w.err || pfcp_call(b, w.len, G5_PFCP_SESSION_EST_RSP) ||
            g5_pfcp_sess_rsp_parse(&rsp_msg, &rsp) || rsp.cause != G5_PFCP_CAUSE_ACCEPTED ||
            !rsp.has_up_fseid || !rsp.n_created || !rsp.created[0].has_fteid) {
            fprintf(stderr, "session %d: establishment failed (cause %u)\n", i, rsp.cause);
            return -1;
        }
        up_seid[i] = rsp.up_fseid.seid;
        ul_teid[i] = rsp.created[0].fteid.teid;
    }
    return 0;
}

static int pfcp_delete(int n)
{
    uint8_t b[256];
    static g5_pfcp_sess_rsp rsp;
    int bad = 0;
    for (int i = 0; i < n; i++) {
        g5_wbuf w;
        g5_wbuf_init(&w, b, sizeof b);
        g5_pfcp_build_sess_del_req(&w, up_seid[i], pfcp_seq++);
        if (pfcp_call(b, w.len, G5_PFCP_SESSION_DEL_RSP) ||
            g5_pfcp_sess_rsp_parse(&rsp_msg, &rsp) || rsp.cause != G5_PFCP_CAUSE_ACCEPTED)
            bad++;
    }
    return bad;
}

/* ---- packets ---- */

static void ipv4_udp(uint8_t *p, size_t n, uint32_t src, uint32_t dst, uint16_t dport)
{
    memset(p, 0, n);
    p[0] = 0x45;
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    p[8] = 64;
    p[9] = 17;
    for (int k = 0; k < 4; k++) {
        p[12 + k] = (uint8_t)(src >> (24 - 8 * k));
        p[16 + k] = (uint8_t)(dst >> (24 - 8 * k));
    }
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    p[10] = (uint8_t)(~sum >> 8);
    p[11] = (uint8_t)~sum;
    p[20] = 0x9c; /* source port 40000 */
    p[21] = 0x40;
    p[22] = (uint8_t)(dport >> 8);
    p[23] = (uint8_t)dport;
    p[24] = (uint8_t)((n - 20) >> 8);
    p[25] = (uint8_t)(n - 20); /* UDP checksum 0: none (RFC 768) */
}

/* One traffic case: a generator socket sending `nmsg` distinct prebuilt datagrams round
 * robin, a sink socket counting what arrives. */
typedef struct tcase {
    int gen_fd, sink_fd;
    struct mmsghdr *msgs;
    unsigned nmsg;
    _Atomic uint64_t sent, got;
    atomic_bool stop;
} tcase;

static void *gen_thread(void *arg)
{
    tcase *t = arg;
    unsigned at = 0;
    while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
        unsigned k = t->nmsg - at < BATCH ? t->nmsg - at : BATCH;
        int r = sendmmsg(t->gen_fd, t->msgs + at, k, 0);
        if (r > 0) {
            atomic_fetch_add_explicit(&t->sent, (uint64_t)r, memory_order_relaxed);
            at = (at + (unsigned)r) % t->nmsg;
        }
    }
    return NULL;
}

static void *sink_thread(void *arg)
{
    tcase *t = arg;
    static uint8_t bufs[BATCH][2048];
    struct mmsghdr m[BATCH];
    struct iovec iov[BATCH];
    while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec){bufs[i], sizeof bufs[i]};
            m[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
        }
        int r = recvmmsg(t->sink_fd, m, BATCH, MSG_WAITFORONE, NULL);
        if (r > 0)
            atomic_fetch_add_explicit(&t->got, (uint64_t)r, memory_order_relaxed);
    }
    return NULL;
}

typedef struct result {
    double offered_pps, delivered_pps, cpu_s, window_s;
} result;

static double run_case(tcase *t, double secs, result *res)
{
    pthread_t g, s;
    atomic_store(&t->stop, false);
    atomic_store(&t->sent, 0);
    atomic_store(&t->got, 0);
    pthread_create(&s, NULL, sink_thread, t);
    pthread_create(&g, NULL, gen_thread, t);
    sleep_ns(WARMUP_NS);
    uint64_t t0 = now_ns(), s0 = atomic_load(&t->sent), g0 = atomic_load(&t->got),
             c0 = upf_cpu_ticks();
    sleep_ns((uint64_t)(secs * 1e9));
    uint64_t t1 = now_ns(), s1 = atomic_load(&t->sent), g1 = atomic_load(&t->got),
             c1 = upf_cpu_ticks();
    atomic_store(&t->stop, true);
    pthread_join(g, NULL);
    pthread_join(s, NULL);
    res->window_s = (double)(t1 - t0) / 1e9;
    res->offered_pps = (double)(s1 - s0) / res->window_s;
    res->delivered_pps = (double)(g1 - g0) / res->window_s;
    res->cpu_s = (double)(c1 - c0) / (double)sysconf(_SC_CLK_TCK);
    return res->delivered_pps;
}

static void print_header(void)
{
    printf("  %-34s %5s %9s %9s %7s %6s %7s %9s %9s\n", "case", "size", "offered", "delivered",
           "Gbit/s", "loss", "UPF CPU", "CPU/pkt", "per core");
    printf("  %-34s %5s %9s %9s %7s %6s %7s %9s %9s\n", "", "B", "Mpps", "Mpps", "", "%", "%", "ns",
           "Mpps");
}

static void print_result(const char *what, size_t size, const result *r, bool upf)
{
    double loss = r->offered_pps > 0 ? 100.0 * (1.0 - r->delivered_pps / r->offered_pps) : 0;
    if (loss < 0)
        loss = 0; /* packets in flight at the window's edges */
    printf("  %-34s %5zu %9.3f %9.3f %7.3f %6.1f", what, size, r->offered_pps / 1e6,
           r->delivered_pps / 1e6, r->delivered_pps * (double)size * 8 / 1e9, loss);
    if (upf && r->delivered_pps > 0 && r->cpu_s > 0) {
        double pkts = r->delivered_pps * r->window_s;
        printf(" %7.1f %9.0f %9.3f\n", 100.0 * r->cpu_s / r->window_s, r->cpu_s * 1e9 / pkts,
               pkts / r->cpu_s / 1e6);
    } else {
        printf(" %7s %9s %9s\n", "-", "-", "-");
    }
    fflush(stdout);
}

/* Prebuilt datagrams: (packet, destination) pairs, one per UE. */
typedef struct pktset {
    uint8_t (*pkt)[G5_GTPU_HEADROOM + 2048];
    struct sockaddr_in *to;
    struct iovec *iov;
    struct mmsghdr *msgs;
} pktset;

static void set_msg(pktset *ps, unsigned i, const uint8_t *p, size_t len, uint32_t dst,
                    uint16_t port)
{
    ps->to[i] = (struct sockaddr_in){
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(dst)};
    ps->iov[i] = (struct iovec){(void *)p, len};
    ps->msgs[i].msg_hdr = (struct msghdr){.msg_name = &ps->to[i],
                                          .msg_namelen = sizeof ps->to[i],
                                          .msg_iov = &ps->iov[i],
                                          .msg_iovlen = 1};
}

static uint32_t ip_of(const char *s)
{
    struct in_addr a;
    inet_pton(AF_INET, s, &a);
    return ntohl(a.s_addr);
}

enum kind { BASE_UL, BASE_DL, UPF_UL, UPF_DL };

/* Builds the datagrams of one case into ps; returns how many. */
static unsigned build(pktset *ps, enum kind k, size_t size, unsigned ues)
{
    uint32_t gnb = ip_of(GNB_IP), dn = ip_of(DN_IP), upf = ip_of(UPF_N3_IP);
    unsigned n = k == BASE_UL || k == BASE_DL ? 1 : ues;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *ip = ps->pkt[i] + G5_GTPU_HEADROOM;
        uint32_t ue = UE_BASE + 1u + i;
        switch (k) {
        case BASE_UL: /* plain UDP gNB -> DN, same IP size */
            ipv4_udp(ip, size, gnb, dn, SINK_PORT);
            set_msg(ps, i, ip + 28, size - 28, dn, SINK_PORT);
            break;
        case BASE_DL:
            ipv4_udp(ip, size, dn, gnb, 2152);
            set_msg(ps, i, ip + 28, size - 28, gnb, 2152);
            break;
        case UPF_UL: { /* G-PDU with a UL PDU Session Container (TS 38.415 §5.5.2.2) */
            ipv4_udp(ip, size, ue, dn, SINK_PORT);
            g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_UL, .qfi = QFI};
            g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = ul_teid[i], .psc = &psc};
            int hl = g5_gtpu_encap(ip, size, G5_GTPU_HEADROOM, &e, 0);
            set_msg(ps, i, ip - hl, size + (size_t)hl, upf, 2152);
            break;
        }
        case UPF_DL: /* UDP to the UE address, which the DN routes to the UPF */
            ipv4_udp(ip, size, dn, ue, SINK_PORT);
            set_msg(ps, i, ip + 28, size - 28, ue, SINK_PORT);
            break;
        }
    }
    return n;
}

static int bind_sink(const char *ns, const char *addr, uint16_t port)
{
    int fd = ns_socket(ns, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, addr, &sa.sin_addr);
    int big = 16 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    struct timeval tv = {0, 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
        perror("sink bind");
        exit(1);
    }
    return fd;
}

static int run_all(double secs, int ues)
{
    pktset ps = {calloc(MAX_UES, sizeof *ps.pkt), calloc(MAX_UES, sizeof *ps.to),
                 calloc(MAX_UES, sizeof *ps.iov), calloc(MAX_UES, sizeof *ps.msgs)};
    if (!ps.pkt || !ps.to || !ps.iov || !ps.msgs)
        return -1;
    int gnb_tx = ns_socket(ns_gnb, SOCK_DGRAM, 0), dn_tx = ns_socket(ns_dn, SOCK_DGRAM, 0);
    int gnb_rx = bind_sink(ns_gnb, GNB_IP, 2152), dn_rx = bind_sink(ns_dn, DN_IP, SINK_PORT);
    static const size_t sizes[] = {64, 1400};
    static const struct {
        enum kind k;
        const char *name;
        bool multi;
    } cases[] = {
        {BASE_UL, "uplink, kernel forwarding", false},
        {UPF_UL, "uplink, UPF, 1 session", false},
        {UPF_UL, "uplink, UPF, 1000 sessions", true},
        {BASE_DL, "downlink, kernel forwarding", false},
        {UPF_DL, "downlink, UPF, 1 session", false},
        {UPF_DL, "downlink, UPF, 1000 sessions", true},
    };
    print_header();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0] && !interrupted; c++) {
        for (size_t z = 0; z < 2 && !interrupted; z++) {
            static tcase t;
            bool ul = cases[c].k == BASE_UL || cases[c].k == UPF_UL;
            t.gen_fd = ul ? gnb_tx : dn_tx;
            t.sink_fd = ul ? dn_rx : gnb_rx;
            t.msgs = ps.msgs;
            t.nmsg = build(&ps, cases[c].k, sizes[z], cases[c].multi ? (unsigned)ues : 1);
            result r;
            run_case(&t, secs, &r);
            char name[64];
            snprintf(name, sizeof name, "%s", cases[c].name);
            if (cases[c].multi)
                snprintf(name, sizeof name, "%s, UPF, %d sessions", ul ? "uplink" : "downlink",
                         ues);
            print_result(name, sizes[z], &r, cases[c].k == UPF_UL || cases[c].k == UPF_DL);
        }
    }
    close(gnb_tx);
    close(dn_tx);
    close(gnb_rx);
    close(dn_rx);
    free(ps.pkt);
    free(ps.to);
    free(ps.iov);
    free(ps.msgs);
    return 0;
}

int main(int argc, char **argv)
{
    double secs = 1.5;
    int ues = MAX_UES;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc)
            secs = atof(argv[++i]);
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            ues = atoi(argv[++i]);
    }
    if (secs <= 0 || secs > 60 || ues < 1 || ues > MAX_UES) {
        fprintf(stderr, "usage: %s [-t SECONDS (0-60]] [-n UES (1-%d)]\n", argv[0], MAX_UES);
        return 2;
    }
    printf("bench_upf_ns: the UPF process between network namespaces (gNB | UPF | DN)\n");
    if (geteuid() != 0) {
        printf("  SKIP: needs root (network namespaces, veth, TUN)\n");
        return 0;
    }
    char exe[PATH_MAX];
    if (find_glass5g(exe, sizeof exe)) {
        printf("  SKIP: glass5g binary not found next to the bench (set G5_BINARY_DIR)\n");
        return 0;
    }
    if (access("/dev/net/tun", R_OK | W_OK)) {
        printf("  SKIP: no /dev/net/tun\n");
        return 0;
    }
    root_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int rc = setup_namespaces();
    if (rc) {
        cleanup();
        printf("  %s\n", rc == 77 ? "SKIP: cannot create network namespaces or veth pairs"
                                  : "FAIL: namespace set-up");
        return rc == 77 ? 0 : 1;
    }
    pfcp_fd = ns_socket(ns_gnb, SOCK_DGRAM, 0);
    if (start_upf(exe) || pfcp_fd < 0 || pfcp_wait_up()) {
        printf("  FAIL: the UPF did not answer a PFCP heartbeat (log %s)\n", log_path);
        sh("cat %s", log_path);
        cleanup();
        return 1;
    }
    uint64_t t0 = now_ns();
    if (pfcp_sessions(ues)) {
        sh("cat %s", log_path);
        cleanup();
        return 1;
    }
    printf("  %d PFCP sessions established in %.1f ms (UPF-chosen TEIDs); window %.2f s per "
           "case after %.1f s warm-up\n",
           ues, (double)(now_ns() - t0) / 1e6, secs, WARMUP_NS / 1e9);
    rc = run_all(secs, ues);
    int bad = pfcp_delete(ues);
    int st = stop_upf();
    char line[256] = "";
    FILE *lf = fopen(log_path, "r");
    while (lf && fgets(line, sizeof line, lf))
        if (strstr(line, "UPF stopped"))
            printf("  %s", strstr(line, "UPF stopped"));
    if (lf)
        fclose(lf);
    if (bad || st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
        printf("  FAIL: %d deletions failed, UPF exit status %d\n", bad, st);
        rc = -1;
    }
    cleanup();
    close(pfcp_fd);
    close(root_ns);
    return rc ? 1 : 0;
}
