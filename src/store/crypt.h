/* Encryption at rest for subscriber secrets (K, OPc/OP) and secret key-value records.
 *
 * Master key: 32 random bytes in a file the administrator controls (store.key_file,
 * e.g. glass5g.key). It is created with mode 0600 on first start if absent; a file that
 * is group/world accessible, not a regular file, or not exactly 32 bytes is refused.
 *
 * Field format (AES-256-GCM, NIST SP 800-38D, via OpenSSL EVP):
 *     0x01 (format version) || nonce (12 random bytes) || ciphertext || tag (16 bytes)
 * with AAD = "glass5g-field-v1" || 0x00 || scope || 0x00 || field, where scope is the SUPI
 * (or "kv:" + key) and field is the column name ("k", "op"). Binding the AAD to the
 * owner and the field means a ciphertext copied to another subscriber or column fails
 * to decrypt instead of silently swapping keys. docs/subscriber-store.md has the details.
 */
#ifndef G5_STORE_CRYPT_H
#define G5_STORE_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define G5_MASTER_KEY_LEN 32
#define G5_SEAL_NONCE_LEN 12
#define G5_SEAL_TAG_LEN 16
#define G5_SEAL_OVERHEAD (1 + G5_SEAL_NONCE_LEN + G5_SEAL_TAG_LEN)
#define G5_SEAL_VERSION 0x01

/* Reads the master key. If the file is absent and create is true, creates it (0600,
 * RAND_bytes) and sets *created. Errors (with the path and the fix) go into err. */
int g5_keyfile_load(const char *path, bool create, uint8_t key[G5_MASTER_KEY_LEN], bool *created,
                    char *err, size_t errlen);

/* Encrypts n bytes into out (cap >= n + G5_SEAL_OVERHEAD); *outlen gets the length. */
int g5_seal(const uint8_t key[G5_MASTER_KEY_LEN], const char *scope, const char *field,
            const uint8_t *pt, size_t n, uint8_t *out, size_t cap, size_t *outlen);
/* Decrypts and authenticates; G5_ERR_CRYPTO on a wrong key or tampered/swapped data
 * (nothing is written to pt then), G5_ERR_INVALID on a malformed blob. */
int g5_unseal(const uint8_t key[G5_MASTER_KEY_LEN], const char *scope, const char *field,
              const uint8_t *blob, size_t n, uint8_t *pt, size_t cap, size_t *ptlen);

#endif
