using System.Text.Json.Serialization;

namespace LlmRouting.Accounting;

/// <summary>Source-generated JSON metadata for audit records (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RouteAuditRecord))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
