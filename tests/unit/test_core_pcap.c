/* Signalling pcap writer: tshark (the independent oracle) must open the file and dissect
 * the exported PDU with the named dissector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hex.h"
#include "core/pcap.h"

/* A plain Registration Request (TS 24.501 §8.2.6) with a null-scheme SUCI for 001/01. */
static const char *const REG_REQ = "7e004179000d0100f110f0ff0000000000102e04f0f00000";

static void test_tshark_dissects_exported_pdu(void **state)
{
    (void)state;
    char path[] = "/tmp/g5pcapXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    uint8_t msg[64];
    int n = g5_hex_decode(REG_REQ, msg, sizeof msg);
    assert_true(n > 0);
    g5_pcap *pc = g5_pcap_open(path);
    assert_non_null(pc);
    assert_int_equal(g5_pcap_write(pc, "nas-5gs", 0x7f000001, 0, 0x7f000002, 0, msg, (size_t)n), 0);
    assert_int_equal(g5_pcap_write(pc, "nas-5gs", 0, 0, 0, 0, msg, (size_t)n), 0);
    g5_pcap_close(pc);
    if (system("command -v tshark >/dev/null 2>&1") != 0) {
        unlink(path);
        print_message("skipped: tshark is not installed (make deps installs it)\n");
        skip();
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -T fields -e nas_5gs.mm.message_type -e exported_pdu.ipv4_src "
             "-e _ws.malformed 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line1[128] = "", line2[128] = "";
    assert_non_null(fgets(line1, sizeof line1, p));
    assert_non_null(fgets(line2, sizeof line2, p));
    pclose(p);
    unlink(path);
    assert_string_equal(line1, "0x41\t127.0.0.1\t\n");
    assert_string_equal(line2, "0x41\t\t\n");
}

static void test_open_fails_cleanly(void **state)
{
    (void)state;
    assert_null(g5_pcap_open("/nonexistent-dir/x.pcap"));
    g5_pcap_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tshark_dissects_exported_pdu),
        cmocka_unit_test(test_open_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
