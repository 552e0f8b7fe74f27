#ifndef HELPDESK_CCRYPTO_SHIM_H
#define HELPDESK_CCRYPTO_SHIM_H
/* The few libcrypto operations helpdesk needs, each one C function with plain arguments: keys
   read from PEM, SHA-256 signatures (RS256, ES256), a P-256 key made for DPoP, the public numbers
   of a key for its JWK, and verification (for the tests' stand-in). Nothing here is cryptography
   written by hand; every function returns 1 on success and 0 on failure. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <string.h>

/* 1: RSA of at least 2048 bits; 2: EC on P-256; 0: anything else. */
static inline int helpdesk_key_kind(EVP_PKEY *key) {
    if (EVP_PKEY_is_a(key, "RSA")) return EVP_PKEY_get_bits(key) >= 2048 ? 1 : 0;
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {0};
        size_t length = 0;
        if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length)) return 0;
        return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0 ? 2 : 0;
    }
    return 0;
}

/* Whether a private key can sign here: its public and private parts belong together and its
   signatures fit the 1,024 bytes the callers keep for them (RSA up to 8,192 bits). */
static inline int helpdesk_key_usable(EVP_PKEY *key) {
    if (EVP_PKEY_get_size(key) > 1024) return 0;
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (!context) return 0;
    int ok = EVP_PKEY_pairwise_check(context) == 1;
    EVP_PKEY_CTX_free(context);
    ERR_clear_error();
    return ok;
}

/* A private key from PEM (PKCS#8 or traditional); never prompts for a passphrase. */
static inline EVP_PKEY *helpdesk_private_key_from_pem(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (!bio) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
    BIO_free(bio);
    ERR_clear_error();
    return key;
}

/* A public key from PEM (SubjectPublicKeyInfo). */
static inline EVP_PKEY *helpdesk_public_key_from_pem(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (!bio) return NULL;
    EVP_PKEY *key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ERR_clear_error();
    return key;
}

/* Writes the key as PEM into `out` (private: PKCS#8, or its public part); the length in `*written`. */
static inline int helpdesk_key_to_pem(EVP_PKEY *key, int private_part, char *out, int capacity, int *written) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) return 0;
    int ok = private_part ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_PUBKEY(bio, key);
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    if (ok && length > 0 && length <= capacity) {
        memcpy(out, data, (size_t)length);
        *written = (int)length;
    } else {
        ok = 0;
    }
    BIO_free(bio);
    return ok;
}

static inline EVP_PKEY *helpdesk_generate_p256(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static inline EVP_PKEY *helpdesk_generate_rsa(unsigned int bits) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
}

/* Signs SHA-256(data): PKCS#1 v1.5 for RSA, DER-encoded ECDSA for EC. */
static inline int helpdesk_sign_sha256(EVP_PKEY *key, const unsigned char *data, size_t length, unsigned char *signature, size_t *signature_length) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context) return 0;
    int ok = EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestSign(context, signature, signature_length, data, length) == 1;
    EVP_MD_CTX_free(context);
    return ok;
}

static inline int helpdesk_verify_sha256(EVP_PKEY *key, const unsigned char *data, size_t length, const unsigned char *signature, size_t signature_length) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context) return 0;
    int ok = EVP_DigestVerifyInit(context, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestVerify(context, signature, signature_length, data, length) == 1;
    EVP_MD_CTX_free(context);
    ERR_clear_error();
    return ok;
}

/* An ECDSA signature between DER and JWS's raw r||s (32 bytes each). */
static inline int helpdesk_ecdsa_der_to_raw(const unsigned char *der, long length, unsigned char raw[64]) {
    const unsigned char *cursor = der;
    ECDSA_SIG *signature = d2i_ECDSA_SIG(NULL, &cursor, length);
    if (!signature) return 0;
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(signature, &r, &s);
    int ok = BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
    ECDSA_SIG_free(signature);
    return ok;
}

static inline int helpdesk_ecdsa_raw_to_der(const unsigned char raw[64], unsigned char *der, int capacity, int *written) {
    ECDSA_SIG *signature = ECDSA_SIG_new();
    if (!signature) return 0;
    BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
    if (!r || !s || !ECDSA_SIG_set0(signature, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(signature);
        return 0;
    }
    int length = i2d_ECDSA_SIG(signature, NULL);
    int ok = 0;
    if (length > 0 && length <= capacity) {
        unsigned char *cursor = der;
        *written = i2d_ECDSA_SIG(signature, &cursor);
        ok = *written == length;
    }
    ECDSA_SIG_free(signature);
    return ok;
}

/* A big-number parameter of a key (an EC point's x or y, RSA's n or e) as big-endian bytes. */
static inline int helpdesk_key_number(EVP_PKEY *key, const char *name, unsigned char *out, int capacity, int pad, int *written) {
    BIGNUM *number = NULL;
    if (!EVP_PKEY_get_bn_param(key, name, &number)) return 0;
    int length = pad > 0 ? pad : BN_num_bytes(number);
    int ok = length <= capacity && (pad > 0 ? BN_bn2binpad(number, out, pad) == pad : BN_bn2bin(number, out) == length);
    if (ok) *written = length;
    BN_clear_free(number);
    return ok;
}

/* A P-256 public key from its point (x, y), as a JWK gives it. */
static inline EVP_PKEY *helpdesk_p256_from_xy(const unsigned char x[32], const unsigned char y[32]) {
    unsigned char point[65];
    point[0] = 0x04;
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    if (!builder) return NULL;
    EVP_PKEY *key = NULL;
    if (OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
        && OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point)) {
        OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(builder);
        EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (params && context && EVP_PKEY_fromdata_init(context) == 1) {
            EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params);
        }
        EVP_PKEY_CTX_free(context);
        OSSL_PARAM_free(params);
    }
    OSSL_PARAM_BLD_free(builder);
    ERR_clear_error();
    return key;
}

/* A private key from a JWK's numbers (big-endian bytes): RSA with n, e, d, p, q, dp, dq, qi. */
static inline EVP_PKEY *helpdesk_rsa_private_from(const unsigned char *const numbers[8], const int lengths[8]) {
    static const char *names[8] = { OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    if (!builder) return NULL;
    BIGNUM *values[8] = {0};
    int ok = 1;
    for (int i = 0; i < 8 && ok; i++) {
        values[i] = BN_bin2bn(numbers[i], lengths[i], NULL);
        ok = values[i] != NULL && OSSL_PARAM_BLD_push_BN(builder, names[i], values[i]);
    }
    EVP_PKEY *key = NULL;
    if (ok) {
        OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(builder);
        EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        if (params && context && EVP_PKEY_fromdata_init(context) == 1) EVP_PKEY_fromdata(context, &key, EVP_PKEY_KEYPAIR, params);
        EVP_PKEY_CTX_free(context);
        OSSL_PARAM_free(params);
    }
    for (int i = 0; i < 8; i++) BN_clear_free(values[i]);
    OSSL_PARAM_BLD_free(builder);
    ERR_clear_error();
    return key;
}

/* A P-256 private key from a JWK's d, x and y (32 bytes each). */
static inline EVP_PKEY *helpdesk_p256_private_from(const unsigned char d[32], const unsigned char x[32], const unsigned char y[32]) {
    unsigned char point[65];
    point[0] = 0x04;
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    BIGNUM *secret = BN_bin2bn(d, 32, NULL);
    EVP_PKEY *key = NULL;
    if (builder && secret && OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
        && OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point)
        && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_PRIV_KEY, secret)) {
        OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(builder);
        EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (params && context && EVP_PKEY_fromdata_init(context) == 1) EVP_PKEY_fromdata(context, &key, EVP_PKEY_KEYPAIR, params);
        EVP_PKEY_CTX_free(context);
        OSSL_PARAM_free(params);
    }
    BN_clear_free(secret);
    OSSL_PARAM_BLD_free(builder);
    ERR_clear_error();
    return key;
}

static inline void helpdesk_sha256(const unsigned char *data, size_t length, unsigned char digest[32]) {
    SHA256(data, length, digest);
}

static inline int helpdesk_random(unsigned char *out, int length) {
    return RAND_bytes(out, length);
}
#endif
