using System.Text;
using System.Text.Json;

namespace LlmRouting.Accounting;

/// <summary>An <see cref="IRouteAuditSink"/> that appends one JSON object per line to a file (JSON Lines), buffered.</summary>
/// <remarks>
/// Records are serialized with System.Text.Json (camelCase, nulls omitted, enums as strings) into a buffered file stream
/// opened for append with read sharing, so the file can be tailed. Writes are serialized by a lock; the buffer is written
/// out when it fills, on <see cref="Flush"/>, and on <see cref="Dispose"/>. Thread-safe.
/// </remarks>
public sealed class JsonLinesRouteAuditSink : IRouteAuditSink, IDisposable
{
    private const int DefaultBufferSize = 64 * 1024;
    private readonly Lock _gate = new();
    private readonly FileStream _stream;
    private readonly Utf8JsonWriter _writer;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="JsonLinesRouteAuditSink"/> class.</summary>
    /// <param name="path">The file to append to; its directory is created if missing.</param>
    /// <param name="bufferSize">The write buffer size in bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferSize"/> is not positive.</exception>
    public JsonLinesRouteAuditSink(string path, int bufferSize = DefaultBufferSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bufferSize);
        string fullPath = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(fullPath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        Path = fullPath;
        _stream = new FileStream(fullPath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize, FileOptions.None);
        _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>Gets the full path of the file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The sink has been disposed.</exception>
    public void Write(RouteAuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            JsonSerializer.Serialize(_writer, record, AuditJsonContext.Default.RouteAuditRecord);
            _writer.Flush();  // into the FileStream's buffer, not to disk
            _writer.Reset();
            _stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>Writes buffered records to the file.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _stream.Flush();
            }
        }
    }

    /// <summary>Flushes buffered records and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer.Dispose();
            _stream.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Encoding.UTF8.WebName + " JSON lines: " + Path;
}
