#include "core/err.h"

const char *g5_strerror(int err)
{
    switch (err) {
    case G5_OK: return "ok";
    case G5_ERR_TRUNCATED: return "truncated input";
    case G5_ERR_INVALID: return "invalid value";
    case G5_ERR_NOMEM: return "out of memory";
    case G5_ERR_UNSUPPORTED: return "not supported";
    case G5_ERR_TOO_LONG: return "too long";
    case G5_ERR_LIMIT: return "limit exceeded";
    case G5_ERR_CRYPTO: return "cryptographic check failed";
    case G5_ERR_IO: return "I/O error";
    case G5_ERR_NOT_FOUND: return "not found";
    case G5_ERR_EXISTS: return "already exists";
    case G5_ERR_STATE: return "not allowed in this state";
    case G5_ERR_CONFIG: return "configuration error";
    case G5_ERR_AGAIN: return "try again";
    case G5_ERR_MISSING: return "mandatory field missing";
    case G5_ERR_REPEATED: return "repeated field";
    default: return "unknown error";
    }
}
