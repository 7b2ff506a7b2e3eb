/* Master key file handling and AES-256-GCM field encryption (see crypt.h for the format).
 * Nothing here logs: errors carry paths and sizes, never key material. */
#include "store/crypt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/err.h"

static int create_keyfile(const char *path, uint8_t key[G5_MASTER_KEY_LEN], char *err,
                          size_t errlen)
{
    if (RAND_bytes(key, G5_MASTER_KEY_LEN) != 1) {
        snprintf(err, errlen, "key file %s: cannot get random bytes from OpenSSL", path);
        return G5_ERR_CRYPTO;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "key file %s: cannot create it: %s", path, strerror(errno));
        OPENSSL_cleanse(key, G5_MASTER_KEY_LEN);
        return G5_ERR_IO;
    }
    ssize_t w = write(fd, key, G5_MASTER_KEY_LEN);
    int rc = (w == G5_MASTER_KEY_LEN && fsync(fd) == 0) ? 0 : G5_ERR_IO;
    if (close(fd) != 0)
        rc = G5_ERR_IO;
    if (rc) {
        snprintf(err, errlen, "key file %s: cannot write it: %s", path, strerror(errno));
        unlink(path);
        OPENSSL_cleanse(key, G5_MASTER_KEY_LEN);
    }
    return rc;
}

static int check_keyfile_stat(const char *path, const struct stat *sb, char *err, size_t errlen)
{
    if (!S_ISREG(sb->st_mode)) {
        snprintf(err, errlen, "key file %s: not a regular file", path);
        return G5_ERR_CONFIG;
    }
    if (sb->st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errlen,
                 "key file %s: mode %04o lets group/others access it; it holds the master key "
                 "of the subscriber store, run: chmod 600 %s",
                 path, (unsigned)(sb->st_mode & 07777), path);
        return G5_ERR_CONFIG;
    }
    if (sb->st_size != G5_MASTER_KEY_LEN) {
        snprintf(err, errlen,
                 "key file %s: has %lld bytes, must hold exactly %d random bytes (is this the "
                 "right file? a new one is created only when none exists)",
                 path, (long long)sb->st_size, G5_MASTER_KEY_LEN);
        return G5_ERR_CONFIG;
    }
    return 0;
}

int g5_keyfile_load(const char *path, bool create, uint8_t key[G5_MASTER_KEY_LEN], bool *created,
                    char *err, size_t errlen)
{
    if (created)
        *created = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        int rc = create_keyfile(path, key, err, errlen);
        if (rc == 0 && created)
            *created = true;
        return rc;
    }
    if (fd < 0) {
        snprintf(err, errlen, "key file %s: cannot open it: %s", path, strerror(errno));
        return G5_ERR_IO;
    }
    struct stat sb;
    int rc = fstat(fd, &sb) == 0 ? check_keyfile_stat(path, &sb, err, errlen) : G5_ERR_IO;
    if (rc == 0) {
        ssize_t r = read(fd, key, G5_MASTER_KEY_LEN);
        if (r != G5_MASTER_KEY_LEN) {
            snprintf(err, errlen, "key file %s: cannot read %d bytes", path, G5_MASTER_KEY_LEN);
            OPENSSL_cleanse(key, G5_MASTER_KEY_LEN);
            rc = G5_ERR_IO;
        }
    } else if (rc == G5_ERR_IO) {
        snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
    }
    close(fd);
    return rc;
}

/* AAD = "glass5g-field-v1" 0x00 scope 0x00 field (see crypt.h). */
static int set_aad(EVP_CIPHER_CTX *c, const char *scope, const char *field)
{
    static const char label[] = "glass5g-field-v1";
    int outl;
    return EVP_EncryptUpdate(c, NULL, &outl, (const uint8_t *)label, (int)sizeof label) == 1 &&
           EVP_EncryptUpdate(c, NULL, &outl, (const uint8_t *)scope, (int)strlen(scope) + 1) == 1 &&
           EVP_EncryptUpdate(c, NULL, &outl, (const uint8_t *)field, (int)strlen(field)) == 1;
}

static int set_aad_dec(EVP_CIPHER_CTX *c, const char *scope, const char *field)
{
    static const char label[] = "glass5g-field-v1";
    int outl;
    return EVP_DecryptUpdate(c, NULL, &outl, (const uint8_t *)label, (int)sizeof label) == 1 &&
           EVP_DecryptUpdate(c, NULL, &outl, (const uint8_t *)scope, (int)strlen(scope) + 1) == 1 &&
           EVP_DecryptUpdate(c, NULL, &outl, (const uint8_t *)field, (int)strlen(field)) == 1;
}

int g5_seal(const uint8_t key[G5_MASTER_KEY_LEN], const char *scope, const char *field,
            const uint8_t *pt, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    if (n > 65536 || cap < n + G5_SEAL_OVERHEAD)
        return G5_ERR_TOO_LONG;
    uint8_t *nonce = out + 1, *ct = out + 1 + G5_SEAL_NONCE_LEN, *tag = ct + n;
    out[0] = G5_SEAL_VERSION;
    if (RAND_bytes(nonce, G5_SEAL_NONCE_LEN) != 1)
        return G5_ERR_CRYPTO;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c)
        return G5_ERR_NOMEM;
    int len = 0, fin = 0;
    bool ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
              set_aad(c, scope, field) && EVP_EncryptUpdate(c, ct, &len, pt, (int)n) == 1 &&
              EVP_EncryptFinal_ex(c, ct + len, &fin) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, G5_SEAL_TAG_LEN, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok || (size_t)len + (size_t)fin != n)
        return G5_ERR_CRYPTO;
    *outlen = n + G5_SEAL_OVERHEAD;
    return 0;
}

int g5_unseal(const uint8_t key[G5_MASTER_KEY_LEN], const char *scope, const char *field,
              const uint8_t *blob, size_t n, uint8_t *pt, size_t cap, size_t *ptlen)
{
    if (n < G5_SEAL_OVERHEAD || blob[0] != G5_SEAL_VERSION)
        return G5_ERR_INVALID;
    size_t m = n - G5_SEAL_OVERHEAD;
    if (m > cap)
        return G5_ERR_TOO_LONG;
    const uint8_t *nonce = blob + 1, *ct = blob + 1 + G5_SEAL_NONCE_LEN, *tag = ct + m;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c)
        return G5_ERR_NOMEM;
    int len = 0, fin = 0;
    bool ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
              set_aad_dec(c, scope, field) && EVP_DecryptUpdate(c, pt, &len, ct, (int)m) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, G5_SEAL_TAG_LEN, (void *)tag) == 1 &&
              EVP_DecryptFinal_ex(c, pt + len, &fin) == 1 && (size_t)len + (size_t)fin == m;
    EVP_CIPHER_CTX_free(c);
    if (!ok) { /* GCM releases plaintext before the tag check: never hand it out */
        OPENSSL_cleanse(pt, m);
        return G5_ERR_CRYPTO;
    }
    *ptlen = m;
    return 0;
}
