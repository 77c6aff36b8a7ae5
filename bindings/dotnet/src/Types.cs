// Enums, constants, results and the exception. Enum values are the C values; the test
// program's declaration dump is compared with the header's macros (scripts/bindings_abi.py).
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace CashfreeRpd
{
    /// <summary>cfrpd_result: CFRPD_OK and CFRPD_ERR_* (names without the prefix).</summary>
    public enum ResultCode : uint
    {
        OK = 0,
        INVALID_ARGUMENT = 1,
        NETWORK = 2,
        TIMEOUT = 3,
        TLS = 4,
        BAD_REQUEST = 10,
        DUPLICATE_ID = 11,
        UNAUTHORIZED = 12,
        FORBIDDEN = 13,
        NOT_FOUND = 14,
        INSUFFICIENT_BALANCE = 15,
        RATE_LIMITED = 16,
        SERVER = 17,
        HTTP = 18,
        UNEXPECTED_RESPONSE = 20,
        SIGNATURE = 21,
        CANCELLED = 22,
        DEADLINE = 23,
        WEBHOOK_SIGNATURE = 24,
        JOURNAL = 25,
        PANIC = 99,
    }

    /// <summary>cfrpd_state: CFRPD_STATE_*.</summary>
    public enum State : uint { UNKNOWN = 0, CREATED = 1, SUCCESS = 2, FAILURE = 3, EXPIRED = 4 }

    /// <summary>cfrpd_name_match: CFRPD_MATCH_*.</summary>
    public enum NameMatch : uint { UNKNOWN = 0, DIRECT = 1, GOOD_PARTIAL = 2, MODERATE_PARTIAL = 3, POOR_PARTIAL = 4, NO_MATCH = 5 }

    /// <summary>cfrpd_reversal: CFRPD_REVERSAL_* (the refund of the rupee).</summary>
    public enum Reversal : uint { UNKNOWN = 0, PENDING = 1, TRANSFER_INITIATED = 2, TRANSFER_SUCCESS = 3, FAILED = 4 }

    /// <summary>cfrpd_environment: CFRPD_ENV_* (named so it does not hide System.Environment).</summary>
    public enum CashfreeEnvironment : uint { SANDBOX = 0, PRODUCTION = 1 }

    /// <summary>cfrpd_log_level: CFRPD_LOG_*.</summary>
    public enum LogLevel : uint { ERROR = 1, WARN = 2, INFO = 3, DEBUG = 4 }

    /// <summary>cfrpd_journal_state: CFRPD_JOURNAL_* (an open entry of the create journal).</summary>
    public enum JournalState : uint { SENDING = 1, CREATED = 2 }

    /// <summary>The header's other numeric constants (CFRPD_ + the name).</summary>
    public static class Constants
    {
        public const uint QR_MIN_SIZE = 21;
        public const uint QR_MAX_SIZE = 177;
        public const uint QR_MAX_SCALE = 64;
        public const uint QR_MAX_QUIET_ZONE = 16;
        public const uint QR_STANDARD_QUIET_ZONE = 4;
        public const uint MAX_VERIFICATION_ID_LEN = 50;
        public const uint MAX_RETRIES_LIMIT = 10;
        public const uint DEFAULT_MAX_IDLE_CONNECTIONS = 4;
        public const uint MAX_IDLE_CONNECTIONS_LIMIT = 1024;
        public const uint JOURNAL_FORMAT_VERSION = 2;
        public const uint DEFAULT_CONNECT_TIMEOUT_MS = 10000;
        public const uint DEFAULT_REQUEST_TIMEOUT_MS = 30000;
        public const uint DEFAULT_MAX_RETRIES = 2;
        public const uint DEFAULT_CALL_DEADLINE_MS = 60000;
        public const uint DEFAULT_POLL_INTERVAL_MS = 3000;
        public const uint RECOMMENDED_WEBHOOK_MAX_AGE_S = 300;
        public const ulong JOURNAL_COMPACT_AT = 262144;
    }

    /// <summary>A created request (cfrpd_request). A C NULL is null, never "".</summary>
    public sealed class Request
    {
        public string VerificationId { get; internal set; }
        public long RefId { get; internal set; }
        public string ValidUpto { get; internal set; }
        public string UpiLink { get; internal set; }
        public string Gpay { get; internal set; }
        public string Bhim { get; internal set; }
        public string Paytm { get; internal set; }
        public string Phonepe { get; internal set; }
        /// <summary>The base64 PNG as Cashfree sent it.</summary>
        public string QrCode { get; internal set; }
        /// <summary>The decoded PNG, or null when absent or not valid base64.</summary>
        public byte[] QrPng { get; internal set; }
        public string RawJson { get; internal set; }
        /// <summary>True when the create journal answered with the recorded request.</summary>
        public bool Replayed { get; internal set; }
    }

    /// <summary>A request's status (cfrpd_status). A C NULL is null, never "".</summary>
    public sealed class Status
    {
        public State State { get; internal set; }
        public bool IsFinal { get; internal set; }
        public string RawStatus { get; internal set; }
        public string VerificationId { get; internal set; }
        public string RefId { get; internal set; }
        public string BankAccount { get; internal set; }
        public string Ifsc { get; internal set; }
        public string Upi { get; internal set; }
        public string NameAtBank { get; internal set; }
        public string Utr { get; internal set; }
        public string NameMatchScore { get; internal set; }
        public string NameMatchResult { get; internal set; }
        public NameMatch NameMatch { get; internal set; }
        public string AddedOn { get; internal set; }
        public string ProcessedOn { get; internal set; }
        public string PennyCollectedOn { get; internal set; }
        public string ReversalStatus { get; internal set; }
        public string AccountType { get; internal set; }
        public string RawJson { get; internal set; }
        public Reversal Reversal { get; internal set; }
        public override string ToString() { return "Status(" + State + ", " + VerificationId + ")"; }
    }

    /// <summary>An open entry of the create journal.</summary>
    public sealed class JournalEntry
    {
        public string VerificationId { get; internal set; }
        public string Name { get; internal set; }
        public JournalState State { get; internal set; }
        public long RecordedAtMs { get; internal set; }
        /// <summary>CREATED: the answer as first received; SENDING: null.</summary>
        public Request Request { get; internal set; }
    }

    /// <summary>A rate-limit window; a field is null when unknown.</summary>
    public sealed class RateLimit
    {
        public long? Limit { get; internal set; }
        public long? Remaining { get; internal set; }
        public long? ResetMs { get; internal set; }
    }

    /// <summary>A verified webhook delivery.</summary>
    public sealed class Webhook
    {
        public string EventType { get; internal set; }
        public string EventTime { get; internal set; }
        public string Version { get; internal set; }
        public Status Data { get; internal set; }
    }

    /// <summary>A failed call: the fields of the C library's cfrpd_error.</summary>
    public class RpdException : Exception
    {
        public RpdException(ResultCode code, string message) : base(message) { Code = code; }

        public ResultCode Code { get; internal set; }
        /// <summary>0 when no HTTP answer arrived.</summary>
        public int HttpStatus { get; internal set; }
        public bool Retryable { get; internal set; }
        public bool Ambiguous { get; internal set; }
        /// <summary>Cashfree's "code".</summary>
        public string CashfreeCode { get; internal set; }
        /// <summary>Cashfree's "type".</summary>
        public string CashfreeType { get; internal set; }
        public string RawBody { get; internal set; }
        public string RequestId { get; internal set; }
        public uint RetryAfterMs { get; internal set; }
        public RateLimit RateLimit { get; internal set; }
        /// <summary>The last status seen, for DEADLINE / CANCELLED; else null.</summary>
        public Status LastStatus { get; internal set; }

        public override string ToString() { return Code + ": " + Message; }
    }

    /// <summary>Conversions between .NET and the C ABI (UTF-8 by hand, structs to objects).</summary>
    internal static class Marshalling
    {
        static bool checkedVersion;
        static readonly object versionLock = new object();

        /// <summary>Checks once that the loaded library is the version this assembly was built for.</summary>
        internal static void EnsureLibrary()
        {
            if (checkedVersion) return;
            lock (versionLock)
            {
                if (checkedVersion) return;
                uint found;
                try { found = NativeMethods.cfrpd_version_number(); }
                catch (DllNotFoundException e)
                {
                    throw new DllNotFoundException("CashfreeRpd: cannot load the native library " + NativeMethods.Lib +
                        " (libcashfree_rpd.so on Linux, cashfree_rpd.dll on Windows): put it beside CashfreeRpd.dll (`make dotnet`) or on the loader's path", e);
                }
                if (found / 100 != NativeMethods.BuiltForVersionNumber / 100)
                    throw new InvalidOperationException("CashfreeRpd: the native library is libcashfree_rpd " + Utf8(NativeMethods.cfrpd_version()) +
                        " (version number " + found + "); this assembly was built for version number " + NativeMethods.BuiltForVersionNumber +
                        " (same MAJOR.MINOR required)");
                checkedVersion = true;
            }
        }

        /// <summary>A NUL-terminated UTF-8 copy of s (null stays null).</summary>
        internal static byte[] ToC(string what, string s)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0) throw new RpdException(ResultCode.INVALID_ARGUMENT, what + " contains a NUL character");
            int n = Encoding.UTF8.GetByteCount(s);
            var b = new byte[n + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, b, 0);
            return b;
        }

        /// <summary>A C string (NULL is null) as a string.</summary>
        internal static string Utf8(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            if (n == 0) return "";
            var b = new byte[n];
            Marshal.Copy(p, b, 0, n);
            return Encoding.UTF8.GetString(b);
        }

        internal static uint Ms(string what, TimeSpan t)
        {
            double ms = Math.Round(t.TotalMilliseconds);
            if (ms < 0 || ms > uint.MaxValue) throw new RpdException(ResultCode.INVALID_ARGUMENT, what + " out of range: " + t);
            return (uint)ms;
        }

        internal static Status Status(IntPtr p)
        {
            var s = (NativeMethods.cfrpd_status)Marshal.PtrToStructure(p, typeof(NativeMethods.cfrpd_status));
            return new Status
            {
                State = (State)s.state,
                IsFinal = s.is_final,
                RawStatus = Utf8(s.status),
                VerificationId = Utf8(s.verification_id),
                RefId = Utf8(s.ref_id),
                BankAccount = Utf8(s.bank_account),
                Ifsc = Utf8(s.ifsc),
                Upi = Utf8(s.upi),
                NameAtBank = Utf8(s.name_at_bank),
                Utr = Utf8(s.utr),
                NameMatchScore = Utf8(s.name_match_score),
                NameMatchResult = Utf8(s.name_match_result),
                NameMatch = (NameMatch)s.name_match,
                AddedOn = Utf8(s.added_on),
                ProcessedOn = Utf8(s.processed_on),
                PennyCollectedOn = Utf8(s.penny_collected_on),
                ReversalStatus = Utf8(s.reversal_status),
                AccountType = Utf8(s.account_type),
                RawJson = Utf8(s.raw_json),
                Reversal = (Reversal)s.reversal,
            };
        }

        internal static Request Request(IntPtr p)
        {
            var r = (NativeMethods.cfrpd_request)Marshal.PtrToStructure(p, typeof(NativeMethods.cfrpd_request));
            byte[] png = null;
            if (r.qr_png != IntPtr.Zero)
            {
                png = new byte[checked((int)r.qr_png_len.ToUInt64())];
                Marshal.Copy(r.qr_png, png, 0, png.Length);
            }
            return new Request
            {
                VerificationId = Utf8(r.verification_id),
                RefId = r.ref_id,
                ValidUpto = Utf8(r.valid_upto),
                UpiLink = Utf8(r.upi_link),
                Gpay = Utf8(r.gpay),
                Bhim = Utf8(r.bhim),
                Paytm = Utf8(r.paytm),
                Phonepe = Utf8(r.phonepe),
                QrCode = Utf8(r.qr_code),
                QrPng = png,
                RawJson = Utf8(r.raw_json),
                Replayed = r.replayed,
            };
        }

        static long? Opt(long v) { return v < 0 ? (long?)null : v; }

        internal static RateLimit RateLimit(long limit, long remaining, long resetMs)
        {
            if (limit < 0 && remaining < 0 && resetMs < 0) return null;
            return new RateLimit { Limit = Opt(limit), Remaining = Opt(remaining), ResetMs = Opt(resetMs) };
        }

        internal static string ResultName(uint rc) { return Utf8(NativeMethods.cfrpd_result_name(rc)); }

        /// <summary>An RpdException from a result and a cfrpd_error* (freed here; may be NULL).</summary>
        internal static RpdException Error(uint rc, IntPtr err, Status last)
        {
            if (err == IntPtr.Zero) return new RpdException((ResultCode)rc, ResultName(rc)) { LastStatus = last };
            try
            {
                var e = (NativeMethods.cfrpd_error)Marshal.PtrToStructure(err, typeof(NativeMethods.cfrpd_error));
                return new RpdException((ResultCode)e.code, Utf8(e.message) ?? ResultName(rc))
                {
                    HttpStatus = e.http_status,
                    Retryable = e.retryable,
                    Ambiguous = e.ambiguous,
                    CashfreeCode = Utf8(e.api_code),
                    CashfreeType = Utf8(e.api_type),
                    RawBody = Utf8(e.raw_body),
                    RequestId = Utf8(e.request_id),
                    RetryAfterMs = e.retry_after_ms,
                    RateLimit = RateLimit(e.rate_limit_limit, e.rate_limit_remaining, e.rate_limit_reset_ms),
                    LastStatus = last,
                };
            }
            finally { NativeMethods.cfrpd_error_free(err); }
        }
    }
}
