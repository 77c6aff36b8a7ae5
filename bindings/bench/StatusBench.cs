// CPU per status call through the .NET binding under mono (bindings/bench/run.py).
//   mono StatusBench.exe BASE_URL VERIFICATION_ID CALLS
// Process CPU (all threads: the runtime's too) from getrusage(RUSAGE_SELF), as the C
// bench measures it (Process.TotalProcessorTime has 10 ms ticks under mono).
using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using CashfreeRpd;

static class StatusBench
{
    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    static extern int getrusage(int who, byte[] usage);

    static double CpuUs()
    {
        var b = new byte[256]; // struct rusage on 64-bit Linux: ru_utime, ru_stime first
        getrusage(0, b);
        return (BitConverter.ToInt64(b, 0) + BitConverter.ToInt64(b, 16)) * 1e6 + BitConverter.ToInt64(b, 8) + BitConverter.ToInt64(b, 24);
    }

    static int Main(string[] args)
    {
        string baseUrl = args[0], id = args[1];
        int calls = int.Parse(args[2]);
        using (var cfg = new Config("emulator-client-id", "emulator-client-secret") { BaseUrl = baseUrl })
        using (var c = new Client(cfg))
        {
            for (int i = 0; i < 200; i++) c.GetStatus(id);
            double c0 = CpuUs();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++) c.GetStatus(id);
            double wall = sw.Elapsed.TotalMilliseconds * 1000 / calls;
            double cpu = (CpuUs() - c0) / calls;
            Console.WriteLine("{\"client\": \".NET binding (mono)\", \"calls\": " + calls + ", \"cpu_us\": " + cpu.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)
                + ", \"wall_us\": " + wall.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "}");
        }
        return 0;
    }
}
