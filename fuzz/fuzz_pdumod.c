/* libFuzzer target: the PDU session modification parsers that read peer input.
 * The first octet picks the parser, the rest is the message:
 *   0: the SMF's PDU SESSION MODIFICATION REQUEST checks (smf_gsm_parse_mod_req)
 *   1: the SMF's COMMAND REJECT (smf_gsm_parse_mod_cmd_reject)
 *   2: the SMF's Modify Response Transfer / Modify Unsuccessful Transfer (N2 from the gNB)
 *   3: the simulated gNB's NGAP PDU Session Resource messages incl. Modify Request
 *   4: the simulated gNB's Modify Request Transfer
 * Beyond "no crash, leak or out-of-bounds read" (ASan/UBSan) it checks that an accepted
 * request only ever carries a 5QI the SMF allows for the default flow, and that a failed
 * parse always names a 5GSM cause. A violated property traps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nf/smf/smf_gsm_mod.h"
#include "sim/sim_up.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mod_req(const uint8_t *p, size_t n)
{
    smf_mod_req q;
    uint8_t cause = 0;
    if (smf_gsm_parse_mod_req(p, n, 1, &q, &cause) == 0) {
        if (q.has_5qi && !smf_5qi_non_gbr(q.fiveqi))
            __builtin_trap();
    } else if (cause == 0) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    uint8_t cause = 0;
    int g = 0, v = 0;
    switch (data[0] % 5) {
    case 0: mod_req(p, n); break;
    case 1: (void)smf_gsm_parse_mod_cmd_reject(p, n, &cause); break;
    case 2:
        (void)smf_n2_parse_modify_response_transfer(p, n, 1);
        (void)smf_n2_parse_modify_unsuccessful_transfer(p, n, &g, &v);
        break;
    case 3: {
        sim_pdu_msg *m = malloc(sizeof *m);
        if (!m)
            return 0;
        if (sim_gnb_parse_pdu_msg(p, n, m) == 0 && m->nitems > SIM_PDU_MAX_ITEMS)
            __builtin_trap();
        free(m);
        break;
    }
    default: {
        sim_mod_transfer t;
        if (sim_gnb_parse_modify_transfer(p, n, &t) == 0 && t.nflows > sizeof t.qfi)
            __builtin_trap();
        break;
    }
    }
    return 0;
}
