using System.ComponentModel.DataAnnotations;

namespace LlmRouting.Configuration;

/// <summary>The value must be greater than zero (a <see cref="TimeSpan"/> or a number; a <see cref="double"/> must be finite too); <see langword="null"/> passes (an optional limit that is off).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class PositiveAttribute : ValidationAttribute
{
    /// <inheritdoc/>
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan span => span > TimeSpan.Zero,
        int i => i > 0,
        long l => l > 0,
        double d => d > 0 && double.IsFinite(d),
        decimal m => m > 0,
        _ => false,
    };
}

/// <summary>The value must be zero or more (a <see cref="TimeSpan"/> or a number; a <see cref="double"/> must be finite too); <see langword="null"/> passes.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NotNegativeAttribute : ValidationAttribute
{
    /// <inheritdoc/>
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan span => span >= TimeSpan.Zero,
        int i => i >= 0,
        long l => l >= 0,
        double d => d >= 0 && double.IsFinite(d),
        decimal m => m >= 0,
        _ => false,
    };
}

/// <summary>The string must have text (not <see langword="null"/>, empty or white space).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NotBlankAttribute : ValidationAttribute
{
    /// <inheritdoc/>
    public override bool IsValid(object? value) => value is string s && !string.IsNullOrWhiteSpace(s);
}

/// <summary>The number must be finite (not NaN or an infinity); <see langword="null"/> passes.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class FiniteAttribute : ValidationAttribute
{
    /// <inheritdoc/>
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        double d => double.IsFinite(d),
        float f => float.IsFinite(f),
        _ => true,
    };
}
