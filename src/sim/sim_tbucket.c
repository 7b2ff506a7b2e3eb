/* Token bucket rate limiter (see sim_tbucket.h). */
#include "sim/sim_tbucket.h"

#define NANO UINT64_C(1000000000)

void sim_tbucket_init(sim_tbucket *tb, uint64_t rate, uint64_t burst, uint64_t now_ns)
{
    tb->rate = rate ? rate : 1;
    tb->burst = burst ? burst : 1;
    tb->credit = 0;
    tb->last_ns = now_ns;
}

uint64_t sim_tbucket_take(sim_tbucket *tb, uint64_t now_ns, uint64_t want)
{
    /* At most `burst` whole tokens, plus the fraction of the next one: clamping that
     * fraction away would lose rate whenever the bucket is full at a tick. */
    uint64_t cap = tb->burst * NANO + (NANO - 1);
    if (now_ns > tb->last_ns) {
        uint64_t dt = now_ns - tb->last_ns;
        /* Past the time needed to fill the bucket the product only overflows: clamp. */
        uint64_t fill_ns = cap / tb->rate + 1;
        if (dt >= fill_ns)
            tb->credit = cap;
        else {
            tb->credit += dt * tb->rate;
            if (tb->credit > cap)
                tb->credit = cap;
        }
        tb->last_ns = now_ns;
    }
    uint64_t have = tb->credit / NANO;
    uint64_t n = have < want ? have : want;
    tb->credit -= n * NANO;
    return n;
}
