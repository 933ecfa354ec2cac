using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting.Caching;

/// <summary>
/// A prefix-free binary encoding of request values into a pooled buffer, for hashing: every value starts with a type
/// tag, every variable-length item carries its length, so two different sequences of values never encode to the
/// same bytes. Values the writer does not know are encoded as their type name and their JSON.
/// </summary>
/// <remarks>Not thread-safe; one instance per key. Dispose returns the buffer to the pool.</remarks>
internal sealed class CanonicalWriter : IDisposable
{
    private const byte NullTag = 0;
    private const byte StringTag = 1;
    private const byte BoolTag = 2;
    private const byte IntegerTag = 3;
    private const byte UnsignedTag = 4;
    private const byte DoubleTag = 5;
    private const byte SingleTag = 6;
    private const byte DecimalTag = 7;
    private const byte JsonTag = 8;
    private const byte StringsTag = 9;
    private const byte DictionaryTag = 10;
    private const byte EnumTag = 11;
    private const byte OtherTag = 12;
    private const byte BytesTag = 13;
    private const byte UndefinedJsonTag = 14;

    private byte[] _buffer;
    private int _length;

    /// <summary>Initializes a new instance of the <see cref="CanonicalWriter"/> class.</summary>
    /// <param name="capacity">The initial buffer size in bytes.</param>
    public CanonicalWriter(int capacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>Gets the bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Writes a one-byte marker (a field or kind tag chosen by the caller).</summary>
    /// <param name="marker">The marker.</param>
    public void Marker(byte marker) => Reserve(1)[0] = marker;

    /// <summary>Writes a count or length.</summary>
    /// <param name="value">The value.</param>
    public void Count(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    /// <summary>Writes a string, or the null marker.</summary>
    /// <param name="value">The string.</param>
    public void String(string? value)
    {
        if (value is null)
        {
            Marker(NullTag);
            return;
        }

        Marker(StringTag);
        Chars(value);
    }

    /// <summary>Writes an optional boolean.</summary>
    /// <param name="value">The value.</param>
    public void Bool(bool? value)
    {
        if (value is not { } v)
        {
            Marker(NullTag);
            return;
        }

        Span<byte> span = Reserve(2);
        span[0] = BoolTag;
        span[1] = v ? (byte)1 : (byte)0;
    }

    /// <summary>Writes an optional integer.</summary>
    /// <param name="value">The value.</param>
    public void Integer(long? value)
    {
        if (value is not { } v)
        {
            Marker(NullTag);
            return;
        }

        Span<byte> span = Reserve(9);
        span[0] = IntegerTag;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], v);
    }

    /// <summary>Writes an optional single-precision number (its exact bits).</summary>
    /// <param name="value">The value.</param>
    public void Single(float? value)
    {
        if (value is not { } v)
        {
            Marker(NullTag);
            return;
        }

        Span<byte> span = Reserve(5);
        span[0] = SingleTag;
        BinaryPrimitives.WriteSingleLittleEndian(span[1..], v);
    }

    /// <summary>Writes raw bytes with their length.</summary>
    /// <param name="bytes">The bytes.</param>
    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Marker(BytesTag);
        Count(bytes.Length);
        bytes.CopyTo(Reserve(bytes.Length));
    }

    /// <summary>Writes a JSON element as its raw UTF-8 text (whitespace counts: a different spelling is a different key, never a wrong hit).</summary>
    /// <param name="element">The element.</param>
    public void Json(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            Marker(UndefinedJsonTag);
            return;
        }

        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(element);
        Marker(JsonTag);
        Count(raw.Length);
        raw.CopyTo(Reserve(raw.Length));
    }

    /// <summary>Writes an optional JSON element.</summary>
    /// <param name="element">The element.</param>
    public void Json(JsonElement? element)
    {
        if (element is { } e)
        {
            Json(e);
        }
        else
        {
            Marker(NullTag);
        }
    }

    /// <summary>Writes a metadata dictionary in key order (so insertion order never matters), skipping <paramref name="skip"/>.</summary>
    /// <param name="properties">The dictionary.</param>
    /// <param name="skip">A key that does not change the answer, or <see langword="null"/>.</param>
    public void Properties(IEnumerable<KeyValuePair<string, object?>>? properties, string? skip = null)
    {
        if (properties is null)
        {
            Marker(NullTag);
            return;
        }

        KeyValuePair<string, object?>[] sorted = ArrayPool<KeyValuePair<string, object?>>.Shared.Rent(properties.TryGetNonEnumeratedCount(out int n) ? Math.Max(n, 4) : 16);
        int count = 0;
        try
        {
            foreach (KeyValuePair<string, object?> property in properties)
            {
                if (skip is not null && property.Key == skip)
                {
                    continue;
                }

                if (count == sorted.Length)
                {
                    KeyValuePair<string, object?>[] larger = ArrayPool<KeyValuePair<string, object?>>.Shared.Rent(count * 2);
                    sorted.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<KeyValuePair<string, object?>>.Shared.Return(sorted, clearArray: true);
                    sorted = larger;
                }

                sorted[count++] = property;
            }

            Span<KeyValuePair<string, object?>> entries = sorted.AsSpan(0, count);
            if (count > 1)
            {
                entries.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            }

            Marker(DictionaryTag);
            Count(count);
            foreach (KeyValuePair<string, object?> entry in entries)
            {
                String(entry.Key);
                Value(entry.Value);
            }
        }
        finally
        {
            ArrayPool<KeyValuePair<string, object?>>.Shared.Return(sorted, clearArray: true);
        }
    }

    /// <summary>Writes any metadata or argument value: primitives and JSON directly, anything else as its type name and JSON.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="NotSupportedException">The value's type cannot be serialized to JSON (the request then bypasses the cache).</exception>
    public void Value(object? value)
    {
        switch (value)
        {
            case null:
                Marker(NullTag);
                break;
            case string s:
                String(s);
                break;
            case bool b:
                Bool(b);
                break;
            case int or long or short or sbyte or byte or ushort or uint:
                Integer(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ulong u:
                Marker(UnsignedTag);
                BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), u);
                break;
            case double d:
                Marker(DoubleTag);
                BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), d);
                break;
            case float f:
                Single(f);
                break;
            case decimal m:
                Marker(DecimalTag);
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(m, bits);
                MemoryMarshal.AsBytes(bits).CopyTo(Reserve(16));
                break;
            case JsonElement element:
                Json(element);
                break;
            case Enum e:
                Marker(EnumTag);
                String(e.GetType().FullName);
                Integer(Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case IEnumerable<KeyValuePair<string, object?>> dictionary:
                Properties(dictionary);
                break;
            case IEnumerable<string> strings:
                Strings(strings);
                break;
            default:
                Other(value, value.GetType());
                break;
        }
    }

    /// <summary>Writes a list of strings.</summary>
    /// <param name="strings">The strings, or <see langword="null"/>.</param>
    public void Strings(IEnumerable<string?>? strings)
    {
        if (strings is null)
        {
            Marker(NullTag);
            return;
        }

        Marker(StringsTag);
        int at = _length;
        Count(0);
        int count = 0;
        foreach (string? s in strings)
        {
            String(s);
            count++;
        }

        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at, 4), count);
    }

    /// <summary>Writes a value the writer has no encoding for: its type name and its JSON (MEAI's serializer options).</summary>
    /// <param name="value">The value.</param>
    /// <param name="type">The type to serialize it as (a polymorphic base such as <see cref="AIContent"/>, or its own type).</param>
    /// <exception cref="NotSupportedException">The type cannot be serialized.</exception>
    public void Other(object value, Type type)
    {
        ArgumentNullException.ThrowIfNull(value);
        Marker(OtherTag);
        String(value.GetType().FullName);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(type));
        Bytes(json);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Chars(string value)
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(value.AsSpan());
        Count(value.Length);
        bytes.CopyTo(Reserve(bytes.Length));
    }

    private Span<byte> Reserve(int size)
    {
        if (_buffer.Length - _length < size)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        Span<byte> span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }
}
