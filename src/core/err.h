/* Error conventions for all of glass5g.
 *
 * Functions that can fail return `int`: 0 (G5_OK) on success, a negative g5_err value on
 * failure. Decoders never abort on input: they return G5_ERR_TRUNCATED / G5_ERR_INVALID /
 * G5_ERR_LIMIT and, where the protocol has one, fill a protocol cause for the caller to
 * send back. Errors are logged once, where they are handled, not where they are raised.
 */
#ifndef G5_CORE_ERR_H
#define G5_CORE_ERR_H

enum g5_err {
    G5_OK = 0,
    G5_ERR_TRUNCATED = -1, /* input ended before a field was complete */
    G5_ERR_INVALID = -2, /* a field has a value the spec does not allow */
    G5_ERR_NOMEM = -3, /* allocation failed */
    G5_ERR_UNSUPPORTED = -4, /* valid, but not implemented / not supported */
    G5_ERR_TOO_LONG = -5, /* output or field exceeds its bound */
    G5_ERR_LIMIT = -6, /* a configured or safety limit was hit (depth, count) */
    G5_ERR_CRYPTO = -7, /* a cryptographic operation or check failed (MAC, point) */
    G5_ERR_IO = -8, /* system call / file / socket error */
    G5_ERR_NOT_FOUND = -9, /* lookup miss */
    G5_ERR_EXISTS = -10, /* already present */
    G5_ERR_STATE = -11, /* not permitted in the current state */
    G5_ERR_CONFIG = -12, /* configuration error (details already reported) */
    G5_ERR_AGAIN = -13, /* would block / try later (backpressure) */
    G5_ERR_MISSING = -14, /* a mandatory field or IE is absent */
    G5_ERR_REPEATED = -15, /* an IE appeared more often than allowed */
};

/* Static, human-readable name of an error code (never NULL). */
const char *g5_strerror(int err);

#endif
