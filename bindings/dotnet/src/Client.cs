using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace CashfreeRpd
{
    /// <summary>Settings for a <see cref="Client"/> (a cfrpd_config). Setters throw
    /// <see cref="RpdException"/> with the library's reason. A client copies what it needs:
    /// the config may be changed or disposed afterwards. Not for two threads at once.</summary>
    public sealed class Config : IDisposable
    {
        internal readonly ConfigHandle Handle;
        internal NativeMethods.cfrpd_log_callback LogTrampoline; // kept alive by the config and its clients
        string baseUrl, journalPath, proxy;
        uint maxRetries = 2;
        CashfreeEnvironment environment = CashfreeEnvironment.SANDBOX;

        public Config(string clientId, string clientSecret)
        {
            Marshalling.EnsureLibrary();
            ConfigHandle h;
            uint rc = NativeMethods.cfrpd_config_new(Marshalling.ToC("clientId", clientId), Marshalling.ToC("clientSecret", clientSecret), out h);
            if (rc != 0)
            {
                h.Dispose();
                throw new RpdException((ResultCode)rc, "clientId and clientSecret must be non-empty, without control characters");
            }
            Handle = h;
        }

        Config(ConfigHandle h) { Handle = h; }

        /// <summary>CASHFREE_CLIENT_ID, CASHFREE_CLIENT_SECRET (required), CASHFREE_ENV,
        /// CASHFREE_BASE_URL, CASHFREE_PUBLIC_KEY; the error names a wrong variable.</summary>
        public static Config FromEnvironment()
        {
            Marshalling.EnsureLibrary();
            ConfigHandle h;
            IntPtr err;
            uint rc = NativeMethods.cfrpd_config_from_env(out h, out err);
            if (rc != 0)
            {
                h.Dispose();
                throw Marshalling.Error(rc, err, null);
            }
            return new Config(h);
        }

        void Check(string what, uint rc)
        {
            if (rc == 0) return;
            string why = Marshalling.Utf8(NativeMethods.cfrpd_config_last_error(Handle)) ?? Marshalling.ResultName(rc);
            throw new RpdException((ResultCode)rc, what + ": " + why);
        }

        void Live()
        {
            if (Handle.IsClosed) throw new ObjectDisposedException("CashfreeRpd.Config");
        }

        /// <summary>https:// anywhere; http:// only to loopback.</summary>
        public string BaseUrl
        {
            get { return baseUrl; }
            set { Live(); Check("BaseUrl", NativeMethods.cfrpd_config_set_base_url(Handle, Marshalling.ToC("BaseUrl", value))); baseUrl = value; }
        }

        /// <summary>Re-tries after the first attempt (default 2, at most 10).</summary>
        public uint MaxRetries
        {
            get { return maxRetries; }
            set { Live(); Check("MaxRetries", NativeMethods.cfrpd_config_set_max_retries(Handle, value)); maxRetries = value; }
        }

        /// <summary>The create journal's file; null or "" turns it off.</summary>
        public string JournalPath
        {
            get { return journalPath; }
            set { Live(); Check("JournalPath", NativeMethods.cfrpd_config_set_journal_path(Handle, Marshalling.ToC("JournalPath", value ?? ""))); journalPath = value; }
        }

        public CashfreeEnvironment Environment
        {
            get { return environment; }
            set { Live(); Check("Environment", NativeMethods.cfrpd_config_set_environment(Handle, (uint)value)); environment = value; }
        }

        /// <summary>An http:// or https:// proxy; "" clears it.</summary>
        public string Proxy
        {
            get { return proxy; }
            set { Live(); Check("Proxy", NativeMethods.cfrpd_config_set_proxy(Handle, Marshalling.ToC("Proxy", value ?? ""))); proxy = value; }
        }

        /// <summary>Per attempt; TimeSpan.Zero = the default (connect 10 s, request 30 s).</summary>
        public void SetTimeouts(TimeSpan connect, TimeSpan request)
        {
            Live();
            Check("SetTimeouts", NativeMethods.cfrpd_config_set_timeouts_ms(Handle, Marshalling.Ms("connect", connect), Marshalling.Ms("request", request)));
        }

        /// <summary>Bounds one whole call, retries included; TimeSpan.Zero = 60 s.</summary>
        public void SetCallDeadline(TimeSpan deadline)
        {
            Live();
            Check("SetCallDeadline", NativeMethods.cfrpd_config_set_call_deadline_ms(Handle, Marshalling.Ms("deadline", deadline)));
        }

        /// <summary>Turns on x-cf-signature with this RSA public key (PEM).</summary>
        public void SetPublicKeyPem(string pem) { Live(); Check("SetPublicKeyPem", NativeMethods.cfrpd_config_set_public_key_pem(Handle, Marshalling.ToC("pem", pem))); }

        public void AddRootCaPem(string pem) { Live(); Check("AddRootCaPem", NativeMethods.cfrpd_config_add_root_ca_pem(Handle, Marshalling.ToC("pem", pem))); }

        public void SetMaxIdleConnections(uint n) { Live(); Check("SetMaxIdleConnections", NativeMethods.cfrpd_config_set_max_idle_connections(Handle, n)); }

        /// <summary>Messages up to maxLevel go to callback(level, message) on the calling
        /// thread; null turns logging off. An exception from the callback is dropped (it
        /// could otherwise follow a paid create and invite a second one).</summary>
        public void SetLogCallback(LogLevel maxLevel, Action<LogLevel, string> callback)
        {
            Live();
            NativeMethods.cfrpd_log_callback tramp = null;
            if (callback != null)
            {
                tramp = (ud, level, message) =>
                {
                    try { callback((LogLevel)level, Marshalling.Utf8(message) ?? ""); }
                    catch (Exception) { /* dropped, as in C++ */ }
                };
            }
            Check("SetLogCallback", NativeMethods.cfrpd_config_set_log_callback(Handle, (uint)maxLevel, tramp, IntPtr.Zero));
            LogTrampoline = tramp;
        }

        public void Dispose() { Handle.Dispose(); }
    }

    /// <summary>A client of the Reverse Penny Drop API (a cfrpd_client). Thread-safe.
    /// Dispose() waits for calls in flight; a disposed client throws ObjectDisposedException.</summary>
    public sealed class Client : IDisposable
    {
        readonly ClientHandle handle;
        readonly NativeMethods.cfrpd_log_callback logTrampoline; // keeps the config's log delegate alive
        readonly object gate = new object();
        int inFlight;
        bool disposed, freeWhenIdle;
        readonly ThreadLocal<int> depth = new ThreadLocal<int>();

        public Client(Config config)
        {
            if (config == null) throw new ArgumentNullException("config");
            if (config.Handle.IsClosed) throw new ObjectDisposedException("CashfreeRpd.Config");
            IntPtr err;
            uint rc = NativeMethods.cfrpd_client_new(config.Handle, out handle, out err);
            if (rc != 0)
            {
                handle.Dispose();
                throw Marshalling.Error(rc, err, null);
            }
            logTrampoline = config.LogTrampoline;
        }

        void Begin()
        {
            lock (gate)
            {
                if (disposed) throw new ObjectDisposedException("CashfreeRpd.Client");
                inFlight++;
            }
            depth.Value = depth.Value + 1;
        }

        void End()
        {
            depth.Value = depth.Value - 1;
            bool free = false;
            lock (gate)
            {
                inFlight--;
                if (inFlight == 0)
                {
                    free = freeWhenIdle;
                    freeWhenIdle = false;
                    Monitor.PulseAll(gate);
                }
            }
            if (free) handle.Dispose();
            GC.KeepAlive(logTrampoline);
        }

        /// <summary>Frees the native client after the calls in flight return. Twice is fine.
        /// From inside this client's own poll callback the client is freed when that call returns.</summary>
        public void Dispose()
        {
            lock (gate)
            {
                if (disposed) return;
                disposed = true;
                if (depth.Value > 0) { freeWhenIdle = true; return; }
                while (inFlight > 0) Monitor.Wait(gate);
            }
            handle.Dispose();
        }

        public Request Create(string verificationId, string name)
        {
            byte[] id = Marshalling.ToC("verificationId", verificationId), nm = Marshalling.ToC("name", name);
            IntPtr req, err;
            uint rc;
            Begin();
            try { rc = NativeMethods.cfrpd_create(handle, id, nm, out req, out err); }
            finally { End(); }
            if (rc != 0) throw Marshalling.Error(rc, err, null);
            try { return Marshalling.Request(req); }
            finally { NativeMethods.cfrpd_request_free(req); }
        }

        Status StatusResult(uint rc, IntPtr st, IntPtr err)
        {
            if (rc != 0) throw Marshalling.Error(rc, err, null);
            try { return Marshalling.Status(st); }
            finally { NativeMethods.cfrpd_status_free(st); }
        }

        public Status GetStatus(string verificationId)
        {
            byte[] id = Marshalling.ToC("verificationId", verificationId);
            IntPtr st, err;
            uint rc;
            Begin();
            try { rc = NativeMethods.cfrpd_get_status(handle, id, out st, out err); }
            finally { End(); }
            return StatusResult(rc, st, err);
        }

        public Status GetStatusByRefId(long refId)
        {
            IntPtr st, err;
            uint rc;
            Begin();
            try { rc = NativeMethods.cfrpd_get_status_by_ref_id(handle, refId, out st, out err); }
            finally { End(); }
            return StatusResult(rc, st, err);
        }

        /// <summary>Polls until the state is final. onPoll runs after every poll: false stops
        /// the wait (CANCELLED, unless the status is final); an exception it throws stops the
        /// wait and is rethrown here, the same object, after the native call returns.
        /// DEADLINE / CANCELLED carry the last status seen.</summary>
        public Status WaitForResult(string verificationId, TimeSpan timeout, Func<Status, bool> onPoll = null)
        {
            return WaitForResult(verificationId, timeout, TimeSpan.Zero, onPoll);
        }

        /// <summary>pollInterval: TimeSpan.Zero = 3 s; below 0.5 s is raised to 0.5 s.</summary>
        public Status WaitForResult(string verificationId, TimeSpan timeout, TimeSpan pollInterval, Func<Status, bool> onPoll)
        {
            byte[] id = Marshalling.ToC("verificationId", verificationId);
            uint timeoutMs = Marshalling.Ms("timeout", timeout), intervalMs = Marshalling.Ms("pollInterval", pollInterval);
            ExceptionDispatchInfo thrown = null;
            NativeMethods.cfrpd_poll_callback cb = null;
            if (onPoll != null)
            {
                cb = (ud, latest) =>
                {
                    if (thrown != null) return false;
                    try { return onPoll(Marshalling.Status(latest)); }
                    catch (Exception e) { thrown = ExceptionDispatchInfo.Capture(e); return false; }
                };
            }
            IntPtr st, err;
            uint rc;
            Begin();
            try { rc = NativeMethods.cfrpd_wait_for_result(handle, id, timeoutMs, intervalMs, cb, IntPtr.Zero, out st, out err); }
            finally
            {
                GC.KeepAlive(cb); // the delegate must outlive the native call
                End();
            }
            Status last = null;
            if (st != IntPtr.Zero)
            {
                try { last = Marshalling.Status(st); }
                finally { NativeMethods.cfrpd_status_free(st); }
            }
            if (thrown != null)
            {
                if (err != IntPtr.Zero) NativeMethods.cfrpd_error_free(err);
                thrown.Throw();
            }
            if (rc != 0) throw Marshalling.Error(rc, err, last);
            return last;
        }

        /// <summary>The create journal's open entries, oldest first.</summary>
        public IReadOnlyList<JournalEntry> JournalPending()
        {
            IntPtr list, err;
            uint rc;
            Begin();
            try { rc = NativeMethods.cfrpd_journal_pending(handle, out list, out err); }
            finally { End(); }
            if (rc != 0) throw Marshalling.Error(rc, err, null);
            try
            {
                var l = (NativeMethods.cfrpd_journal_list)Marshal.PtrToStructure(list, typeof(NativeMethods.cfrpd_journal_list));
                int size = Marshal.SizeOf(typeof(NativeMethods.cfrpd_journal_entry));
                var result = new List<JournalEntry>();
                for (ulong i = 0; i < l.count.ToUInt64(); i++)
                {
                    var e = (NativeMethods.cfrpd_journal_entry)Marshal.PtrToStructure(
                        new IntPtr(l.entries.ToInt64() + (long)i * size), typeof(NativeMethods.cfrpd_journal_entry));
                    result.Add(new JournalEntry
                    {
                        VerificationId = Marshalling.Utf8(e.verification_id),
                        Name = Marshalling.Utf8(e.name),
                        State = (JournalState)e.state,
                        RecordedAtMs = e.recorded_at_ms,
                        Request = e.request == IntPtr.Zero ? null : Marshalling.Request(e.request),
                    });
                }
                return new ReadOnlyCollection<JournalEntry>(result);
            }
            finally { NativeMethods.cfrpd_journal_list_free(list); }
        }

        /// <summary>Looks the id up and settles its journal entry.</summary>
        public Status JournalResolve(string verificationId)
        {
            byte[] id = Marshalling.ToC("verificationId", verificationId);
            IntPtr st, err;
            uint rc;
            Begin();
            try { rc = NativeMethods.cfrpd_journal_resolve(handle, id, out st, out err); }
            finally { End(); }
            return StatusResult(rc, st, err);
        }

        /// <summary>The rate-limit window of the last answer that had one, else null.</summary>
        public RateLimit RateLimit()
        {
            NativeMethods.cfrpd_rate_limit w;
            uint rc;
            Begin();
            try { rc = NativeMethods.cfrpd_client_rate_limit(handle, out w); }
            finally { End(); }
            if (rc != 0) throw Marshalling.Error(rc, IntPtr.Zero, null);
            return Marshalling.RateLimit(w.limit, w.remaining, w.reset_ms);
        }
    }

    /// <summary>A 1-bit image: rows of Stride bytes, MSB first = leftmost pixel, 1 = black.</summary>
    public sealed class Bitmap
    {
        public uint Width { get; internal set; }
        public uint Height { get; internal set; }
        public uint Stride { get; internal set; }
        public byte[] Bits { get; internal set; }

        /// <summary>A binary PBM (P4) file.</summary>
        public byte[] Pbm()
        {
            byte[] head = System.Text.Encoding.ASCII.GetBytes("P4\n" + Width + " " + Height + "\n");
            var o = new byte[head.Length + Bits.Length];
            Buffer.BlockCopy(head, 0, o, 0, head.Length);
            Buffer.BlockCopy(Bits, 0, o, head.Length, Bits.Length);
            return o;
        }

        /// <summary>ESC/POS "GS v 0" raster bytes: 1D 76 30 00 xL xH yL yH, then the rows.</summary>
        public byte[] EscPos()
        {
            var o = new byte[8 + Bits.Length];
            o[0] = 0x1d; o[1] = 0x76; o[2] = 0x30; o[3] = 0;
            o[4] = (byte)(Stride & 0xff); o[5] = (byte)((Stride >> 8) & 0xff);
            o[6] = (byte)(Height & 0xff); o[7] = (byte)((Height >> 8) & 0xff);
            Buffer.BlockCopy(Bits, 0, o, 8, Bits.Length);
            return o;
        }
    }

    /// <summary>A QR code (EC level M) for screens and printers that cannot decode a PNG.</summary>
    public sealed class QrCode : IDisposable
    {
        readonly QrHandle handle;
        readonly byte[] modules;

        QrCode(QrHandle h)
        {
            handle = h;
            var q = (NativeMethods.cfrpd_qr)Marshal.PtrToStructure(h.DangerousGetHandle(), typeof(NativeMethods.cfrpd_qr));
            Size = q.size;
            modules = new byte[q.size * q.size];
            Marshal.Copy(q.modules, modules, 0, modules.Length);
        }

        public static QrCode Encode(string text)
        {
            Marshalling.EnsureLibrary();
            QrHandle h;
            IntPtr err;
            uint rc = NativeMethods.cfrpd_qr_encode(Marshalling.ToC("text", text), out h, out err);
            if (rc != 0) { h.Dispose(); throw Marshalling.Error(rc, err, null); }
            return new QrCode(h);
        }

        /// <summary>Modules per side.</summary>
        public uint Size { get; private set; }

        /// <summary>True when the module at column x, row y is dark.</summary>
        public bool Module(uint x, uint y)
        {
            if (x >= Size || y >= Size) throw new ArgumentOutOfRangeException("x/y", "outside a " + Size + "x" + Size + " code");
            return modules[y * Size + x] != 0;
        }

        public Bitmap ToBitmap(uint scale, uint quietZone = Constants.QR_STANDARD_QUIET_ZONE)
        {
            if (handle.IsClosed) throw new ObjectDisposedException("CashfreeRpd.QrCode");
            IntPtr bmp, err;
            uint rc = NativeMethods.cfrpd_qr_bitmap(handle, scale, quietZone, out bmp, out err);
            if (rc != 0) throw Marshalling.Error(rc, err, null);
            try
            {
                var b = (NativeMethods.cfrpd_bitmap)Marshal.PtrToStructure(bmp, typeof(NativeMethods.cfrpd_bitmap));
                var bits = new byte[checked((int)(b.stride * b.height))];
                Marshal.Copy(b.bits, bits, 0, bits.Length);
                return new Bitmap { Width = b.width, Height = b.height, Stride = b.stride, Bits = bits };
            }
            finally { NativeMethods.cfrpd_bitmap_free(bmp); }
        }

        /// <summary>The code as text for a terminal: Unicode half blocks, two module rows per
        /// line, a 4-module quiet zone, "\n" after every line. ansi: each line in black on
        /// white ANSI colours (for a dark terminal).</summary>
        public string Text(bool ansi = false)
        {
            if (handle.IsClosed) throw new ObjectDisposedException("CashfreeRpd.QrCode");
            IntPtr text, err;
            uint rc = NativeMethods.cfrpd_qr_to_text(handle, ansi, out text, out err);
            if (rc != 0) throw Marshalling.Error(rc, err, null);
            try { return Marshalling.Utf8(text); }
            finally { NativeMethods.cfrpd_string_free(text); }
        }

        public void Dispose() { handle.Dispose(); }
    }

    /// <summary>Webhook verification and the library's names and version.</summary>
    public static class Rpd
    {
        /// <summary>Verifies, then parses, one webhook delivery. rawBody: the exact bytes
        /// received; signature / timestamp: the x-webhook-signature and x-webhook-timestamp
        /// header values (both null: the body's v1 "signature" field). maxAgeSeconds: 0 = no
        /// age check. A wrong, missing or stale signature throws WEBHOOK_SIGNATURE.</summary>
        public static Webhook VerifyWebhook(string clientSecret, byte[] rawBody, string signature, string timestamp, uint maxAgeSeconds = 0)
        {
            Marshalling.EnsureLibrary();
            if (rawBody == null) throw new ArgumentNullException("rawBody");
            IntPtr hook, err;
            uint rc = NativeMethods.cfrpd_webhook_verify(Marshalling.ToC("clientSecret", clientSecret), rawBody.Length == 0 ? new byte[1] : rawBody,
                new UIntPtr((uint)rawBody.Length), Marshalling.ToC("signature", signature), Marshalling.ToC("timestamp", timestamp),
                maxAgeSeconds, out hook, out err);
            if (rc != 0) throw Marshalling.Error(rc, err, null);
            try
            {
                var w = (NativeMethods.cfrpd_webhook)Marshal.PtrToStructure(hook, typeof(NativeMethods.cfrpd_webhook));
                return new Webhook
                {
                    EventType = Marshalling.Utf8(w.event_type),
                    EventTime = Marshalling.Utf8(w.event_time),
                    Version = Marshalling.Utf8(w.version),
                    Data = Marshalling.Status(w.data),
                };
            }
            finally { NativeMethods.cfrpd_webhook_free(hook); }
        }

        /// <summary>The native library's version ("0.1.0").</summary>
        public static string Version { get { Marshalling.EnsureLibrary(); return Marshalling.Utf8(NativeMethods.cfrpd_version()); } }

        /// <summary>MAJOR*10000 + MINOR*100 + PATCH of the native library.</summary>
        public static uint VersionNumber { get { return NativeMethods.cfrpd_version_number(); } }

        public static string ResultName(ResultCode r) { return Marshalling.ResultName((uint)r); }
        public static string StateName(State s) { return Marshalling.Utf8(NativeMethods.cfrpd_state_name((uint)s)); }
        public static string NameMatchName(NameMatch m) { return Marshalling.Utf8(NativeMethods.cfrpd_name_match_name((uint)m)); }
        public static string ReversalName(Reversal r) { return Marshalling.Utf8(NativeMethods.cfrpd_reversal_name((uint)r)); }
        public static string LogLevelName(LogLevel l) { return Marshalling.Utf8(NativeMethods.cfrpd_log_level_name((uint)l)); }
        public static string EnvironmentName(CashfreeEnvironment e) { return Marshalling.Utf8(NativeMethods.cfrpd_environment_name((uint)e)); }
        public static string JournalStateName(JournalState s) { return Marshalling.Utf8(NativeMethods.cfrpd_journal_state_name((uint)s)); }
    }
}
