using System.Buffers.Binary;

namespace LlmRouting;

/// <summary>Creates route ids: RFC 9562 version-7 GUIDs (time-ordered) from a fast non-cryptographic source.</summary>
/// <remarks>
/// <see cref="Guid.CreateVersion7()"/> draws on the cryptographic generator, which costs more than the whole
/// routing decision; a route id needs uniqueness and time order, not secrecy, so 74 bits from
/// <see cref="Random.Shared"/> serve.
/// </remarks>
internal static class RouteIds
{
    public static Guid NewVersion7(DateTimeOffset timestamp)
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[6..]);
        long ms = timestamp.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(ms >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)ms);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70); // version 7
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
