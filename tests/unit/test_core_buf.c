/* Byte buffers: every read is bounded, failures are sticky, writers never overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/hex.h"

static void test_reads_big_endian(void **state)
{
    (void)state;
    const uint8_t in[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
    g5_rbuf r;
    g5_rbuf_init(&r, in, sizeof in);
    uint8_t a;
    uint16_t b;
    uint32_t c, d;
    uint64_t e;
    assert_int_equal(g5_rbuf_u8(&r, &a), 0);
    assert_int_equal(g5_rbuf_u16(&r, &b), 0);
    assert_int_equal(g5_rbuf_u24(&r, &c), 0);
    assert_int_equal(g5_rbuf_u32(&r, &d), 0);
    assert_int_equal(g5_rbuf_u64(&r, &e), 0);
    assert_int_equal(a, 1);
    assert_int_equal(b, 0x0203);
    assert_int_equal(c, 0x040506);
    assert_int_equal(d, 0x0708090a);
    assert_true(e == 0x0b0c0d0e0f101112ull);
    assert_true(g5_rbuf_empty(&r));
    assert_int_equal(r.err, 0);
}

static void test_truncated_read_is_sticky_and_reads_nothing(void **state)
{
    (void)state;
    const uint8_t in[] = {0xaa, 0xbb, 0xcc};
    g5_rbuf r;
    g5_rbuf_init(&r, in, sizeof in);
    uint32_t v = 0x12345678;
    assert_int_equal(g5_rbuf_u32(&r, &v), G5_ERR_TRUNCATED);
    assert_int_equal(v, 0x12345678); /* untouched */
    assert_int_equal(r.pos, 0);
    uint8_t b = 0;
    /* sticky: even a read that would fit now fails */
    assert_int_equal(g5_rbuf_u8(&r, &b), G5_ERR_TRUNCATED);
    assert_int_equal(r.err, G5_ERR_TRUNCATED);
}

static void test_huge_length_does_not_wrap(void **state)
{
    (void)state;
    const uint8_t in[4] = {0};
    g5_rbuf r;
    g5_rbuf_init(&r, in, sizeof in);
    assert_int_equal(g5_rbuf_skip(&r, 1), 0);
    assert_int_equal(g5_rbuf_skip(&r, SIZE_MAX), G5_ERR_TRUNCATED);
    g5_rbuf r2;
    g5_rbuf_init(&r2, in, sizeof in);
    const uint8_t *p;
    assert_int_equal(g5_rbuf_ptr(&r2, &p, SIZE_MAX - 1), G5_ERR_TRUNCATED);
}

static void test_sub_reader_bounds(void **state)
{
    (void)state;
    const uint8_t in[] = {3, 'a', 'b', 'c', 9};
    g5_rbuf r, sub;
    g5_rbuf_init(&r, in, sizeof in);
    uint8_t len, x;
    assert_int_equal(g5_rbuf_u8(&r, &len), 0);
    assert_int_equal(g5_rbuf_sub(&r, &sub, len), 0);
    char s[4] = {0};
    assert_int_equal(g5_rbuf_bytes(&sub, s, 3), 0);
    assert_string_equal(s, "abc");
    /* the child cannot see the parent's remaining byte */
    assert_int_equal(g5_rbuf_u8(&sub, &x), G5_ERR_TRUNCATED);
    assert_int_equal(g5_rbuf_u8(&r, &x), 0);
    assert_int_equal(x, 9);
    /* a sub longer than what is left fails and yields an empty failed child */
    g5_rbuf_init(&r, in, 2);
    assert_int_equal(g5_rbuf_sub(&r, &sub, 5), G5_ERR_TRUNCATED);
    assert_int_equal(g5_rbuf_left(&sub), 0);
    assert_int_not_equal(sub.err, 0);
}

static void test_fixed_writer_refuses_overflow(void **state)
{
    (void)state;
    uint8_t out[5];
    g5_wbuf w;
    g5_wbuf_init(&w, out, sizeof out);
    assert_int_equal(g5_wbuf_u32(&w, 0x01020304), 0);
    assert_int_equal(g5_wbuf_u16(&w, 0x0506), G5_ERR_TOO_LONG);
    assert_int_equal(w.len, 4);
    assert_int_equal(g5_wbuf_u8(&w, 7), G5_ERR_TOO_LONG); /* sticky */
    assert_memory_equal(out, "\x01\x02\x03\x04", 4);
}

static void test_dynamic_writer_grows_to_limit(void **state)
{
    (void)state;
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 1000);
    for (int i = 0; i < 250; i++)
        assert_int_equal(g5_wbuf_u32(&w, (uint32_t)i), 0);
    assert_int_equal(w.len, 1000);
    assert_int_equal(g5_wbuf_u8(&w, 1), G5_ERR_TOO_LONG);
    assert_int_equal(w.p[999], 249);
    g5_wbuf_free(&w);
}

static void test_hole_and_patch(void **state)
{
    (void)state;
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 64);
    size_t off;
    assert_int_equal(g5_wbuf_u8(&w, 0x7e), 0);
    assert_int_equal(g5_wbuf_hole(&w, 2, &off), 0);
    assert_int_equal(g5_wbuf_bytes(&w, "xyz", 3), 0);
    assert_int_equal(g5_wbuf_patch_u16(&w, off, (uint16_t)(w.len - off - 2)), 0);
    assert_memory_equal(w.p, "\x7e\x00\x03xyz", 6);
    assert_int_equal(g5_wbuf_patch_u16(&w, 5, 1), G5_ERR_INVALID); /* past the end */
    g5_wbuf_free(&w);
}

static void test_hex(void **state)
{
    (void)state;
    uint8_t b[8];
    assert_int_equal(g5_hex_decode("0x00aB:ff 10", b, sizeof b), 4);
    assert_memory_equal(b, "\x00\xab\xff\x10", 4);
    assert_int_equal(g5_hex_decode("abc", b, sizeof b), G5_ERR_INVALID);
    assert_int_equal(g5_hex_decode("zz", b, sizeof b), G5_ERR_INVALID);
    assert_int_equal(g5_hex_decode("000000000000000000", b, sizeof b), G5_ERR_TOO_LONG);
    assert_int_equal(g5_hex_decode_exact("0102", b, 3), G5_ERR_INVALID);
    char s[9];
    g5_hex_encode((const uint8_t *)"\xde\xad\xbe\xef", 4, s);
    assert_string_equal(s, "deadbeef");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_big_endian),
        cmocka_unit_test(test_truncated_read_is_sticky_and_reads_nothing),
        cmocka_unit_test(test_huge_length_does_not_wrap),
        cmocka_unit_test(test_sub_reader_bounds),
        cmocka_unit_test(test_fixed_writer_refuses_overflow),
        cmocka_unit_test(test_dynamic_writer_grows_to_limit),
        cmocka_unit_test(test_hole_and_patch),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
