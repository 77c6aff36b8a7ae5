// Tests of CashfreeRpd.dll under mono, against the emulator at CFRPD_EMULATOR_URL.
//   mono Tests.exe            runs every test (exit 1 when one fails)
//   mono Tests.exe --dump     prints the declaration dump that scripts/bindings_abi.py checks
//                             against include/cashfree_rpd.h and abi/*.abi
//   mono Tests.exe --expect-version-refused VERSION   (beside a stand-in library of VERSION)
// CFRPD_SOURCE_DIR: the repository (for the source checks); default: three levels up.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using CashfreeRpd;

static class Tests
{
    const string ClientId = "emulator-client-id";
    const string ClientSecret = "emulator-client-secret";
    static string baseUrl;
    static int counter;
    static readonly HashSet<ResultCode> seen = new HashSet<ResultCode>();

    static string FreshId(string prefix)
    {
        return prefix + "-" + System.Diagnostics.Process.GetCurrentProcess().Id + "-" + Interlocked.Increment(ref counter);
    }

    static string Control(string path, string json)
    {
        string root = baseUrl.Substring(0, baseUrl.LastIndexOf("/verification", StringComparison.Ordinal));
        var req = (HttpWebRequest)WebRequest.Create(root + "/__emulator/" + path);
        req.Proxy = null;
        if (json != null)
        {
            req.Method = "POST";
            req.ContentType = "application/json";
            byte[] b = Encoding.UTF8.GetBytes(json);
            using (var s = req.GetRequestStream()) s.Write(b, 0, b.Length);
        }
        using (var resp = (HttpWebResponse)req.GetResponse())
        using (var r = new StreamReader(resp.GetResponseStream())) return r.ReadToEnd();
    }

    static string Json(string s) { return "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""; }
    static void Pay(string id, string outcome = "SUCCESS") { Control("pay", "{\"verification_id\":" + Json(id) + ",\"outcome\":" + Json(outcome) + "}"); }
    static void Fault(string endpoint, string kind, string extra) { Control("fault", "{\"endpoint\":" + Json(endpoint) + ",\"kind\":" + Json(kind) + (extra == null ? "" : "," + extra) + "}"); }

    static Config Cfg()
    {
        var c = new Config(ClientId, ClientSecret);
        c.BaseUrl = baseUrl;
        c.MaxRetries = 0;
        c.SetTimeouts(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
        return c;
    }

    static void Check(bool cond, string what) { if (!cond) throw new Exception("check failed: " + what); }
    static void Eq<T>(T want, T got, string what) { if (!EqualityComparer<T>.Default.Equals(want, got)) throw new Exception(what + ": want " + want + ", got " + got); }

    static RpdException Throws(ResultCode code, Action a)
    {
        try { a(); }
        catch (RpdException e)
        {
            Eq(code, e.Code, "code (" + e.Message + ")");
            seen.Add(e.Code);
            return e;
        }
        throw new Exception("no RpdException, expected " + code);
    }

    static T ThrowsType<T>(Action a) where T : Exception
    {
        try { a(); }
        catch (T e) { return e; }
        throw new Exception("no " + typeof(T).Name);
    }

    // ----------------------------------------------------------------------- tests

    static void WholeFlow(Client c)
    {
        string id = FreshId("flow");
        Request r = c.Create(id, "John Doe");
        Eq(id, r.VerificationId, "VerificationId");
        Check(r.RefId > 0, "RefId > 0");
        Check(!r.Replayed, "not replayed");
        Check(r.UpiLink.StartsWith("upi://pay", StringComparison.Ordinal), "upi link");
        Check(r.QrPng != null && r.QrPng[0] == 0x89 && r.QrPng[1] == (byte)'P', "PNG bytes");
        using (var qr = QrCode.Encode(r.UpiLink))
        {
            Bitmap b = qr.ToBitmap(4);
            Eq((qr.Size + 8) * 4, b.Width, "bitmap width");
            Eq((int)(8 + b.Stride * b.Height), b.EscPos().Length, "escpos length");
            Check(Encoding.ASCII.GetString(b.Pbm(), 0, 3) == "P4\n", "pbm header");
        }
        Status s = c.GetStatus(id);
        Eq(State.CREATED, s.State, "created");
        Check(!s.IsFinal, "not final");
        int polls = 0;
        Status done = c.WaitForResult(id, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(0.5), st =>
        {
            if (++polls == 1) Pay(id);
            return true;
        });
        Eq(State.SUCCESS, done.State, "final state");
        Check(done.IsFinal, "final");
        Eq("JOHN DOE", done.NameAtBank, "name at bank");
        Eq(NameMatch.DIRECT, done.NameMatch, "name match");
        Eq("DIRECT_MATCH", done.NameMatchResult, "name match result");
        Check(!string.IsNullOrEmpty(done.BankAccount) && !string.IsNullOrEmpty(done.Ifsc) && !string.IsNullOrEmpty(done.Utr), "payer fields");
        Check(polls >= 2, "polled");
        Eq(id, c.GetStatusByRefId(r.RefId).VerificationId, "by ref id");
    }

    static void NullIsNull(Client c)
    {
        string id = FreshId("null");
        Fault("status", "status", "\"code\":200,\"body\":" + Json("{\"verification_id\":\"" + id + "\",\"ref_id\":7,\"status\":\"CREATED\",\"utr\":\"\"}"));
        Status s = c.GetStatus(id);
        Check(s.NameAtBank == null, "NULL name_at_bank is null");
        Check(s.ReversalStatus == null, "NULL reversal_status is null");
        Eq("", s.Utr, "empty utr stays empty");
        Eq("7", s.RefId, "ref id as text");
    }

    static void Errors(Client c)
    {
        var e = Throws(ResultCode.INVALID_ARGUMENT, () => c.Create("bad id!", "x"));
        Eq(0, e.HttpStatus, "http status of a bad input");
        Check(e.RequestId == null, "no request id");
        Throws(ResultCode.INVALID_ARGUMENT, () => c.Create(FreshId("x"), "a\0b"));
        Throws(ResultCode.INVALID_ARGUMENT, () => c.GetStatusByRefId(0));
        Throws(ResultCode.INVALID_ARGUMENT, () => new Config("", "s"));
        Throws(ResultCode.INVALID_ARGUMENT, () => { Cfg().MaxRetries = 11; });
        Throws(ResultCode.INVALID_ARGUMENT, () => { Cfg().BaseUrl = "http://example.com"; });
        Throws(ResultCode.INVALID_ARGUMENT, () => c.WaitForResult(FreshId("x"), TimeSpan.Zero));

        using (var net = new Config(ClientId, ClientSecret) { BaseUrl = "http://127.0.0.1:1/verification", MaxRetries = 0 })
        using (var nc = new Client(net))
        {
            e = Throws(ResultCode.NETWORK, () => nc.GetStatus(FreshId("net")));
            Check(e.Retryable, "network is retryable");
            Check(e.RequestId != null, "request id of a sent call");
        }
        using (var tc = Cfg())
        {
            tc.SetTimeouts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.3));
            using (var cl = new Client(tc))
            {
                Fault("status", "delay", "\"ms\":2000");
                Throws(ResultCode.TIMEOUT, () => cl.GetStatus(FreshId("slow")));
            }
        }
        using (var tls = new Config(ClientId, ClientSecret) { BaseUrl = baseUrl.Replace("http:", "https:"), MaxRetries = 0 })
        using (var cl = new Client(tls))
            Throws(ResultCode.TLS, () => cl.GetStatus(FreshId("tls")));

        var codes = new Dictionary<int, ResultCode>
        {
            { 401, ResultCode.UNAUTHORIZED }, { 403, ResultCode.FORBIDDEN }, { 404, ResultCode.NOT_FOUND },
            { 422, ResultCode.INSUFFICIENT_BALANCE }, { 429, ResultCode.RATE_LIMITED }, { 500, ResultCode.SERVER },
        };
        foreach (var kv in codes)
        {
            e = Throws(kv.Value, () => c.Create(FreshId("emu-fault-" + kv.Key), "John Doe"));
            Eq(kv.Key, e.HttpStatus, "http status of emu-fault-" + kv.Key);
            Check(e.CashfreeCode != null && e.RawBody != null, "Cashfree's code and body");
        }
        Fault("status", "status", "\"code\":400,\"body\":" + Json("{\"code\":\"x_invalid\",\"message\":\"bad input\",\"type\":\"validation_error\"}"));
        e = Throws(ResultCode.BAD_REQUEST, () => c.GetStatus(FreshId("bad")));
        Eq(400, e.HttpStatus, "400");
        e = Throws(ResultCode.SERVER, () => c.Create(FreshId("emu-fault-500"), "John Doe"));
        Check(e.Ambiguous && !e.Retryable, "a 500 create is ambiguous");
        e = Throws(ResultCode.NOT_FOUND, () => c.GetStatus(FreshId("nobody")));
        string dup = FreshId("dup");
        c.Create(dup, "John Doe");
        e = Throws(ResultCode.DUPLICATE_ID, () => c.Create(dup, "John Doe"));
        Eq(400, e.HttpStatus, "duplicate from Cashfree: 400");
        Fault("status", "status", "\"code\":418,\"body\":\"teapot\",\"content_type\":\"text/plain\"");
        e = Throws(ResultCode.HTTP, () => c.GetStatus(FreshId("tea")));
        Eq("teapot", e.RawBody, "raw body");
        Fault("status", "status", "\"code\":200,\"body\":\"not json\"");
        Throws(ResultCode.UNEXPECTED_RESPONSE, () => c.GetStatus(FreshId("junk")));
        Throws(ResultCode.SIGNATURE, () => Cfg().SetPublicKeyPem("not a key"));

        string id = FreshId("cancel");
        c.Create(id, "John Doe");
        e = Throws(ResultCode.CANCELLED, () => c.WaitForResult(id, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(0.5), s => false));
        Eq(State.CREATED, e.LastStatus.State, "last status of a cancelled wait");
        e = Throws(ResultCode.DEADLINE, () => c.WaitForResult(id, TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(0.5), null));
        Eq(id, e.LastStatus.VerificationId, "last status of a deadline");
        Throws(ResultCode.WEBHOOK_SIGNATURE, () => Rpd.VerifyWebhook(ClientSecret, Encoding.UTF8.GetBytes("{\"data\":{}}"), "bad", "1700000000"));
        e = Throws(ResultCode.JOURNAL, () => c.JournalPending());
        Check(e.Message.Contains("no journal"), "no journal configured");

        var missing = Enum.GetValues(typeof(ResultCode)).Cast<ResultCode>()
            .Where(x => x != ResultCode.OK && x != ResultCode.PANIC && !seen.Contains(x)).ToList();
        Check(missing.Count == 0, "error codes no test produced: " + string.Join(", ", missing));
    }

    static void FalseWithFinalStatus(Client c)
    {
        string id = FreshId("final");
        c.Create(id, "John Doe");
        Pay(id);
        Eq(State.SUCCESS, c.WaitForResult(id, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(0.5), s => false).State, "final wins over false");
    }

    class MyException : Exception { public MyException(string m) : base(m) { } }

    static void RaisingCallback(Client c)
    {
        string id = FreshId("raise");
        c.Create(id, "John Doe");
        var boom = new MyException("from onPoll");
        var got = ThrowsType<MyException>(() => c.WaitForResult(id, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(0.5), s => { throw boom; }));
        Check(ReferenceEquals(boom, got), "the same exception object");
        Pay(id);
        var boom2 = new InvalidOperationException("after a final status");
        var got2 = ThrowsType<InvalidOperationException>(() => c.WaitForResult(id, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(0.5), s => { throw boom2; }));
        Check(ReferenceEquals(boom2, got2), "the same exception object (final status)");
        Eq(State.SUCCESS, c.GetStatus(id).State, "client still works");
    }

    static void LogCallback()
    {
        var lines = new List<string>();
        using (var cfg = Cfg())
        {
            cfg.SetLogCallback(LogLevel.INFO, (lv, m) => { lock (lines) lines.Add(lv + " " + m); });
            using (var c = new Client(cfg))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers(); // the delegate must survive this
                ThrowsType<RpdException>(() => c.GetStatus(FreshId("log")));
            }
            Check(lines.Any(l => l.StartsWith("INFO ", StringComparison.Ordinal)), "INFO lines logged");
            cfg.SetLogCallback(LogLevel.DEBUG, (lv, m) => { throw new Exception("dropped"); });
            using (var c = new Client(cfg)) c.Create(FreshId("log"), "John Doe");
            cfg.SetLogCallback(LogLevel.INFO, null);
        }
    }

    static void Disposed()
    {
        var c = new Client(Cfg());
        c.Dispose();
        c.Dispose();
        ThrowsType<ObjectDisposedException>(() => c.GetStatus(FreshId("d")));
        ThrowsType<ObjectDisposedException>(() => c.Create(FreshId("d"), "x"));
        ThrowsType<ObjectDisposedException>(() => c.JournalPending());
        var cfg = Cfg();
        cfg.Dispose();
        cfg.Dispose();
        ThrowsType<ObjectDisposedException>(() => new Client(cfg));
        ThrowsType<ObjectDisposedException>(() => { cfg.MaxRetries = 1; });

        // Dispose waits for a call in flight.
        var c2 = new Client(Cfg());
        string id = FreshId("inflight");
        c2.Create(id, "John Doe");
        var started = new ManualResetEvent(false);
        object result = null;
        var t = new Thread(() =>
        {
            try { result = c2.WaitForResult(id, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(0.5), s => { started.Set(); return true; }); }
            catch (RpdException e) { result = e; }
        });
        t.Start();
        Check(started.WaitOne(10000), "wait started");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        c2.Dispose();
        Check(sw.Elapsed.TotalSeconds > 0.3, "Dispose waited");
        t.Join();
        Eq(ResultCode.DEADLINE, ((RpdException)result).Code, "the wait ended normally");

        // Dispose from inside the client's own callback.
        var c3 = new Client(Cfg());
        string id3 = FreshId("selfdispose");
        c3.Create(id3, "John Doe");
        Throws(ResultCode.CANCELLED, () => c3.WaitForResult(id3, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(0.5), s => { c3.Dispose(); return false; }));
        ThrowsType<ObjectDisposedException>(() => c3.GetStatus(id3));

        // Not disposed at all: the SafeHandle's finalizer frees it.
        for (int i = 0; i < 20; i++) new Client(Cfg());
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    static void Journal()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cfrpd-dotnet-journal-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "journal");
        try
        {
            var cfg = Cfg();
            cfg.JournalPath = path;
            using (var c = new Client(cfg))
            {
                string id = FreshId("jr");
                Request r1 = c.Create(id, "John Doe");
                Check(!r1.Replayed, "fresh");
                Request r2 = c.Create(id, "John Doe");
                Check(r2.Replayed, "replayed");
                Eq(r1.UpiLink, r2.UpiLink, "same link");
                Eq(r1.RefId, r2.RefId, "same ref id");
                Check(r2.QrPng != null && r1.QrPng.SequenceEqual(r2.QrPng), "same PNG");

                string lost = FreshId("jl");
                Fault("create", "status", "\"code\":500,\"body\":" + Json("{\"message\":\"boom\",\"code\":\"internal\",\"type\":\"api_error\"}"));
                var e = Throws(ResultCode.SERVER, () => c.Create(lost, "Jane Roe"));
                Check(e.Ambiguous, "ambiguous");

                var pending = c.JournalPending().ToDictionary(x => x.VerificationId);
                Eq(JournalState.CREATED, pending[id].State, "CREATED entry");
                Eq("John Doe", pending[id].Name, "entry name");
                Eq(r1.UpiLink, pending[id].Request.UpiLink, "entry request");
                Check(pending[id].RecordedAtMs > 1600000000000L, "recorded at");
                Eq(JournalState.SENDING, pending[lost].State, "SENDING entry");
                Check(pending[lost].Request == null, "SENDING has no request");

                e = Throws(ResultCode.DUPLICATE_ID, () => c.Create(lost, "Jane Roe"));
                Eq(0, e.HttpStatus, "the journal's DUPLICATE_ID has HTTP status 0");
                Throws(ResultCode.NOT_FOUND, () => c.JournalResolve(lost));
                Pay(id);
                Eq(State.SUCCESS, c.JournalResolve(id).State, "resolved");
                Eq(0, c.JournalPending().Count, "nothing open");
                var other = Cfg();
                other.JournalPath = path;
                Throws(ResultCode.JOURNAL, () => new Client(other));
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    static void EightThreads()
    {
        var errors = new List<Exception>();
        using (var c = new Client(Cfg()))
        {
            var barrier = new Barrier(8);
            var threads = Enumerable.Range(0, 8).Select(n => new Thread(() =>
            {
                try
                {
                    barrier.SignalAndWait();
                    for (int i = 0; i < 6; i++)
                    {
                        string id = FreshId("t" + n);
                        Request r = c.Create(id, "John Doe");
                        Eq(State.CREATED, c.GetStatus(id).State, "created");
                        if (i % 2 == 0)
                        {
                            Pay(id);
                            Eq(State.SUCCESS, c.WaitForResult(id, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(0.5), null).State, "paid");
                        }
                        Eq(id, c.GetStatusByRefId(r.RefId).VerificationId, "by ref id");
                    }
                }
                catch (Exception e) { lock (errors) errors.Add(e); }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
        }
        Check(errors.Count == 0, "thread errors: " + string.Join("\n", errors));
    }

    static void Webhooks()
    {
        string body = "{\"data\":{\"verification_id\":\"wh-1\",\"ref_id\":12,\"status\":\"SUCCESS\"},\"event_type\":\"RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS\"}";
        string ts = ((long)(DateTime.UtcNow - new DateTime(1970, 1, 1)).TotalSeconds).ToString();
        byte[] raw = Encoding.UTF8.GetBytes(body);
        string sig;
        using (var h = new HMACSHA256(Encoding.UTF8.GetBytes(ClientSecret)))
            sig = Convert.ToBase64String(h.ComputeHash(Encoding.UTF8.GetBytes(ts).Concat(raw).ToArray()));
        Webhook w = Rpd.VerifyWebhook(ClientSecret, raw, sig, ts, 300);
        Eq("RPD_BANK_ACCOUNT_VERIFICATION_SUCCESS", w.EventType, "event type");
        Check(w.Version == null, "absent version is null");
        Eq(State.SUCCESS, w.Data.State, "state");
        Eq("12", w.Data.RefId, "ref id");
    }

    static void QrAndNames()
    {
        using (var q = QrCode.Encode("hello"))
        {
            Check(q.Size >= Constants.QR_MIN_SIZE, "size");
            Check(q.Module(0, 0), "finder corner dark");
            Throws(ResultCode.INVALID_ARGUMENT, () => q.ToBitmap(Constants.QR_MAX_SCALE + 1));
            // Text(): half blocks with a 4-module quiet zone, drawn here from the modules.
            int n = (int)q.Size;
            Func<int, int, bool> dark = (x, y) => x >= 0 && y >= 0 && x < n && y < n && q.Module((uint)x, (uint)y);
            var plain = new StringBuilder();
            var ansi = new StringBuilder();
            for (int y = -4; y < n + 4; y += 2)
            {
                var line = new StringBuilder();
                for (int x = -4; x < n + 4; x++)
                    line.Append(" \u2584\u2580\u2588"[(dark(x, y) ? 2 : 0) + (dark(x, y + 1) ? 1 : 0)]);
                plain.Append(line).Append('\n');
                ansi.Append("\x1b[30;107m").Append(line).Append("\x1b[0m\n");
            }
            Eq(plain.ToString(), q.Text(), "Text() half blocks");
            Eq(ansi.ToString(), q.Text(true), "Text(true) ANSI colours");
            q.Dispose();
            ThrowsType<ObjectDisposedException>(() => q.ToBitmap(1));
            ThrowsType<ObjectDisposedException>(() => q.Text());
        }
        foreach (ResultCode r in Enum.GetValues(typeof(ResultCode)))
            Eq(r == ResultCode.OK ? "CFRPD_OK" : "CFRPD_ERR_" + r, Rpd.ResultName(r), "result name");
        foreach (State s in Enum.GetValues(typeof(State))) Eq(s.ToString(), Rpd.StateName(s), "state name");
        foreach (JournalState s in Enum.GetValues(typeof(JournalState))) Eq(s.ToString(), Rpd.JournalStateName(s), "journal state name");
        foreach (LogLevel s in Enum.GetValues(typeof(LogLevel))) Eq(s.ToString(), Rpd.LogLevelName(s), "log level name");
        foreach (Reversal s in Enum.GetValues(typeof(Reversal))) Eq(s.ToString(), Rpd.ReversalName(s), "reversal name");
        foreach (CashfreeEnvironment s in Enum.GetValues(typeof(CashfreeEnvironment))) Eq(s.ToString(), Rpd.EnvironmentName(s), "environment name");
        Eq("DIRECT_MATCH", Rpd.NameMatchName(NameMatch.DIRECT), "name match name");
        Eq("0.1.0", Rpd.Version, "version");
        using (var c = new Client(Cfg())) Check(c.RateLimit() == null, "no rate limit known yet");
    }

    static void FromEnvironment()
    {
        System.Environment.SetEnvironmentVariable("CASHFREE_CLIENT_ID", ClientId);
        System.Environment.SetEnvironmentVariable("CASHFREE_CLIENT_SECRET", ClientSecret);
        System.Environment.SetEnvironmentVariable("CASHFREE_BASE_URL", baseUrl);
        using (var cfg = Config.FromEnvironment())
        using (var c = new Client(cfg))
            Throws(ResultCode.NOT_FOUND, () => c.GetStatus(FreshId("env")));
        System.Environment.SetEnvironmentVariable("CASHFREE_CLIENT_ID", null);
        var e = Throws(ResultCode.INVALID_ARGUMENT, () => Config.FromEnvironment());
        Check(e.Message.Contains("CASHFREE_CLIENT_ID"), "names the variable");
    }

    // ----------------------------------------------------------------------- assembly checks

    static string SourceDir()
    {
        string d = System.Environment.GetEnvironmentVariable("CFRPD_SOURCE_DIR");
        if (!string.IsNullOrEmpty(d)) return d;
        return Path.GetFullPath(Path.Combine(AppDomain.CurrentDomain.BaseDirectory, "..", "..", ".."));
    }

    static void AssemblyReferences()
    {
        Assembly asm = typeof(Client).Assembly;
        var refs = asm.GetReferencedAssemblies().Select(a => a.Name).OrderBy(n => n).ToList();
        var allowed = new HashSet<string> { "mscorlib", "System", "System.Core" };
        Check(refs.All(allowed.Contains), "references only mscorlib/System/System.Core: " + string.Join(", ", refs));
        var tf = asm.GetCustomAttributes(typeof(System.Runtime.Versioning.TargetFrameworkAttribute), false)
            .Cast<System.Runtime.Versioning.TargetFrameworkAttribute>().Single();
        Eq(".NETFramework,Version=v4.6.1", tf.FrameworkName, "TargetFramework");
        // Every import is called from the binding (the extern declarations themselves aside).
        string src = Path.Combine(SourceDir(), "bindings", "dotnet", "src");
        string code = string.Join("\n", Directory.GetFiles(src, "*.cs").SelectMany(File.ReadAllLines).Where(l => !l.Contains(" static extern ")));
        var unused = Imports().Select(m => m.Name).Where(n => !Regex.IsMatch(code, @"NativeMethods\." + n + @"\b")).ToList();
        Check(unused.Count == 0, "imported but never called: " + string.Join(", ", unused));
        // The version this assembly was built for is the header's.
        string header = File.ReadAllText(Path.Combine(SourceDir(), "include", "cashfree_rpd.h"));
        Func<string, int> macro = k => int.Parse(Regex.Match(header, "#define CFRPD_VERSION_" + k + @" (\d+)").Groups[1].Value);
        uint built = (uint)typeof(Client).Assembly.GetType("CashfreeRpd.NativeMethods")
            .GetField("BuiltForVersionNumber", BindingFlags.NonPublic | BindingFlags.Static).GetValue(null);
        Eq((uint)(macro("MAJOR") * 10000 + macro("MINOR") * 100 + macro("PATCH")), built, "BuiltForVersionNumber");
    }

    // ----------------------------------------------------------------------- declaration dump

    static Type Native { get { return typeof(Client).Assembly.GetType("CashfreeRpd.NativeMethods", true); } }

    static IEnumerable<MethodInfo> Imports()
    {
        return Native.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(m => (m.Attributes & MethodAttributes.PinvokeImpl) != 0).OrderBy(m => m.MetadataToken);
    }

    static string Atom(Type t, ICustomAttributeProvider p)
    {
        if (t.IsByRef || t.IsPointer) return "ptr";
        if (t == typeof(void)) return "void";
        if (t == typeof(bool))
        {
            var ma = p == null ? null : p.GetCustomAttributes(typeof(MarshalAsAttribute), false).Cast<MarshalAsAttribute>().FirstOrDefault();
            return ma != null && (ma.Value == UnmanagedType.U1 || ma.Value == UnmanagedType.I1) ? "bool" : "bool4";
        }
        if (t == typeof(uint)) return "u32";
        if (t == typeof(ushort)) return "u16";
        if (t == typeof(byte)) return "u8";
        if (t == typeof(long)) return "i64";
        if (t == typeof(UIntPtr)) return "size";
        if (t == typeof(IntPtr) || t == typeof(byte[]) || typeof(SafeHandle).IsAssignableFrom(t)) return "ptr";
        if (typeof(Delegate).IsAssignableFrom(t)) return "fn";
        if (t == typeof(string)) return "string(marshalled-by-the-runtime)";
        return t.Name;
    }

    static string Conv(CallingConvention c) { return c == CallingConvention.Cdecl ? "cdecl" : c.ToString().ToLowerInvariant(); }

    static void Dump(TextWriter o)
    {
        foreach (MethodInfo m in Imports())
        {
            var dll = m.GetCustomAttributes(typeof(DllImportAttribute), false).Cast<DllImportAttribute>().Single();
            o.WriteLine(string.Join(" ", new[] { "fn", dll.EntryPoint ?? m.Name, Conv(dll.CallingConvention), Atom(m.ReturnType, m.ReturnParameter) }
                .Concat(m.GetParameters().Select(p => Atom(p.ParameterType, p)))));
        }
        foreach (Type t in Native.GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public).OrderBy(t => t.MetadataToken))
        {
            if (typeof(Delegate).IsAssignableFrom(t))
            {
                var ufp = t.GetCustomAttributes(typeof(UnmanagedFunctionPointerAttribute), false).Cast<UnmanagedFunctionPointerAttribute>().FirstOrDefault();
                MethodInfo inv = t.GetMethod("Invoke");
                o.WriteLine(string.Join(" ", new[] { "cb", t.Name, ufp == null ? "winapi(default)" : Conv(ufp.CallingConvention), Atom(inv.ReturnType, inv.ReturnParameter) }
                    .Concat(inv.GetParameters().Select(p => Atom(p.ParameterType, p)))));
            }
            else if (t.IsValueType)
            {
                Check(t.IsLayoutSequential, t.Name + " is LayoutKind.Sequential");
                var fields = t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken).ToList();
                o.WriteLine(string.Join(" ", new[] { "struct", t.Name }.Concat(fields.Select(f => f.Name + ":" + Atom(f.FieldType, f)))));
                if (IntPtr.Size == 8 && System.Environment.OSVersion.Platform == PlatformID.Unix)
                    o.WriteLine(string.Join(" ", new[] { "layout", "cashfree_rpd", t.Name, Marshal.SizeOf(t).ToString() }
                        .Concat(fields.Select(f => f.Name + ":" + Marshal.OffsetOf(t, f.Name).ToInt64()))));
            }
        }
        var prefixes = new Dictionary<Type, string>
        {
            { typeof(ResultCode), "CFRPD_ERR_" }, { typeof(State), "CFRPD_STATE_" }, { typeof(NameMatch), "CFRPD_MATCH_" },
            { typeof(Reversal), "CFRPD_REVERSAL_" }, { typeof(CashfreeEnvironment), "CFRPD_ENV_" }, { typeof(LogLevel), "CFRPD_LOG_" },
            { typeof(JournalState), "CFRPD_JOURNAL_" },
        };
        foreach (var kv in prefixes)
            foreach (object v in Enum.GetValues(kv.Key))
            {
                string name = v.ToString();
                o.WriteLine("const " + (kv.Key == typeof(ResultCode) && name == "OK" ? "CFRPD_OK" : kv.Value + name) + " " + Convert.ToUInt64(v));
            }
        foreach (FieldInfo f in typeof(Constants).GetFields(BindingFlags.Public | BindingFlags.Static))
            o.WriteLine("const CFRPD_" + f.Name + " " + Convert.ToUInt64(f.GetRawConstantValue()));
    }

    // ----------------------------------------------------------------------- runner

    static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--dump")
        {
            Dump(Console.Out);
            return 0;
        }
        if (args.Length > 1 && args[0] == "--expect-version-refused")
        {
            // Run beside a stand-in library of another version (tests/it/bindings.rs builds it).
            try { new Config(ClientId, ClientSecret); }
            catch (InvalidOperationException e)
            {
                Console.WriteLine(e.Message);
                return e.Message.Contains(args[1]) ? 0 : 1;
            }
            Console.WriteLine("the library of another version was accepted");
            return 1;
        }
        baseUrl = System.Environment.GetEnvironmentVariable("CFRPD_EMULATOR_URL");
        if (string.IsNullOrEmpty(baseUrl))
        {
            Console.Error.WriteLine("set CFRPD_EMULATOR_URL to an emulator's base URL (.../verification)");
            return 2;
        }
        var shared = new Client(Cfg());
        var tests = new List<KeyValuePair<string, Action>>
        {
            new KeyValuePair<string, Action>("assembly references, imports used, version", AssemblyReferences),
            new KeyValuePair<string, Action>("whole flow: create, QR, pay, wait, result", () => WholeFlow(shared)),
            new KeyValuePair<string, Action>("NULL is null, never \"\"", () => NullIsNull(shared)),
            new KeyValuePair<string, Action>("every error code", () => Errors(shared)),
            new KeyValuePair<string, Action>("false with a final status is not cancelled", () => FalseWithFinalStatus(shared)),
            new KeyValuePair<string, Action>("a raising poll callback: the same exception rethrown", () => RaisingCallback(shared)),
            new KeyValuePair<string, Action>("log callback (kept alive; a throwing one is dropped)", LogCallback),
            new KeyValuePair<string, Action>("disposed client and config", Disposed),
            new KeyValuePair<string, Action>("journal: replay, pending, resolve", Journal),
            new KeyValuePair<string, Action>("8 threads on one client", EightThreads),
            new KeyValuePair<string, Action>("webhook verified and parsed", Webhooks),
            new KeyValuePair<string, Action>("QR code, names, version, rate limit", QrAndNames),
            new KeyValuePair<string, Action>("Config.FromEnvironment", FromEnvironment),
        };
        int failed = 0;
        foreach (var t in tests)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                t.Value();
                Console.WriteLine("PASS " + t.Key + " (" + sw.ElapsedMilliseconds + " ms)");
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine("FAIL " + t.Key + ": " + e);
            }
        }
        shared.Dispose();
        Console.WriteLine(failed == 0 ? "all " + tests.Count + " tests passed" : failed + " of " + tests.Count + " tests FAILED");
        return failed == 0 ? 0 : 1;
    }
}
