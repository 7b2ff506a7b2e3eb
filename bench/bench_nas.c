/* Benchmark: NAS-5GS decode and encode, ns per message, for a registration request (SUCI,
 * UE security capability, requested NSSAI, TAI) and a PDU session establishment accept
 * (QoS rules with packet filters, QoS flow descriptions, ePCO, DNN, ...). Baseline in the
 * same run: memcpy of the same number of bytes. Figures only; never a timed test. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/hex.h"
#include "nas/nas.h"

static const char *reg_req_hex = "7e004179000d0100f11021ff000010325476982e04e060e0602f190101040100"
                                 "00010202030504abcdef0508060000070800000952001100000001";
static const char *est_accept_hex =
    "2e0101c211002101000631310101ff01020015211210100a2d0000ffff0000301151138817710a0206060002"
    "0600012905010a2d0002220401010203790016012041010109022043010101020306000103030600017b000d"
    "80000d040808080800100205dc251c08696e7465726e6574066d6e63303933066d63633230380467707273";

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static volatile uint8_t sink;

static void bench(const char *name, const char *hex, long iters)
{
    uint8_t in[512], out[512], copy[512];
    int n = g5_hex_decode(hex, in, sizeof in);
    if (n < 0)
        return;
    static nas_msg m;
    double t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        if (nas_decode(in, (size_t)n, &m, NULL))
            return;
        sink ^= m.type;
    }
    double t1 = now_ns();
    g5_wbuf w;
    for (long i = 0; i < iters; i++) {
        g5_wbuf_init(&w, out, sizeof out);
        if (nas_encode(&m, &w))
            return;
        sink ^= out[w.len - 1];
    }
    double t2 = now_ns();
    for (long i = 0; i < iters; i++) {
        in[0] ^= (uint8_t)i; /* defeat hoisting */
        memcpy(copy, in, (size_t)n);
        sink ^= copy[n - 1];
    }
    double t3 = now_ns();
    double dec = (t1 - t0) / (double)iters, enc = (t2 - t1) / (double)iters;
    double cpy = (t3 - t2) / (double)iters;
    printf("%-34s %4d bytes  decode %7.1f ns (%5.2f M msg/s)  encode %7.1f ns (%5.2f M msg/s)"
           "  memcpy baseline %5.1f ns\n",
           name, n, dec, 1e3 / dec, enc, 1e3 / enc, cpy);
}

int main(void)
{
    long iters = 1000000;
    bench("registration request", reg_req_hex, iters);
    bench("pdu session establishment accept", est_accept_hex, iters);
    return 0;
}
