using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting.Agents;

/// <summary>A 64-bit digest of a tool call's function and arguments (keys sorted, values as JSON), so identical calls compare equal without keeping their text.</summary>
internal static class ToolCallKey
{
    public static ulong Of(FunctionCallContent call)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("\u0001name", call.Name);
            if (call.Arguments is { Count: > 0 } arguments)
            {
                foreach (KeyValuePair<string, object?> argument in arguments.OrderBy(a => a.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(argument.Key);
                    WriteValue(writer, argument.Value);
                }
            }

            writer.WriteEndObject();
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            default:
                try
                {
                    JsonSerializer.Serialize(writer, value, value.GetType(), AIJsonUtilities.DefaultOptions);
                }
                catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException)
                {
                    // A value that cannot be serialized is compared by its type only: two such calls count as the same.
                    writer.WriteStringValue(value.GetType().FullName);
                }

                break;
        }
    }
}
