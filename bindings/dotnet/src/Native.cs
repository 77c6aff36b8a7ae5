// The C ABI of libcashfree_rpd (include/cashfree_rpd.h) for P/Invoke. Not public API.
//
// Rules (checked by the test program's declaration dump against the header and abi/*.abi,
// scripts/bindings_abi.py): CallingConvention.Cdecl on every import and callback delegate
// (x86 Windows defaults to StdCall); C `bool` is MarshalAs(UnmanagedType.U1) (the default
// is a 4-byte Win32 BOOL); size_t is UIntPtr, pointers IntPtr, int64_t long; strings are
// passed as NUL-terminated UTF-8 byte[] built by hand (UnmanagedType.LPUTF8Str needs 4.7)
// and read by hand from IntPtr fields.
using System;
using System.Runtime.InteropServices;

[assembly: System.Runtime.Versioning.TargetFramework(".NETFramework,Version=v4.6.1", FrameworkDisplayName = ".NET Framework 4.6.1")]
[assembly: System.Reflection.AssemblyVersion("0.1.0.0")]
[assembly: System.Reflection.AssemblyTitle("CashfreeRpd: Cashfree Reverse Penny Drop over libcashfree_rpd")]

namespace CashfreeRpd
{
    internal static class NativeMethods
    {
        // Resolves cashfree_rpd.dll on Windows, libcashfree_rpd.so on Linux.
        internal const string Lib = "cashfree_rpd";

        // The library version this assembly was written for (MAJOR*10000 + MINOR*100 +
        // PATCH); the test program checks it against the header's CFRPD_VERSION_*.
        internal const uint BuiltForVersionNumber = 100;

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_error
        {
            public uint code;
            public ushort http_status;
            public IntPtr message;
            public IntPtr api_code;
            public IntPtr api_type;
            public uint retry_after_ms;
            [MarshalAs(UnmanagedType.U1)] public bool retryable;
            [MarshalAs(UnmanagedType.U1)] public bool ambiguous;
            public IntPtr raw_body;
            public IntPtr request_id;
            public long rate_limit_limit;
            public long rate_limit_remaining;
            public long rate_limit_reset_ms;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_rate_limit
        {
            public long limit;
            public long remaining;
            public long reset_ms;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_request
        {
            public IntPtr verification_id;
            public long ref_id;
            public IntPtr valid_upto;
            public IntPtr upi_link;
            public IntPtr gpay;
            public IntPtr bhim;
            public IntPtr paytm;
            public IntPtr phonepe;
            public IntPtr qr_code;
            public IntPtr qr_png;
            public UIntPtr qr_png_len;
            public IntPtr raw_json;
            [MarshalAs(UnmanagedType.U1)] public bool replayed;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_status
        {
            public uint state;
            [MarshalAs(UnmanagedType.U1)] public bool is_final;
            public IntPtr status;
            public IntPtr verification_id;
            public IntPtr ref_id;
            public IntPtr bank_account;
            public IntPtr ifsc;
            public IntPtr upi;
            public IntPtr name_at_bank;
            public IntPtr utr;
            public IntPtr name_match_score;
            public IntPtr name_match_result;
            public uint name_match;
            public IntPtr added_on;
            public IntPtr processed_on;
            public IntPtr penny_collected_on;
            public IntPtr reversal_status;
            public IntPtr account_type;
            public IntPtr raw_json;
            public uint reversal;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_journal_entry
        {
            public IntPtr verification_id;
            public IntPtr name;
            public uint state;
            public long recorded_at_ms;
            public IntPtr request;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_journal_list
        {
            public UIntPtr count;
            public IntPtr entries;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_qr
        {
            public uint size;
            public IntPtr modules;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_bitmap
        {
            public uint width;
            public uint height;
            public uint stride;
            public IntPtr bits;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct cfrpd_webhook
        {
            public IntPtr event_type;
            public IntPtr event_time;
            public IntPtr version;
            public IntPtr data;
        }

        // typedef bool (*cfrpd_poll_callback)(void *user_data, const struct cfrpd_status *latest);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        [return: MarshalAs(UnmanagedType.U1)]
        internal delegate bool cfrpd_poll_callback(IntPtr user_data, IntPtr latest);

        // typedef void (*cfrpd_log_callback)(void *user_data, cfrpd_log_level level, const char *message);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void cfrpd_log_callback(IntPtr user_data, uint level, IntPtr message);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_version();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_version_number();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_result_name(uint r);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_state_name(uint s);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_name_match_name(uint m);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_reversal_name(uint r);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_log_level_name(uint l);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_environment_name(uint e);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_journal_state_name(uint s);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_error_free(IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_new(byte[] client_id, byte[] client_secret, out ConfigHandle config);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_from_env(out ConfigHandle config, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr cfrpd_config_last_error(ConfigHandle c);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_call_deadline_ms(ConfigHandle c, uint ms);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_max_idle_connections(ConfigHandle c, uint n);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_log_callback(ConfigHandle c, uint max_level, cfrpd_log_callback callback, IntPtr user_data);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_environment(ConfigHandle c, uint env);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_base_url(ConfigHandle c, byte[] url);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_timeouts_ms(ConfigHandle c, uint connect_ms, uint request_ms);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_public_key_pem(ConfigHandle c, byte[] pem);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_add_root_ca_pem(ConfigHandle c, byte[] pem);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_proxy(ConfigHandle c, byte[] url);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_max_retries(ConfigHandle c, uint n);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_config_set_journal_path(ConfigHandle c, byte[] path);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_config_free(IntPtr c);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_client_new(ConfigHandle c, out ClientHandle client, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_client_rate_limit(ClientHandle client, out cfrpd_rate_limit rate_limit);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_client_free(IntPtr client);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_create(ClientHandle client, byte[] verification_id, byte[] name, out IntPtr request, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_request_free(IntPtr req);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_get_status(ClientHandle client, byte[] verification_id, out IntPtr status, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_get_status_by_ref_id(ClientHandle client, long ref_id, out IntPtr status, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_wait_for_result(ClientHandle client, byte[] verification_id, uint timeout_ms, uint poll_interval_ms,
                                                          cfrpd_poll_callback on_poll, IntPtr user_data, out IntPtr status, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_status_free(IntPtr status);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_journal_pending(ClientHandle client, out IntPtr list, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_journal_list_free(IntPtr list);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_journal_resolve(ClientHandle client, byte[] verification_id, out IntPtr status, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_qr_encode(byte[] text, out QrHandle qr, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_qr_free(IntPtr qr);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_qr_bitmap(QrHandle qr, uint scale, uint quiet_zone, out IntPtr bitmap, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_bitmap_free(IntPtr bitmap);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_qr_to_text(QrHandle qr, [MarshalAs(UnmanagedType.U1)] bool ansi, out IntPtr text, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_string_free(IntPtr s);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern uint cfrpd_webhook_verify(byte[] client_secret, byte[] raw_body, UIntPtr body_len, byte[] signature, byte[] timestamp,
                                                         uint max_age_s, out IntPtr webhook, out IntPtr err);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void cfrpd_webhook_free(IntPtr hook);
    }

    /// <summary>A cfrpd_config, freed by cfrpd_config_free.</summary>
    internal sealed class ConfigHandle : SafeHandle
    {
        public ConfigHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { NativeMethods.cfrpd_config_free(handle); return true; }
    }

    /// <summary>A cfrpd_client, freed by cfrpd_client_free.</summary>
    internal sealed class ClientHandle : SafeHandle
    {
        public ClientHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { NativeMethods.cfrpd_client_free(handle); return true; }
    }

    /// <summary>A cfrpd_qr, freed by cfrpd_qr_free.</summary>
    internal sealed class QrHandle : SafeHandle
    {
        public QrHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { NativeMethods.cfrpd_qr_free(handle); return true; }
    }
}
