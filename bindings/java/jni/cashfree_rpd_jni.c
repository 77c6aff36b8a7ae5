/*
 * JNI glue of the Java binding (package cashfree.rpd) over the C API of cashfree-rpd.
 * Uses include/cashfree_rpd.h only. Built into libcashfree_rpd_jni.so with the static
 * library linked in; exports.map keeps every symbol but Java_* local.
 *
 * Rules kept by every function here:
 *  - Strings cross as UTF-8 byte[] (the Java side encodes and decodes): JNI's
 *    NewStringUTF/GetStringUTFChars speak "modified UTF-8", which mangles characters
 *    beyond U+FFFF. A Java null is a C NULL and back.
 *  - Every C object is freed before the function returns; what Java gets are copies.
 *  - Local references made per item (strings, statuses, journal entries) live in a local
 *    frame popped at once, so a long wait or a long journal list makes no pile of them.
 *  - A failure becomes a cashfree.rpd.RpdException built from the cfrpd_error, thrown
 *    when the function returns. A Java exception already pending (out of memory) wins.
 */
#include <jni.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cashfree_rpd.h"

#define EXPORT JNIEXPORT

/* Classes and methods, resolved once by Native.nInit (from Native's static initializer). */
static jclass c_byte_array, c_status, c_request, c_journal_entry, c_exception, c_qr,
    c_bitmap, c_webhook, c_oom;
static jclass c_config;
static jmethodID m_status, m_request, m_journal_entry, m_exception, m_qr, m_bitmap,
    m_webhook, m_dispatch_poll, m_dispatch_log;

static void *ptr(jlong p) { return (void *)(intptr_t)p; }

static jclass global_class(JNIEnv *env, const char *name)
{
    jclass local = (*env)->FindClass(env, name);
    if (local == NULL)
        return NULL;
    jclass global = (jclass)(*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    return global;
}

EXPORT void JNICALL Java_cashfree_rpd_Native_nInit(JNIEnv *env, jclass cls)
{
    (void)cls;
    if ((c_byte_array = global_class(env, "[B")) == NULL ||
        (c_status = global_class(env, "cashfree/rpd/Status")) == NULL ||
        (c_request = global_class(env, "cashfree/rpd/Request")) == NULL ||
        (c_journal_entry = global_class(env, "cashfree/rpd/JournalEntry")) == NULL ||
        (c_exception = global_class(env, "cashfree/rpd/RpdException")) == NULL ||
        (c_qr = global_class(env, "cashfree/rpd/QrCode")) == NULL ||
        (c_bitmap = global_class(env, "cashfree/rpd/Bitmap")) == NULL ||
        (c_webhook = global_class(env, "cashfree/rpd/Webhook")) == NULL ||
        (c_oom = global_class(env, "java/lang/OutOfMemoryError")) == NULL ||
        (c_config = global_class(env, "cashfree/rpd/Config")) == NULL)
        return;
    if ((m_dispatch_log = (*env)->GetStaticMethodID(env, c_config, "dispatchLog",
                                                    "(Lcashfree/rpd/LogListener;I[B)V")) == NULL)
        return;
    jclass client = (*env)->FindClass(env, "cashfree/rpd/Client");
    if (client == NULL)
        return;
    if ((m_status = (*env)->GetMethodID(env, c_status, "<init>", "(IZII[[B)V")) == NULL ||
        (m_request = (*env)->GetMethodID(env, c_request, "<init>", "(JZ[B[[B)V")) == NULL ||
        (m_journal_entry = (*env)->GetMethodID(env, c_journal_entry, "<init>",
                                               "([B[BIJLcashfree/rpd/Request;)V")) == NULL ||
        (m_exception = (*env)->GetMethodID(env, c_exception, "<init>",
                                           "(II[B[B[BJZZ[B[BJJJLcashfree/rpd/Status;)V")) ==
            NULL ||
        (m_qr = (*env)->GetMethodID(env, c_qr, "<init>", "(I[B)V")) == NULL ||
        (m_bitmap = (*env)->GetMethodID(env, c_bitmap, "<init>", "(III[B)V")) == NULL ||
        (m_webhook = (*env)->GetMethodID(env, c_webhook, "<init>",
                                         "([B[B[BLcashfree/rpd/Status;)V")) == NULL ||
        (m_dispatch_poll = (*env)->GetMethodID(
             env, client, "dispatchPoll",
             "(Lcashfree/rpd/PollListener;Lcashfree/rpd/Status;)Z")) == NULL) {
        (*env)->DeleteLocalRef(env, client);
        return;
    }
    (*env)->DeleteLocalRef(env, client);
}

static void throw_oom(JNIEnv *env)
{
    if (!(*env)->ExceptionCheck(env))
        (*env)->ThrowNew(env, c_oom, "cashfree-rpd: out of native memory");
}

/* A NUL-terminated copy of a byte[] (NULL for null). Returns false, with an exception
 * pending, when memory runs out. The Java side has refused NUL bytes already. */
static bool cstr(JNIEnv *env, jbyteArray a, char **out)
{
    *out = NULL;
    if (a == NULL)
        return true;
    jsize n = (*env)->GetArrayLength(env, a);
    char *s = malloc((size_t)n + 1);
    if (s == NULL) {
        throw_oom(env);
        return false;
    }
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)s);
    s[n] = '\0';
    *out = s;
    return true;
}

/* A byte[] of `len` bytes (NULL for a NULL `p`); NULL with an exception pending on failure. */
static jbyteArray jbytes_n(JNIEnv *env, const void *p, size_t len)
{
    if (p == NULL)
        return NULL;
    if (len > (size_t)INT32_MAX) {
        throw_oom(env);
        return NULL;
    }
    jbyteArray a = (*env)->NewByteArray(env, (jsize)len);
    if (a != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)len, (const jbyte *)p);
    return a;
}

static jbyteArray jbytes(JNIEnv *env, const char *s)
{
    return s == NULL ? NULL : jbytes_n(env, s, strlen(s));
}

/* A byte[][] of the strings (null elements for NULL); NULL with an exception pending. */
static jobjectArray jtexts(JNIEnv *env, const char *const *t, int n)
{
    jobjectArray arr = (*env)->NewObjectArray(env, n, c_byte_array, NULL);
    if (arr == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        if (t[i] == NULL)
            continue;
        jbyteArray b = jbytes(env, t[i]);
        if (b == NULL)
            return NULL;
        (*env)->SetObjectArrayElement(env, arr, i, b);
        (*env)->DeleteLocalRef(env, b);
    }
    return arr;
}

/* A cashfree.rpd.Status copy of `s` (NULL for NULL, or with an exception pending). */
static jobject new_status(JNIEnv *env, const cfrpd_status *s)
{
    if (s == NULL || (*env)->PushLocalFrame(env, 8) < 0)
        return NULL;
    const char *const t[16] = {
        s->status,         s->verification_id,   s->ref_id,        s->bank_account,
        s->ifsc,           s->upi,               s->name_at_bank,  s->utr,
        s->name_match_score, s->name_match_result, s->added_on,    s->processed_on,
        s->penny_collected_on, s->reversal_status, s->account_type, s->raw_json,
    };
    jobjectArray texts = jtexts(env, t, 16);
    jobject o = texts == NULL ? NULL
                              : (*env)->NewObject(env, c_status, m_status, (jint)s->state,
                                                  (jboolean)s->is_final, (jint)s->name_match,
                                                  (jint)s->reversal, texts);
    return (*env)->PopLocalFrame(env, o);
}

static jobject new_request(JNIEnv *env, const cfrpd_request *r)
{
    if (r == NULL || (*env)->PushLocalFrame(env, 8) < 0)
        return NULL;
    const char *const t[9] = {
        r->verification_id, r->valid_upto, r->upi_link, r->gpay,     r->bhim,
        r->paytm,           r->phonepe,    r->qr_code,  r->raw_json,
    };
    jobject o = NULL;
    jobjectArray texts = jtexts(env, t, 9);
    jbyteArray png = texts == NULL ? NULL : jbytes_n(env, r->qr_png, r->qr_png_len);
    if (texts != NULL && !(*env)->ExceptionCheck(env))
        o = (*env)->NewObject(env, c_request, m_request, (jlong)r->ref_id, (jboolean)r->replayed,
                              png, texts);
    return (*env)->PopLocalFrame(env, o);
}

/* Throws an RpdException for `rc` with the details of `err` (may be NULL) and `last` (the
 * status a wait saw, or NULL). Frees nothing. A pending exception is left as it is. */
static void throw_error(JNIEnv *env, cfrpd_result rc, const cfrpd_error *err,
                        const cfrpd_status *last)
{
    if ((*env)->ExceptionCheck(env) || (*env)->PushLocalFrame(env, 16) < 0)
        return;
    const char *msg = err != NULL && err->message != NULL ? err->message : cfrpd_result_name(rc);
    jobject st = new_status(env, last);
    jbyteArray message = jbytes(env, msg);
    jbyteArray api_code = err ? jbytes(env, err->api_code) : NULL;
    jbyteArray api_type = err ? jbytes(env, err->api_type) : NULL;
    jbyteArray raw_body = err ? jbytes(env, err->raw_body) : NULL;
    jbyteArray request_id = err ? jbytes(env, err->request_id) : NULL;
    if (!(*env)->ExceptionCheck(env)) {
        jobject ex = (*env)->NewObject(
            env, c_exception, m_exception, (jint)rc, (jint)(err ? err->http_status : 0), message,
            api_code, api_type, (jlong)(err ? err->retry_after_ms : 0),
            (jboolean)(err ? err->retryable : false), (jboolean)(err ? err->ambiguous : false),
            raw_body, request_id, (jlong)(err ? err->rate_limit_limit : -1),
            (jlong)(err ? err->rate_limit_remaining : -1),
            (jlong)(err ? err->rate_limit_reset_ms : -1), st);
        if (ex != NULL)
            (*env)->Throw(env, (jthrowable)ex);
    }
    (*env)->PopLocalFrame(env, NULL);
}

/* throw_error, then frees `err`. */
static void throw_and_free(JNIEnv *env, cfrpd_result rc, cfrpd_error *err)
{
    throw_error(env, rc, err, NULL);
    cfrpd_error_free(err);
}

/* ---- library ------------------------------------------------------------------------ */

EXPORT jint JNICALL Java_cashfree_rpd_Native_nVersionNumber(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)cfrpd_version_number();
}

EXPORT jbyteArray JNICALL Java_cashfree_rpd_Native_nVersion(JNIEnv *env, jclass cls)
{
    (void)cls;
    return jbytes(env, cfrpd_version());
}

EXPORT jbyteArray JNICALL Java_cashfree_rpd_Native_nName(JNIEnv *env, jclass cls, jint kind,
                                                         jint value)
{
    (void)cls;
    uint32_t v = (uint32_t)value;
    const char *name;
    switch (kind) {
    case 0: name = cfrpd_result_name(v); break;
    case 1: name = cfrpd_state_name(v); break;
    case 2: name = cfrpd_journal_state_name(v); break;
    case 3: name = cfrpd_name_match_name(v); break;
    case 4: name = cfrpd_reversal_name(v); break;
    case 5: name = cfrpd_environment_name(v); break;
    case 6: name = cfrpd_log_level_name(v); break;
    default: name = NULL; break;
    }
    return jbytes(env, name);
}

EXPORT jlong JNICALL Java_cashfree_rpd_Native_nNativeHeapBytes(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    /* Small blocks in use, all arenas; blocks from mmap (hblkhd: the JVM's large buffers,
     * which come and go by megabytes) are left out: a leaked status or error is small. */
    struct mallinfo2 mi = mallinfo2();
    return (jlong)mi.uordblks;
#else
    return -1;
#endif
}

/* ---- log listeners ------------------------------------------------------------------ */

/* The user_data of a log callback: the Java listener, shared by the config that set it and
 * every client made from the config meanwhile (each holds one reference: Config keeps its
 * own in NativeRef.logContext, Client takes one in Config.newClient). A client may log up to
 * and during cfrpd_client_free, so NativeRef releases its reference after the free. */
struct log_ctx {
    JavaVM *vm;
    jobject listener; /* global reference */
    atomic_long refs;
};

static atomic_long live_log_contexts;

EXPORT jlong JNICALL Java_cashfree_rpd_Native_nLiveLogContexts(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jlong)atomic_load(&live_log_contexts);
}

static void on_log(void *user_data, cfrpd_log_level level, const char *message)
{
    struct log_ctx *ctx = user_data;
    JNIEnv *env = NULL;
    /* Records come on the thread making the call, a Java thread; anything else is dropped,
     * as is a record while a Java exception is pending (no JNI call is allowed then). */
    if ((*ctx->vm)->GetEnv(ctx->vm, (void **)&env, JNI_VERSION_1_6) != JNI_OK || env == NULL ||
        (*env)->ExceptionCheck(env))
        return;
    if ((*env)->PushLocalFrame(env, 4) == 0) {
        jbyteArray m = jbytes(env, message);
        if (m != NULL)
            (*env)->CallStaticVoidMethod(env, c_config, m_dispatch_log, ctx->listener,
                                         (jint)level, m);
        (*env)->PopLocalFrame(env, NULL);
    }
    /* Config.dispatchLog drops what the listener throws; this drops anything else (an
     * OutOfMemoryError making the byte[]). */
    if ((*env)->ExceptionCheck(env))
        (*env)->ExceptionClear(env);
}

static void log_release(JNIEnv *env, struct log_ctx *ctx)
{
    if (ctx == NULL || atomic_fetch_sub(&ctx->refs, 1) != 1)
        return;
    (*env)->DeleteGlobalRef(env, ctx->listener);
    free(ctx);
    atomic_fetch_sub(&live_log_contexts, 1);
}

EXPORT void JNICALL Java_cashfree_rpd_Config_nLogRetain(JNIEnv *env, jclass cls, jlong p)
{
    (void)env;
    (void)cls;
    struct log_ctx *ctx = ptr(p);
    if (ctx != NULL)
        atomic_fetch_add(&ctx->refs, 1);
}

EXPORT void JNICALL Java_cashfree_rpd_Config_nLogRelease(JNIEnv *env, jclass cls, jlong p)
{
    (void)cls;
    log_release(env, ptr(p));
}

/* ---- config ------------------------------------------------------------------------- */

EXPORT jlong JNICALL Java_cashfree_rpd_Config_nNew(JNIEnv *env, jclass cls, jbyteArray id,
                                                   jbyteArray secret)
{
    (void)cls;
    char *cid, *csecret = NULL;
    if (!cstr(env, id, &cid) || !cstr(env, secret, &csecret)) {
        free(cid);
        return 0;
    }
    cfrpd_config *c = NULL;
    cfrpd_result rc = cfrpd_config_new(cid, csecret, &c);
    /* The secret's copy is wiped before it is freed. */
    if (csecret != NULL) {
        volatile char *p = csecret;
        while (*p)
            *p++ = 0;
    }
    free(cid);
    free(csecret);
    if (rc != CFRPD_OK) {
        cfrpd_error e;
        memset(&e, 0, sizeof e);
        e.code = rc;
        e.message = (char *)"the client id and client secret must be non-empty UTF-8 without "
                            "control characters";
        e.rate_limit_limit = e.rate_limit_remaining = e.rate_limit_reset_ms = -1;
        throw_error(env, rc, &e, NULL);
        return 0;
    }
    return (jlong)(intptr_t)c;
}

EXPORT jlong JNICALL Java_cashfree_rpd_Config_nFromEnv(JNIEnv *env, jclass cls)
{
    (void)cls;
    cfrpd_config *c = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_config_from_env(&c, &err);
    if (rc != CFRPD_OK) {
        throw_and_free(env, rc, err);
        return 0;
    }
    return (jlong)(intptr_t)c;
}

/* Throws the config's last error for a refused setting. */
static void throw_config(JNIEnv *env, cfrpd_config *c, cfrpd_result rc)
{
    const char *why = cfrpd_config_last_error(c);
    cfrpd_error e;
    memset(&e, 0, sizeof e);
    e.code = rc;
    e.message = (char *)(why != NULL ? why : cfrpd_result_name(rc));
    e.rate_limit_limit = e.rate_limit_remaining = e.rate_limit_reset_ms = -1;
    throw_error(env, rc, &e, NULL);
}

EXPORT void JNICALL Java_cashfree_rpd_Config_nSetString(JNIEnv *env, jobject self, jlong p,
                                                        jint which, jbyteArray value)
{
    (void)self;
    cfrpd_config *c = ptr(p);
    char *v;
    if (!cstr(env, value, &v))
        return;
    cfrpd_result rc;
    switch (which) {
    case 1: rc = cfrpd_config_set_base_url(c, v); break;
    case 2: rc = cfrpd_config_set_public_key_pem(c, v); break;
    case 3: rc = cfrpd_config_add_root_ca_pem(c, v); break;
    case 4: rc = cfrpd_config_set_proxy(c, v); break;
    case 5: rc = cfrpd_config_set_journal_path(c, v); break;
    default: rc = CFRPD_ERR_INVALID_ARGUMENT; break;
    }
    free(v);
    if (rc != CFRPD_OK)
        throw_config(env, c, rc);
}

EXPORT void JNICALL Java_cashfree_rpd_Config_nSetInts(JNIEnv *env, jobject self, jlong p,
                                                      jint which, jint a, jint b)
{
    (void)self;
    cfrpd_config *c = ptr(p);
    cfrpd_result rc;
    switch (which) {
    case 11: rc = cfrpd_config_set_timeouts_ms(c, (uint32_t)a, (uint32_t)b); break;
    case 12: rc = cfrpd_config_set_max_retries(c, (uint32_t)a); break;
    case 13: rc = cfrpd_config_set_call_deadline_ms(c, (uint32_t)a); break;
    case 14: rc = cfrpd_config_set_max_idle_connections(c, (uint32_t)a); break;
    case 15: rc = cfrpd_config_set_environment(c, (cfrpd_environment)a); break;
    default: rc = CFRPD_ERR_INVALID_ARGUMENT; break;
    }
    if (rc != CFRPD_OK)
        throw_config(env, c, rc);
}

/* Sets (or, for a null listener, removes) the config's log callback. Returns the new
 * context with one reference (the config's), or 0. */
EXPORT jlong JNICALL Java_cashfree_rpd_Config_nSetLog(JNIEnv *env, jobject self, jlong p,
                                                      jint max_level, jobject listener)
{
    (void)self;
    cfrpd_config *c = ptr(p);
    if (listener == NULL) {
        cfrpd_result rc = cfrpd_config_set_log_callback(c, 0, NULL, NULL);
        if (rc != CFRPD_OK)
            throw_config(env, c, rc);
        return 0;
    }
    struct log_ctx *ctx = malloc(sizeof *ctx);
    if (ctx == NULL) {
        throw_oom(env);
        return 0;
    }
    if ((*env)->GetJavaVM(env, &ctx->vm) != 0 ||
        (ctx->listener = (*env)->NewGlobalRef(env, listener)) == NULL) {
        free(ctx);
        throw_oom(env);
        return 0;
    }
    atomic_init(&ctx->refs, 1);
    atomic_fetch_add(&live_log_contexts, 1);
    cfrpd_result rc = cfrpd_config_set_log_callback(c, (cfrpd_log_level)max_level, on_log, ctx);
    if (rc != CFRPD_OK) {
        log_release(env, ctx);
        throw_config(env, c, rc);
        return 0;
    }
    return (jlong)(intptr_t)ctx;
}

EXPORT jlong JNICALL Java_cashfree_rpd_Config_nNewClient(JNIEnv *env, jobject self, jlong p)
{
    (void)self;
    cfrpd_client *client = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_client_new(ptr(p), &client, &err);
    if (rc != CFRPD_OK) {
        throw_and_free(env, rc, err);
        return 0;
    }
    return (jlong)(intptr_t)client;
}

EXPORT void JNICALL Java_cashfree_rpd_Config_nFree(JNIEnv *env, jclass cls, jlong p)
{
    (void)env;
    (void)cls;
    cfrpd_config_free(ptr(p));
}

/* ---- client ------------------------------------------------------------------------- */

EXPORT void JNICALL Java_cashfree_rpd_Client_nFree(JNIEnv *env, jclass cls, jlong p)
{
    (void)env;
    (void)cls;
    cfrpd_client_free(ptr(p));
}

EXPORT jobject JNICALL Java_cashfree_rpd_Client_nCreate(JNIEnv *env, jobject self, jlong p,
                                                        jbyteArray id, jbyteArray name)
{
    (void)self;
    char *cid, *cname = NULL;
    if (!cstr(env, id, &cid) || !cstr(env, name, &cname)) {
        free(cid);
        return NULL;
    }
    cfrpd_request *req = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_create(ptr(p), cid, cname, &req, &err);
    free(cid);
    free(cname);
    if (rc != CFRPD_OK) {
        throw_and_free(env, rc, err);
        return NULL;
    }
    jobject o = new_request(env, req);
    cfrpd_request_free(req);
    return o;
}

/* A status call's ending: the Java copy of `st`, or the exception for `rc`. */
static jobject status_result(JNIEnv *env, cfrpd_result rc, cfrpd_status *st, cfrpd_error *err)
{
    jobject o = NULL;
    if (rc == CFRPD_OK)
        o = new_status(env, st);
    else
        throw_error(env, rc, err, st);
    cfrpd_status_free(st);
    cfrpd_error_free(err);
    return o;
}

EXPORT jobject JNICALL Java_cashfree_rpd_Client_nGetStatus(JNIEnv *env, jobject self, jlong p,
                                                           jbyteArray id)
{
    (void)self;
    char *cid;
    if (!cstr(env, id, &cid))
        return NULL;
    cfrpd_status *st = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_get_status(ptr(p), cid, &st, &err);
    free(cid);
    return status_result(env, rc, st, err);
}

EXPORT jobject JNICALL Java_cashfree_rpd_Client_nGetStatusByRefId(JNIEnv *env, jobject self,
                                                                  jlong p, jlong ref_id)
{
    (void)self;
    cfrpd_status *st = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_get_status_by_ref_id(ptr(p), (int64_t)ref_id, &st, &err);
    return status_result(env, rc, st, err);
}

/* What the poll callback needs: the waiting thread's env, the Client (whose dispatchPoll
 * checks for close() and calls the listener) and the first exception the listener threw. */
struct poll_ctx {
    JNIEnv *env;
    jobject client;
    jobject listener;
    jthrowable thrown; /* a global reference once set */
};

static bool on_poll(void *user_data, const cfrpd_status *latest)
{
    struct poll_ctx *ctx = user_data;
    JNIEnv *env = ctx->env;
    if (ctx->thrown != NULL)
        return false;
    jboolean keep = JNI_FALSE;
    bool framed = (*env)->PushLocalFrame(env, 4) == 0;
    if (framed) {
        jobject st = new_status(env, latest);
        if (st != NULL)
            keep = (*env)->CallBooleanMethod(env, ctx->client, m_dispatch_poll, ctx->listener,
                                             st);
    }
    jthrowable t = (*env)->ExceptionOccurred(env);
    if (t != NULL) {
        (*env)->ExceptionClear(env);
        ctx->thrown = (jthrowable)(*env)->NewGlobalRef(env, t);
        (*env)->DeleteLocalRef(env, t);
        keep = JNI_FALSE;
    }
    if (framed)
        (*env)->PopLocalFrame(env, NULL);
    return keep == JNI_TRUE;
}

EXPORT jobject JNICALL Java_cashfree_rpd_Client_nWaitForResult(JNIEnv *env, jobject self,
                                                               jlong p, jbyteArray id,
                                                               jint timeout_ms,
                                                               jint poll_interval_ms,
                                                               jobject listener)
{
    char *cid;
    if (!cstr(env, id, &cid))
        return NULL;
    struct poll_ctx ctx = {env, self, listener, NULL};
    cfrpd_status *st = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_wait_for_result(ptr(p), cid, (uint32_t)timeout_ms,
                                            (uint32_t)poll_interval_ms, on_poll, &ctx, &st, &err);
    free(cid);
    if (ctx.thrown != NULL) {
        /* The listener's exception, the same object, whatever the wait's outcome. */
        cfrpd_status_free(st);
        cfrpd_error_free(err);
        jthrowable t = (jthrowable)(*env)->NewLocalRef(env, ctx.thrown);
        (*env)->DeleteGlobalRef(env, ctx.thrown);
        if (t != NULL)
            (*env)->Throw(env, t);
        else
            throw_oom(env);
        return NULL;
    }
    return status_result(env, rc, st, err);
}

EXPORT jobjectArray JNICALL Java_cashfree_rpd_Client_nJournalPending(JNIEnv *env, jobject self,
                                                                     jlong p)
{
    (void)self;
    cfrpd_journal_list *list = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_journal_pending(ptr(p), &list, &err);
    if (rc != CFRPD_OK) {
        throw_and_free(env, rc, err);
        return NULL;
    }
    jobjectArray arr = NULL;
    if (list->count > (size_t)INT32_MAX) {
        throw_oom(env);
    } else {
        arr = (*env)->NewObjectArray(env, (jsize)list->count, c_journal_entry, NULL);
    }
    for (size_t i = 0; arr != NULL && i < list->count; i++) {
        const cfrpd_journal_entry *e = &list->entries[i];
        if ((*env)->PushLocalFrame(env, 8) < 0) {
            arr = NULL;
            break;
        }
        jobject req = new_request(env, e->request);
        jbyteArray vid = jbytes(env, e->verification_id);
        jbyteArray name = jbytes(env, e->name);
        jobject entry = NULL;
        if (!(*env)->ExceptionCheck(env))
            entry = (*env)->NewObject(env, c_journal_entry, m_journal_entry, vid, name,
                                      (jint)e->state, (jlong)e->recorded_at_ms, req);
        if (entry != NULL)
            (*env)->SetObjectArrayElement(env, arr, (jsize)i, entry);
        (*env)->PopLocalFrame(env, NULL);
        if (entry == NULL)
            arr = NULL;
    }
    cfrpd_journal_list_free(list);
    return arr;
}

EXPORT jobject JNICALL Java_cashfree_rpd_Client_nJournalResolve(JNIEnv *env, jobject self,
                                                                jlong p, jbyteArray id)
{
    (void)self;
    char *cid;
    if (!cstr(env, id, &cid))
        return NULL;
    cfrpd_status *st = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_journal_resolve(ptr(p), cid, &st, &err);
    free(cid);
    return status_result(env, rc, st, err);
}

EXPORT jlongArray JNICALL Java_cashfree_rpd_Client_nRateLimit(JNIEnv *env, jobject self,
                                                              jlong p)
{
    (void)self;
    cfrpd_rate_limit rl = {-1, -1, -1};
    cfrpd_result rc = cfrpd_client_rate_limit(ptr(p), &rl);
    if (rc != CFRPD_OK) {
        throw_error(env, rc, NULL, NULL);
        return NULL;
    }
    jlong v[3] = {(jlong)rl.limit, (jlong)rl.remaining, (jlong)rl.reset_ms};
    jlongArray a = (*env)->NewLongArray(env, 3);
    if (a != NULL)
        (*env)->SetLongArrayRegion(env, a, 0, 3, v);
    return a;
}

/* ---- QR codes and bitmaps ------------------------------------------------------------ */

EXPORT jobject JNICALL Java_cashfree_rpd_QrCode_nEncode(JNIEnv *env, jclass cls, jbyteArray text)
{
    (void)cls;
    char *t;
    if (!cstr(env, text, &t))
        return NULL;
    cfrpd_qr *qr = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_qr_encode(t, &qr, &err);
    free(t);
    if (rc != CFRPD_OK) {
        throw_and_free(env, rc, err);
        return NULL;
    }
    jobject o = NULL;
    jbyteArray modules = jbytes_n(env, qr->modules, (size_t)qr->size * qr->size);
    if (modules != NULL) {
        o = (*env)->NewObject(env, c_qr, m_qr, (jint)qr->size, modules);
        (*env)->DeleteLocalRef(env, modules);
    }
    cfrpd_qr_free(qr);
    return o;
}

EXPORT jobject JNICALL Java_cashfree_rpd_QrCode_nBitmap(JNIEnv *env, jobject self, jint size,
                                                        jbyteArray modules, jint scale,
                                                        jint quiet_zone)
{
    (void)self;
    if (size < 0 || size > CFRPD_QR_MAX_SIZE || modules == NULL ||
        (*env)->GetArrayLength(env, modules) < size * size) {
        cfrpd_error e;
        memset(&e, 0, sizeof e);
        e.message = (char *)"the module matrix does not match its size";
        e.rate_limit_limit = e.rate_limit_remaining = e.rate_limit_reset_ms = -1;
        throw_error(env, CFRPD_ERR_INVALID_ARGUMENT, &e, NULL);
        return NULL;
    }
    uint8_t *m = malloc((size_t)size * (size_t)size + 1);
    if (m == NULL) {
        throw_oom(env);
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, modules, 0, size * size, (jbyte *)m);
    cfrpd_qr qr = {(uint32_t)size, m};
    cfrpd_bitmap *bmp = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_qr_bitmap(&qr, (uint32_t)scale, (uint32_t)quiet_zone, &bmp, &err);
    free(m);
    if (rc != CFRPD_OK) {
        throw_and_free(env, rc, err);
        return NULL;
    }
    jobject o = NULL;
    jbyteArray bits = jbytes_n(env, bmp->bits, (size_t)bmp->stride * bmp->height);
    if (bits != NULL) {
        o = (*env)->NewObject(env, c_bitmap, m_bitmap, (jint)bmp->width, (jint)bmp->height,
                              (jint)bmp->stride, bits);
        (*env)->DeleteLocalRef(env, bits);
    }
    cfrpd_bitmap_free(bmp);
    return o;
}

/* ---- webhooks ----------------------------------------------------------------------- */

EXPORT jobject JNICALL Java_cashfree_rpd_Webhooks_nVerify(JNIEnv *env, jclass cls,
                                                          jbyteArray secret, jbyteArray body,
                                                          jbyteArray signature,
                                                          jbyteArray timestamp, jint max_age_s)
{
    (void)cls;
    char *csecret = NULL, *csig = NULL, *cts = NULL, *cbody = NULL;
    jobject o = NULL;
    size_t len = body == NULL ? 0 : (size_t)(*env)->GetArrayLength(env, body);
    /* cstr copies the body too; its length is passed, so NUL bytes in it are kept. */
    if (!cstr(env, secret, &csecret) || !cstr(env, signature, &csig) ||
        !cstr(env, timestamp, &cts) || !cstr(env, body, &cbody))
        goto out;
    cfrpd_webhook *hook = NULL;
    cfrpd_error *err = NULL;
    cfrpd_result rc = cfrpd_webhook_verify(csecret, (const uint8_t *)cbody, len, csig, cts,
                                           (uint32_t)max_age_s, &hook, &err);
    if (rc != CFRPD_OK) {
        throw_and_free(env, rc, err);
        goto out;
    }
    if ((*env)->PushLocalFrame(env, 8) == 0) {
        jobject data = new_status(env, hook->data);
        jbyteArray type = jbytes(env, hook->event_type);
        jbyteArray time = jbytes(env, hook->event_time);
        jbyteArray version = jbytes(env, hook->version);
        if (!(*env)->ExceptionCheck(env))
            o = (*env)->NewObject(env, c_webhook, m_webhook, type, time, version, data);
        o = (*env)->PopLocalFrame(env, o);
    }
    cfrpd_webhook_free(hook);
out:
    if (csecret != NULL) {
        volatile char *s = csecret;
        while (*s)
            *s++ = 0;
    }
    free(csecret);
    free(csig);
    free(cts);
    free(cbody);
    return o;
}
