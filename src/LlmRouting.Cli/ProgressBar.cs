namespace LlmRouting.Cli;

/// <summary>Progress on stderr: a redrawn bar on a terminal, a plain line every 10 % when redirected.</summary>
internal sealed class ProgressBar : IDisposable
{
    private readonly string _label;
    private readonly int _total;
    private readonly bool _interactive;
    private readonly TextWriter _writer;
    private readonly Lock _lock = new();
    private int _done;
    private int _lastShown;

    public ProgressBar(string label, int total, TextWriter? writer = null, bool? interactive = null)
    {
        _label = label;
        _total = Math.Max(total, 1);
        _writer = writer ?? Console.Error;
        _interactive = interactive ?? !Console.IsErrorRedirected;

        // Redirected output starts at 10 %: a "0 %" line tells a log reader nothing.
        _lastShown = _interactive ? -1 : 0;
    }

    public void Increment()
    {
        int done = Interlocked.Increment(ref _done);
        int step = _interactive ? done * 100 / _total : done * 10 / _total * 10;
        if (step == Volatile.Read(ref _lastShown))
        {
            return;
        }

        lock (_lock)
        {
            if (step <= _lastShown)
            {
                return;
            }

            _lastShown = step;
            if (_interactive)
            {
                int width = 30;
                int filled = step * width / 100;
                _writer.Write($"\r{_label} [{new string('#', filled)}{new string('-', width - filled)}] {step,3}% ({done}/{_total})");
            }
            else
            {
                _writer.WriteLine($"{_label}: {step}% ({done}/{_total})");
            }
        }
    }

    public void Dispose()
    {
        if (_interactive && _lastShown >= 0)
        {
            lock (_lock)
            {
                _writer.WriteLine();
            }
        }
    }
}
